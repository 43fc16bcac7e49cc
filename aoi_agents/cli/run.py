"""``aoi run``: play one problem with an agent and show the live transcript."""

from __future__ import annotations

import argparse

__all__ = ["HumanAgent"]


class HumanAgent:
    """A person types each action at a prompt (how problem authors debug a problem)."""

    name = "human"

    def reset(self, prompt: str) -> None:
        return None

    def act(self, observation: str) -> str:
        try:
            return input("action> ")
        except EOFError:
            return "submit()"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="play one problem with an agent, showing the transcript")
    p.add_argument("--problem", required=True, help="problem id (see `aoi problems`)")
    p.add_argument("--agent", default="expert", help="human | random | expert | package.module:ClassName")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--max-steps", type=int, default=30)
    p.add_argument("--out", default=None, help="append the trajectory to this JSONL file")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import gymnasium as gym
    from rich.console import Console

    import aoi_gym  # noqa: F401  (registers the env)
    from aoi_agents.runner import load_agent, run_episode
    from aoi_gym.trajectory import append_trajectory

    console = Console()
    try:
        env = gym.make("AOI-Incident-v0", problem_ids=[args.problem], max_steps=args.max_steps)
        agent = load_agent(args.agent)
    except (KeyError, ValueError) as e:
        print(f"error: {e}")
        return 2

    def show(action: str, obs: str) -> None:
        console.rule("action")
        console.print(action, markup=False, highlight=False)
        console.rule("observation")
        console.print(obs, markup=False, highlight=False)

    obs_prompt_shown = {"done": False}
    orig_reset = agent.reset

    def reset_and_show(prompt: str) -> None:
        if not obs_prompt_shown["done"]:
            console.print(prompt, markup=False, highlight=False)
            obs_prompt_shown["done"] = True
        orig_reset(prompt)

    agent.reset = reset_and_show  # type: ignore[method-assign]
    traj = run_episode(env, agent, seed=args.seed, problem_id=args.problem, on_step=show)
    console.rule("result")
    console.print(f"grade: {traj.grade}  steps: {len(traj.steps)}  reward: {traj.total_reward:.3f}")
    if args.out:
        append_trajectory(args.out, traj)
    return 0
