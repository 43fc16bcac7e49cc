"""The ``aoi`` command line: one module per command group, each exposing ``register(subparsers)``.

A command module adds its sub-parser and sets ``func`` (called with the parsed args; returns an exit
code). Modules are imported only when listed here, and import heavy libraries inside ``func``.
"""

from __future__ import annotations

import argparse
import importlib
import sys

__all__ = ["main", "COMMAND_MODULES"]

# Each module: register(subparsers) -> None. Missing modules are skipped so a partial install still works.
COMMAND_MODULES = (
    "aoi_agents.cli.problems",
    "aoi_agents.cli.run",
    "aoi_agents.cli.replay",
    "aoi_agents.cli.demo",
    "aoi_agents.cli.propagation",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aoi",
        description="aoi-gym: incidents on a simulated Kubernetes cluster for LLM agents.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name == name:
                continue
            raise
        mod.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
