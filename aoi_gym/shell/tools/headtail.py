"""head and tail (lines or bytes; ``-n N``, ``-N``, ``-n -N`` for head, ``-n +N`` for tail)."""

from __future__ import annotations

import re

from aoi_gym.shell.context import ProgramResult, ShellContext
from aoi_gym.shell.programs import register
from aoi_gym.shell.tools._common import UsageError, getopt, read_inputs, usage_error

_LONG = {"lines=": "n", "bytes=": "c", "quiet": "q", "silent": "q", "verbose": "v", "follow": "f"}


def _normalise(args: list[str]) -> list[str]:
    """``-5`` -> ``-n 5`` (the obsolete form agents type), except as the value of ``-n``/``-c``
    (``head -n -2``: all but the last two lines)."""
    out = []
    for k, a in enumerate(args):
        is_value = k > 0 and args[k - 1] in ("-n", "-c", "--lines", "--bytes")
        out.append(f"-n{a[1:]}" if re.fullmatch(r"-\d+", a) and not is_value else a)
    return out


def _keep_lines(text: str) -> list[str]:
    """Lines with their newline characters."""
    return text.splitlines(keepends=True) if "\r" not in text else re.findall(r"[^\n]*\n|[^\n]+$", text)


@register("head")
def head(argv: list[str], stdin: str, ctx: ShellContext) -> ProgramResult:
    return _headtail("head", argv, stdin, ctx)


@register("tail")
def tail(argv: list[str], stdin: str, ctx: ShellContext) -> ProgramResult:
    return _headtail("tail", argv, stdin, ctx)


def _headtail(tool: str, argv: list[str], stdin: str, ctx: ShellContext) -> ProgramResult:
    try:
        opts = getopt(tool, _normalise(argv[1:]), "n:c:qvfF", _LONG)
    except UsageError as e:
        return usage_error(e, tool)
    if opts.has("f", "F"):
        return ProgramResult(stderr=f"{tool}: following is not supported by this shell (the command would never end)\n", code=1)
    spec = opts.last("n", default="10")
    by_bytes = opts.last("c")
    if by_bytes is not None:
        spec = by_bytes
    m = re.fullmatch(r"([+-]?)(\d+)", (spec or "").strip())
    if not m:
        what = "bytes" if by_bytes is not None else "lines"
        return ProgramResult(stderr=f"{tool}: invalid number of {what}: '{spec}'\n", code=1)
    sign, count = m.group(1), int(m.group(2))
    inputs, errors = read_inputs(tool, opts.operands, stdin, ctx)
    out = []
    many = (len(inputs) > 1 or opts.has("v")) and not opts.has("q")
    for k, (name, text) in enumerate(inputs):
        if many:
            out.append(("\n" if k else "") + f"==> {name} <==\n")
        items: list[str] | str = text if by_bytes is not None else _keep_lines(text)
        if tool == "head":
            piece = items[: len(items) - count] if sign == "-" else items[:count]
        elif sign == "+":
            piece = items[max(0, count - 1) :]
        else:
            piece = items[len(items) - count :] if count else items[:0]
        out.append(piece if isinstance(piece, str) else "".join(piece))
    return ProgramResult(stdout="".join(out), stderr="".join(errors), code=1 if errors else 0)
