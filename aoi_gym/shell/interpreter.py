"""The simulated shell: runs a command line over a Cluster, in-process, like ``bash -c``.

Usage::

    shell = Shell(cluster, namespace="default")
    result = shell.run("kubectl get pods -n test-hotel-reservation | grep geo | wc -l")
    result.output, result.exit_code      # stdout followed by stderr, as AIOpsLab returns it

This module executes the syntax tree (:class:`Run`); the process state it runs in (variables,
expansion host, time budget, redirections) is :class:`aoi_gym.shell.process.Process`.

Each ``run`` is a fresh ``bash -c`` (variables and ``cd`` do not persist, as in AIOpsLab), but the
in-memory filesystem (``/tmp``, ``/root``) persists for the life of the Shell. No Python exception
ever escapes :meth:`Shell.run`: a syntax error is bash's message with exit code 2, an internal
error ``bash: internal error: ...`` with exit code 1.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Any, Mapping

from aoi_gym.shell.expand import ExpansionError
from aoi_gym.shell.fs import HOME, MemoryFS
from aoi_gym.shell.parse import ParseError, parse
from aoi_gym.shell.process import (  # noqa: F401  (re-exported: builtins and runners import them from here)
    EXEC_TIMEOUT_S,
    MAX_COMMANDS,
    Body,
    ExitShell,
    Input,
    LoopControl,
    Process,
    ShellTimeout,
    Sink,
)
from aoi_gym.shell.programs import BIN_DIRS, PROGRAMS, ProgramContext
from aoi_gym.shell.syntax import (
    AndOr,
    Command,
    ForLoop,
    IfClause,
    Pipeline,
    Script,
    SimpleCommand,
    Subshell,
    WhileLoop,
)

__all__ = ["Shell", "ShellResult", "DEFAULT_ENV", "EXEC_TIMEOUT_S", "MAX_COMMANDS"]

DEFAULT_ENV = {
    "HOME": HOME,
    "PATH": ":".join(BIN_DIRS),
    "KUBECONFIG": f"{HOME}/.kube/config",
    "USER": "root",
    "SHELL": "/bin/bash",
    "TERM": "dumb",
    "LANG": "C.UTF-8",
    "HOSTNAME": "aoi-control-plane",
}


@dataclass(frozen=True)
class ShellResult:
    """What a command line printed: ``output`` is ``stdout + stderr``; ``exit_code`` bash's status."""

    output: str
    exit_code: int
    stdout: str
    stderr: str




class Shell:
    """A shell over ``cluster``. ``env`` adds to/overrides :data:`DEFAULT_ENV`; ``namespace`` is
    kubectl's default namespace; ``programs`` replaces the registry (default: :data:`PROGRAMS`)."""

    def __init__(
        self,
        cluster: Any,
        env: Mapping[str, str] | None = None,
        namespace: str = "default",
        programs: Mapping[str, Any] | None = None,
        fs: MemoryFS | None = None,
    ) -> None:
        self.cluster = cluster
        self.env = {**DEFAULT_ENV, **dict(env or {})}
        self.fs = fs if fs is not None else MemoryFS()
        self.programs = PROGRAMS if programs is None else programs
        self.ctx = ProgramContext(cluster, env=dict(self.env), namespace=namespace, fs=self.fs, cwd=HOME)

    @property
    def namespace(self) -> str:
        return self.ctx.namespace

    def run(self, line: str, stdin: str = "") -> ShellResult:
        """Run one command line (like ``bash -c line``) and return what it printed and its status."""
        out: Sink = []
        err: Sink = []
        try:
            script = parse(line)
            code = Run(self).script_toplevel(script, Input(stdin), out, err)
        except ParseError as e:
            err.append(f"{e}\n")
            code = 2
        except ShellTimeout as e:
            err.append(f"Command '{line}' timed out after {e.limit_s:g} seconds\n")
            code = 124
        except RecursionError:
            err.append("bash: maximum nesting level exceeded\n")
            code = 1
        except Exception as e:  # never let a bug reach the agent as a traceback
            err.append(f"bash: internal error: {type(e).__name__}: {e}\n")
            code = 1
        stdout, stderr = "".join(out), "".join(err)
        return ShellResult(stdout + stderr, code, stdout, stderr)

