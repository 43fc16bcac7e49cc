"""``aoi demo``: the scripted expert on a small mixed problem set, with a progress bar and a result table."""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict

TASK_ORDER = ("detection", "localization", "analysis", "mitigation")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="run the scripted expert on a small mixed problem set (simulated backend)")
    p.add_argument("--agent", default="expert", help="expert | random | package.module:ClassName")
    p.add_argument("--split", default="train")
    p.add_argument("--per-task", type=int, default=4, help="problems per task type")
    p.add_argument("--seeds", type=int, default=2, help="episodes (seeds) per problem")
    p.add_argument("--out", default="runs/demo.jsonl", help="trajectory file (JSONL)")
    p.set_defaults(func=run)


def pick_problems(split: str, per_task: int) -> list[str]:
    """A deterministic mix: per task type, problems spread over apps and fault families."""
    from aoi_gym.problems import list_problems

    chosen: list[str] = []
    for task in TASK_ORDER:
        specs = list_problems(split=split, task_types=[task])
        seen_fam: set[str] = set()
        by_app: dict[str, list] = defaultdict(list)
        for s in specs:
            if s.family not in seen_fam:
                seen_fam.add(s.family)
                by_app[s.app].append(s)
        rr = [lst for _, lst in sorted(by_app.items())]
        i = 0
        while len([c for c in chosen if c.split("|")[0] == task]) < per_task and any(rr):
            lst = rr[i % len(rr)]
            if lst:
                chosen.append(f"{task}|{lst.pop(0).id}")
            i += 1
            if i > 10_000:
                break
    return [c.split("|", 1)[1] for c in chosen]


def summarize(trajs) -> list[tuple[str, int, float, float, float]]:
    """Rows (task, episodes, success rate, mean steps, mean simulated seconds of solved episodes)."""
    rows = []
    for task in TASK_ORDER:
        ts = [t for t in trajs if t.task_type == task]
        if not ts:
            continue
        solved = [t for t in ts if t.success]
        sim = [t.metadata.get("sim_seconds", 0.0) for t in solved]
        rows.append((task, len(ts), len(solved) / len(ts), sum(len(t.steps) for t in ts) / len(ts),
                     sum(sim) / len(sim) if sim else float("nan")))
    return rows


def run(args: argparse.Namespace) -> int:
    import gymnasium as gym
    from rich.console import Console
    from rich.table import Table

    import aoi_gym  # noqa: F401
    from aoi_agents.runner import load_agent, run_episodes

    agent_spec = args.agent
    if agent_spec == "expert":
        try:
            load_agent("expert")
        except (ImportError, AttributeError):
            agent_spec = "random"  # the scripted expert ships with the agent SDK's baselines
    pids = pick_problems(args.split, args.per_task)
    jobs = [(pid, seed) for pid in pids for seed in range(args.seeds)]
    console = Console() if sys.stdout.isatty() else Console(width=120)
    console.print(f"aoi demo: agent={agent_spec}, {len(pids)} problems x {args.seeds} seeds on the simulated backend")
    trajs = run_episodes(lambda: gym.make("AOI-Incident-v0", split="all"), lambda: load_agent(agent_spec), jobs, out_path=args.out)
    table = Table(title=f"{agent_spec} on {len(jobs)} episodes (split={args.split})")
    for col in ("task type", "episodes", "success", "mean steps", "mean sim. time to solve"):
        table.add_column(col, justify="right")
    for task, n, rate, steps, sim in summarize(trajs):
        table.add_row(task, str(n), f"{rate:.0%}", f"{steps:.1f}", "-" if sim != sim else f"{sim:.0f} s")
    total = sum(t.success for t in trajs)
    console.print(table)
    console.print(f"overall: {total}/{len(trajs)} solved; trajectories in {args.out} (view with `aoi replay {args.out}`)")
    return 0
