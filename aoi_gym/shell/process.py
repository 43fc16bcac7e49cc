"""The state of one simulated shell process, apart from running commands: variables and options,
the expansion host (:class:`aoi_gym.shell.expand.Expander` reads variables and runs the parsed
command substitutions through it), simulated time and command budget, and redirections.

:class:`Process` is the base of :class:`aoi_gym.shell.interpreter.Run`, which executes the syntax
tree; this module holds what a run *is*, the interpreter what it *does*.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Mapping

from aoi_gym.shell.expand import ExpansionError, Expander
from aoi_gym.shell.fs import HOME, FSError
from aoi_gym.shell.syntax import Redirect, Script

if TYPE_CHECKING:
    from aoi_gym.shell.interpreter import Shell

__all__ = ["Process", "ExitShell", "ShellTimeout", "LoopControl", "Input", "Sink", "Body", "EXEC_TIMEOUT_S", "MAX_COMMANDS"]

#: AIOpsLab's exec_shell always times out after 30 s; simulated sleeps count against it
EXEC_TIMEOUT_S = 30.0
#: commands one run may execute (loops that never end hit this instead of hanging)
MAX_COMMANDS = 20000


class ExitShell(Exception):
    """``exit N`` (or ``set -e``): ends the current shell or subshell with status ``code``."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class ShellTimeout(Exception):
    """Simulated time (sleeps) or the command budget ran past the limit."""

    def __init__(self, limit_s: float) -> None:
        super().__init__(limit_s)
        self.limit_s = limit_s


class LoopControl(Exception):
    """``break N`` / ``continue N``."""

    def __init__(self, kind: str, levels: int) -> None:
        super().__init__(kind)
        self.kind, self.levels = kind, levels


class Input:
    """A command's standard input: text with a read position (``read`` consumes lines; programs see
    the unread rest without consuming it)."""

    __slots__ = ("text", "pos")

    def __init__(self, text: str = "") -> None:
        self.text, self.pos = text, 0

    def rest(self) -> str:
        return self.text[self.pos :] if self.pos else self.text

    def readline(self) -> str | None:
        if self.pos >= len(self.text):
            return None
        end = self.text.find("\n", self.pos)
        end = len(self.text) if end < 0 else end
        line = self.text[self.pos : end]
        self.pos = end + 1
        return line


Sink = list  # output collects as a list of strings
Body = Callable[[Input, Sink, Sink], int]

