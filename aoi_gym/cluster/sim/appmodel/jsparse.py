"""A tiny parser for the JavaScript that people pass to the mongo shell (``--eval`` or stdin).

It understands statements separated by ``;`` or newlines, each an expression made of literals
(objects with bare or quoted keys, arrays, strings, numbers, true/false/null), identifiers, member
access ``a.b`` / ``a["b"]`` and calls ``f(x, y)``. Anything else raises :class:`JsSyntaxError` with
the column, so the shell can answer the way the real one does.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["JsSyntaxError", "parse_script", "Node"]

Node = tuple  # ("lit", v) | ("ident", name) | ("attr", obj, name) | ("call", fn, args) | ("obj", items) | ("arr", items)

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<num>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?) |
      (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*') |
      (?P<id>[A-Za-z_$][A-Za-z0-9_$]*) |
      (?P<punct>[{}\[\](),:.;=])
    )""",
    re.X,
)


class JsSyntaxError(Exception):
    def __init__(self, message: str, line: int, col: int):
        super().__init__(message)
        self.line, self.col = line, col


def _unquote(s: str) -> str:
    body = s[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


class _Parser:
    def __init__(self, text: str, line: int):
        self.text, self.line, self.pos = text, line, 0
        self.toks: list[tuple[str, Any, int]] = []
        while True:
            m = _TOKEN.match(text, self.pos)
            if not m or m.end() == self.pos:
                rest = text[self.pos:].strip()
                if rest:
                    col = len(text) - len(text[self.pos:].lstrip()) + 1
                    raise JsSyntaxError(f"illegal character", line, col)
                break
            kind = m.lastgroup
            val: Any = m.group(kind)
            if kind == "num":
                val = float(val) if any(c in val for c in ".eE") else int(val)
            elif kind == "str":
                val = _unquote(val)
            self.toks.append((kind, val, m.start(kind) + 1))
            self.pos = m.end()
        self.i = 0

    def peek(self) -> tuple[str, Any, int] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, punct: str | None = None) -> tuple[str, Any, int]:
        t = self.peek()
        if t is None:
            raise JsSyntaxError("missing ) after argument list" if punct == ")" else "expected expression, got end of script",
                                self.line, len(self.text) + 1)
        if punct is not None and not (t[0] == "punct" and t[1] == punct):
            raise JsSyntaxError(f"unexpected token: {self._desc(t)}", self.line, t[2])
        self.i += 1
        return t

    @staticmethod
    def _desc(t: tuple[str, Any, int]) -> str:
        return {"id": "identifier", "num": "numeric literal", "str": "string literal"}.get(t[0], f"'{t[1]}'")

    def expr(self) -> Node:
        t = self.take()
        kind, val, col = t
        if kind in ("num", "str"):
            node: Node = ("lit", val)
        elif kind == "id":
            node = {"true": ("lit", True), "false": ("lit", False), "null": ("lit", None)}.get(val, ("ident", val))
            if val == "new":
                return self.expr()
        elif kind == "punct" and val == "{":
            items = []
            while not self._at("}"):
                k = self.take()
                if k[0] not in ("id", "str", "num"):
                    raise JsSyntaxError(f"unexpected token: {self._desc(k)}", self.line, k[2])
                self.take(":")
                items.append((str(k[1]), self.expr()))
                if not self._at("}"):
                    self.take(",")
            self.take("}")
            node = ("obj", items)
        elif kind == "punct" and val == "[":
            items2 = []
            while not self._at("]"):
                items2.append(self.expr())
                if not self._at("]"):
                    self.take(",")
            self.take("]")
            node = ("arr", items2)
        else:
            raise JsSyntaxError(f"unexpected token: {self._desc(t)}", self.line, col)
        while True:
            if self._at("."):
                self.take(".")
                name = self.take()
                if name[0] != "id":
                    raise JsSyntaxError(f"unexpected token: {self._desc(name)}", self.line, name[2])
                node = ("attr", node, name[1])
            elif self._at("["):
                self.take("[")
                key = self.expr()
                self.take("]")
                node = ("index", node, key)
            elif self._at("("):
                self.take("(")
                args = []
                while not self._at(")"):
                    args.append(self.expr())
                    if not self._at(")"):
                        self.take(",")
                self.take(")")
                node = ("call", node, args)
            else:
                return node

    def _at(self, punct: str) -> bool:
        t = self.peek()
        return t is not None and t[0] == "punct" and t[1] == punct


def _split_statements(script: str) -> list[tuple[str, int]]:
    """Split on ``;`` and newlines outside strings and brackets; returns (text, line number)."""
    out, cur, depth, quote, line, start_line = [], [], 0, "", 1, 1
    for ch in script:
        if quote:
            cur.append(ch)
            if ch == quote and (len(cur) < 2 or cur[-2] != "\\"):
                quote = ""
            continue
        if ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if (ch == ";" or ch == "\n") and depth <= 0:
            if "".join(cur).strip():
                out.append(("".join(cur).strip(), start_line))
            cur = []
            if ch == "\n":
                line += 1
            start_line = line
            continue
        if ch == "\n":
            line += 1
        cur.append(ch)
    if "".join(cur).strip():
        out.append(("".join(cur).strip(), start_line))
    return out


def parse_script(script: str, allow_helpers: bool) -> list[tuple[str, Any]]:
    """Parse into statements: ``("use", db)``, ``("show", what)`` (only if ``allow_helpers``) or ``("expr", Node)``."""
    stmts: list[tuple[str, Any]] = []
    for text, line in _split_statements(script):
        words = text.split()
        if words[0] in ("use", "show") and len(words) == 2 and re.fullmatch(r"[\w.$-]+", words[1]):
            if not allow_helpers:
                raise JsSyntaxError("unexpected token: identifier", line, len(words[0]) + 2)
            stmts.append((words[0], words[1]))
            continue
        if text.startswith("//"):
            continue
        p = _Parser(text, line)
        node = p.expr()
        if p.peek() is not None:
            t = p.peek()
            raise JsSyntaxError(f"unexpected token: {p._desc(t)}", line, t[2])
        stmts.append(("expr", node))
    return stmts
