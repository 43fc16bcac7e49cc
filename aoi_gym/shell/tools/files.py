"""Programs over the shell's in-memory filesystem: cat, tee, ls, touch, mkdir, rm, less/more."""

from __future__ import annotations

from aoi_gym.shell.context import ProgramResult, ShellContext
from aoi_gym.shell.fs import FSError, MemoryFS
from aoi_gym.shell.programs import register
from aoi_gym.shell.tools._common import UsageError, getopt, read_inputs, usage_error


def _fs(ctx: ShellContext) -> tuple[MemoryFS, str]:
    fs = getattr(ctx, "fs", None)
    return (fs if fs is not None else MemoryFS()), getattr(ctx, "cwd", "/root")


@register("cat", "less", "more")
def cat(argv: list[str], stdin: str, ctx: ShellContext) -> ProgramResult:
    try:
        opts = getopt(argv[0], argv[1:], "nAbeEsStTuvFRXr", {"number": "n", "show-all": "A"})
    except UsageError as e:
        return usage_error(e, argv[0])
    inputs, errors = read_inputs(argv[0], opts.operands, stdin, ctx)
    text = "".join(t for _, t in inputs)
    if opts.has("n"):
        lines = text.split("\n")
        tail = lines.pop() if lines and lines[-1] == "" else None
        text = "".join(f"{i + 1:6d}\t{line}\n" for i, line in enumerate(lines))
        if tail is None and lines:
            text = text[:-1]
    return ProgramResult(stdout=text, stderr="".join(errors), code=1 if errors else 0)


@register("tee")
def tee(argv: list[str], stdin: str, ctx: ShellContext) -> ProgramResult:
    try:
        opts = getopt("tee", argv[1:], "ai", {"append": "a"})
    except UsageError as e:
        return usage_error(e, "tee")
    fs, cwd = _fs(ctx)
    errors = []
    for name in opts.operands:
        try:
            fs.write(fs.resolve(name, cwd), stdin, append=opts.has("a"))
        except FSError as e:
            errors.append(f"tee: {name}: {e}\n")
    return ProgramResult(stdout=stdin, stderr="".join(errors), code=1 if errors else 0)


@register("ls")
def ls(argv: list[str], stdin: str, ctx: ShellContext) -> ProgramResult:
    try:
        opts = getopt("ls", argv[1:], "laAhtrR1dF", {"all": "a"})
    except UsageError as e:
        return usage_error(e, "ls", 2)
    fs, cwd = _fs(ctx)
    out, errors = [], []
    targets = opts.operands or ["."]
    for name in targets:
        path = fs.resolve(name, cwd)
        try:
            names = fs.listdir(path) if not opts.has("d") else [name]
        except FSError as e:
            errors.append(f"ls: cannot access '{name}': {e}\n")
            continue
        if len(targets) > 1 and fs.is_dir(path):
            out.append(f"{name}:\n")
        if opts.has("l"):
            for n in names:
                full = path.rstrip("/") + "/" + n if fs.is_dir(path) else path
                size = len(fs.files.get(full, "").encode())
                kind = "d" if fs.is_dir(full) else "-"
                out.append(f"{kind}rw-r--r-- 1 root root {size:>6} Jan  5 09:00 {n}\n")
        else:
            out.extend(n + "\n" for n in names)
    return ProgramResult(stdout="".join(out), stderr="".join(errors), code=2 if errors else 0)


@register("touch", "mkdir", "rm")
def fileops(argv: list[str], stdin: str, ctx: ShellContext) -> ProgramResult:
    tool = argv[0]
    try:
        opts = getopt(tool, argv[1:], "pfrRvmc", {"parents": "p", "force": "f", "recursive": "r"})
    except UsageError as e:
        return usage_error(e, tool)
    if not opts.operands:
        return ProgramResult(stderr=f"{tool}: missing operand\nTry '{tool} --help' for more information.\n", code=1)
    fs, cwd = _fs(ctx)
    errors = []
    for name in opts.operands:
        path = fs.resolve(name, cwd)
        try:
            if tool == "touch":
                if path not in fs.files:
                    fs.write(path, "")
            elif tool == "mkdir":
                if fs.is_dir(path) and not opts.has("p"):
                    raise FSError("File exists")
                fs.mkdir(path)
            else:
                if fs.is_dir(path) and opts.has("r", "R"):
                    for f in [p for p in fs.files if p.startswith(path.rstrip("/") + "/")]:
                        fs.remove(f)
                    fs.dirs.discard(path)
                else:
                    fs.remove(path)
        except FSError as e:
            if tool == "rm" and opts.has("f") and "No such file" in str(e):
                continue
            verb = {"touch": "cannot touch", "mkdir": "cannot create directory", "rm": "cannot remove"}[tool]
            errors.append(f"{tool}: {verb} '{name}': {e}\n")
    return ProgramResult(stderr="".join(errors), code=1 if errors else 0)
