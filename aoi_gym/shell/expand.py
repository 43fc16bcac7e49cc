"""Word expansion for the simulated shell: tilde, parameters, command substitution, arithmetic,
field splitting and pathname globbing (against the in-memory filesystem), in bash's order.

:class:`Expander` needs a host that supplies variables and runs command substitutions; the
interpreter is that host.
"""

from __future__ import annotations

import ast
import fnmatch
import glob as _glob
import operator
import re
from typing import Callable, Protocol

from aoi_gym.shell.lexer import PARAM_OPS
from aoi_gym.shell.syntax import Part, Script, Word

__all__ = ["ExpansionError", "Expander", "ExpansionHost", "arith_eval"]

_IFS_WS = " \t\n"


class ExpansionError(Exception):
    """A failed expansion (``bash: X: unbound variable``); the command fails with this message."""


class ExpansionHost(Protocol):
    def get_var(self, name: str) -> str | None: ...

    def set_var(self, name: str, value: str) -> None: ...

    def run_substitution(self, script: Script) -> str: ...

    def glob(self, pattern: str) -> list[str]: ...

    nounset: bool


class Expander:
    """Expands words for one shell run. ``host`` supplies variables and command substitution."""

    def __init__(self, host: ExpansionHost) -> None:
        self.host = host

    # ------------------------------------------------------------------ public
    def fields(self, word: Word) -> list[str]:
        """A word as the argument list it becomes (split, globbed; possibly empty)."""
        if not word.has_expansion:
            return [word.value]
        fields: list[list] = []  # [text pieces, pattern pieces, has_glob]
        started = False  # a field is open (even if empty, e.g. from "")
        for part in word.parts:
            if part.kind == "lit":
                if not started:
                    fields.append([[], [], False])
                    started = True
                f = fields[-1]
                f[0].append(part.text)
                if part.quoted:
                    f[1].append(_glob.escape(part.text))
                else:
                    f[1].append(part.text)
                    if not f[2] and any(c in part.text for c in "*?["):
                        f[2] = True
                continue
            value = self.part_value(part)
            if part.quoted or part.kind == "tilde":
                if not started:
                    fields.append([[], [], False])
                    started = True
                fields[-1][0].append(value)
                fields[-1][1].append(_glob.escape(value))
                continue
            # unquoted expansion: split on IFS whitespace
            if not value:
                continue
            pieces = value.split()
            if value[0] in _IFS_WS:
                started = False
            for i, piece in enumerate(pieces):
                if i > 0 or not started:
                    fields.append([[], [], False])
                fields[-1][0].append(piece)
                fields[-1][1].append(piece)
                if any(c in piece for c in "*?["):
                    fields[-1][2] = True
                started = True
            if value[-1] in _IFS_WS:
                started = False
        out: list[str] = []
        for text, pattern, has_glob in fields:
            joined = "".join(text)
            if has_glob:
                hits = self.host.glob("".join(pattern))
                if hits:
                    out.extend(hits)
                    continue
            out.append(joined)
        return out

    def string(self, word: Word) -> str:
        """A word expanded without splitting or globbing (assignments, redirect targets, heredocs)."""
        if not word.has_expansion:
            return word.value
        return "".join(p.text if p.kind == "lit" else self.part_value(p) for p in word.parts)

    # ------------------------------------------------------------------ parts
    def part_value(self, part: Part) -> str:
        """The text of one expansion. Only scripts the parser recorded run (``part.script`` and
        those inside ``part.args``): nothing is lexed or parsed here."""
        kind = part.kind
        if kind == "param":
            return self.param(part)
        if kind == "cmd":
            return self.host.run_substitution(part.script).rstrip("\n")  # type: ignore[arg-type]
        if kind == "arith":
            return str(arith_eval(self.string(part.args[0]), self.host))
        if kind == "tilde":
            return self.host.get_var("HOME") or "/root"
        return part.text

    def _lookup(self, name: str, allow_unset: bool = False) -> str | None:
        value = self.host.get_var(name)
        if value is None and self.host.nounset and not allow_unset and name not in "@*":
            raise ExpansionError(f"bash: {name}: unbound variable")
        return value

    def param(self, part: Part) -> str:
        """``$X`` / ``${X...}`` (a ``param`` Part, with its operator and arguments parsed)."""
        op, name = part.op, part.name
        if not op:
            return self._lookup(name) or ""
        if op == "len":
            return str(len(self._lookup(name) or ""))
        if op == "bad":
            raise ExpansionError(f"bash: ${{{part.text}}}: bad substitution")
        value = self._lookup(name, allow_unset=True)
        if op == ":":  # ${X:offset[:length]}
            return _substring(self, value or "", part.args)
        return _OPERATORS[op](self, name, value, part.args)


