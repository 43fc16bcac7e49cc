"""Walk a parsed command line (the same :mod:`aoi_gym.shell.parse` tree the interpreter runs) and
collect one :class:`Finding` per program invocation, with everything that can run: every command of
every pipeline and list, subshells, loops, ``if`` branches, ``$(...)``/backtick substitutions in any
word (arguments, assignments, redirect targets, heredoc bodies) and redirections that write files.

The walker is generic over *who* classifies an argv (``classify_argv``), so the same walk serves
the local shell and shell scripts run inside a container by ``kubectl exec ... sh -c``.
"""

from __future__ import annotations

import os
from typing import Callable, NamedTuple

from aoi_gym.safety.verdicts import OPAQUE_MANY, OPAQUE_ONE, UNKNOWN, Finding, Verdict, new_finding, new_touch
from aoi_gym.shell.syntax import (
    ForLoop,
    IfClause,
    Pipeline,
    Redirect,
    Script,
    SimpleCommand,
    Subshell,
    WhileLoop,
    Word,
)

__all__ = ["Ctx", "STDIN_UNKNOWN", "walk_script", "word_args", "words_args", "MAX_DEPTH", "NULL_SINKS", "deny", "local_write"]

#: stdin whose content cannot be known statically (a pipe from a program, a file)
STDIN_UNKNOWN = "\x00<stdin>"
#: nesting of sh -c / eval / watch / in-container shells beyond which we refuse to classify
MAX_DEPTH = 6
NULL_SINKS = frozenset({"/dev/null", "/dev/stdout", "/dev/stderr", "/dev/fd/1", "/dev/fd/2", "/dev/tty"})
_OUT_OPS = frozenset({">", ">>", "&>", "&>>", ">|", "<>"})
_IN_OPS = frozenset({"<", "<<", "<<-", "<<<"})
# environment variables that change what a program runs or how the shell splits words
DANGEROUS_ENV = frozenset(
    {
        "PATH", "IFS", "BASH_ENV", "ENV", "LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT", "SHELLOPTS",
        "BASHOPTS", "PS4", "PROMPT_COMMAND", "KUBECTL_EXTERNAL_DIFF", "KUBE_EDITOR", "EDITOR", "VISUAL",
        "PAGER", "HELM_PLUGINS", "KUBECTL_PLUGINS_PATH", "GLOBIGNORE", "PYTHONPATH", "PYTHONSTARTUP",
    }
)


class Ctx(NamedTuple):
    """Where a command runs: kubectl's default namespace, what its stdin holds (None: empty,
    a literal text, or :data:`STDIN_UNKNOWN`), nesting depth, and whether we are inside a container.
    (A named tuple: the walk makes one per command, and ``ctx._replace(...)`` changes a field.)"""

    namespace: str = "default"
    stdin: str | None = None
    depth: int = 0
    in_container: bool = False

    def with_stdin(self, stdin: str | None) -> "Ctx":
        """This context with another stdin (the hot path of the walk)."""
        if stdin is self.stdin:
            return self
        return Ctx(self.namespace, stdin, self.depth, self.in_container)


ArgvClassifier = Callable[[list, Ctx], list[Finding]]


def deny(program: str, reason: str) -> Finding:
    return new_finding(Verdict.DENY, program, reason)


def local_write(program: str, path: str, reason: str, container: bool = False) -> Finding:
    res = "containerfile" if container else "localfile"
    return new_finding(Verdict.WRITE, program, reason, (new_touch("write", res, None, path),))


def _splittable(word: Word) -> bool:
    """Whether the shell may turn this word into zero or several arguments (or glob it)."""
    for p in word.parts:
        if p.kind == "lit":
            if not p.quoted and any(c in p.text for c in "*?["):
                return True
        elif p.kind in ("param", "cmd", "arith"):
            if not p.quoted or (p.kind == "param" and ("@" in p.text or "*" in p.text or p.text.startswith("!"))):
                return True
    return not word.parts  # no parts recorded: assume the worst


