"""``aoi replay FILE``: pretty-print the episodes of a trajectory file."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("replay", help="pretty-print a trajectory file (JSONL)")
    p.add_argument("file")
    p.add_argument("--episode", type=int, default=None, help="only this episode (0-based)")
    p.add_argument("--max-chars", type=int, default=2000, help="cut each observation to this many characters")
    p.set_defaults(func=run)


def format_trajectory(t, max_chars: int = 2000) -> str:
    """The text `aoi replay` prints for one trajectory."""
    lines = [f"# {t.problem_id}  seed={t.seed}  task={t.task_type}  agent={t.agent or '-'}",
             f"# grade: {t.grade}  total reward: {t.total_reward:.3f}  steps: {len(t.steps)}", ""]
    for i, s in enumerate(t.steps, 1):
        who = f" [{s.role}/{s.phase}]" if s.role != "agent" or s.phase else ""
        obs = s.observation if len(s.observation) <= max_chars else s.observation[:max_chars] + f"\n[... {len(s.observation) - max_chars} more characters]"
        lines += [f"--- step {i}{who}  reward {s.reward:+.3f}", f">>> {s.action.strip()}", obs, ""]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from aoi_gym.trajectory import read_trajectories

    try:
        trajs = read_trajectories(args.file)
    except (OSError, ValueError) as e:
        print(f"error: cannot read {args.file}: {e}")
        return 2
    console = Console()
    for i, t in enumerate(trajs):
        if args.episode is not None and i != args.episode:
            continue
        console.print(format_trajectory(t, args.max_chars), markup=False, highlight=False)
    if not trajs:
        print(f"{args.file}: no finished episodes")
    return 0
