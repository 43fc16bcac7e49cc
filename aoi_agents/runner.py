"""Running agents on AOI-Incident-v0: one episode, or many with a progress bar."""

from __future__ import annotations

import importlib
from typing import Any, Callable, Iterable

import gymnasium as gym

from aoi_agents.agent import Agent
from aoi_gym.trajectory import Step, Trajectory, append_trajectory

__all__ = ["run_episode", "run_episodes", "load_agent"]


def run_episode(
    env: gym.Env,
    agent: Agent,
    seed: int | None = None,
    problem_id: str | None = None,
    on_step: Callable[[str, str], None] | None = None,
) -> Trajectory:
    """Play one episode. The agent gets observations only; ``info`` stays with the harness."""
    options = {"problem_id": problem_id} if problem_id else None
    obs, info = env.reset(seed=seed, options=options)
    traj = Trajectory(problem_id=info["problem_id"], seed=seed, task_type=info["task_type"], prompt=obs,
                      app=str(info.get("app", "")), agent=getattr(agent, "name", type(agent).__name__))
    start_t = info.get("sim_time", 0.0)
    agent.reset(obs)
    while True:
        action = agent.act(obs)
        obs, reward, terminated, truncated, info = env.step(action)
        extra = getattr(agent, "last_step_meta", None) or {}
        traj.steps.append(Step(action, obs, float(reward), dict(info), role=extra.get("role", "agent"),
                               phase=extra.get("phase", info.get("action_kind", ""))))
        if on_step:
            on_step(action, obs)
        if terminated or truncated:
            traj.grade = dict(info.get("grade") or {})
            traj.metadata.update(terminated=bool(terminated), truncated=bool(truncated),
                                 sim_seconds=round(float(info.get("sim_time", 0.0)) - float(start_t), 1))
            events = getattr(agent, "events", None)
            if events:  # the runtime's reasoning steps (no env action) travel with the trajectory
                traj.metadata["events"] = list(events)
            return traj


def run_episodes(
    make_env: Callable[[], gym.Env],
    make_agent: Callable[[], Agent],
    jobs: Iterable[tuple[str, int]],
    out_path: str | None = None,
    progress: bool = True,
) -> list[Trajectory]:
    """Play (problem_id, seed) jobs in order; append each finished episode to ``out_path``."""
    jobs = list(jobs)
    env, results = make_env(), []
    if progress:
        from rich.progress import Progress

        with Progress() as bar:
            task = bar.add_task("episodes", total=len(jobs))
            for pid, seed in jobs:
                results.append(_one(env, make_agent(), pid, seed, out_path))
                bar.advance(task)
    else:
        for pid, seed in jobs:
            results.append(_one(env, make_agent(), pid, seed, out_path))
    env.close()
    return results


def _one(env: gym.Env, agent: Agent, pid: str, seed: int, out_path: str | None) -> Trajectory:
    traj = run_episode(env, agent, seed=seed, problem_id=pid)
    if out_path:
        append_trajectory(out_path, traj)
    return traj


def load_agent(spec: str, **kwargs: Any) -> Agent:
    """Build an agent from ``random``, ``expert``, ``human`` or ``package.module:ClassName``."""
    builtin = {
        "random": "aoi_agents.baselines.random_agent:RandomAgent",
        "expert": "aoi_agents.baselines.expert:ScriptedExpert",
        "human": "aoi_agents.cli.run:HumanAgent",
    }
    target = builtin.get(spec, spec)
    if ":" not in target:
        raise ValueError(f"unknown agent {spec!r}; valid: {', '.join(builtin)} or package.module:ClassName")
    mod, _, cls = target.partition(":")
    return getattr(importlib.import_module(mod), cls)(**kwargs)
