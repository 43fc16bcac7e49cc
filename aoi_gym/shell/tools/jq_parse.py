"""Lexer and parser for the jq subset of :mod:`aoi_gym.shell.tools.jq`.

Filters become tuples: ``("identity",)``, ``("field", term, name)``, ``("index", term, expr)``,
``("iterate", term)``, ``("slice", term, lo, hi)``, ``("pipe", a, b)``, ``("comma", a, b)``,
``("binop", op, a, b)``, ``("alt", a, b)``, ``("and"/"or", a, b)``, ``("neg", a)``,
``("literal", value)``, ``("string", parts)``, ``("array", expr|None)``, ``("object", entries)``,
``("var", name)``, ``("call", name, args)``, ``("if", [(cond, then)...], else)``,
``("reduce", source, var, init, update)``, ``("as", source, var, body)``, ``("try", body, catch)``,
``("optional", term)``, ``("format", name)``, ``("recurse",)``.
"""

from __future__ import annotations

import json
import math
import re
import sys

from aoi_gym.shell.tools._common import TokenParser

__all__ = ["JqSyntaxError", "parse_filter"]


class JqSyntaxError(Exception):
    pass


_TOKEN = re.compile(
    r"""(?P<ws>\s+|\#[^\n]*)
      |(?P<num>\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+)
      |(?P<field>\.[A-Za-z_][A-Za-z0-9_]*)
      |(?P<var>\$[A-Za-z_][A-Za-z0-9_]*)
      |(?P<format>@[A-Za-z0-9]+)
      |(?P<ident>[A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)*)
      |(?P<op>\.\.|\?//|//=|\|=|\+=|-=|\*=|/=|%=|==|!=|<=|>=|//|[.|,+\-*/%<>()\[\]{}:;?=])
    """,
    re.X,
)
_KEYWORDS = {"if", "then", "elif", "else", "end", "and", "or", "as", "reduce", "foreach", "try", "catch", "def", "label", "import", "include"}
_ESC = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "/": "/", "\\": "\\", '"': '"'}


def _string(src: str, i: int) -> tuple[list, int]:
    """Parse a string literal at src[i] == '"'; returns (parts, next index). Parts are str or ASTs."""
    parts: list = []
    buf: list[str] = []
    i += 1
    while i < len(src):
        c = src[i]
        if c == '"':
            if buf or not parts:
                parts.append("".join(buf))
            return parts, i + 1
        if c == "\\":
            d = src[i + 1 : i + 2]
            if d == "(":
                depth, j = 1, i + 2
                while j < len(src) and depth:
                    if src[j] == '"':
                        _, j = _string(src, j)
                        continue
                    depth += {"(": 1, ")": -1}.get(src[j], 0)
                    j += 1
                if depth:
                    raise JqSyntaxError("unterminated string interpolation")
                if buf:
                    parts.append("".join(buf))
                    buf = []
                parts.append(parse_filter(src[i + 2 : j - 1]))
                i = j
                continue
            if d == "u":
                buf.append(chr(int(src[i + 2 : i + 6], 16)))
                i += 6
                continue
            if d in _ESC:
                buf.append(_ESC[d])
                i += 2
                continue
            raise JqSyntaxError(f"invalid escape \\{d}")
        buf.append(c)
        i += 1
    raise JqSyntaxError("unterminated string literal")


def tokenize(src: str) -> list[tuple[str, object]]:
    toks: list[tuple[str, object]] = []
    i = 0
    while i < len(src):
        if src[i] == '"':
            parts, i = _string(src, i)
            toks.append(("str", parts))
            continue
        m = _TOKEN.match(src, i)
        if not m:
            raise JqSyntaxError(f"syntax error, unexpected INVALID_CHARACTER '{src[i]}'")
        i = m.end()
        kind, text = m.lastgroup, m.group()
        if kind == "ws":
            continue
        if kind == "ident" and text in _KEYWORDS:
            toks.append((text, text))
        elif kind == "op":
            toks.append((text, text))
        else:
            toks.append((kind, text))  # type: ignore[arg-type]
    toks.append(("eof", ""))
    return toks


