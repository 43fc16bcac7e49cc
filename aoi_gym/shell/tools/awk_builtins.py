"""awk's built-in functions (length, substr, index, split, sub, gsub, match, sprintf, tolower,
toupper, int and the math functions) for :mod:`aoi_gym.shell.tools.awk`."""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

from aoi_gym.shell.tools.awk import UNINIT, AwkError, _input_value, awk_sprintf, to_num, to_str

if TYPE_CHECKING:
    from aoi_gym.shell.tools.awk import Interpreter

__all__ = ["call"]


def _arg_count(name: str, args: list, low: int, high: int) -> None:
    if not low <= len(args) <= high:
        raise AwkError(f"function `{name}' called with wrong number of arguments")


def _awk_repl(repl: str):
    """awk replacement text: ``&`` is the match, ``\\&`` a literal ampersand."""
    def render(m: re.Match) -> str:
        out = []
        i = 0
        while i < len(repl):
            c = repl[i]
            if c == "\\" and i + 1 < len(repl) and repl[i + 1] in "&\\":
                out.append(repl[i + 1])
                i += 2
                continue
            out.append(m.group(0) if c == "&" else c)
            i += 1
        return "".join(out)

    return render


def call(it: "Interpreter", name: str, args: list):
    if name == "length":
        if not args:
            return float(len(to_str(it.fields[0])))
        if args[0][0] == "var" and args[0][1] in it.arrays:
            return float(len(it.arrays[args[0][1]]))
        return float(len(to_str(it.eval(args[0]))))
    if name in ("sub", "gsub"):
        _arg_count(name, args, 2, 3)
        regex = it.as_regex(args[0])
        repl = to_str(it.eval(args[1]))
        target = args[2] if len(args) == 3 else ("field", ("num", 0.0))
        if target[0] not in ("var", "field", "index"):
            raise AwkError(f"{name} third parameter is not a changeable object")
        new, n = regex.subn(_awk_repl(repl), to_str(it.get(target)), count=0 if name == "gsub" else 1)
        if n:
            it.set(target, new)
        return float(n)
    if name == "split":
        _arg_count(name, args, 2, 3)
        if args[1][0] != "var":
            raise AwkError("split: second argument is not an array")
        text = to_str(it.eval(args[0]))
        if len(args) == 3:
            sep = args[2]
            pieces = it.as_regex(sep).split(text) if sep[0] == "ere" else it.split_fields(text, to_str(it.eval(sep)))
        else:
            pieces = it.split_fields(text)
        it.vars.pop(args[1][1], None)
        it.arrays[args[1][1]] = {str(i + 1): _input_value(p) for i, p in enumerate(pieces)}
        return float(len(pieces))
    values = [it.eval(a) for a in args]
    if name == "substr":
        _arg_count(name, args, 2, 3)
        s = to_str(values[0])
        start = round(to_num(values[1]))
        length = round(to_num(values[2])) if len(values) == 3 else len(s) + 1
        lo, hi = max(start, 1), start + length
        return s[lo - 1 : max(lo - 1, hi - 1)]
    if name == "index":
        _arg_count(name, args, 2, 2)
        return float(to_str(values[0]).find(to_str(values[1])) + 1)
    if name == "match":
        _arg_count(name, args, 2, 2)
        m = it.as_regex(args[1]).search(to_str(values[0]))
        it.vars["RSTART"] = float(m.start() + 1) if m else 0.0
        it.vars["RLENGTH"] = float(len(m.group(0))) if m else -1.0
        return it.vars["RSTART"]
    if name == "sprintf":
        if not values:
            raise AwkError("sprintf: no format")
        return awk_sprintf(to_str(values[0]), values[1:])
    if name == "tolower":
        return to_str(values[0] if values else UNINIT).lower()
    if name == "toupper":
        return to_str(values[0] if values else UNINIT).upper()
    if name == "int":
        return float(math.trunc(to_num(values[0]))) if values else 0.0
    if name in ("sqrt", "exp", "log", "sin", "cos"):
        x = to_num(values[0]) if values else 0.0
        try:
            return float(getattr(math, name)(x))
        except (ValueError, OverflowError):
            return math.nan
    if name == "atan2":
        return math.atan2(to_num(values[0]), to_num(values[1]))
    if name == "rand":
        it.rand_state = (it.rand_state * 1103515245 + 12345) % (2**31)
        return it.rand_state / 2**31
    if name == "srand":
        prev = float(it.rand_state)
        it.rand_state = int(to_num(values[0])) if values else 0
        return prev
    if name == "systime":
        return float(int(it.now))
    if name == "system":
        raise AwkError("system() is not supported by this awk")
    raise AwkError(f"function `{name}' is not supported by this awk")

