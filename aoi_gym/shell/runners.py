"""Commands that run other commands: ``sh -c``/``bash -c``, ``xargs``, ``env``, ``timeout``,
``nohup``, ``time``, ``sudo``, ``nice``, ``stdbuf``. Registered into the shell's builtins, since
they need the interpreter to run what they are given.
"""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

from aoi_gym.shell.builtins import _builtin, _run_text, parse_duration
from aoi_gym.shell.fs import FSError

if TYPE_CHECKING:
    from aoi_gym.shell.interpreter import Input, Run

__all__: list[str] = []

_XARGS_MAX_RUNS = 5000


@_builtin("sh", "bash", "dash")
def _sh(run: "Run", argv, inp: "Input", out, err, ov) -> int:
    from aoi_gym.shell.interpreter import ExitShell, Input

    child = run.clone()
    for k, v in ov.items():
        child.vars[k] = v
        child.exported.add(k)
    args = argv[1:]
    command: str | None = None
    i = 0
    while i < len(args):
        a = args[i]
        if a == "-c":
            if i + 1 >= len(args):
                err.append(f"{argv[0]}: -c: option requires an argument\n")
                return 2
            command = args[i + 1]
            break
        if a in ("-o", "+o") and i + 1 < len(args):
            if args[i + 1] == "pipefail":
                (child.opts.add if a == "-o" else child.opts.discard)("pipefail")
            i += 2
            continue
        if a.startswith(("-", "+")) and len(a) > 1 and a != "--":
            flags = a[1:]
            if "c" in flags:
                if i + 1 >= len(args):
                    err.append(f"{argv[0]}: -c: option requires an argument\n")
                    return 2
                command = args[i + 1]
            for ch in flags:
                if ch in "eux":
                    (child.opts.add if a[0] == "-" else child.opts.discard)(ch)
            if command is not None:
                break
            i += 1
            continue
        break
    else:
        i = len(args)
    label = argv[0]
    if command is None:
        rest = args[i:] if i < len(args) and args[i] != "--" else args[i + 1 :]
        if rest:  # sh script.sh
            try:
                command = run.shell.fs.read(run.path(rest[0]))
            except FSError as e:
                err.append(f"{label}: {rest[0]}: {e}\n")
                return 127
            label = rest[0]
        else:  # commands on standard input
            command, inp = inp.rest(), Input("")
    try:
        return _run_text(child, command, inp, out, err, "-c" if label in ("sh", "bash", "dash") else label)
    except ExitShell as e:
        return e.code


@_builtin("env", "printenv")
def _env(run: "Run", argv, inp, out, err, ov) -> int:
    env = run.environ(ov)
    if argv[0] == "printenv":
        names = argv[1:]
        if not names:
            out.extend(f"{k}={v}\n" for k, v in env.items())
            return 0
        found = [env[n] for n in names if n in env]
        out.extend(v + "\n" for v in found)
        return 0 if len(found) == len(names) else 1
    args = argv[1:]
    overrides = dict(ov)
    while args:
        a = args[0]
        if a in ("-i", "--ignore-environment", "-"):
            env = {}
            overrides = {k: "" for k in run.environ()}
        elif a in ("-u", "--unset") and len(args) > 1:
            overrides[args[1]] = ""
            env.pop(args[1], None)
            args = args[1:]
        elif a.startswith("-") and a != "--":
            err.append(f"env: invalid option -- '{a.lstrip('-')[:1]}'\nTry 'env --help' for more information.\n")
            return 125
        elif "=" in a and not a.startswith("="):
            k, _, v = a.partition("=")
            overrides[k] = v
            env[k] = v
        else:
            if a == "--":
                args = args[1:]
            break
        args = args[1:]
    if not args:
        out.extend(f"{k}={v}\n" for k, v in env.items())
        return 0
    return run.run_argv(args, inp, out, err, overrides)