# Operator handlers get the expander, the parameter's name and value (None: unset) and the
# operator's argument words; they expand an argument only when bash would.
Args = tuple[Word, ...]


def _default(colon: bool) -> Callable:
    def handler(ex: Expander, name: str, value: str | None, args: Args) -> str:
        unset = value is None or (colon and value == "")
        return ex.string(args[0]) if unset else value  # type: ignore[return-value]

    return handler


def _assign(colon: bool) -> Callable:
    def handler(ex: Expander, name: str, value: str | None, args: Args) -> str:
        if value is not None and (value or not colon):
            return value
        new = ex.string(args[0])
        ex.host.set_var(name, new)
        return new

    return handler


def _alternate(ex: Expander, name: str, value: str | None, args: Args) -> str:
    return ex.string(args[0]) if value else ""


def _error_if_unset(colon: bool) -> Callable:
    def handler(ex: Expander, name: str, value: str | None, args: Args) -> str:
        if value is not None and (value or not colon):
            return value
        raise ExpansionError(f"bash: {name}: {ex.string(args[0]) or 'parameter null or not set'}")

    return handler


def _strip(longest: bool, suffix: bool) -> Callable:
    def handler(ex: Expander, name: str, value: str | None, args: Args) -> str:
        value = value or ""
        pat = re.compile(_pattern_regex(ex.string(args[0])), re.S)
        spans = range(len(value), -1, -1) if longest != suffix else range(len(value) + 1)
        for i in spans:
            piece = value[len(value) - i :] if suffix else value[:i]
            if pat.fullmatch(piece):
                return value[: len(value) - i] if suffix else value[i:]
        return value

    return handler


def _pattern_regex(pattern: str) -> str:
    """A shell pattern as an unanchored regular expression."""
    translated = fnmatch.translate(pattern)  # '(?s:' + core + ')\\Z'
    return translated[4:-3] if translated.startswith("(?s:") and translated.endswith(")\\Z") else re.escape(pattern)


def _replace(all_: bool) -> Callable:
    def handler(ex: Expander, name: str, value: str | None, args: Args) -> str:
        regex = _pattern_regex(ex.string(args[0]))
        repl = ex.string(args[1]) if len(args) > 1 else ""
        try:
            return re.sub(regex, lambda _m: repl, value or "", count=0 if all_ else 1)
        except re.error:
            return value or ""

    return handler


def _case(upper: bool, all_: bool) -> Callable:
    def handler(ex: Expander, name: str, value: str | None, args: Args) -> str:
        value = value or ""
        if all_:
            return value.upper() if upper else value.lower()
        return (value[:1].upper() if upper else value[:1].lower()) + value[1:]

    return handler


_OPERATORS: dict[str, Callable] = {
    ":-": _default(True),
    "-": _default(False),
    ":=": _assign(True),
    "=": _assign(False),
    ":+": _alternate,
    "+": _alternate,
    ":?": _error_if_unset(True),
    "?": _error_if_unset(False),
    "##": _strip(True, False),
    "#": _strip(False, False),
    "%%": _strip(True, True),
    "%": _strip(False, True),
    "//": _replace(True),
    "/": _replace(False),
    "^^": _case(True, True),
    "^": _case(True, False),
    ",,": _case(False, True),
    ",": _case(False, False),
}
assert set(_OPERATORS) == set(PARAM_OPS)


