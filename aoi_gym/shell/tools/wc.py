"""wc: count lines, words, characters/bytes (GNU column layout)."""

from __future__ import annotations

from aoi_gym.shell.context import ProgramResult, ShellContext
from aoi_gym.shell.programs import register
from aoi_gym.shell.tools._common import UsageError, getopt, read_inputs, usage_error

_LONG = {"lines": "l", "words": "w", "bytes": "c", "chars": "m", "max-line-length": "L"}


@register("wc")
def wc(argv: list[str], stdin: str, ctx: ShellContext) -> ProgramResult:
    try:
        opts = getopt("wc", argv[1:], "lwcmL", _LONG)
    except UsageError as e:
        return usage_error(e, "wc")
    wanted = [f for f in "lwmcL" if opts.has(f)] or ["l", "w", "c"]
    inputs, errors = read_inputs("wc", opts.operands, stdin, ctx)
    rows = []
    for name, text in inputs:
        counts = {
            "l": text.count("\n"),
            "w": len(text.split()),
            "m": len(text),
            "c": len(text.encode()),
            "L": max((len(line) for line in text.split("\n")), default=0),
        }
        rows.append(([counts[f] for f in wanted], name if opts.operands else None))
    if len(rows) > 1:
        rows.append(([sum(r[0][i] for r in rows) for i in range(len(wanted))], "total"))
    # GNU wc pads every column to the width of the largest count when reading files, not for one stdin count
    single = len(wanted) == 1 and not opts.operands
    width = 1 if single else max(len(str(v)) for r in rows for v in r[0])
    if not opts.operands and not single:
        width = max(width, 7)
    out = []
    for values, name in rows:
        line = " ".join(str(v).rjust(width) for v in values)
        out.append(f"{line} {name}\n" if name else f"{line}\n")
    return ProgramResult(stdout="".join(out), stderr="".join(errors), code=1 if errors else 0)