class Process:
    """The state of one shell process (a ``run`` or a subshell of it). Subclasses provide
    ``exec_script`` (used for command substitutions)."""

    def __init__(self, shell: "Shell", parent: "Process | None" = None) -> None:
        self.shell = shell
        if parent is None:
            self.vars: dict[str, str] = dict(shell.env)
            self.exported: set[str] = set(shell.env)
            self.status = 0
            self.opts: set[str] = set()
            self.cwd = HOME
            self.clock = [0.0]  # simulated seconds slept (shared with subshells)
            self.budget = [0]  # commands run (shared)
            self.deadline = EXEC_TIMEOUT_S
            self.depth = 0
        else:
            self.vars = dict(parent.vars)
            self.exported = set(parent.exported)
            self.status = parent.status
            self.opts = set(parent.opts)
            self.cwd = parent.cwd
            self.clock, self.budget, self.deadline = parent.clock, parent.budget, parent.deadline
            self.depth = parent.depth + 1
            if self.depth > 60:
                raise RecursionError("subshells nested too deeply")
        self.expander = Expander(self)
        self.sub_err: Sink = []
        self.sub_status: int | None = None
        self.in_condition = 0

    # ------------------------------------------------------------------ expansion host
    nounset = property(lambda self: "u" in self.opts)

    def get_var(self, name: str) -> str | None:
        if name == "?":
            return str(self.status)
        if name == "$":
            return "4242"
        if name in ("#",):
            return "0"
        if name == "0":
            return "bash"
        if name in ("@", "*", "!") or name.isdigit():
            return ""
        if name == "-":
            return "hB" + "".join(sorted(o for o in self.opts if len(o) == 1))
        if name == "PWD":
            return self.cwd
        if name == "RANDOM":
            rng = getattr(self.shell.cluster, "rng", None)
            return str(int(rng.integers(0, 32768))) if rng is not None else "17"
        return self.vars.get(name)

    def set_var(self, name: str, value: str) -> None:
        self.vars[name] = value

    def run_substitution(self, script: Script) -> str:
        out: Sink = []
        child = self.clone()
        try:
            code = child.exec_script(script, Input(""), out, self.sub_err)
        except ExitShell as e:
            code = e.code
        self.sub_status = code
        return "".join(out)

    def glob(self, pattern: str) -> list[str]:
        return self.shell.fs.glob(pattern, self.cwd)

    # ------------------------------------------------------------------ helpers
    def clone(self) -> Any:
        """A subshell: a copy of this process's state (same class), sharing clock and budget."""
        return type(self)(self.shell, self)

    def tick(self) -> None:
        self.budget[0] += 1
        if self.budget[0] > MAX_COMMANDS:
            raise ShellTimeout(EXEC_TIMEOUT_S)

    def sleep(self, seconds: float) -> None:
        """Simulated sleep: returns at once, but counts against the run's time limit."""
        self.clock[0] += seconds
        if self.clock[0] > self.deadline:
            raise ShellTimeout(self.deadline)

    def environ(self, overrides: Mapping[str, str] | None = None) -> dict[str, str]:
        env = {k: v for k, v in self.vars.items() if k in self.exported}
        env["PWD"] = self.cwd
        if overrides:
            env.update(overrides)
        return env

    def path(self, name: str) -> str:
        return self.shell.fs.resolve(name, self.cwd)

    # ------------------------------------------------------------------ redirections
    def with_redirects(self, redirects: tuple[Redirect, ...], inp: Input, out: Sink, err: Sink, body: Body) -> int:
        """Run ``body`` with the redirections applied (files written after it finishes)."""
        if not redirects:
            return body(inp, out, err)
        fds: dict[int, Sink] = {1: out, 2: err}
        files: list[tuple[str, Sink]] = []
        fs = self.shell.fs
        for r in redirects:
            op = r.op
            try:
                if op in ("<<", "<<-"):
                    word = r.heredoc_word
                    text = self.expander.string(word) if word is not None else (r.heredoc or "")
                    inp = Input(text)
                    continue
                target = self.expander.string(r.target) if r.target is not None else ""
            except ExpansionError as e:
                err.append(f"{e}\n")
                return 1
            if op == "<<<":
                inp = Input(target + "\n")
            elif op in ("<", "<>"):
                try:
                    inp = Input(fs.read(self.path(target)))
                except FSError as e:
                    err.append(f"bash: {target}: {e}\n")
                    return 1
            elif "&" in op and op not in ("&>", "&>>"):  # N>&M
                left, _, right = op.partition(">&") if ">&" in op else op.partition("<&")
                src_fd = int(left) if left else (1 if ">&" in op else 0)
                if right == "-":
                    fds[src_fd] = []
                elif int(right) in fds:
                    fds[src_fd] = fds[int(right)]
                else:
                    err.append(f"bash: {right}: Bad file descriptor\n")
                    return 1
            else:
                sink = self._open(target, op.endswith(">>"), fds, files, err)
                if sink is None:
                    return 1
                if op.startswith("&"):
                    fds[1] = fds[2] = sink
                else:
                    fds[r.fd] = sink
        try:
            return body(inp, fds[1], fds[2])
        finally:
            for path, sink in files:
                try:
                    fs.write(path, "".join(sink), append=True)
                except FSError as e:
                    err.append(f"bash: {path}: {e}\n")

    def _open(self, target: str, append: bool, fds: dict[int, Sink], files: list, err: Sink) -> Sink | None:
        if target == "/dev/null":
            return []
        if target in ("/dev/stdout", "/dev/fd/1"):
            return fds[1]
        if target in ("/dev/stderr", "/dev/fd/2"):
            return fds[2]
        if not target:
            err.append("bash: : No such file or directory\n")
            return None
        path = self.path(target)
        try:
            self.shell.fs.write(path, "", append=append)  # create or truncate now, like open(2)
        except FSError as e:
            err.append(f"bash: {target}: {e}\n")
            return None
        sink: Sink = []
        files.append((path, sink))
        return sink


    def exec_script(self, script: Script, inp: Input, out: Sink, err: Sink) -> int:
        raise NotImplementedError
