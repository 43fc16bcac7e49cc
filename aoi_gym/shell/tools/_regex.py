"""POSIX regular expressions (BRE for grep/sed, ERE for grep -E/sed -E/awk) as Python ``re``."""

from __future__ import annotations

import re

__all__ = ["to_python", "compile_posix", "RegexError"]

_CLASSES = {
    "alpha": "a-zA-Z",
    "digit": "0-9",
    "alnum": "a-zA-Z0-9",
    "upper": "A-Z",
    "lower": "a-z",
    "space": r" \t\n\r\f\v",
    "blank": r" \t",
    "punct": r"!-/:-@\[-`{-~",
    "xdigit": "0-9A-Fa-f",
    "word": r"\w",
    "print": r" -~",
    "graph": r"!-~",
    "cntrl": r"\x00-\x1f\x7f",
}
_BRE_SWAP = {"(": r"\(", ")": r"\)", "{": r"\{", "}": r"\}", "|": r"\|", "+": r"\+", "?": r"\?"}
_BRE_ESCAPED = {"(": "(", ")": ")", "{": "{", "}": "}", "|": "|", "+": "+", "?": "?"}


class RegexError(Exception):
    """An invalid pattern, with GNU's wording."""


def _bracket(p: str, i: int) -> tuple[str, int]:
    """Translate a bracket expression starting at p[i] == '['; returns (python, next index)."""
    j = i + 1
    out = ["["]
    if j < len(p) and p[j] == "^":
        out.append("^")
        j += 1
    if j < len(p) and p[j] == "]":
        out.append(r"\]")
        j += 1
    while j < len(p) and p[j] != "]":
        if p.startswith("[:", j):
            end = p.find(":]", j + 2)
            if end < 0:
                raise RegexError("Unmatched [, [^, [:, [., or [=")
            name = p[j + 2 : end]
            if name not in _CLASSES:
                raise RegexError("Invalid character class name")
            out.append(_CLASSES[name])
            j = end + 2
            continue
        c = p[j]
        out.append("\\\\" if c == "\\" else ("\\[" if c == "[" else c))
        j += 1
    if j >= len(p):
        raise RegexError("Unmatched [, [^, [:, [., or [=")
    out.append("]")
    return "".join(out), j + 1


def to_python(pattern: str, extended: bool) -> str:
    """A POSIX BRE (``extended=False``) or ERE as a Python regular expression."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "[":
            piece, i = _bracket(pattern, i)
            out.append(piece)
            continue
        if c == "\\" and i + 1 < n:
            d = pattern[i + 1]
            i += 2
            if d in "<>":
                out.append(r"\b")
            elif not extended and d in _BRE_ESCAPED:
                out.append(_BRE_ESCAPED[d])
            elif d.isdigit() or d in "wWsSbBdD":
                out.append("\\" + d)
            elif d == "n":
                out.append(r"\n")
            elif d == "t":
                out.append(r"\t")
            else:
                out.append(re.escape(d))
            continue
        i += 1
        if not extended and c in _BRE_SWAP:
            out.append(_BRE_SWAP[c])
        elif c == "*" and (not out or out[-1] in ("^", "(", "|")):
            out.append(r"\*")  # a leading star is literal
        elif extended and c == "{" and not re.match(r"\d+(,\d*)?\}", pattern[i:]):
            out.append(r"\{")
        else:
            out.append(c)
    return "".join(out)


def compile_posix(
    pattern: str,
    extended: bool = False,
    ignore_case: bool = False,
    fixed: bool = False,
    perl: bool = False,
    word: bool = False,
    line: bool = False,
) -> re.Pattern:
    """Compile a grep/sed pattern; raises :class:`RegexError` with GNU's message."""
    if fixed:
        source = re.escape(pattern)
    elif perl:
        source = pattern
    else:
        source = to_python(pattern, extended)
    if word:
        source = rf"(?<!\w)(?:{source})(?!\w)"
    if line:
        source = rf"^(?:{source})$"
    try:
        return re.compile(source, re.IGNORECASE if ignore_case else 0)
    except re.error as e:
        msg = str(e)
        if "parenthesis" in msg or "subpattern" in msg:
            raise RegexError("Unmatched ( or \\(") from None
        if "brace" in msg or "repeat" in msg:
            raise RegexError("Invalid preceding regular expression") from None
        raise RegexError("Invalid regular expression") from None
