"""``aoi problems``: the problem registry as a table, filtered by split, task type and app."""

from __future__ import annotations

import argparse
import sys
from collections import Counter


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("problems", help="list problems by split, task type and app")
    p.add_argument("--split", default="all", help="train, heldout, aiopslab, ... (default: all)")
    p.add_argument("--task", action="append", dest="task_types", help="detection|localization|analysis|mitigation")
    p.add_argument("--app", action="append", dest="apps", help="hotel_reservation|social_network|astronomy_shop")
    p.add_argument("--ids", action="store_true", help="print only the ids, one per line")
    p.add_argument("--summary", action="store_true", help="print counts per family instead of every id")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from aoi_gym.problems import list_problems

    try:
        specs = list_problems(split=args.split, task_types=args.task_types, apps=args.apps)
    except (KeyError, ValueError) as e:
        print(f"error: {e}")
        return 2
    if args.ids:
        print("\n".join(s.id for s in specs))
        return 0
    # Piped output (files, grep) gets full-width rows; a terminal gets its own width.
    console = Console() if sys.stdout.isatty() else Console(width=200)
    if args.summary:
        table = Table(title=f"{len(specs)} problems (split={args.split})")
        table.add_column("family", no_wrap=True)
        for col in ("app", "split", "tasks", "count"):
            table.add_column(col, overflow="fold")
        fams: dict[str, list] = {}
        for s in specs:
            fams.setdefault(s.family, []).append(s)
        for fam, ss in sorted(fams.items()):
            tasks = Counter(s.task_type for s in ss)
            table.add_row(fam, ss[0].app, str(ss[0].split), ", ".join(f"{t}:{n}" for t, n in sorted(tasks.items())), str(len(ss)))
    else:
        table = Table(title=f"{len(specs)} problems (split={args.split})")
        table.add_column("id", no_wrap=True)  # ids are what users copy: never cut them
        for col in ("app", "family", "task", "split"):
            table.add_column(col, overflow="fold")
        for s in specs:
            table.add_row(s.id, s.app, s.family, s.task_type, str(s.split))
    console.print(table)
    return 0