def word_args(word: Word) -> list[str]:
    """A word as the arguments it becomes: its literal value, or one :class:`Opaque` placeholder."""
    if not word.has_expansion:
        return [word.value]
    if all(p.kind == "tilde" or (p.kind == "lit") for p in word.parts) and not _splittable(word):
        return [word.value]  # only a tilde: one known-shape argument
    return [OPAQUE_MANY if _splittable(word) else OPAQUE_ONE]


def words_args(words) -> list[str]:
    out: list[str] = []
    for w in words:
        if w.has_expansion:
            out.extend(word_args(w))
        else:
            out.append(w.value)
    return out


def _redirect_findings(redirects: tuple[Redirect, ...], ctx: Ctx, program: str) -> tuple[list[Finding], str | None | bool]:
    """Findings for output redirections, and the stdin they set (False: unchanged)."""
    out: list[Finding] = []
    stdin: str | None | bool = False
    for r in redirects:
        op = r.op
        if "&" in op and op not in ("&>", "&>>"):
            continue  # fd duplication: 2>&1, >&2, 3<&0 ...
        base = op.lstrip("0123456789")
        if base in _OUT_OPS:
            if r.target is None:
                out.append(deny(program, f"redirection {op} without a target"))
                continue
            if r.target.has_expansion:
                out.append(local_write(program, UNKNOWN, f"'{op} {r.target.raw}' writes a file whose name is an expansion", ctx.in_container))
                continue
            path = r.target.value
            if os.path.normpath(path) in NULL_SINKS or path in NULL_SINKS:
                continue
            out.append(local_write(program, path, f"'{op} {path}' writes a file", ctx.in_container))
            if base == "<>":
                stdin = STDIN_UNKNOWN
        elif base in _IN_OPS:
            if base in ("<<", "<<-"):
                hw = r.heredoc_word
                if hw is not None and not hw.has_expansion:
                    stdin = hw.value
                elif hw is None and r.heredoc is not None:
                    stdin = r.heredoc
                else:
                    stdin = STDIN_UNKNOWN
            elif base == "<<<":
                stdin = (r.target.value + "\n") if (r.target is not None and not r.target.has_expansion) else STDIN_UNKNOWN
            else:
                stdin = STDIN_UNKNOWN
        else:
            out.append(deny(program, f"unsupported redirection {op!r}"))
    return out, stdin


def _assigned_params(word: Word) -> list[str]:
    """Names that ``${NAME:=...}`` / ``${NAME=...}`` expansions in ``word`` may assign (at any depth)."""
    names: list[str] = []
    for p in word.parts:
        if p.kind == "param" and p.op in (":=", "="):
            names.append(p.name)
        for arg in p.args:  # operator arguments and $(( )) expressions
            names.extend(_assigned_params(arg))
    return names


def _hidden_scripts(word: Word) -> tuple[Script, ...]:
    """Every command substitution the shell may run while expanding ``word``. The parser records
    them all in ``word.substitutions``, those inside ``${VAR:-$(...)}`` operators and
    ``$(( $(...) ))`` too, and the interpreter runs only those parsed scripts. Raises ValueError
    when an expansion may assign a variable that changes what runs (``${PATH:=/tmp}``)."""
    if not word.has_expansion:
        return ()
    for name in _assigned_params(word):
        if name in DANGEROUS_ENV:
            raise ValueError(f"an expansion in {word.raw[:60]!r} may assign {name}")
    return word.substitutions


def _word_subs(words, ctx: Ctx, classify: ArgvClassifier) -> list[Finding]:
    out: list[Finding] = []
    for w in words:
        if w is None or not w.has_expansion:
            continue
        try:
            scripts = _hidden_scripts(w)
        except ValueError as e:
            out.append(deny("shell", str(e)))
            continue
        for sub in scripts:
            out.extend(walk_script(sub, ctx, classify))
    return out


def _redir_words(redirects: tuple[Redirect, ...]) -> list[Word]:
    ws: list[Word] = []
    for r in redirects:
        if r.target is not None:
            ws.append(r.target)
        if r.heredoc_word is not None:
            ws.append(r.heredoc_word)
    return ws


