"""What a program run by the simulated shell receives and returns.

A *program* (``kubectl``, ``helm``, ``grep``...) is a callable ``(argv, stdin, ctx) -> ProgramResult``
with ``argv[0]`` its name as typed. Programs reach the cluster only through ``ctx.cluster`` (the
Cluster interface), so a command line has the same effect on every backend.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from aoi_gym.cluster.base import Cluster

__all__ = ["ShellContext", "ProgramResult", "Program"]


@dataclass
class ShellContext:
    """The environment of one shell: the cluster, environment variables, kubectl's default namespace."""

    cluster: Cluster
    env: dict[str, str] = field(default_factory=dict)
    namespace: str = "default"


@dataclass(frozen=True)
class ProgramResult:
    stdout: str = ""
    stderr: str = ""
    code: int = 0


Program = Callable[[list[str], str, ShellContext], ProgramResult]
