"""The program registry of the simulated shell.

``PROGRAMS`` maps a command name (``grep``, ``kubectl``, ``helm``...) to a
:data:`~aoi_gym.shell.context.Program`: ``(argv, stdin, ctx) -> ProgramResult``. Register more with
``@register("name", "alias")`` or by assigning into ``PROGRAMS`` (tests register fakes this way).
``kubectl`` and ``helm`` are imported lazily on first use, so ``import aoi_gym.shell`` stays light.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import importlib
from typing import Any, Callable

from aoi_gym.shell.context import Program, ProgramResult, ShellContext
from aoi_gym.shell.fs import HOME, MemoryFS

__all__ = ["PROGRAMS", "register", "registrar", "ProgramContext", "program_path", "BIN_DIRS", "LOCAL_BIN"]

PROGRAMS: dict[str, Program] = {}
#: directories in $PATH; ``/usr/bin/grep`` runs ``grep``
BIN_DIRS = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")
#: programs installed in /usr/local/bin (the rest live in /usr/bin)
LOCAL_BIN = frozenset({"kubectl", "k", "helm", "jq"})


@dataclass
class ProgramContext(ShellContext):
    """A :class:`ShellContext` with the shell's in-memory filesystem and working directory, for
    programs that read or write files (``cat``, ``tee``, ``kubectl apply -f``). Use
    ``getattr(ctx, "fs", None)`` to stay compatible with a plain ShellContext."""

    fs: MemoryFS = field(default_factory=MemoryFS)
    cwd: str = HOME

    def path(self, name: str) -> str:
        """Absolute path of a file operand."""
        return self.fs.resolve(name, self.cwd)


def registrar(table: dict[str, Any]) -> Callable[..., Callable[[Any], Any]]:
    """A ``@register("name", "alias")`` decorator factory that files functions into ``table``."""

    def register(*names: str) -> Callable[[Any], Any]:
        def deco(fn: Any) -> Any:
            for name in names:
                table[name] = fn
            return fn

        return deco

    return register


#: Decorator: register a program under one or more names.
register: Callable[..., Callable[[Program], Program]] = registrar(PROGRAMS)


def program_path(name: str) -> str:
    """Where ``which`` says a registered program lives."""
    return f"/usr/local/bin/{name}" if name in LOCAL_BIN else f"/usr/bin/{name}"


@register("kubectl", "k")
def _kubectl(argv: list[str], stdin: str, ctx: ShellContext) -> ProgramResult:
    try:
        from aoi_gym.shell.kubectl import run_kubectl
    except ImportError:
        return ProgramResult(stderr=f"bash: {argv[0]}: command not found\n", code=127)
    return run_kubectl(["kubectl", *argv[1:]], stdin, ctx)  # `k` is an alias: kubectl sees its own name


@register("helm")
def _helm(argv: list[str], stdin: str, ctx: ShellContext) -> ProgramResult:
    from aoi_gym.shell.helm import run_helm

    return run_helm(argv, stdin, ctx)


importlib.import_module("aoi_gym.shell.tools")  # registers the text tools (they import this module)
