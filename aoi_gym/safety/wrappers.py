"""Programs that run another program: env, timeout, nice, nohup, time, stdbuf, setsid, command,
exec, xargs, watch, and the shells ``sh -c``/``bash -c`` and ``eval``.

Each is unwrapped to the argv (or shell text) it would run, which is then classified by the same
rules as a top-level command, so ``xargs kubectl delete``, ``env FOO=1 /usr/bin/kubectl apply`` or
``bash -c "kubectl delete ns x"`` are judged by what finally runs.
"""

from __future__ import annotations

from typing import Callable

from aoi_gym.safety.shellwalk import DANGEROUS_ENV, MAX_DEPTH, Ctx, deny, walk_script
from aoi_gym.safety.verdicts import OPAQUE_MANY, OPAQUE_ONE, Finding, Opaque, Verdict

__all__ = ["SHELLS", "WRAPPERS", "unwrap", "classify_shell_text"]

SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ash", "ksh", "busybox-sh"})
WRAPPERS = frozenset({"env", "timeout", "nice", "nohup", "time", "stdbuf", "setsid", "command", "exec", "xargs", "watch", "eval", "builtin"})
_PRIVILEGE = frozenset({"sudo", "su", "doas", "chroot", "nsenter", "unshare", "runuser", "pkexec", "source", "."})

Classify = Callable[[list, Ctx], list[Finding]]


def classify_shell_text(text: str, ctx: Ctx, classify: Classify, program: str) -> list[Finding]:
    """Parse ``text`` with the project's shell parser and classify everything in it."""
    from aoi_gym.shell.parse import parse

    if ctx.depth + 1 > MAX_DEPTH:
        return [deny(program, f"shell nesting deeper than {MAX_DEPTH} levels")]
    try:
        script = parse(text)
    except Exception as e:  # ParseError, or anything unexpected: fail closed
        return [deny(program, f"cannot parse the shell text given to {program}: {str(e)[:160]}")]
    return walk_script(script, ctx._replace(depth=ctx.depth + 1), classify)


def _opaque(a: str) -> bool:
    return isinstance(a, Opaque)


def _shell(argv: list, ctx: Ctx, classify: Classify) -> list[Finding]:
    prog = argv[0]
    i = 1
    while i < len(argv):
        a = argv[i]
        if _opaque(a):
            return [deny(prog, f"{prog} option is an expansion")]
        if a == "-c" or (a.startswith("-") and not a.startswith("--") and "c" in a[1:] and set(a[1:]) <= set("ceuxvlo")):
            if "o" in a[1:]:
                return [deny(prog, f"{prog} option {a} is not understood")]
            if i + 1 >= len(argv):
                return [deny(prog, f"{prog} -c needs a command string")]
            text = argv[i + 1]
            if _opaque(text):
                return [deny(prog, f"the command string of {prog} -c is an expansion: cannot see what runs")]
            return classify_shell_text(text, ctx, classify, prog)
        if a in ("-e", "-u", "-x", "-v", "-l", "--login", "--norc", "--noprofile", "-eu", "-ex", "-eux", "-xe"):
            i += 1
            continue
        if a == "-o" and i + 1 < len(argv) and argv[i + 1] in ("pipefail", "errexit", "nounset"):
            i += 2
            continue
        break
    return [deny(prog, f"{prog} without -c would run a script from stdin or a file that cannot be inspected")]


def _take_options(argv: list, start: int, with_value: frozenset, flags: frozenset) -> tuple[int, str | None]:
    """Skip options of a wrapper; returns (index of the wrapped command, error or None)."""
    i = start
    while i < len(argv):
        a = argv[i]
        if _opaque(a):
            return i, "an option of the wrapper is an expansion"
        if a == "--":
            return i + 1, None
        if not a.startswith("-") or a == "-":
            return i, None
        name = a.split("=", 1)[0]
        if name in with_value:
            i += 1 if "=" in a else 2
        elif name in flags:
            i += 1
        elif len(a) > 2 and a[:2] in with_value and not a.startswith("--"):
            i += 1  # -n5, -oL
        else:
            return i, f"option {a} is not understood"
    return i, None


def _xargs(argv: list, ctx: Ctx, classify: Classify) -> list[Finding]:
    i, repl = 1, None
    with_value = frozenset({"-n", "-L", "-P", "-d", "-s", "-E", "-a", "--max-args", "--max-lines", "--max-procs", "--delimiter", "--max-chars", "--arg-file", "--eof"})
    flags = frozenset({"-0", "-r", "-t", "-x", "--null", "--no-run-if-empty", "--verbose", "--exit", "--open-tty", "-o"})
    while i < len(argv):
        a = argv[i]
        if _opaque(a):
            return [deny("xargs", "an option of xargs is an expansion")]
        if a == "-I" and i + 1 < len(argv):
            repl = argv[i + 1]
            i += 2
            continue
        if a.startswith("-I") and len(a) > 2:
            repl, i = a[2:], i + 1
            continue
        if a.startswith("-i") or a.startswith("--replace"):
            repl = a.split("=", 1)[1] if "=" in a else (a[2:] or "{}")
            i += 1
            continue
        if a in ("-p", "--interactive"):
            return [deny("xargs", "xargs -p is interactive")]
        j, err = _take_options(argv, i, with_value, flags)
        if err:
            return [deny("xargs", err)]
        if j == i:
            break
        i = j
    inner = argv[i:] or ["echo"]
    if repl:
        inner = [OPAQUE_ONE if (not _opaque(a) and repl in a) else a for a in inner]
    else:
        inner = inner + [OPAQUE_MANY]
    return classify(inner, ctx.with_stdin(None))