class Run(Process):
    """A shell process that executes the syntax tree (state, expansion and redirections: :class:`Process`)."""

    # ------------------------------------------------------------------ execution
    def script_toplevel(self, script: Script, inp: Input, out: Sink, err: Sink) -> int:
        try:
            return self.exec_script(script, inp, out, err)
        except ExitShell as e:
            return e.code
        except LoopControl:
            return self.status

    def exec_script(self, script: Script, inp: Input, out: Sink, err: Sink) -> int:
        code = 0
        for andor, _sep in script.items:
            code = self.exec_andor(andor, inp, out, err)
            self.status = code
        return code

    def exec_andor(self, andor: AndOr, inp: Input, out: Sink, err: Sink) -> int:
        guarded = bool(andor.rest)
        if guarded:
            self.in_condition += 1
        try:
            code = self.exec_pipeline(andor.first, inp, out, err)
            for i, (op, pipeline) in enumerate(andor.rest):
                self.status = code
                if (op == "&&") == (code == 0):
                    if i == len(andor.rest) - 1:
                        self.in_condition -= 1
                        guarded = False
                    code = self.exec_pipeline(pipeline, inp, out, err)
        finally:
            if guarded:
                self.in_condition -= 1
        return code

    def exec_pipeline(self, pipeline: Pipeline, inp: Input, out: Sink, err: Sink) -> int:
        if pipeline.negated:
            self.in_condition += 1
        try:
            if len(pipeline.commands) == 1:
                code = self.exec_command(pipeline.commands[0], inp, out, err)
            else:
                code = self._pipe(pipeline.commands, inp, out, err)
        finally:
            if pipeline.negated:
                self.in_condition -= 1
        if pipeline.negated:
            return int(code == 0)
        if code != 0 and "e" in self.opts and not self.in_condition:
            raise ExitShell(code)
        return code

    def _pipe(self, commands: tuple[Command, ...], inp: Input, out: Sink, err: Sink) -> int:
        codes = []
        stage_in = inp
        for i, cmd in enumerate(commands):
            last = i == len(commands) - 1
            stage_out: Sink = out if last else []
            child = self.clone()  # every stage of a pipeline runs in a subshell
            try:
                codes.append(child.exec_command(cmd, stage_in, stage_out, err))
            except ExitShell as e:
                codes.append(e.code)
            if not last:
                stage_in = Input("".join(stage_out))
        if "pipefail" in self.opts:
            return next((c for c in reversed(codes) if c != 0), 0)
        return codes[-1]

    def exec_command(self, cmd: Command, inp: Input, out: Sink, err: Sink) -> int:
        if isinstance(cmd, SimpleCommand):
            return self.exec_simple(cmd, inp, out, err)
        if isinstance(cmd, Subshell):
            if cmd.brace:
                body: Body = lambda i, o, e: self.exec_script(cmd.body, i, o, e)  # noqa: E731
            else:
                body = lambda i, o, e: self._subshell(cmd.body, i, o, e)  # noqa: E731
        elif isinstance(cmd, ForLoop):
            body = lambda i, o, e: self._for(cmd, i, o, e)  # noqa: E731
        elif isinstance(cmd, WhileLoop):
            body = lambda i, o, e: self._while(cmd, i, o, e)  # noqa: E731
        else:
            body = lambda i, o, e: self._if(cmd, i, o, e)  # noqa: E731
        return self.with_redirects(cmd.redirects, inp, out, err, body)

    def _subshell(self, script: Script, inp: Input, out: Sink, err: Sink) -> int:
        try:
            return self.clone().exec_script(script, inp, out, err)
        except ExitShell as e:
            return e.code

    def _condition(self, script: Script, inp: Input, out: Sink, err: Sink) -> int:
        self.in_condition += 1
        try:
            return self.exec_script(script, inp, out, err)
        finally:
            self.in_condition -= 1

    def _loop_body(self, script: Script, inp: Input, out: Sink, err: Sink) -> str | None:
        """Run a loop body; returns "break"/"continue" when that ends this iteration, else None."""
        try:
            self.status = self.exec_script(script, inp, out, err)
        except LoopControl as lc:
            if lc.levels > 1:
                raise LoopControl(lc.kind, lc.levels - 1) from None
            return lc.kind
        return None

    def _for(self, loop: ForLoop, inp: Input, out: Sink, err: Sink) -> int:
        self.sub_err = err
        try:
            items = [] if loop.words is None else [f for w in loop.words for f in self.expander.fields(w)]
        except ExpansionError as e:
            err.append(f"{e}\n")
            return 1
        self.status = 0
        for item in items:
            self.tick()
            self.vars[loop.var] = item
            if self._loop_body(loop.body, inp, out, err) == "break":
                break
        return self.status

    def _while(self, loop: WhileLoop, inp: Input, out: Sink, err: Sink) -> int:
        status = 0
        while True:
            self.tick()
            ok = self._condition(loop.cond, inp, out, err) == 0
            if ok == loop.until:
                break
            control = self._loop_body(loop.body, inp, out, err)
            status = self.status
            if control == "break":
                break
        return status

    def _if(self, clause: IfClause, inp: Input, out: Sink, err: Sink) -> int:
        for cond, body in clause.branches:
            if self._condition(cond, inp, out, err) == 0:
                return self.exec_script(body, inp, out, err)
        if clause.orelse is not None:
            return self.exec_script(clause.orelse, inp, out, err)
        return 0

    def exec_simple(self, cmd: SimpleCommand, inp: Input, out: Sink, err: Sink) -> int:
        self.tick()
        self.sub_err, self.sub_status = err, None
        try:
            assigned = [(name, self.expander.string(w)) for name, w in cmd.assignments]
            argv = [f for w in cmd.words for f in self.expander.fields(w)]
        except ExpansionError as e:
            err.append(f"{e}\n")
            return 1
        if not argv:
            for name, value in assigned:
                self.vars[name] = value
            status = self.sub_status or 0
            return self.with_redirects(cmd.redirects, inp, out, err, lambda i, o, e: status)
        if "x" in self.opts:
            err.append("+ " + " ".join(_quote(a) for a in [*(f"{n}={v}" for n, v in assigned), *argv]) + "\n")
        overrides = dict(assigned)
        return self.with_redirects(cmd.redirects, inp, out, err, lambda i, o, e: self.run_argv(argv, i, o, e, overrides))

    def run_argv(self, argv: list[str], inp: Input, out: Sink, err: Sink, overrides: Mapping[str, str] | None = None) -> int:
        """Run an expanded command (builtin, a command that runs commands, or a program)."""
        from aoi_gym.shell.builtins import BUILTINS

        name = argv[0]
        if "/" in name:
            resolved = self._resolve_path(name, err)
            if isinstance(resolved, int):
                return resolved
            argv = [resolved, *argv[1:]]
            name = resolved
        builtin = BUILTINS.get(name)
        if builtin is not None:
            return builtin(self, argv, inp, out, err, overrides or {})
        program = self.shell.programs.get(name)
        if program is None:
            err.append(f"bash: {name}: command not found\n")
            return 127
        ctx = self.shell.ctx
        ctx.env = self.environ(overrides)
        ctx.cwd = self.cwd
        try:
            result = program(list(argv), inp.rest(), ctx)
        except (ShellTimeout, ExitShell, LoopControl):
            raise
        except Exception as e:  # a program bug becomes a message, never a traceback
            err.append(f"bash: internal error: {name}: {type(e).__name__}: {e}\n")
            return 1
        if result.stdout:
            out.append(result.stdout)
        if result.stderr:
            err.append(result.stderr)
        return result.code

    def _resolve_path(self, name: str, err: Sink) -> str | int:
        """``/usr/bin/grep`` -> ``grep``; a path that names nothing runnable -> bash's error status."""
        from aoi_gym.shell.builtins import BUILTINS

        directory, base = posixpath.split(name)
        if directory.rstrip("/") in BIN_DIRS and (base in self.shell.programs or base in BUILTINS):
            return base
        path = self.path(name)
        if path in self.shell.fs.files:
            err.append(f"bash: {name}: Permission denied\n")
            return 126
        if self.shell.fs.is_dir(path):
            err.append(f"bash: {name}: Is a directory\n")
            return 126
        err.append(f"bash: {name}: No such file or directory\n")
        return 127

def _quote(arg: str) -> str:
    import shlex

    return shlex.quote(arg) if arg else "''"
