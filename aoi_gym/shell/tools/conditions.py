"""test, ``[ ... ]`` and ``[[ ... ]]``: string, integer and file tests with ``!``, ``-a``/``-o``,
``&&``/``||`` (in ``[[``), ``==`` glob and ``=~`` regex matching (in ``[[``)."""

from __future__ import annotations

import fnmatch
import re

from aoi_gym.shell.context import ProgramResult, ShellContext
from aoi_gym.shell.programs import register

_INT_OPS = {"-eq": "__eq__", "-ne": "__ne__", "-lt": "__lt__", "-le": "__le__", "-gt": "__gt__", "-ge": "__ge__"}
_UNARY = {"-z", "-n", "-e", "-f", "-d", "-s", "-r", "-w", "-x", "-L", "-h", "-p", "-S", "-b", "-c", "-t", "-v"}


class _Bad(Exception):
    pass


@register("test", "[", "[[")
def test(argv: list[str], stdin: str, ctx: ShellContext) -> ProgramResult:
    name = argv[0]
    args = argv[1:]
    closer = {"[": "]", "[[": "]]"}.get(name)
    if closer:
        if not args or args[-1] != closer:
            return ProgramResult(stderr=f"bash: {name}: missing `{closer}'\n", code=2)
        args = args[:-1]
    try:
        ok = _Eval(args, ctx, extended=name == "[[").run()
    except _Bad as e:
        return ProgramResult(stderr=f"bash: {name}: {e}\n", code=2)
    return ProgramResult(code=0 if ok else 1)


class _Eval:
    def __init__(self, args: list[str], ctx: ShellContext, extended: bool) -> None:
        self.args, self.i, self.ctx, self.extended = args, 0, ctx, extended

    def run(self) -> bool:
        if not self.args:
            return False
        value = self.or_()
        if self.i < len(self.args):
            raise _Bad(f"{self.args[self.i]}: unexpected argument" if not self.extended else "syntax error")
        return value

    def peek(self) -> str | None:
        return self.args[self.i] if self.i < len(self.args) else None

    def take(self) -> str:
        if self.i >= len(self.args):
            raise _Bad("argument expected")
        self.i += 1
        return self.args[self.i - 1]

    def or_(self) -> bool:
        value = self.and_()
        while self.peek() in ("-o", "||"):
            self.take()
            right = self.and_()
            value = value or right
        return value

    def and_(self) -> bool:
        value = self.not_()
        while self.peek() in ("-a", "&&"):
            self.take()
            right = self.not_()
            value = value and right
        return value

    def not_(self) -> bool:
        if self.peek() == "!" and self.i + 1 < len(self.args):
            self.take()
            return not self.not_()
        return self.primary()

    def primary(self) -> bool:
        a = self.take()
        if a == "(" :
            value = self.or_()
            if self.take() != ")":
                raise _Bad("`)' expected")
            return value
        op = self.peek()
        if op is not None and (op in _INT_OPS or op in ("=", "==", "!=", "<", ">", "=~")):
            self.take()
            b = self.take()
            return self.binary(a, op, b)
        if a in _UNARY and op is not None:
            return self.unary(a, self.take())
        return a != ""

    def binary(self, a: str, op: str, b: str) -> bool:
        if op in _INT_OPS:
            try:
                return getattr(int(a.strip() or "0"), _INT_OPS[op])(int(b.strip() or "0"))
            except ValueError:
                bad = a if not re.fullmatch(r"\s*-?\d+\s*", a) else b
                raise _Bad(f"{bad}: integer expression expected") from None
        if op == "=~":
            try:
                return re.search(b, a) is not None
            except re.error:
                return False
        if op in ("=", "=="):
            return fnmatch.fnmatchcase(a, b) if self.extended else a == b
        if op == "!=":
            return not fnmatch.fnmatchcase(a, b) if self.extended else a != b
        return a < b if op == "<" else a > b

    def unary(self, op: str, arg: str) -> bool:
        if op == "-z":
            return arg == ""
        if op == "-n":
            return arg != ""
        if op == "-v":
            return arg in self.ctx.env
        fs = getattr(self.ctx, "fs", None)
        if fs is None:
            return False
        path = fs.resolve(arg, getattr(self.ctx, "cwd", "/root"))
        if op == "-d":
            return fs.is_dir(path)
        if op == "-f":
            return path in fs.files
        if op == "-s":
            return bool(fs.files.get(path))
        return fs.exists(path)
