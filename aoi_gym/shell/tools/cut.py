"""cut (``-d -f -c -s --complement --output-delimiter``) and tr (sets, ranges, classes, -d -s -c)."""

from __future__ import annotations

import re

from aoi_gym.shell.context import ProgramResult, ShellContext
from aoi_gym.shell.programs import register
from aoi_gym.shell.tools._common import UsageError, getopt, read_inputs, split_lines, usage_error


def _ranges(spec: str) -> list[tuple[int, int]]:
    out = []
    for piece in spec.split(","):
        m = re.fullmatch(r"(\d*)(-?)(\d*)", piece.strip())
        if not m or not (m.group(1) or m.group(3)):
            raise UsageError("cut: invalid field range" if piece else "cut: fields are numbered from 1")
        lo = int(m.group(1)) if m.group(1) else 1
        hi = (int(m.group(3)) if m.group(3) else 10**9) if m.group(2) else lo
        if lo == 0:
            raise UsageError("cut: fields and positions are numbered from 1")
        out.append((lo, hi))
    return out


def _selected(n: int, ranges: list[tuple[int, int]], complement: bool) -> list[int]:
    idx = [i for i in range(1, n + 1) if any(lo <= i <= hi for lo, hi in ranges)]
    if complement:
        chosen = set(idx)
        idx = [i for i in range(1, n + 1) if i not in chosen]
    return idx


@register("cut")
def cut(argv: list[str], stdin: str, ctx: ShellContext) -> ProgramResult:
    long = {"delimiter=": "d", "fields=": "f", "characters=": "c", "bytes=": "b", "only-delimited": "s",
            "complement": "complement", "output-delimiter=": "output-delimiter"}
    try:
        opts = getopt("cut", argv[1:], "d:f:c:b:s", long)
        spec_f, spec_c = opts.last("f"), opts.last("c", "b")
        if spec_f is None and spec_c is None:
            raise UsageError("cut: you must specify a list of bytes, characters, or fields")
        ranges = _ranges(spec_f if spec_f is not None else spec_c)  # type: ignore[arg-type]
        delim = opts.last("d", default="\t")
        if spec_f is not None and len(delim) != 1:  # type: ignore[arg-type]
            raise UsageError("cut: the delimiter must be a single character")
    except UsageError as e:
        return usage_error(e, "cut")
    complement = opts.has("complement")
    inputs, errors = read_inputs("cut", opts.operands, stdin, ctx)
    out = []
    for _, text in inputs:
        for line in split_lines(text):
            if spec_f is None:
                out.append("".join(line[i - 1] for i in _selected(len(line), ranges, complement)) + "\n")
                continue
            if delim not in line:  # type: ignore[operator]
                if not opts.has("s"):
                    out.append(line + "\n")
                continue
            fields = line.split(delim)
            joiner = opts.last("output-delimiter", default=delim)
            out.append(joiner.join(fields[i - 1] for i in _selected(len(fields), ranges, complement)) + "\n")  # type: ignore[union-attr]
    return ProgramResult(stdout="".join(out), stderr="".join(errors), code=1 if errors else 0)


_TR_CLASSES = {
    "alpha": "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "digit": "0123456789",
    "alnum": "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
    "upper": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "lower": "abcdefghijklmnopqrstuvwxyz",
    "space": " \t\n\r\f\v",
    "blank": " \t",
    "punct": "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
}
_TR_ESC = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "f": "\f", "v": "\v", "0": "\0"}


def _tr_set(spec: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(spec):
        if spec.startswith("[:", i) and ":]" in spec[i:]:
            end = spec.index(":]", i)
            name = spec[i + 2 : end]
            if name not in _TR_CLASSES:
                raise UsageError(f"tr: invalid character class '{name}'")
            out.extend(_TR_CLASSES[name])
            i = end + 2
            continue
        c = spec[i]
        if c == "\\" and i + 1 < len(spec):
            c = _TR_ESC.get(spec[i + 1], spec[i + 1])
            i += 2
        else:
            i += 1
        if i + 1 < len(spec) and spec[i] == "-":
            hi = spec[i + 1]
            if ord(hi) < ord(c):
                raise UsageError(f"tr: range-endpoints of '{c}-{hi}' are in reverse collating sequence order")
            out.extend(chr(k) for k in range(ord(c), ord(hi) + 1))
            i += 2
        else:
            out.append(c)
    return "".join(out)


@register("tr")
def tr(argv: list[str], stdin: str, ctx: ShellContext) -> ProgramResult:
    long = {"delete": "d", "squeeze-repeats": "s", "complement": "c", "truncate-set1": "t"}
    try:
        opts = getopt("tr", argv[1:], "dscCt", long)
        sets = [_tr_set(s) for s in opts.operands]
        delete, squeeze = opts.has("d"), opts.has("s")
        need = 1 if delete or (squeeze and len(sets) == 1) else 2
        if len(sets) < need:
            raise UsageError("tr: missing operand" + (f" after '{opts.operands[0]}'" if sets else ""))
        if len(sets) > need and not (delete and squeeze):
            raise UsageError(f"tr: extra operand '{opts.operands[need]}'")
    except UsageError as e:
        return usage_error(e, "tr")
    text = stdin
    set1 = sets[0]
    if opts.has("c", "C"):
        present = set(set1)
        set1 = "".join(sorted({ch for ch in text if ch not in present}))
    if delete:
        text = text.translate({ord(ch): None for ch in set1})
        squeeze_set = sets[1] if len(sets) > 1 else ""
    elif len(sets) >= 2:
        set2 = sets[1]
        if set2:
            set2 = set2 + set2[-1] * max(0, len(set1) - len(set2))
            text = text.translate({ord(a): b for a, b in zip(set1, set2)})
        squeeze_set = sets[1]
    else:
        squeeze_set = set1
    if squeeze and squeeze_set:
        text = re.sub("([" + re.escape(squeeze_set) + r"])\1+", r"\1", text)
    return ProgramResult(stdout=text)
