"""sort and uniq (``sort -n -r -k N[,M][nrh] -t SEP -u -h -f``; ``uniq -c -d -u -i``)."""

from __future__ import annotations

import re

from aoi_gym.shell.context import ProgramResult, ShellContext
from aoi_gym.shell.programs import register
from aoi_gym.shell.tools._common import UsageError, getopt, join_lines, read_inputs, split_lines, usage_error

_NUM = re.compile(r"\s*([-+]?(?:\d+\.?\d*|\.\d+))")
_HUMAN = re.compile(r"\s*([-+]?(?:\d+\.?\d*|\.\d+))([KMGTPEZYk]?)")
_SUFFIX = {"": 0, "k": 1, "K": 1, "M": 2, "G": 3, "T": 4, "P": 5, "E": 6, "Z": 7, "Y": 8}
_SORT_LONG = {
    "numeric-sort": "n", "reverse": "r", "key=": "k", "field-separator=": "t", "unique": "u",
    "human-numeric-sort": "h", "ignore-case": "f", "general-numeric-sort": "g", "version-sort": "V",
    "stable": "s", "ignore-leading-blanks": "b", "output=": "o", "month-sort": "M", "random-sort": "R",
}


def _numeric(s: str) -> float:
    m = _NUM.match(s)
    return float(m.group(1)) if m else 0.0


def _human(s: str) -> tuple[int, float]:
    m = _HUMAN.match(s)
    if not m:
        return (0, 0.0)
    value = float(m.group(1))
    sign = -1 if value < 0 else (1 if value > 0 else 0)
    return (sign * _SUFFIX[m.group(2)], value)


def _version(s: str) -> list:
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.findall(r"\d+|\D+", s)]


def _fields(line: str, sep: str | None) -> list[str]:
    if sep is not None:
        return line.split(sep)
    return re.findall(r"\s*\S+", line)  # a field keeps its leading blanks, as in GNU sort


def _parse_key(spec: str) -> tuple[int, int | None, str]:
    m = re.fullmatch(r"(\d+)(?:\.\d+)?([bdfghinMrRV]*)(?:,(\d+)(?:\.\d+)?([bdfghinMrRV]*))?", spec)
    if not m or int(m.group(1)) == 0:
        raise UsageError(f"sort: invalid number at field start: invalid count at start of '{spec}'")
    end = int(m.group(3)) if m.group(3) else None
    return int(m.group(1)), end, (m.group(2) or "") + (m.group(4) or "")


@register("sort")
def sort(argv: list[str], stdin: str, ctx: ShellContext) -> ProgramResult:
    try:
        opts = getopt("sort", argv[1:], "nrk:t:uhfgVsbo:MR", _SORT_LONG)
        keys = [_parse_key(k) for k in opts.values("k")]
    except UsageError as e:
        return usage_error(e, "sort", 2)
    sep = opts.last("t")
    if sep is not None and len(sep) != 1:
        sep = "\t" if sep == "\\t" else sep
        if len(sep) != 1:
            return ProgramResult(stderr="sort: multi-character tab '" + sep + "'\n", code=2)
    global_flags = "".join(f for f in "nhgVfbr" if opts.has(f)) + ("n" if opts.has("g") else "")
    inputs, errors = read_inputs("sort", opts.operands, stdin, ctx)
    lines = [line for _, text in inputs for line in split_lines(text)]

    def key_value(text: str, flags: str):
        if "b" in flags or "n" in flags or "h" in flags:
            text = text.lstrip()
        if "f" in flags:
            text = text.upper()
        if "h" in flags:
            return _human(text)
        if "n" in flags or "g" in flags:
            return _numeric(text)
        if "V" in flags:
            return _version(text)
        return text.encode("utf-8", "surrogateescape")

    specs = [(start, end, flags or global_flags) for start, end, flags in keys] or [(0, None, global_flags)]

    def key_text(line: str, start: int, end: int | None) -> str:
        if start == 0:
            return line
        return (sep or "").join(_fields(line, sep)[start - 1 : end])

    # stable passes, least significant first: last-resort whole-line order, then keys right to left
    ordered = lines
    if not (opts.has("s") or opts.has("u")):
        ordered = sorted(ordered, key=lambda ln: ln.encode("utf-8", "surrogateescape"), reverse=opts.has("r"))
    for start, end, flags in reversed(specs):
        ordered = sorted(ordered, key=lambda ln, a=start, b=end, f=flags: key_value(key_text(ln, a, b), f), reverse="r" in flags)
    if opts.has("u"):
        unique: list[str] = []
        last_key = None
        for line in ordered:
            k = [key_value(key_text(line, a, b), f) for a, b, f in specs]
            if not unique or k != last_key:
                unique.append(line)
                last_key = k
        ordered = unique
    return ProgramResult(stdout=join_lines(ordered), stderr="".join(errors), code=2 if errors else 0)


@register("uniq")
def uniq(argv: list[str], stdin: str, ctx: ShellContext) -> ProgramResult:
    long = {"count": "c", "repeated": "d", "unique": "u", "ignore-case": "i", "skip-fields=": "f"}
    try:
        opts = getopt("uniq", argv[1:], "cduif:", long)
    except UsageError as e:
        return usage_error(e, "uniq")
    inputs, errors = read_inputs("uniq", opts.operands[:1], stdin, ctx)
    skip = int(opts.last("f", default="0") or 0)

    def norm(line: str) -> str:
        if skip:
            line = "".join(re.findall(r"\s*\S+", line)[skip:])
        return line.lower() if opts.has("i") else line

    groups: list[list] = []
    for _, text in inputs:
        for line in split_lines(text):
            if groups and norm(groups[-1][0]) == norm(line):
                groups[-1][1] += 1
            else:
                groups.append([line, 1])
    out = []
    for line, n in groups:
        if opts.has("d") and n < 2 or opts.has("u") and n > 1:
            continue
        out.append(f"{n:7d} {line}\n" if opts.has("c") else line + "\n")
    return ProgramResult(stdout="".join(out), stderr="".join(errors), code=1 if errors else 0)
