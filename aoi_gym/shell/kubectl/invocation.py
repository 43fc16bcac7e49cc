"""The state one kubectl command runs with: cluster, namespace, stdin, and output buffers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aoi_gym.shell.context import ShellContext
from aoi_gym.shell.kubectl.errors import KubectlError, UsageError
from aoi_gym.shell.kubectl.flags import GLOBAL_FLAGS, Flag, Parsed, flagset, parse_flags

__all__ = ["Invocation", "OUTPUT_FLAGS", "SELECT_FLAGS", "DRY_RUN_FLAGS", "dry_run_mode", "dry_suffix"]

HELP = [Flag("help", "h", "bool", False)]

OUTPUT_FLAGS = [
    Flag("output", "o"),
    Flag("show-labels", kind="bool", default=False),
    Flag("no-headers", kind="bool", default=False),
    Flag("label-columns", "L", "list"),
    Flag("sort-by"),
    Flag("show-kind", kind="bool", default=False),
    Flag("template"),
    Flag("allow-missing-template-keys", kind="bool", default=True),
    Flag("show-managed-fields", kind="bool", default=False),
]
SELECT_FLAGS = [
    Flag("selector", "l"),
    Flag("field-selector"),
    Flag("all-namespaces", "A", "bool", False),
]
DRY_RUN_FLAGS = [Flag("dry-run", default="none", optional="unchanged")]


@dataclass
class Invocation:
    """One kubectl command: ``verb`` and the words after it (flags included), plus where output goes."""

    ctx: ShellContext
    verb: str
    argv: list[str]
    stdin: str = ""
    out: list[str] = field(default_factory=list)
    err: list[str] = field(default_factory=list)
    namespace: str = "default"
    namespace_given: bool = False
    #: a read-only verb: ``cluster.get``/``list`` return the backend's shared objects (never modify them)
    shared_reads: bool = False

    @property
    def cluster(self) -> Any:
        if self.shared_reads:
            from aoi_gym.cluster.readview import read_view

            return read_view(self.ctx.cluster)
        return self.ctx.cluster

    def now(self) -> float:
        return float(self.ctx.cluster.now())

    def parse(self, *groups: list[Flag], interspersed: bool = True, verb: str | None = None) -> Parsed:
        """Parse this command's words with the global flags plus ``groups``; sets the namespace."""
        p = parse_flags(self.argv, flagset(GLOBAL_FLAGS, HELP, *groups), verb or self.verb, interspersed)
        ns = p.get("namespace")
        if ns is not None:
            if ns == "":
                raise KubectlError("error: a namespace must be specified (--namespace, -n)")
            self.namespace, self.namespace_given = ns, True
        else:
            self.namespace = self.ctx.namespace or "default"
        return p

    def print(self, text: str) -> None:
        self.out.append(text)

    def warn(self, text: str) -> None:
        self.err.append(text)


def dry_run_mode(p: Parsed) -> str:
    """``none`` / ``client`` / ``server`` from ``--dry-run``, with kubectl's error for bad values."""
    v = p.get("dry-run") or "none"
    if v == "unchanged":
        return "client"
    if v not in ("none", "client", "server"):
        raise KubectlError(f'error: Invalid dry-run value ({v}). Must be "none", "server", or "client".')
    return v


def dry_suffix(mode: str) -> str:
    return {"client": " (dry run)", "server": " (server dry run)"}.get(mode, "")


def usage_error(msg: str, verb: str) -> UsageError:
    return UsageError(msg, verb)