def _substring(ex: Expander, value: str, args: Args) -> str:
    host = ex.host
    start = arith_eval(ex.string(args[0]) or "0", host)
    if start < 0:
        start = max(0, len(value) + start)
    if len(args) < 2:
        return value[start:]
    n = arith_eval(ex.string(args[1]), host)
    return value[start : start + n] if n >= 0 else value[start : len(value) + n]


# ---------------------------------------------------------------------- arithmetic
_BINOPS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.LShift: operator.lshift,
    ast.RShift: operator.rshift,
    ast.BitAnd: operator.and_,
    ast.BitOr: operator.or_,
    ast.BitXor: operator.xor,
}
_CMPOPS = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}


def arith_eval(expr: str, host: ExpansionHost) -> int:
    """Evaluate a bash arithmetic expression (integers; variables by name; C operators)."""
    src = expr.strip()
    src = re.sub(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", r"\1", src)
    src = src.replace("&&", " and ").replace("||", " or ")
    src = re.sub(r"!(?!=)", " not ", src)
    src = re.sub(r"(?<![<>=!])/(?!/)", "//", src)
    if not src:
        return 0
    try:
        tree = ast.parse(src, mode="eval")
    except SyntaxError:
        raise ExpansionError(f"bash: {expr.strip()}: syntax error in expression") from None
    return int(_arith(tree.body, host, expr))


def _wrap(v: int) -> int:
    """64-bit two's complement, as bash's arithmetic."""
    return ((v + (1 << 63)) % (1 << 64)) - (1 << 63)


def _arith(node: ast.AST, host: ExpansionHost, expr: str) -> int:
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return node.value
    if isinstance(node, ast.Name):
        raw = host.get_var(node.id) or "0"
        try:
            return int(raw.strip() or "0", 0)
        except ValueError:
            return 0
    if isinstance(node, ast.BinOp):
        a, b = _arith(node.left, host, expr), _arith(node.right, host, expr)
        if isinstance(node.op, (ast.FloorDiv, ast.Mod)):
            if b == 0:
                raise ExpansionError(f"bash: {expr.strip()}: division by 0")
            q = abs(a) // abs(b) * (1 if (a >= 0) == (b >= 0) else -1)  # C truncation
            return q if isinstance(node.op, ast.FloorDiv) else a - q * b
        if isinstance(node.op, ast.Pow):
            return _wrap(pow(a, b, 1 << 64)) if b >= 0 else 0
        if isinstance(node.op, (ast.LShift, ast.RShift)):
            b &= 63
        fn = _BINOPS.get(type(node.op))
        if fn is not None:
            return _wrap(int(fn(a, b)))
    if isinstance(node, ast.UnaryOp):
        v = _arith(node.operand, host, expr)
        if isinstance(node.op, ast.USub):
            return -v
        if isinstance(node.op, ast.UAdd):
            return v
        if isinstance(node.op, ast.Not):
            return int(not v)
        if isinstance(node.op, ast.Invert):
            return ~v
    if isinstance(node, ast.BoolOp):
        vals = [_arith(v, host, expr) for v in node.values]
        return int(all(vals) if isinstance(node.op, ast.And) else any(vals))
    if isinstance(node, ast.Compare):
        left = _arith(node.left, host, expr)
        for op, right_node in zip(node.ops, node.comparators):
            right = _arith(right_node, host, expr)
            fn = _CMPOPS.get(type(op))
            if fn is None or not fn(left, right):
                return 0
            left = right
        return 1
    if isinstance(node, ast.IfExp):
        return _arith(node.body if _arith(node.test, host, expr) else node.orelse, host, expr)
    raise ExpansionError(f"bash: {expr.strip()}: syntax error: operand expected")
