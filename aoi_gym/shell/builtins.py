"""Shell builtins and the commands that run other commands (``sh -c``, ``xargs``, ``env``,
``timeout``, ``sudo``...). They need the interpreter's state, so they take the :class:`Run`.

Each is ``fn(run, argv, inp, out, err, overrides) -> exit status``; ``overrides`` are the
``VAR=value`` words that prefixed the command.
"""

from __future__ import annotations

import importlib
import re
import shlex
from typing import TYPE_CHECKING, Callable

from aoi_gym.shell.expand import ExpansionError, arith_eval
from aoi_gym.shell.fs import HOME, FSError
from aoi_gym.shell.parse import ParseError, parse
from aoi_gym.shell.programs import program_path, registrar

if TYPE_CHECKING:
    from aoi_gym.shell.interpreter import Input, Run

__all__ = ["BUILTINS", "parse_duration"]

Builtin = Callable[..., int]
BUILTINS: dict[str, Builtin] = {}
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


_builtin = registrar(BUILTINS)


def _exc():
    from aoi_gym.shell import interpreter

    return interpreter


# ---------------------------------------------------------------------- state builtins
@_builtin(":")
def _colon(run: "Run", argv, inp, out, err, ov) -> int:
    return 0


@_builtin("cd")
def _cd(run: "Run", argv, inp, out, err, ov) -> int:
    args = [a for a in argv[1:] if a not in ("-L", "-P")]
    target = args[0] if args else run.vars.get("HOME", HOME)
    if target == "-":
        target = run.vars.get("OLDPWD", run.cwd)
    path = run.path(target)
    if not run.shell.fs.is_dir(path):
        reason = "Not a directory" if path in run.shell.fs.files else "No such file or directory"
        err.append(f"bash: cd: {target}: {reason}\n")
        return 1
    run.vars["OLDPWD"] = run.cwd
    run.cwd = path
    return 0


@_builtin("pwd")
def _pwd(run: "Run", argv, inp, out, err, ov) -> int:
    out.append(run.cwd + "\n")
    return 0


@_builtin("export", "declare", "typeset", "local", "readonly")
def _export(run: "Run", argv, inp, out, err, ov) -> int:
    exporting = argv[0] == "export" or "-x" in argv[1:]
    names = [a for a in argv[1:] if not a.startswith("-")]
    if not names and argv[0] in ("export", "declare"):
        for k in sorted(run.exported if exporting else run.vars):
            if k in run.vars:
                out.append(f'declare -x {k}="{run.vars[k]}"\n')
        return 0
    code = 0
    for a in names:
        name, eq, value = a.partition("=")
        if not _NAME_RE.match(name):
            err.append(f"bash: {argv[0]}: `{a}': not a valid identifier\n")
            code = 1
            continue
        if eq:
            run.vars[name] = value
        if exporting:
            run.exported.add(name)
    return code


@_builtin("unset")
def _unset(run: "Run", argv, inp, out, err, ov) -> int:
    for name in argv[1:]:
        if not name.startswith("-"):
            run.vars.pop(name, None)
            run.exported.discard(name)
    return 0


_SET_FLAGS = {"e": "e", "u": "u", "x": "x"}


@_builtin("set")
def _set(run: "Run", argv, inp, out, err, ov) -> int:
    if len(argv) == 1:
        out.extend(f"{k}={shlex.quote(v)}\n" for k, v in sorted(run.vars.items()))
        return 0
    args = argv[1:]
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--":
            break
        if a in ("-o", "+o") and i + 1 < len(args):
            opt = args[i + 1]
            flag = {"errexit": "e", "nounset": "u", "xtrace": "x", "pipefail": "pipefail"}.get(opt)
            if flag is None and opt not in ("noclobber", "noglob", "posix", "vi", "emacs"):
                err.append(f"bash: set: {opt}: invalid option name\n")
                return 2
            if flag:
                (run.opts.add if a == "-o" else run.opts.discard)(flag)
            i += 2
            continue
        if a[:1] in "-+" and len(a) > 1:
            for ch in a[1:]:
                if ch in _SET_FLAGS:
                    (run.opts.add if a[0] == "-" else run.opts.discard)(_SET_FLAGS[ch])
                elif ch not in "vfhbBCHPTEmn":
                    err.append(f"bash: set: {a[0]}{ch}: invalid option\n")
                    return 2
        i += 1
    return 0


@_builtin("exit")
def _exit(run: "Run", argv, inp, out, err, ov) -> int:
    code = run.status
    if len(argv) > 1:
        try:
            code = int(argv[1]) & 0xFF
        except ValueError:
            err.append(f"bash: exit: {argv[1]}: numeric argument required\n")
            code = 2
    raise _exc().ExitShell(code)


@_builtin("return")
def _return(run: "Run", argv, inp, out, err, ov) -> int:
    err.append("bash: return: can only `return' from a function or sourced script\n")
    return 2


@_builtin("break", "continue")
def _break(run: "Run", argv, inp, out, err, ov) -> int:
    levels = int(argv[1]) if len(argv) > 1 and argv[1].isdigit() else 1
    raise _exc().LoopControl(argv[0], max(1, levels))


