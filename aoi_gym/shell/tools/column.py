"""column (``-t`` table alignment with ``-s SEP`` and ``-o OUTSEP``; otherwise a pass-through)."""

from __future__ import annotations

from aoi_gym.shell.context import ProgramResult, ShellContext
from aoi_gym.shell.programs import register
from aoi_gym.shell.tools._common import UsageError, getopt, read_inputs, split_lines, usage_error


@register("column")
def column(argv: list[str], stdin: str, ctx: ShellContext) -> ProgramResult:
    try:
        opts = getopt("column", argv[1:], "ts:o:nxc:N:R:", {"table": "t", "separator=": "s", "output-separator=": "o"})
    except UsageError as e:
        return usage_error(e, "column")
    inputs, errors = read_inputs("column", opts.operands, stdin, ctx)
    lines = [line for _, text in inputs for line in split_lines(text) if line.strip()]
    if not opts.has("t"):
        return ProgramResult(stdout="".join(line + "\n" for line in lines), stderr="".join(errors))
    seps = opts.last("s")
    rows = []
    for line in lines:
        if seps:
            fields = [line]
            for sep in seps:
                fields = [piece for f in fields for piece in f.split(sep)]
        else:
            fields = line.split()
        rows.append(fields)
    ncols = max((len(r) for r in rows), default=0)
    widths = [max((len(r[i]) for r in rows if i < len(r)), default=0) for i in range(ncols)]
    outsep = opts.last("o", default="  ")
    out = []
    for r in rows:
        cells = [c.ljust(widths[i]) if i < len(r) - 1 else c for i, c in enumerate(r)]
        out.append(outsep.join(cells).rstrip() + "\n")  # type: ignore[union-attr]
    return ProgramResult(stdout="".join(out), stderr="".join(errors), code=1 if errors else 0)
