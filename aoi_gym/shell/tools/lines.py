"""Line tools agents reach for after ``kubectl ... |``: ``tac``, ``paste`` and ``nl`` (GNU behaviour).

``paste -sd, -`` joins lines (``kubectl get pods -o name | paste -sd,``); ``paste a b`` joins files
side by side; ``nl`` numbers non-empty lines (``-ba``: all lines) as ``%6d<TAB>line``.
"""

from __future__ import annotations

from aoi_gym.shell.context import ProgramResult, ShellContext
from aoi_gym.shell.programs import register
from aoi_gym.shell.tools._common import UsageError, getopt, read_inputs, split_lines, usage_error


def _options(tool: str, argv: list[str], short: str, long: dict[str, str]):
    try:
        return getopt(tool, argv[1:], short, long), None
    except UsageError as e:
        return None, usage_error(e, tool)


@register("tac")
def tac(argv: list[str], stdin: str, ctx: ShellContext) -> ProgramResult:
    opts, error = _options("tac", argv, "", {})
    if error:
        return error
    inputs, errors = read_inputs("tac", opts.operands, stdin, ctx)
    out = "".join(line + "\n" for _, text in reversed(inputs) for line in reversed(split_lines(text)))
    return ProgramResult(stdout=out, stderr="".join(errors), code=1 if errors else 0)


def _delimiters(spec: str) -> list[str]:
    """paste's -d list: each character in turn, with ``\\n``, ``\\t``, ``\\\\`` and ``\\0`` (empty)."""
    out, i = [], 0
    while i < len(spec):
        if spec[i] == "\\" and i + 1 < len(spec):
            out.append({"n": "\n", "t": "\t", "\\": "\\", "0": ""}.get(spec[i + 1], spec[i + 1]))
            i += 2
        else:
            out.append(spec[i])
            i += 1
    return out or [""]


@register("paste")
def paste(argv: list[str], stdin: str, ctx: ShellContext) -> ProgramResult:
    opts, error = _options("paste", argv, "sd:", {"serial": "s", "delimiters=": "d"})
    if error:
        return error
    delims = _delimiters(opts.last("d", default="\t"))
    operands = opts.operands or ["-"]
    inputs, errors = read_inputs("paste", operands, stdin, ctx)
    columns = [split_lines(text) for _, text in inputs]
    # several "-" read standard input in turn, a line each (``paste - - -``: three lines per row);
    # with -s the first one reads all of it
    dashes = [k for k, name in enumerate(operands) if name == "-"]
    for j, k in enumerate(dashes):
        columns[k] = (columns[k] if j == 0 else []) if opts.has("s") else columns[k][j::len(dashes)]

    def join(cells: list[str]) -> str:
        return "".join(cell + (delims[k % len(delims)] if k < len(cells) - 1 else "") for k, cell in enumerate(cells))

    if opts.has("s"):
        out = "".join(join(lines) + "\n" for lines in columns)
    else:
        rows = max((len(c) for c in columns), default=0)
        out = "".join(join([c[r] if r < len(c) else "" for c in columns]) + "\n" for r in range(rows))
    return ProgramResult(stdout=out, stderr="".join(errors), code=1 if errors else 0)


@register("nl")
def nl(argv: list[str], stdin: str, ctx: ShellContext) -> ProgramResult:
    opts, error = _options("nl", argv, "b:w:s:", {"body-numbering=": "b", "number-width=": "w", "number-separator=": "s"})
    if error:
        return error
    style, sep = opts.last("b", default="t"), opts.last("s", default="\t")
    width = opts.last("w", default="6")
    if style not in ("a", "t", "n") or not width.isdigit():
        bad = f"invalid body numbering style: '{style}'" if style not in ("a", "t", "n") else f"invalid line number field width: '{width}'"
        return ProgramResult(stderr=f"nl: {bad}\n", code=1)
    inputs, errors = read_inputs("nl", opts.operands, stdin, ctx)
    out, n = [], 0
    for _, text in inputs:
        for line in split_lines(text):
            if style == "a" or (style == "t" and line):
                n += 1
                out.append(f"{n:>{int(width)}}{sep}{line}\n")
            else:
                out.append(" " * (int(width) + len(sep)) + line + "\n")
    return ProgramResult(stdout="".join(out), stderr="".join(errors), code=1 if errors else 0)