@_builtin("read")
def _read(run: "Run", argv, inp: "Input", out, err, ov) -> int:
    raw = False
    names: list[str] = []
    args = argv[1:]
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("-p", "-t", "-u", "-n", "-N", "-d", "-a"):
            i += 2
            continue
        if a.startswith("-") and len(a) > 1:
            raw = raw or "r" in a
        else:
            names.append(a)
        i += 1
    line = inp.readline()
    if line is None:
        return 1
    if not raw:
        line = re.sub(r"\\(.)", r"\1", line)
    names = names or ["REPLY"]
    ifs = ov.get("IFS", run.vars.get("IFS", " \t\n"))
    if names == ["REPLY"] and "REPLY" not in args:
        values = [line]
    elif not ifs:
        values = [line]
    else:
        values = line.strip(ifs).split(None, len(names) - 1) if ifs.strip() == "" else _split_ifs(line, ifs, len(names))
    for k, name in enumerate(names):
        run.vars[name] = values[k] if k < len(values) else ""
    return 0


def _split_ifs(line: str, ifs: str, n: int) -> list[str]:
    pattern = "[" + re.escape(ifs) + "]"
    return re.split(pattern, line, maxsplit=n - 1)


@_builtin("eval")
def _eval(run: "Run", argv, inp, out, err, ov) -> int:
    return _run_text(run, " ".join(argv[1:]), inp, out, err, "eval")


@_builtin("source", ".")
def _source(run: "Run", argv, inp, out, err, ov) -> int:
    if len(argv) < 2:
        err.append(f"bash: {argv[0]}: filename argument required\n")
        return 2
    try:
        text = run.shell.fs.read(run.path(argv[1]))
    except FSError as e:
        err.append(f"bash: {argv[1]}: {e}\n")
        return 1
    return _run_text(run, text, inp, out, err, argv[1])


def _run_text(run: "Run", text: str, inp, out, err, label: str) -> int:
    try:
        script = parse(text)
    except ParseError as e:
        err.append(str(e).replace("bash: -c:", f"bash: {label}:", 1) + "\n")
        return 2
    return run.exec_script(script, inp, out, err)


@_builtin("let")
def _let(run: "Run", argv, inp, out, err, ov) -> int:
    value = 0
    for expr in argv[1:]:
        name, eq, rhs = expr.partition("=")
        try:
            if eq and _NAME_RE.match(name.strip()):
                value = arith_eval(rhs, run)
                run.vars[name.strip()] = str(value)
            else:
                value = arith_eval(expr, run)
        except ExpansionError as e:
            err.append(f"{e}\n")
            return 1
    return 0 if value else 1


@_builtin("shift", "wait", "jobs", "trap", "ulimit", "umask", "hash", "alias", "unalias", "shopt", "disown", "history")
def _noop(run: "Run", argv, inp, out, err, ov) -> int:
    return 0


@_builtin("sleep")
def _sleep(run: "Run", argv, inp, out, err, ov) -> int:
    if len(argv) < 2:
        err.append("sleep: missing operand\nTry 'sleep --help' for more information.\n")
        return 1
    total = 0.0
    for a in argv[1:]:
        seconds = parse_duration(a)
        if seconds is None:
            err.append(f"sleep: invalid time interval '{a}'\nTry 'sleep --help' for more information.\n")
            return 1
        total += seconds
    run.sleep(total)
    return 0


def parse_duration(text: str) -> float | None:
    """``10``, ``1.5``, ``2m``, ``1h``, ``1d`` -> seconds, or None."""
    m = re.fullmatch(r"(\d+(?:\.\d*)?|\.\d+)([smhd]?)", text)
    if not m:
        return None
    return float(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]


# ---------------------------------------------------------------------- lookups
def _describe(run: "Run", name: str) -> str | None:
    if name in BUILTINS:
        return "builtin"
    if name in run.shell.programs:
        return program_path(name)
    return None


@_builtin("type")
def _type(run: "Run", argv, inp, out, err, ov) -> int:
    code = 0
    for name in (a for a in argv[1:] if not a.startswith("-")):
        kind = _describe(run, name)
        if kind == "builtin":
            out.append(f"{name} is a shell builtin\n")
        elif kind:
            out.append(f"{name} is {kind}\n")
        else:
            err.append(f"bash: type: {name}: not found\n")
            code = 1
    return code


@_builtin("command")
def _command(run: "Run", argv, inp, out, err, ov) -> int:
    args = argv[1:]
    if args and args[0] in ("-v", "-V"):
        code = 0
        for name in args[1:]:
            kind = _describe(run, name)
            if kind is None:
                code = 1
                if args[0] == "-V":
                    err.append(f"bash: command: {name}: not found\n")
            elif args[0] == "-v":
                out.append((name if kind == "builtin" else kind) + "\n")
            else:
                out.append(f"{name} is a shell builtin\n" if kind == "builtin" else f"{name} is {kind}\n")
        return code
    if args and args[0] == "-p":
        args = args[1:]
    return run.run_argv(args, inp, out, err, ov) if args else 0


@_builtin("builtin")
def _builtin_cmd(run: "Run", argv, inp, out, err, ov) -> int:
    if len(argv) < 2:
        return 0
    fn = BUILTINS.get(argv[1])
    if fn is None:
        err.append(f"bash: builtin: {argv[1]}: not a shell builtin\n")
        return 1
    return fn(run, argv[1:], inp, out, err, ov)


@_builtin("exec")
def _exec(run: "Run", argv, inp, out, err, ov) -> int:
    if len(argv) < 2:
        return 0
    raise _exc().ExitShell(run.run_argv(argv[1:], inp, out, err, ov))


importlib.import_module("aoi_gym.shell.runners")  # registers sh, xargs, env, timeout... (they import this module)
