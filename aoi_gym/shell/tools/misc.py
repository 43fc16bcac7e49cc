"""Small programs: true, false, seq, basename, dirname, whoami, hostname, uname, id, clear, rev,
which; and the ones refused because they never end or need a terminal (yes, watch, top, editors)."""

from __future__ import annotations

import posixpath
import re

from aoi_gym.shell.context import ProgramResult, ShellContext
from aoi_gym.shell.programs import PROGRAMS, program_path, register
from aoi_gym.shell.tools._common import split_lines

_MAX_SEQ = 100000


@register("true")
def true(argv: list[str], stdin: str, ctx: ShellContext) -> ProgramResult:
    return ProgramResult()


@register("false")
def false(argv: list[str], stdin: str, ctx: ShellContext) -> ProgramResult:
    return ProgramResult(code=1)


@register("yes", "watch", "top", "htop", "vi", "vim", "nano", "emacs", "k9s", "tmux", "screen")
def refused(argv: list[str], stdin: str, ctx: ShellContext) -> ProgramResult:
    why = {
        "yes": "it prints forever",
        "watch": "it repeats forever; run the command once instead",
        "top": "it is interactive; use `kubectl top pods` instead",
    }.get(argv[0], "it needs an interactive terminal")
    return ProgramResult(stderr=f"{argv[0]}: not available in this non-interactive shell ({why})\n", code=1)


@register("seq")
def seq(argv: list[str], stdin: str, ctx: ShellContext) -> ProgramResult:
    args = [a for a in argv[1:] if a != "-w"]
    sep = "\n"
    if len(args) >= 2 and args[0] == "-s":
        sep, args = args[1], args[2:]
    try:
        nums = [float(a) for a in args]
    except ValueError:
        bad = next(a for a in args if not re.fullmatch(r"-?\d+(\.\d*)?", a))
        return ProgramResult(stderr=f"seq: invalid floating point argument: '{bad}'\nTry 'seq --help' for more information.\n", code=1)
    if not 1 <= len(nums) <= 3:
        return ProgramResult(stderr="seq: missing operand\nTry 'seq --help' for more information.\n", code=1)
    first, step, last = (1.0, 1.0, nums[0]) if len(nums) == 1 else ((nums[0], 1.0, nums[1]) if len(nums) == 2 else tuple(nums))
    if step == 0:
        return ProgramResult(stderr="seq: invalid Zero increment value: '0'\n", code=1)
    integral = all(float(x).is_integer() for x in (first, step, last))
    values = []
    x = first
    while (x <= last if step > 0 else x >= last) and len(values) < _MAX_SEQ:
        values.append(str(int(x)) if integral else f"{x:g}")
        x += step
    return ProgramResult(stdout=sep.join(values) + ("\n" if values else ""))


@register("basename")
def basename(argv: list[str], stdin: str, ctx: ShellContext) -> ProgramResult:
    if len(argv) < 2:
        return ProgramResult(stderr="basename: missing operand\n", code=1)
    name = posixpath.basename(argv[1].rstrip("/")) or "/"
    if len(argv) > 2 and name.endswith(argv[2]) and name != argv[2]:
        name = name[: -len(argv[2])]
    return ProgramResult(stdout=name + "\n")


@register("dirname")
def dirname(argv: list[str], stdin: str, ctx: ShellContext) -> ProgramResult:
    if len(argv) < 2:
        return ProgramResult(stderr="dirname: missing operand\n", code=1)
    return ProgramResult(stdout="".join((posixpath.dirname(a.rstrip("/")) or ".") + "\n" for a in argv[1:]))


@register("whoami")
def whoami(argv: list[str], stdin: str, ctx: ShellContext) -> ProgramResult:
    return ProgramResult(stdout="root\n")


@register("id")
def id_(argv: list[str], stdin: str, ctx: ShellContext) -> ProgramResult:
    return ProgramResult(stdout="uid=0(root) gid=0(root) groups=0(root)\n")


@register("hostname")
def hostname(argv: list[str], stdin: str, ctx: ShellContext) -> ProgramResult:
    return ProgramResult(stdout=ctx.env.get("HOSTNAME", "aoi-control-plane") + "\n")


@register("uname")
def uname(argv: list[str], stdin: str, ctx: ShellContext) -> ProgramResult:
    if "-a" in argv[1:]:
        return ProgramResult(stdout="Linux aoi-control-plane 6.8.0-aoi #1 SMP x86_64 GNU/Linux\n")
    return ProgramResult(stdout="Linux\n")


@register("clear", "reset", "sync")
def clear(argv: list[str], stdin: str, ctx: ShellContext) -> ProgramResult:
    return ProgramResult()


@register("rev")
def rev(argv: list[str], stdin: str, ctx: ShellContext) -> ProgramResult:
    return ProgramResult(stdout="".join(line[::-1] + "\n" for line in split_lines(stdin)))


@register("which")
def which(argv: list[str], stdin: str, ctx: ShellContext) -> ProgramResult:
    names = [a for a in argv[1:] if not a.startswith("-")]
    found = [program_path(n) + "\n" for n in names if n in PROGRAMS]
    return ProgramResult(stdout="".join(found), code=0 if names and len(found) == len(names) else 1)
