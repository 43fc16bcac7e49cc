"""Shared helpers for the text tools: GNU-style option parsing, reading file operands, lines."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from aoi_gym.shell.context import ProgramResult, ShellContext
from aoi_gym.shell.fs import FSError

__all__ = ["UsageError", "Options", "getopt", "read_inputs", "split_lines", "join_lines", "usage_error", "TokenParser"]


class UsageError(Exception):
    """Bad options; ``str(e)`` is the tool's message (without the "Try --help" line)."""


@dataclass
class Options:
    """Parsed options: ``flags`` in order as (short-or-long name, value or None); ``operands``."""

    flags: list[tuple[str, str | None]] = field(default_factory=list)
    operands: list[str] = field(default_factory=list)

    def has(self, *names: str) -> bool:
        return any(f in names for f, _ in self.flags)

    def values(self, *names: str) -> list[str]:
        return [v for f, v in self.flags if f in names and v is not None]

    def last(self, *names: str, default: str | None = None) -> str | None:
        vals = self.values(*names)
        return vals[-1] if vals else default


def getopt(tool: str, args: Iterable[str], short: str, long: dict[str, str] | None = None) -> Options:
    """Parse like GNU getopt_long with argument permutation.

    ``short``: option letters, a ``:`` after one that takes a value (``"ivcA:"``). ``long``: maps
    long names to the short letter they mean (or to themselves); a trailing ``=`` on the key says it
    takes a value (``{"count": "c", "regexp=": "e"}``).
    """
    long = long or {}
    takes = {short[i] for i in range(len(short)) if i + 1 < len(short) and short[i + 1] == ":"}
    letters = set(short.replace(":", ""))
    opts = Options()
    args = list(args)
    i = 0

    def next_operand(missing: str) -> str:
        """The next argument, taken as the value of the option before it."""
        nonlocal i
        if i >= len(args):
            raise UsageError(missing)
        i += 1
        return args[i - 1]

    while i < len(args):
        a = args[i]
        i += 1
        if a == "--":
            opts.operands.extend(args[i:])
            break
        if a.startswith("--") and len(a) > 2:
            name, eq, value = a[2:].partition("=")
            matches = [k for k in long if k.rstrip("=") == name] or [k for k in long if k.rstrip("=").startswith(name)]
            if len(matches) != 1:
                raise UsageError(f"{tool}: unrecognized option '{a}'" if not matches else f"{tool}: option '{a}' is ambiguous")
            key = matches[0]
            target = long[key]
            if key.endswith("="):
                if not eq:
                    value = next_operand(f"{tool}: option '--{key[:-1]}' requires an argument")
                opts.flags.append((target, value))
            else:
                if eq:
                    raise UsageError(f"{tool}: option '--{key}' doesn't allow an argument")
                opts.flags.append((target, None))
            continue
        if a.startswith("-") and len(a) > 1:
            j = 1
            while j < len(a):
                ch = a[j]
                if ch not in letters:
                    raise UsageError(f"{tool}: invalid option -- '{ch}'")
                if ch in takes:
                    value = a[j + 1 :] or next_operand(f"{tool}: option requires an argument -- '{ch}'")
                    opts.flags.append((ch, value))
                    break
                opts.flags.append((ch, None))
                j += 1
            continue
        opts.operands.append(a)
    return opts


class TokenParser:
    """Base of the tools' recursive-descent parsers (awk, jq) over a token list ending in ``("eof", "")``;
    each token is ``(kind, text)``. Subclasses say how a wrong token is reported (:meth:`unexpected`)."""

    def __init__(self, toks: list) -> None:
        self.toks = toks
        self.i = 0

    def unexpected(self, tok: tuple, expected: str) -> Exception:
        """The syntax error for ``tok`` where a token of kind ``expected`` was required."""
        raise NotImplementedError

    def peek(self, k: int = 0) -> str:
        """The kind of the token ``k`` places ahead (``eof`` past the end)."""
        return self.toks[min(self.i + k, len(self.toks) - 1)][0]

    def take(self, kind: str | None = None) -> Any:
        """Consume the next token (which must be of ``kind`` when given) and return it."""
        tok = self.toks[self.i]
        if kind is not None and tok[0] != kind:
            raise self.unexpected(tok, kind)
        self.i += 1
        return tok

    def left_assoc(self, operators: tuple[str, ...], operand: Callable[[], Any], node: str) -> Any:
        """One left-associative level: ``operand (op operand)*`` folded into ``(node, op, left, right)``."""
        left = operand()
        while self.peek() in operators:
            op = self.take()[0]
            left = (node, op, left, operand())
        return left


def usage_error(e: UsageError, tool: str, code: int = 1) -> ProgramResult:
    return ProgramResult(stderr=f"{e}\nTry '{tool} --help' for more information.\n", code=code)


def read_inputs(tool: str, operands: list[str], stdin: str, ctx: ShellContext) -> tuple[list[tuple[str, str]], list[str]]:
    """``[(name, text)]`` for each operand (``-`` or none: standard input) and error lines."""
    if not operands:
        return [("(standard input)", stdin)], []
    fs = getattr(ctx, "fs", None)
    cwd = getattr(ctx, "cwd", "/root")
    inputs: list[tuple[str, str]] = []
    errors: list[str] = []
    for name in operands:
        if name == "-":
            inputs.append(("(standard input)", stdin))
            continue
        try:
            if fs is None:
                raise FSError("No such file or directory")
            inputs.append((name, fs.read(fs.resolve(name, cwd))))
        except FSError as e:
            errors.append(f"{tool}: {name}: {e}\n")
    return inputs, errors


def split_lines(text: str) -> list[str]:
    """Lines without their newlines (a missing final newline still ends a line)."""
    if not text:
        return []
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


def join_lines(lines: Iterable[str]) -> str:
    return "".join(line + "\n" for line in lines)