@_builtin("timeout")
def _timeout(run: "Run", argv, inp, out, err, ov) -> int:
    from aoi_gym.shell.interpreter import ShellTimeout

    args = argv[1:]
    while args and args[0].startswith("-") and args[0] != "-":
        opt = args[0]
        args = args[2:] if opt in ("-s", "--signal", "-k", "--kill-after") else args[1:]
    if len(args) < 2:
        err.append("timeout: missing operand\nTry 'timeout --help' for more information.\n")
        return 125
    limit = parse_duration(args[0])
    if limit is None:
        err.append(f"timeout: invalid time interval '{args[0]}'\nTry 'timeout --help' for more information.\n")
        return 125
    saved = run.deadline
    run.deadline = min(saved, run.clock[0] + limit) if limit > 0 else saved
    try:
        return run.run_argv(args[1:], inp, out, err, ov)
    except ShellTimeout:
        if run.deadline >= saved:  # the outer limit, not ours
            raise
        run.clock[0] = run.deadline
        return 124
    finally:
        run.deadline = saved


@_builtin("nohup", "nice", "stdbuf", "sudo", "ionice")
def _prefix(run: "Run", argv, inp, out, err, ov) -> int:
    args = argv[1:]
    takes_value = {"sudo": ("-u", "-g", "-C"), "nice": ("-n",), "ionice": ("-c", "-n")}.get(argv[0], ())
    while args and args[0].startswith("-"):
        args = args[2:] if args[0] in takes_value else args[1:]
    if not args:
        if argv[0] == "sudo":
            err.append("usage: sudo -h | -K | -k | -V\n")
            return 1
        return 0
    return run.run_argv(args, inp, out, err, ov)


@_builtin("time")
def _time(run: "Run", argv, inp, out, err, ov) -> int:
    before = run.clock[0]
    code = run.run_argv(argv[1:], inp, out, err, ov) if len(argv) > 1 else 0
    elapsed = run.clock[0] - before + 0.012
    err.append(f"\nreal\t0m{elapsed:.3f}s\nuser\t0m0.004s\nsys\t0m0.002s\n")
    return code


@_builtin("xargs")
def _xargs(run: "Run", argv, inp, out, err, ov) -> int:
    args = argv[1:]
    max_args = 0
    replace: str | None = None
    no_run_if_empty = False
    trace = False
    delimiter: str | None = None
    while args and args[0].startswith("-") and args[0] != "-":
        a = args.pop(0)
        if a == "--":
            break
        if a in ("-n", "-L", "-P", "-s", "-d", "-I", "-E", "-a") and args:
            value = args.pop(0)
        elif a[:2] in ("-n", "-L", "-P", "-s", "-d", "-I", "-E") and len(a) > 2:
            value = a[2:]
        else:
            value = ""
        key = a[:2]
        if key in ("-n", "-L"):
            try:
                max_args = int(value)
            except ValueError:
                err.append(f"xargs: invalid number \"{value}\" for {key} option\n")
                return 1
        elif key == "-I" or a.startswith("--replace"):
            replace = value or "{}"
            max_args = 1
        elif a.startswith("-i"):
            replace = a[2:] or "{}"
        elif key == "-d":
            delimiter = value.encode().decode("unicode_escape") if value else "\n"
        elif a == "-0" or a == "--null":
            delimiter = "\0"
        elif a in ("-r", "--no-run-if-empty"):
            no_run_if_empty = True
        elif a in ("-t", "--verbose"):
            trace = True
        elif key in ("-P", "-s", "-E"):
            pass
        else:
            err.append(f"xargs: invalid option -- '{a.lstrip('-')[:1]}'\n")
            return 1
    command = args or ["echo"]
    text = inp.rest()
    if replace is not None:
        items = [line.strip() for line in text.split(delimiter or "\n") if line.strip()]
    elif delimiter is not None:
        items = [x for x in text.split(delimiter)]
        if items and items[-1] in ("", "\n"):
            items.pop()
    else:
        try:
            items = shlex.split(text)
        except ValueError as e:
            err.append(f"xargs: unmatched quote; by default quotes are special to xargs unless you use the -0 option ({e})\n")
            return 1
    if not items and (no_run_if_empty or replace is not None):
        return 0
    if replace is not None:
        batches = [[a.replace(replace, item) for a in command] for item in items]
    else:
        size = max_args or max(1, len(items))
        groups = [items[i : i + size] for i in range(0, len(items), size)] or [[]]
        batches = [command + g for g in groups]
    from aoi_gym.shell.interpreter import Input

    status = 0
    for batch in batches[:_XARGS_MAX_RUNS]:
        if trace:
            err.append(" ".join(batch) + "\n")
        code = run.run_argv(batch, Input(""), out, err, ov)
        if code == 127:
            return 127
        if code != 0:
            status = 123
    return status
