"""awk: a POSIX awk subset (``-F``, ``-v``; BEGIN/END; patterns, ranges; fields and NF/NR/FS/OFS;
arrays; if/while/do/for/for-in; print/printf; string and math builtins).

Values are floats (numbers), ``str`` (strings) or :class:`StrNum` (input that looks numeric),
compared as POSIX says: numerically when both sides are numeric, as strings otherwise.
"""

from __future__ import annotations

import math
import re

from aoi_gym.shell.context import ProgramResult, ShellContext
from aoi_gym.shell.programs import register
from aoi_gym.shell.tools._common import read_inputs, split_lines
from aoi_gym.shell.tools._regex import RegexError, compile_posix
from aoi_gym.shell.tools.awk_parse import AwkSyntaxError, parse_program
from aoi_gym.shell.tools.date import cluster_now

_NUMERIC = re.compile(r"\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$")
_PREFIX = re.compile(r"\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_MAX_STEPS = 2_000_000
_FMT = re.compile(r"%([-+ #0]*)(\*|\d+)?(?:\.(\*|\d+))?([cdiouxXeEfgGs%])")


class StrNum(str):
    """A string from input that looks like a number: compares numerically with numbers."""


class _Uninit(StrNum):
    pass


UNINIT = _Uninit("")


class AwkError(Exception):
    pass


class _Next(Exception):
    pass


class _Exit(Exception):
    def __init__(self, code: int) -> None:
        self.code = code


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


def to_num(v) -> float:
    if isinstance(v, float):
        return v
    m = _PREFIX.match(v)
    return float(m.group()) if m else 0.0


def num_str(x: float, fmt: str = "%.6g") -> str:
    if x == int(x) and abs(x) < 1e16:
        return str(int(x))
    return fmt % x


def to_str(v) -> str:
    return num_str(v) if isinstance(v, float) else v


def _is_numeric(v) -> bool:
    return isinstance(v, float) or isinstance(v, _Uninit) or (isinstance(v, StrNum) and bool(_NUMERIC.match(v)))


def _input_value(text: str):
    return StrNum(text) if _NUMERIC.match(text) else text


def awk_sprintf(fmt: str, args: list) -> str:
    it = iter(args)

    def nxt():
        return next(it, UNINIT)

    def sub(m: re.Match) -> str:
        flags, width, prec, conv = m.groups()
        if conv == "%":
            return "%"
        if width == "*":
            width = str(int(to_num(nxt())))
        if prec == "*":
            prec = str(int(to_num(nxt())))
        spec = "%" + flags + (width or "") + ("." + prec if prec is not None else "")
        v = nxt()
        if conv == "c":
            s = chr(int(v)) if isinstance(v, float) else to_str(v)[:1]
            return (spec + "s") % s
        if conv == "s":
            return (spec + "s") % to_str(v)
        if conv in "diouxX":
            n = int(to_num(v))
            return (spec + ("d" if conv in "iu" else conv)) % n
        return (spec + conv) % to_num(v)

    return _FMT.sub(sub, fmt.replace("%%", "\0")).replace("\0", "%")


class Interpreter:
    def __init__(self, rules: list, assigns: dict[str, str], env: dict[str, str], now: float = 0.0) -> None:
        self.rules = rules
        self.now = now  # what systime() gives: the simulated clock
        self.vars: dict[str, object] = {"FS": " ", "OFS": " ", "ORS": "\n", "NR": 0.0, "NF": 0.0, "FNR": 0.0,
                                        "SUBSEP": "\x1c", "RSTART": 0.0, "RLENGTH": -1.0, "FILENAME": "",
                                        "CONVFMT": "%.6g", "OFMT": "%.6g"}
        self.arrays: dict[str, dict[str, object]] = {"ENVIRON": {k: _input_value(v) for k, v in env.items()}}
        for k, v in assigns.items():
            self.vars[k] = _input_value(v)
        self.fields: list = [""]
        self.assigned = set()
        self.out: list[str] = []
        self.err: list[str] = []
        self.steps = 0
        self.regex_cache: dict[str, re.Pattern] = {}
        self.rand_state = 0

    # ------------------------------------------------------------------ records and fields
    def set_record(self, line: str) -> None:
        # fields stay plain text until read (most are never compared), then become strnums
        self.fields = [line, *self.split_fields(line)]
        self.assigned: set[int] = set()
        self.vars["NF"] = float(len(self.fields) - 1)

    def split_fields(self, text: str, fs: str | None = None) -> list[str]:
        fs = to_str(self.vars["FS"]) if fs is None else fs
        if fs == " ":
            return text.split()
        if len(fs) == 1 and fs != "\\":
            return text.split(fs) if text else []
        return self.regex(fs).split(text) if text else []

    def get_field(self, i: int):
        if i < 0:
            raise AwkError(f"trying to access out of range field {i}")
        if i >= len(self.fields):
            return UNINIT
        value = self.fields[i]
        return value if i in self.assigned else _input_value(value)

    def set_field(self, i: int, value) -> None:
        if i == 0:
            self.set_record(to_str(value))
            return
        while len(self.fields) <= i:
            self.fields.append(UNINIT)
        self.fields[i] = value
        self.assigned.add(i)
        self.vars["NF"] = float(len(self.fields) - 1)
        self.rebuild()

    def rebuild(self) -> None:
        ofs = to_str(self.vars["OFS"])
        self.fields[0] = ofs.join(to_str(f) for f in self.fields[1:])
        self.assigned.add(0)

    def regex(self, source: str) -> re.Pattern:
        pat = self.regex_cache.get(source)
        if pat is None:
            try:
                pat = compile_posix(source, extended=True)
            except RegexError as e:
                raise AwkError(f"regular expression /{source}/: {e}") from None
            self.regex_cache[source] = pat
        return pat

    def as_regex(self, node) -> re.Pattern:
        if node[0] == "ere":
            return self.regex(node[1])
        return self.regex(to_str(self.eval(node)))

    # ------------------------------------------------------------------ running
    def run(self, records: list[str]) -> int:
        code = 0
        try:
            try:
                for pattern, action in self.rules:
                    if pattern == "BEGIN":
                        self.exec_block(action)
                main = [(p, a) for p, a in self.rules if p not in ("BEGIN", "END")]
                if main or any(p == "END" for p, _ in self.rules):
                    for line in records:
                        self.vars["NR"] = to_num(self.vars["NR"]) + 1
                        self.vars["FNR"] = to_num(self.vars["FNR"]) + 1
                        self.set_record(line)
                        try:
                            for pattern, action in main:
                                if self.matches(pattern):
                                    if action is None:
                                        self.print_values([])
                                    else:
                                        self.exec_block(action)
                        except _Next:
                            continue
            except _Exit as e:
                code = e.code
            for pattern, action in self.rules:
                if pattern == "END":
                    self.exec_block(action)
        except _Exit as e:
            code = e.code
        return code

    def matches(self, pattern) -> bool:
        if pattern is None:
            return True
        if pattern[0] == "range":
            state = pattern[3]
            if not state[0]:
                if self.truth(self.eval(pattern[1])):
                    state[0] = not self.truth(self.eval(pattern[2]))
                    return True
                return False
            if self.truth(self.eval(pattern[2])):
                state[0] = False
            return True
        return self.truth(self.eval(pattern))

    def truth(self, v) -> bool:
        if isinstance(v, float):
            return v != 0
        if isinstance(v, StrNum) and _NUMERIC.match(v):
            return to_num(v) != 0
        return v != ""

    def exec_block(self, stmts: list) -> None:
        for s in stmts:
            self.execute(s)

    def execute(self, s) -> None:
        self.steps += 1
        if self.steps > _MAX_STEPS:
            raise AwkError("program ran too long (step limit of this awk)")
        kind = s[0]
        if kind == "expr":
            self.eval(s[1])
        elif kind in ("print", "printf"):
            values = [self.eval(a) for a in s[1]]
            if s[2] is not None:
                target = to_str(self.eval(s[2][1]))
                if target not in ("/dev/stderr", "/dev/stdout", "/dev/fd/2"):
                    raise AwkError("output redirection to files or commands is not supported by this awk")
            sink = self.err if s[2] is not None and target in ("/dev/stderr", "/dev/fd/2") else self.out
            if kind == "print":
                self.print_values(values, sink)
            else:
                if not values:
                    raise AwkError("printf: no format")
                sink.append(awk_sprintf(to_str(values[0]), values[1:]))
        elif kind == "block":
            self.exec_block(s[1])
        elif kind == "if":
            self.exec_block(s[2] if self.truth(self.eval(s[1])) else s[3])
        elif kind == "while":
            while self.truth(self.eval(s[1])):
                if self.loop_body(s[2]):
                    break
        elif kind == "do":
            while True:
                if self.loop_body(s[1]) or not self.truth(self.eval(s[2])):
                    break
        elif kind == "for":
            if s[1] is not None:
                self.eval(s[1])
            while s[2] is None or self.truth(self.eval(s[2])):
                if self.loop_body(s[4]):
                    break
                if s[3] is not None:
                    self.eval(s[3])
        elif kind == "forin":
            for key in list(self.arrays.get(s[2], {})):
                self.vars[s[1]] = _input_value(key)
                if self.loop_body(s[3]):
                    break
        elif kind == "next":
            raise _Next()
        elif kind == "exit":
            raise _Exit(int(to_num(self.eval(s[1]))) if s[1] is not None else 0)
        elif kind == "break":
            raise _Break()
        elif kind == "continue":
            raise _Continue()
        elif kind == "delete":
            arr = self.arrays.setdefault(s[1], {})
            if s[2] is None:
                arr.clear()
            else:
                arr.pop(self.subscript(s[2]), None)

    def loop_body(self, body: list) -> bool:
        """Run one iteration; True means break."""
        self.steps += 1
        if self.steps > _MAX_STEPS:
            raise AwkError("program ran too long (step limit of this awk)")
        try:
            self.exec_block(body)
        except _Break:
            return True
        except _Continue:
            pass
        return False

    def print_values(self, values: list, sink: list | None = None) -> None:
        sink = self.out if sink is None else sink
        if not values:
            text = to_str(self.fields[0])
        else:
            ofmt = to_str(self.vars["OFMT"])
            text = to_str(self.vars["OFS"]).join(num_str(v, ofmt) if isinstance(v, float) else v for v in values)
        sink.append(text + to_str(self.vars["ORS"]))

    def subscript(self, parts: list) -> str:
        return to_str(self.vars["SUBSEP"]).join(to_str(self.eval(p)) for p in parts)

    # ------------------------------------------------------------------ expressions
    def get(self, target):
        kind = target[0]
        if kind == "var":
            return self.vars.get(target[1], UNINIT)
        if kind == "field":
            return self.get_field(int(to_num(self.eval(target[1]))))
        arr = self.arrays.setdefault(target[1], {})
        key = self.subscript(target[2])
        if key not in arr:
            arr[key] = UNINIT
        return arr[key]

    def set(self, target, value) -> None:
        kind = target[0]
        if kind == "var":
            if target[1] in self.arrays:
                raise AwkError(f"can't assign to {target[1]}; it's an array name.")
            self.vars[target[1]] = value
            if target[1] == "NF":
                n = int(to_num(value))
                self.fields = (self.fields + [UNINIT] * n)[: n + 1]
                self.rebuild()
        elif kind == "field":
            self.set_field(int(to_num(self.eval(target[1]))), value)
        else:
            self.arrays.setdefault(target[1], {})[self.subscript(target[2])] = value

    def eval(self, e):
        kind = e[0]
        if kind == "num":
            return e[1]
        if kind == "str":
            return e[1]
        if kind in ("var", "field", "index"):
            return self.get(e)
        if kind == "ere":
            return float(self.regex(e[1]).search(to_str(self.fields[0])) is not None)
        if kind == "paren":
            return self.eval(e[1])
        if kind == "group":
            return to_str(self.vars["SUBSEP"]).join(to_str(self.eval(x)) for x in e[1])
        if kind == "assign":
            op, target, value = e[1], e[2], self.eval(e[3])
            if op != "=":
                value = self.arith(op[:-1], self.get(target), value)
            elif isinstance(value, _Uninit):
                value = UNINIT
            self.set(target, value)
            return value
        if kind == "cond":
            return self.eval(e[2]) if self.truth(self.eval(e[1])) else self.eval(e[3])
        if kind == "or":
            return float(self.truth(self.eval(e[1])) or self.truth(self.eval(e[2])))
        if kind == "and":
            return float(self.truth(self.eval(e[1])) and self.truth(self.eval(e[2])))
        if kind == "in":
            key = to_str(self.vars["SUBSEP"]).join(to_str(self.eval(x)) for x in e[1])
            return float(key in self.arrays.get(e[2], {}))
        if kind == "match":
            hit = self.as_regex(e[3]).search(to_str(self.eval(e[2]))) is not None
            return float(hit != e[1])
        if kind == "cmp":
            return float(self.compare(e[1], self.eval(e[2]), self.eval(e[3])))
        if kind == "concat":
            return to_str(self.eval(e[1])) + to_str(self.eval(e[2]))
        if kind == "bin":
            return self.arith(e[1], self.eval(e[2]), self.eval(e[3]))
        if kind == "not":
            return float(not self.truth(self.eval(e[1])))
        if kind == "neg":
            return -to_num(self.eval(e[1]))
        if kind == "plus":
            return to_num(self.eval(e[1]))
        if kind == "incr":
            old = to_num(self.get(e[2]))
            new = old + (1 if e[1] == "++" else -1)
            self.set(e[2], new)
            return new if e[3] else old
        if kind == "call":
            from aoi_gym.shell.tools.awk_builtins import call

            return call(self, e[1], e[2])
        raise AwkError(f"unsupported expression {kind}")

    def arith(self, op: str, a, b) -> float:
        x, y = to_num(a), to_num(b)
        if op == "+":
            return x + y
        if op == "-":
            return x - y
        if op == "*":
            return x * y
        if op in ("^", "**"):
            try:
                return float(x**y)
            except (OverflowError, ZeroDivisionError):
                return math.inf
        if y == 0:
            raise AwkError("division by zero" if op == "/" else "division by zero in %")
        return x / y if op == "/" else math.fmod(x, y)

    def compare(self, op: str, a, b) -> bool:
        if _is_numeric(a) and _is_numeric(b):
            x, y = to_num(a), to_num(b)
        else:
            x, y = to_str(a), to_str(b)  # type: ignore[assignment]
        return {"<": x < y, "<=": x <= y, "==": x == y, "!=": x != y, ">": x > y, ">=": x >= y}[op]


@register("awk", "gawk", "mawk", "nawk")
def awk(argv: list[str], stdin: str, ctx: ShellContext) -> ProgramResult:
    args = argv[1:]
    assigns: dict[str, str] = {}
    program: str | None = None
    while args:
        a = args[0]
        if a == "--":
            args = args[1:]
            break
        if a.startswith("-F"):
            fs = a[2:] if len(a) > 2 else (args[1] if len(args) > 1 else "")
            args = args[1:] if len(a) > 2 else args[2:]
            assigns["FS"] = "\t" if fs == "\\t" else fs
            continue
        if a.startswith("-v"):
            spec = a[2:] if len(a) > 2 else (args[1] if len(args) > 1 else "")
            args = args[1:] if len(a) > 2 else args[2:]
            name, eq, value = spec.partition("=")
            if not eq:
                return ProgramResult(stderr=f"awk: invalid -v argument: {spec}\n", code=2)
            assigns[name] = value.replace("\\t", "\t").replace("\\n", "\n")
            continue
        if a.startswith("-") and len(a) > 1 and a != "-":
            if a in ("-f", "--file"):
                return ProgramResult(stderr="awk: -f program files are not supported; give the program inline\n", code=2)
            return ProgramResult(stderr=f"awk: not an option: {a}\n", code=2)
        break
    if not args:
        return ProgramResult(stderr="usage: awk [-F fs][-v var=value][prog | -f progfile][file ...]\n", code=2)
    program, operands = args[0], args[1:]
    files = [o for o in operands if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", o)]
    for o in operands:
        if o not in files:
            k, _, v = o.partition("=")
            assigns[k] = v
    try:
        rules = parse_program(program)
    except AwkSyntaxError as e:
        return ProgramResult(stderr=f"awk: cmd. line:1: {e}\n", code=2)
    inputs, errors = read_inputs("awk", files, stdin, ctx)
    if errors:
        return ProgramResult(stderr="".join(f"awk: fatal: cannot open file `{f}' for reading: No such file or directory\n" for f in files[:1]), code=2)
    needs_input = any(p not in ("BEGIN",) for p, _ in rules)
    records = [line for _, text in inputs for line in split_lines(text)] if needs_input else []
    interp = Interpreter(rules, assigns, dict(ctx.env), now=cluster_now(ctx))
    try:
        code = interp.run(records)
    except AwkError as e:
        return ProgramResult(stdout="".join(interp.out), stderr="".join(interp.err) + f"awk: cmd. line:1: fatal: {e}\n", code=2)
    return ProgramResult(stdout="".join(interp.out), stderr="".join(interp.err), code=code)