def _literal_output(cmd) -> str | None:
    """What ``cat <<EOF`` / ``echo '...'`` / ``printf '...'`` with literal input prints, else None."""
    if not isinstance(cmd, SimpleCommand) or not cmd.words or any(w.has_expansion for w in cmd.words):
        return None
    argv = cmd.argv
    if argv[0] == "cat" and len(argv) == 1:
        for r in cmd.redirects:
            if r.op in ("<<", "<<-") and r.heredoc_word is not None and not r.heredoc_word.has_expansion:
                return r.heredoc_word.value
            if r.op == "<<<" and r.target is not None and not r.target.has_expansion:
                return r.target.value + "\n"
        return None
    if argv[0] == "echo" and not cmd.redirects and all(not a.startswith("-") for a in argv[1:]):
        return " ".join(argv[1:]) + "\n"
    return None


def _walk_command(cmd, ctx: Ctx, classify: ArgvClassifier) -> list[Finding]:
    out: list[Finding] = []
    # substitutions read a pipe (if the command has stdin) and run before the command itself
    sub_ctx = ctx.with_stdin(STDIN_UNKNOWN if ctx.stdin is not None else None)
    redirects = cmd.redirects
    simple = type(cmd) is SimpleCommand
    words = cmd.words if simple else ()
    label = words[0].value if words and not words[0].has_expansion else type(cmd).__name__
    if redirects:
        out.extend(_word_subs(_redir_words(redirects), sub_ctx, classify))
        red, stdin = _redirect_findings(redirects, ctx, label)
        out.extend(red)
        if stdin is not False:
            ctx = ctx.with_stdin(stdin)  # type: ignore[arg-type]
    if simple:
        assignments = cmd.assignments
        if assignments:
            out.extend(_word_subs([w for _, w in assignments] + list(words), sub_ctx, classify))
            for name, _ in assignments:
                if name in DANGEROUS_ENV:
                    out.append(deny(label, f"setting {name} changes what programs run or how words split"))
        elif words:
            out.extend(_word_subs(words, sub_ctx, classify))
        if words:
            out.extend(classify(words_args(words), ctx))
    elif isinstance(cmd, Subshell):
        out.extend(walk_script(cmd.body, ctx, classify))
    elif isinstance(cmd, ForLoop):
        out.extend(_word_subs(cmd.words or (), sub_ctx, classify))
        out.extend(walk_script(cmd.body, ctx, classify))
    elif isinstance(cmd, WhileLoop):
        out.extend(walk_script(cmd.cond, ctx, classify))
        out.extend(walk_script(cmd.body, ctx, classify))
    elif isinstance(cmd, IfClause):
        for cond, body in cmd.branches:
            out.extend(walk_script(cond, ctx, classify))
            out.extend(walk_script(body, ctx, classify))
        if cmd.orelse is not None:
            out.extend(walk_script(cmd.orelse, ctx, classify))
    else:
        out.append(deny(label, f"unsupported shell construct {type(cmd).__name__}"))
    return out


def _walk_pipeline(pipeline: Pipeline, ctx: Ctx, classify: ArgvClassifier) -> list[Finding]:
    out: list[Finding] = []
    stdin = ctx.stdin
    for cmd in pipeline.commands:
        out.extend(_walk_command(cmd, ctx.with_stdin(stdin), classify))
        lit = _literal_output(cmd)
        stdin = lit if lit is not None else STDIN_UNKNOWN
    return out


def walk_script(script: Script, ctx: Ctx, classify: ArgvClassifier) -> list[Finding]:
    """Findings for every program the script can run (in run order), given the context."""
    if ctx.depth > MAX_DEPTH:
        return [deny("shell", f"shell nesting deeper than {MAX_DEPTH} levels")]
    out: list[Finding] = []
    for andor, _sep in script.items:
        out.extend(_walk_pipeline(andor.first, ctx, classify))
        for _op, p in andor.rest:
            out.extend(_walk_pipeline(p, ctx, classify))
    return out
