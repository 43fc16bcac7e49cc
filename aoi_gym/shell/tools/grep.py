"""grep, egrep, fgrep: search lines for patterns (GNU grep 3 options and output)."""

from __future__ import annotations

import re

from aoi_gym.shell.context import ProgramResult, ShellContext
from aoi_gym.shell.programs import register
from aoi_gym.shell.tools._common import UsageError, getopt, read_inputs, split_lines, usage_error
from aoi_gym.shell.tools._regex import RegexError, compile_posix

_SHORT = "ivcnEFGPwxoqslLhHrRzUIaA:B:C:e:f:m:"
_LONG = {
    "ignore-case": "i", "invert-match": "v", "count": "c", "line-number": "n", "extended-regexp": "E",
    "fixed-strings": "F", "basic-regexp": "G", "perl-regexp": "P", "word-regexp": "w", "line-regexp": "x",
    "only-matching": "o", "quiet": "q", "silent": "q", "no-messages": "s", "files-with-matches": "l",
    "files-without-match": "L", "no-filename": "h", "with-filename": "H", "recursive": "r",
    "after-context=": "A", "before-context=": "B", "context=": "C", "regexp=": "e", "file=": "f",
    "max-count=": "m", "color": "color", "colour": "colour", "color=": "color", "colour=": "colour", "text": "a",
    "null-data": "z", "binary": "U",
}


@register("grep", "egrep", "fgrep")
def grep(argv: list[str], stdin: str, ctx: ShellContext) -> ProgramResult:
    args = list(argv[1:])
    context_default = None
    for k, a in enumerate(args):  # -NUM means -C NUM
        if re.fullmatch(r"-\d+", a):
            context_default = a[1:]
            args.pop(k)
            break
    try:
        opts = getopt("grep", args, _SHORT, _LONG)
    except UsageError as e:
        return usage_error(e, "grep", 2)
    patterns = opts.values("e")
    operands = list(opts.operands)
    for f in opts.values("f"):
        inputs, errors = read_inputs("grep", [f], stdin, ctx)
        if errors:
            return ProgramResult(stderr="".join(errors), code=2)
        patterns.extend(split_lines(inputs[0][1]))
    if not opts.has("e", "f"):
        if not operands:
            return ProgramResult(stderr="Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n", code=2)
        patterns = operands.pop(0).split("\n")
    mode = {"egrep": "E", "fgrep": "F"}.get(argv[0], "G")
    for f, _ in opts.flags:
        if f in "EFGP":
            mode = f
    try:
        regexes = [
            compile_posix(p, extended=mode == "E", fixed=mode == "F", perl=mode == "P", ignore_case=opts.has("i"),
                          word=opts.has("w"), line=opts.has("x"))
            for p in patterns
        ]
    except RegexError as e:
        return ProgramResult(stderr=f"grep: {e}\n", code=2)
    inputs, errors = read_inputs("grep", operands, stdin, ctx)
    if opts.has("s"):
        errors = []
    after = int(opts.last("A", "C", default=context_default) or 0)
    before = int(opts.last("B", "C", default=context_default) or 0)
    max_count = opts.last("m")
    show_names = (len(operands) > 1 or opts.has("H")) and not opts.has("h")
    out: list[str] = []
    matched_any = False
    for name, text in inputs:
        found = _search(name if show_names else None, split_lines(text), regexes, opts, before, after,
                        int(max_count) if max_count is not None else None, out)
        matched_any = matched_any or found
        if opts.has("q") and matched_any:
            return ProgramResult(code=0)
    if opts.has("q"):
        out = []
    code = 0 if matched_any else 1
    if errors:
        code = 2 if not (opts.has("q") and matched_any) else code
    return ProgramResult(stdout="".join(out), stderr="".join(errors), code=code)


def _search(name: str | None, lines: list[str], regexes: list, opts, before: int, after: int,
            max_count: int | None, out: list[str]) -> bool:
    invert, count_only, numbers, only = opts.has("v"), opts.has("c"), opts.has("n"), opts.has("o")
    list_files, list_missing = opts.has("l"), opts.has("L")
    if len(regexes) == 1:
        search = regexes[0].search
        hits = [i for i, line in enumerate(lines) if (search(line) is None) == invert]
    else:
        hits = [i for i, line in enumerate(lines) if any(r.search(line) for r in regexes) != invert]
    if max_count is not None:
        hits = hits[:max_count]
    if list_files or list_missing:
        if bool(hits) == list_files:
            out.append(f"{name or '(standard input)'}\n")
        return bool(hits)
    if count_only:
        out.append(f"{name}:{len(hits)}\n" if name else f"{len(hits)}\n")
        return bool(hits)
    prefix = f"{name}:" if name else ""
    if only and not invert:
        for i in hits:
            for r in regexes:
                for m in r.finditer(lines[i]):
                    if m.group(0):
                        out.append(f"{prefix}{str(i + 1) + ':' if numbers else ''}{m.group(0)}\n")
        return bool(hits)
    if not (before or after):
        for i in hits:
            out.append(f"{prefix}{str(i + 1) + ':' if numbers else ''}{lines[i]}\n")
        return bool(hits)
    shown: list[int] = []
    hitset = set(hits)
    for i in hits:
        for j in range(max(0, i - before), min(len(lines), i + after + 1)):
            if not shown or j > shown[-1]:
                if shown and j > shown[-1] + 1:
                    out.append("--\n")
                sep = ":" if j in hitset else "-"
                label = f"{name}{sep}" if name else ""
                out.append(f"{label}{str(j + 1) + sep if numbers else ''}{lines[j]}\n")
                shown.append(j)
    return bool(hits)