def _env(argv: list, ctx: Ctx, classify: Classify) -> list[Finding]:
    i = 1
    while i < len(argv):
        a = argv[i]
        if _opaque(a):
            return [deny("env", "an argument of env is an expansion")]
        if a in ("-i", "--ignore-environment", "-0", "--null", "-"):
            i += 1
        elif a in ("-u", "--unset", "-C", "--chdir"):
            i += 2
        elif a.startswith("--unset=") or a.startswith("--chdir="):
            i += 1
        elif a.startswith("-S") or a.startswith("--split-string"):
            return [deny("env", "env -S splits a string into a command that cannot be inspected")]
        elif a.startswith("-"):
            return [deny("env", f"env option {a} is not understood")]
        elif "=" in a and a.split("=", 1)[0].replace("_", "a").isalnum():
            if a.split("=", 1)[0] in DANGEROUS_ENV:
                return [deny("env", f"setting {a.split('=', 1)[0]} changes what programs run")]
            i += 1
        else:
            break
    if i >= len(argv):
        return [Finding(Verdict.READ, "env", "prints the environment")]
    return classify(argv[i:], ctx)


def _watch(argv: list, ctx: Ctx, classify: Classify) -> list[Finding]:
    with_value = frozenset({"-n", "--interval", "-q", "--equexit"})
    flags = frozenset({"-d", "--differences", "-t", "--no-title", "-b", "--beep", "-e", "--errexit", "-g", "--chgexit", "-c", "--color", "-p", "--precise", "-x", "--exec", "-w", "--no-wrap"})
    i, err = _take_options(argv, 1, with_value, flags)
    if err:
        return [deny("watch", err)]
    rest = argv[i:]
    if not rest:
        return [deny("watch", "watch needs a command")]
    if "-x" in argv[1:i] or "--exec" in argv[1:i]:
        return classify(rest, ctx)
    if any(_opaque(a) for a in rest):
        return [deny("watch", "watch joins its arguments into a shell command; an argument is an expansion")]
    return classify_shell_text(" ".join(rest), ctx, classify, "watch")


def unwrap(argv: list, ctx: Ctx, classify: Classify) -> list[Finding] | None:
    """Findings for a wrapper program (what it finally runs), or None if argv[0] is not a wrapper."""
    prog = argv[0]
    if prog in _PRIVILEGE:
        return [deny(prog, f"{prog} runs code or changes identity in a way that cannot be inspected")]
    if prog in SHELLS:
        return _shell(argv, ctx, classify)
    if prog not in WRAPPERS:
        return None
    if prog == "xargs":
        return _xargs(argv, ctx, classify)
    if prog == "env":
        return _env(argv, ctx, classify)
    if prog == "watch":
        return _watch(argv, ctx, classify)
    if prog == "eval":
        if any(_opaque(a) for a in argv[1:]):
            return [deny("eval", "eval of an expansion: cannot see what runs")]
        return classify_shell_text(" ".join(argv[1:]), ctx, classify, "eval")
    if prog in ("command", "builtin"):
        if len(argv) > 1 and argv[1] in ("-v", "-V"):
            return [Finding(Verdict.READ, prog, "looks up a command name")]
        i, err = _take_options(argv, 1, frozenset(), frozenset({"-p"}))
    elif prog == "exec":
        i, err = _take_options(argv, 1, frozenset({"-a"}), frozenset({"-c", "-l"}))
    elif prog == "timeout":
        i, err = _take_options(argv, 1, frozenset({"-s", "--signal", "-k", "--kill-after"}), frozenset({"--preserve-status", "--foreground", "-v", "--verbose"}))
        if not err and i < len(argv):
            if _opaque(argv[i]):
                return [deny(prog, "the duration of timeout is an expansion")]
            i += 1  # the duration
    elif prog == "nice":
        i, err = _take_options(argv, 1, frozenset({"-n", "--adjustment"}), frozenset())
        if err and i < len(argv) and argv[i][1:].isdigit():
            i, err = i + 1, None
    elif prog == "stdbuf":
        i, err = _take_options(argv, 1, frozenset({"-i", "-o", "-e", "--input", "--output", "--error"}), frozenset())
    elif prog == "time":
        i, err = _take_options(argv, 1, frozenset(), frozenset({"-p", "-v", "--verbose", "--portability"}))
    else:  # nohup, setsid
        i, err = _take_options(argv, 1, frozenset(), frozenset({"-w", "--wait", "-f", "--fork"}))
    if err:
        return [deny(prog, err)]
    if i >= len(argv):
        return [Finding(Verdict.READ, prog, f"{prog} without a command does nothing")]
    return classify(argv[i:], ctx)