class _Parser(TokenParser):
    def __init__(self, src: str) -> None:
        super().__init__(tokenize(src))

    def unexpected(self, tok: tuple, expected: str) -> Exception:
        shown = "end of file" if tok[0] == "eof" else repr(tok[1]) if not isinstance(tok[1], list) else "string"
        return JqSyntaxError(f"syntax error, unexpected {shown}, expecting {expected!r}")

    def pipe(self):
        if self.peek() == "def":
            raise JqSyntaxError("function definitions (def) are not supported by this jq")
        left = self.comma()
        if self.peek() == "as":
            self.take()
            var = self.take("var")[1][1:]
            self.take("|")
            return ("as", left, var, self.pipe())
        if self.peek() == "|":
            self.take()
            return ("pipe", left, self.pipe())
        return left

    def comma(self):
        left = self.alt()
        while self.peek() == ",":
            self.take()
            left = ("comma", left, self.alt())
        return left

    def alt(self):
        left = self.update()
        if self.peek() == "//":
            self.take()
            return ("alt", left, self.alt())
        return left

    def update(self):
        left = self.or_()
        if self.peek() in ("|=", "=", "+=", "-=", "*=", "/=", "%=", "//="):
            op = self.take()[0]
            return ("update", op, left, self.alt())
        return left

    def or_(self):
        left = self.and_()
        while self.peek() == "or":
            self.take()
            left = ("or", left, self.and_())
        return left

    def and_(self):
        left = self.compare()
        while self.peek() == "and":
            self.take()
            left = ("and", left, self.compare())
        return left

    def compare(self):
        left = self.additive()
        if self.peek() in ("==", "!=", "<", "<=", ">", ">="):
            op = self.take()[0]
            left = ("binop", op, left, self.additive())
        return left

    def additive(self):
        return self.left_assoc(("+", "-"), self.multiplicative, "binop")

    def multiplicative(self):
        return self.left_assoc(("*", "/", "%"), self.unary, "binop")

    def unary(self):
        if self.peek() == "-":
            self.take()
            return ("neg", self.postfix())
        return self.postfix()

    def postfix(self):
        term = self.term()
        while True:
            k = self.peek()
            if k == "field":
                term = ("field", term, self.take()[1][1:])
            elif k == "." and self.peek(1) == "str":
                self.take()
                term = ("index", term, self.string_node(self.take()[1]))
            elif k == "." and self.peek(1) == "[":
                self.take()
                term = self.bracket(term)
            elif k == "[":
                term = self.bracket(term)
            elif k == "?":
                self.take()
                term = ("optional", term)
            else:
                return term

    def bracket(self, term):
        self.take("[")
        if self.peek() == "]":
            self.take()
            return ("iterate", term)
        if self.peek() == ":":
            self.take()
            hi = self.pipe()
            self.take("]")
            return ("slice", term, None, hi)
        idx = self.pipe()
        if self.peek() == ":":
            self.take()
            hi = None if self.peek() == "]" else self.pipe()
            self.take("]")
            return ("slice", term, idx, hi)
        self.take("]")
        return ("index", term, idx)

    def string_node(self, parts):
        if all(isinstance(p, str) for p in parts):
            return ("literal", "".join(parts))
        return ("string", parts)

    def term(self):
        kind, text = self.take()
        if kind == ".":
            if self.peek() == "str":
                return ("index", ("identity",), self.string_node(self.take()[1]))
            if self.peek() == "[":
                return self.bracket(("identity",))
            return ("identity",)
        if kind == "..":
            return ("recurse",)
        if kind == "field":
            return ("field", ("identity",), text[1:])
        if kind == "num":
            v = float(text)
            return ("literal", int(v) if v.is_integer() and "." not in text and "e" not in text.lower() else v)
        if kind == "str":
            return self.string_node(text)
        if kind == "format":
            if self.peek() == "str":
                return ("formatstr", text, self.take()[1])
            return ("format", text)
        if kind == "(":
            inner = self.pipe()
            self.take(")")
            return inner
        if kind == "[":
            if self.peek() == "]":
                self.take()
                return ("array", None)
            inner = self.pipe()
            self.take("]")
            return ("array", inner)
        if kind == "{":
            return self.object()
        if kind == "var":
            return ("var", text[1:])
        if kind == "if":
            return self.if_()
        if kind == "reduce":
            source = self.postfix()
            self.take("as")
            var = self.take("var")[1][1:]
            self.take("(")
            init = self.pipe()
            self.take(";")
            update = self.pipe()
            self.take(")")
            return ("reduce", source, var, init, update)
        if kind == "try":
            body = self.postfix()
            handler = None
            if self.peek() == "catch":
                self.take()
                handler = self.postfix()
            return ("try", body, handler)
        if kind == "ident":
            args = []
            if self.peek() == "(":
                self.take()
                args.append(self.pipe())
                while self.peek() == ";":
                    self.take()
                    args.append(self.pipe())
                self.take(")")
            return ("call", text, args)
        shown = "end of file" if kind == "eof" else repr(text)
        raise JqSyntaxError(f"syntax error, unexpected {shown}")

    def if_(self):
        branches = []
        cond = self.pipe()
        self.take("then")
        branches.append((cond, self.pipe()))
        orelse = None
        while True:
            k = self.take()[0]
            if k == "elif":
                cond = self.pipe()
                self.take("then")
                branches.append((cond, self.pipe()))
            elif k == "else":
                orelse = self.pipe()
                self.take("end")
                break
            elif k == "end":
                break
            else:
                raise JqSyntaxError("syntax error, unexpected token in if, expecting 'end'")
        return ("if", branches, orelse)

    def object(self):
        entries = []
        while self.peek() != "}":
            k = self.peek()
            if k == "var":
                name = self.take()[1][1:]
                entries.append((("literal", name), ("var", name)))
            else:
                if k in ("ident",) or k in _KEYWORDS:
                    key = ("literal", self.take()[1])
                elif k == "str":
                    key = self.string_node(self.take()[1])
                elif k == "(":
                    self.take()
                    key = self.pipe()
                    self.take(")")
                elif k == "format":
                    key = ("format", self.take()[1])
                else:
                    raise JqSyntaxError("syntax error, unexpected token in object construction")
                if self.peek() == ":":
                    self.take()
                    value = self.object_value()
                else:
                    value = ("index", ("identity",), key)
                entries.append((key, value))
            if self.peek() == ",":
                self.take()
            elif self.peek() != "}":
                raise JqSyntaxError("syntax error, unexpected token in object construction, expecting '}'")
        self.take("}")
        return ("object", entries)

    def object_value(self):
        left = self.alt()
        while self.peek() == "|":
            self.take()
            left = ("pipe", left, self.alt())
        return left


def parse_filter(src: str):
    """The AST of a jq filter; raises :class:`JqSyntaxError`."""
    p = _Parser(src)
    if p.peek() == "eof":
        return ("identity",)
    node = p.pipe()
    if p.peek() != "eof":
        tok = p.toks[p.i]
        raise JqSyntaxError(f"syntax error, unexpected {tok[1]!r}" if not isinstance(tok[1], list) else "syntax error, unexpected string")
    return node


def dumps(value, compact: bool = False, sort_keys: bool = False, indent: int = 2) -> str:
    """JSON text as jq prints it (2-space indent, or compact with ``-c``; nan as null, infinities as
    the largest double, as jq does)."""
    options = {"separators": (",", ":")} if compact else {"indent": indent or None}
    try:
        return json.dumps(value, ensure_ascii=False, sort_keys=sort_keys, allow_nan=False, **options)
    except ValueError:  # a nan or an infinity somewhere (rare: walk the value only then)
        return json.dumps(_finite(value), ensure_ascii=False, sort_keys=sort_keys, **options)


def _finite(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else math.copysign(sys.float_info.max, value)
    if isinstance(value, list):
        return [_finite(v) for v in value]
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    return value
