"""echo (``-n -e -E``) and printf (format directives %s %d %i %f %x %o %c %b %q %%, with reuse)."""

from __future__ import annotations

import re
import shlex

from aoi_gym.shell.context import ProgramResult, ShellContext
from aoi_gym.shell.programs import register

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v", "e": "\x1b", '"': '"'}
_DIRECTIVE = re.compile(r"%([-+ #0]*)(\*|\d+)?(?:\.(\*|\d+))?([sdiufFeEgGxXocbq%])")


def unescape(text: str) -> tuple[str, bool]:
    """Backslash escapes as ``echo -e`` reads them; the flag is True when ``\\c`` stops output."""
    out: list[str] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c != "\\" or i + 1 >= len(text):
            out.append(c)
            i += 1
            continue
        d = text[i + 1]
        if d == "c":
            return "".join(out), True
        if d in _ESCAPES:
            out.append(_ESCAPES[d])
            i += 2
        elif d == "0" or d == "x":
            digits = re.match(r"[0-7]{0,3}" if d == "0" else r"[0-9a-fA-F]{1,2}", text[i + 2 :])
            code = digits.group(0) if digits else ""
            out.append(chr(int(code, 8 if d == "0" else 16)) if code else ("\0" if d == "0" else "\\x"))
            i += 2 + len(code)
        else:
            out.append("\\" + d)
            i += 2
    return "".join(out), False


@register("echo")
def echo(argv: list[str], stdin: str, ctx: ShellContext) -> ProgramResult:
    args = argv[1:]
    newline, escapes = True, False
    while args and re.fullmatch(r"-[neE]+", args[0]):
        for ch in args[0][1:]:
            newline = newline and ch != "n"
            escapes = True if ch == "e" else (False if ch == "E" else escapes)
        args = args[1:]
    text = " ".join(args)
    if escapes:
        text, stop = unescape(text)
        if stop:
            return ProgramResult(stdout=text)
    return ProgramResult(stdout=text + ("\n" if newline else ""))


def _number(arg: str, errors: list[str], integer: bool) -> float | int:
    s = arg.strip()
    if s[:1] in "'\"" and len(s) > 1:
        return ord(s[1])
    try:
        return int(s, 0) if integer else float(s)
    except ValueError:
        try:
            return int(float(s)) if integer else float(s)
        except ValueError:
            errors.append(f"printf: '{arg}': invalid number\n" if not integer else f"bash: printf: {arg}: invalid number\n")
            return 0


@register("printf")
def printf(argv: list[str], stdin: str, ctx: ShellContext) -> ProgramResult:
    if len(argv) < 2:
        return ProgramResult(stderr="printf: usage: printf [-v var] format [arguments]\n", code=2)
    fmt, args = argv[1], argv[2:]
    errors: list[str] = []
    out: list[str] = []
    pos = 0
    while True:
        consumed_any = False

        def next_arg() -> str | None:
            nonlocal pos, consumed_any
            consumed_any = True
            if pos < len(args):
                pos += 1
                return args[pos - 1]
            return None

        i = 0
        while i < len(fmt):
            if fmt[i] == "\\":
                esc = re.match(r"\\(0[0-7]{0,3}|x[0-9a-fA-F]{1,2}|.?)", fmt[i:], re.S)
                piece, stop = unescape(esc.group(0))  # type: ignore[union-attr]
                i += len(esc.group(0))  # type: ignore[union-attr]
                out.append(piece)
                if stop:
                    return ProgramResult(stdout="".join(out), stderr="".join(errors), code=1 if errors else 0)
                continue
            m = _DIRECTIVE.match(fmt, i) if fmt[i] == "%" else None
            if not m:
                out.append(fmt[i])
                i += 1
                continue
            i = m.end()
            flags, width, prec, conv = m.groups()
            if conv == "%":
                out.append("%")
                continue
            if width == "*":
                width = str(int(_number(next_arg() or "0", errors, True)))
            if prec == "*":
                prec = str(int(_number(next_arg() or "0", errors, True)))
            arg = next_arg()
            spec = "%" + flags + (width or "") + (("." + prec) if prec is not None else "")
            if conv in "sb":
                text = arg or ""
                if conv == "b":
                    text = unescape(text)[0]
                out.append((spec + "s") % text)
            elif conv == "q":
                out.append(shlex.quote(arg or "''"))
            elif conv == "c":
                out.append((arg or "")[:1])
            elif conv in "diuxXo":
                value = int(_number(arg, errors, True)) if arg else 0
                out.append((spec + ("d" if conv in "iu" else conv)) % value)
            else:
                value = float(_number(arg, errors, False)) if arg else 0.0
                out.append((spec + conv) % value)
        if not consumed_any or pos >= len(args):
            break
    return ProgramResult(stdout="".join(out), stderr="".join(errors), code=1 if errors else 0)
