"""jq: a jq 1.7 subset over JSON text (``kubectl get ... -o json | jq -r '.items[].metadata.name'``).

Options: ``-r -j -c -s -n -e -S --tab --indent N --arg --argjson``. Filters: paths, ``[]``,
slices, ``|``, ``,``, arithmetic, comparisons, ``and/or/not``, ``//``, ``if``, ``reduce``,
``try``, ``as $x``, string interpolation, ``@base64/@base64d/@csv/@tsv/@json/@text/@sh``, object
and array construction, and the common builtins (select, map, length, keys, has, to_entries,
sort_by, group_by, unique, test, split, join, ...). Errors read like jq's.
"""

from __future__ import annotations

import json
import math
from typing import Iterator

from aoi_gym.shell.context import ProgramResult, ShellContext
from aoi_gym.shell.programs import register
from aoi_gym.shell.tools.date import CLOCK_START, cluster_now
from aoi_gym.shell.tools.jq_input import read_values
from aoi_gym.shell.tools.jq_parse import JqSyntaxError, dumps, parse_filter

__all__ = ["JqError", "run_filter", "jq"]

_PARSE_ERROR_STATUS = 5  # jq 1.7's status for input that is not JSON (JQ_ERROR_UNKNOWN)


class JqError(Exception):
    """A runtime error (``Cannot index array with "metadata"``)."""


class _Break(Exception):
    pass


def type_name(v) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    return "array" if isinstance(v, list) else "object"


def _shown(v) -> str:
    text = dumps(v, compact=True)
    return text if len(text) < 11 else text[:10] + "..."


def sort_key(v):
    """jq's total order: null < false < true < numbers < strings < arrays < objects."""
    if v is None:
        return (0,)
    if isinstance(v, bool):
        return (1, v)
    if isinstance(v, (int, float)):
        return (2, v)
    if isinstance(v, str):
        return (3, v)
    if isinstance(v, list):
        return (4, [sort_key(x) for x in v])
    return (5, sorted(v.keys()), [sort_key(v[k]) for k in sorted(v.keys())])


def truthy(v) -> bool:
    return v is not None and v is not False


def _norm(x):
    return int(x) if isinstance(x, float) and x.is_integer() and abs(x) < 2**53 else x


class Evaluator:
    def __init__(self, variables: dict, now: float = CLOCK_START) -> None:
        self.vars = variables
        self.now = now  # what ``now`` gives: the simulated clock, passed in by the jq program

    def run(self, node, value, env: dict) -> Iterator:
        kind = node[0]
        method = getattr(self, "_" + kind, None)
        if method is None:
            raise JqError(f"{kind} is not supported by this jq")
        return method(node, value, env)

    # ------------------------------------------------------------------ paths
    def _identity(self, node, v, env):
        yield v

    def _recurse(self, node, v, env):
        stack = [v]
        while stack:
            cur = stack.pop()
            yield cur
            if isinstance(cur, list):
                stack.extend(reversed(cur))
            elif isinstance(cur, dict):
                stack.extend(reversed(list(cur.values())))

    def _field(self, node, v, env):
        for base in self.run(node[1], v, env):
            yield index_value(base, node[2])

    def _index(self, node, v, env):
        for base in self.run(node[1], v, env):
            for key in self.run(node[2], v, env):
                yield index_value(base, key)

    def _slice(self, node, v, env):
        for base in self.run(node[1], v, env):
            los = list(self.run(node[2], v, env)) if node[2] else [None]
            his = list(self.run(node[3], v, env)) if node[3] else [None]
            for lo in los:
                for hi in his:
                    if base is None:
                        yield None
                    elif isinstance(base, (list, str)):
                        yield base[None if lo is None else int(lo) : None if hi is None else int(hi)]
                    else:
                        raise JqError(f"Cannot index {type_name(base)} with object")

    def _iterate(self, node, v, env):
        for base in self.run(node[1], v, env):
            if isinstance(base, list):
                yield from base
            elif isinstance(base, dict):
                yield from base.values()
            else:
                raise JqError(f"Cannot iterate over {type_name(base)}" + (f" ({_shown(base)})" if base is not None else " (null)"))

    def _optional(self, node, v, env):
        try:
            yield from list(self.run(node[1], v, env))
        except JqError:
            return

    # ------------------------------------------------------------------ combinators
    def _pipe(self, node, v, env):
        for x in self.run(node[1], v, env):
            yield from self.run(node[2], x, env)

    def _comma(self, node, v, env):
        yield from self.run(node[1], v, env)
        yield from self.run(node[2], v, env)

    def _as(self, node, v, env):
        for x in self.run(node[1], v, env):
            yield from self.run(node[3], v, {**env, node[2]: x})

    def _alt(self, node, v, env):
        found = False
        try:
            for x in self.run(node[1], v, env):
                if truthy(x):
                    found = True
                    yield x
        except JqError:
            pass
        if not found:
            yield from self.run(node[2], v, env)

    def _and(self, node, v, env):
        for a in self.run(node[1], v, env):
            if not truthy(a):
                yield False
                continue
            for b in self.run(node[2], v, env):
                yield truthy(b)

    def _or(self, node, v, env):
        for a in self.run(node[1], v, env):
            if truthy(a):
                yield True
                continue
            for b in self.run(node[2], v, env):
                yield truthy(b)

    def _neg(self, node, v, env):
        for x in self.run(node[1], v, env):
            if not isinstance(x, (int, float)) or isinstance(x, bool):
                raise JqError(f"{type_name(x)} ({_shown(x)}) cannot be negated")
            yield -x

    def _binop(self, node, v, env):
        op = node[1]
        for b in self.run(node[3], v, env):
            for a in self.run(node[2], v, env):
                yield binop(op, a, b)

    def _literal(self, node, v, env):
        yield node[1]

    def _string(self, node, v, env):
        yield from self._interpolate(node[1], v, env, lambda x: x if isinstance(x, str) else dumps(x, compact=True))

    def _interpolate(self, parts, v, env, fmt):
        results = [""]
        for p in parts:
            if isinstance(p, str):
                results = [r + p for r in results]
            else:
                values = list(self.run(p, v, env))
                results = [r + fmt(x) for x in values for r in results]
        yield from results

    def _formatstr(self, node, v, env):
        from aoi_gym.shell.tools.jq_builtins import apply_format

        yield from self._interpolate(node[2], v, env, lambda x: apply_format(node[1], x))

    def _format(self, node, v, env):
        from aoi_gym.shell.tools.jq_builtins import apply_format

        yield apply_format(node[1], v)

    def _array(self, node, v, env):
        yield [] if node[1] is None else list(self.run(node[1], v, env))

    def _object(self, node, v, env):
        results: list[dict] = [{}]
        for key_node, value_node in node[1]:
            new = []
            for obj in results:
                for k in self.run(key_node, v, env):
                    if not isinstance(k, str):
                        raise JqError("Object keys must be strings")
                    for val in self.run(value_node, v, env):
                        new.append({**obj, k: val})
            results = new
        yield from results

    def _var(self, node, v, env):
        name = node[1]
        if name in env:
            yield env[name]
        elif name in self.vars:
            yield self.vars[name]
        else:
            raise JqError(f"${name} is not defined")

    def _if(self, node, v, env):
        def branch(i):
            if i == len(node[1]):
                if node[2] is None:
                    yield v
                else:
                    yield from self.run(node[2], v, env)
                return
            cond, then = node[1][i]
            for c in self.run(cond, v, env):
                if truthy(c):
                    yield from self.run(then, v, env)
                else:
                    yield from branch(i + 1)

        yield from branch(0)

    def _reduce(self, node, v, env):
        for acc in self.run(node[3], v, env):
            for x in self.run(node[1], v, env):
                outs = list(self.run(node[4], acc, {**env, node[2]: x}))
                acc = outs[-1] if outs else None
            yield acc

    def _try(self, node, v, env):
        try:
            outs = list(self.run(node[1], v, env))
        except JqError as e:
            if node[2] is not None:
                yield from self.run(node[2], str(e), env)
            return
        yield from outs

    def _update(self, node, v, env):
        from aoi_gym.shell.tools.jq_builtins import update

        yield from update(self, node, v, env)

    def _call(self, node, v, env):
        from aoi_gym.shell.tools.jq_builtins import call

        yield from call(self, node[1], node[2], v, env)


def index_value(base, key):
    if base is None:
        if isinstance(key, (str, int, float)) and not isinstance(key, bool) or key is None:
            return None
    if isinstance(base, dict) and isinstance(key, str):
        return base.get(key)
    if isinstance(base, list) and isinstance(key, (int, float)) and not isinstance(key, bool):
        i = int(math.floor(key))
        if i < 0:
            i += len(base)
        return base[i] if 0 <= i < len(base) else None
    if isinstance(key, str):
        raise JqError(f'Cannot index {type_name(base)} with "{key}"')
    raise JqError(f"Cannot index {type_name(base)} with {type_name(key)}")


def binop(op: str, a, b):
    if op in ("==", "!=", "<", "<=", ">", ">="):
        ka, kb = sort_key(a), sort_key(b)
        return {"==": ka == kb, "!=": ka != kb, "<": ka < kb, "<=": ka <= kb, ">": ka > kb, ">=": ka >= kb}[op]
    num = lambda x: isinstance(x, (int, float)) and not isinstance(x, bool)  # noqa: E731
    if op == "+":
        if a is None:
            return b
        if b is None:
            return a
        if num(a) and num(b):
            return _norm(a + b)
        if type(a) is type(b) and isinstance(a, (str, list)):
            return a + b
        if isinstance(a, dict) and isinstance(b, dict):
            return {**a, **b}
    elif op == "-":
        if num(a) and num(b):
            return _norm(a - b)
        if isinstance(a, list) and isinstance(b, list):
            return [x for x in a if x not in b]
    elif op == "*":
        if num(a) and num(b):
            return _norm(a * b)
        if isinstance(a, dict) and isinstance(b, dict):
            return _deep_merge(a, b)
        if isinstance(a, str) and num(b):
            return a * int(b) if b > 0 else None
    elif op == "/":
        if num(a) and num(b):
            if b == 0:
                raise JqError(f"{type_name(a)} ({_shown(a)}) and {type_name(b)} ({_shown(b)}) cannot be divided because the divisor is zero")
            return _norm(a / b)
        if isinstance(a, str) and isinstance(b, str):
            return a.split(b) if a else []
    elif op == "%":
        if num(a) and num(b):
            if int(b) == 0:
                raise JqError(f"{type_name(a)} ({_shown(a)}) and {type_name(b)} ({_shown(b)}) cannot be divided because the divisor is zero")
            return int(math.fmod(int(a), int(b)))
    verb = {"+": "added", "-": "subtracted", "*": "multiplied", "/": "divided", "%": "divided"}[op]
    raise JqError(f"{type_name(a)} ({_shown(a)}) and {type_name(b)} ({_shown(b)}) cannot be {verb}")


def _deep_merge(a: dict, b: dict) -> dict:
    out = dict(a)
    for k, v in b.items():
        out[k] = _deep_merge(out[k], v) if isinstance(out.get(k), dict) and isinstance(v, dict) else v
    return out


def run_filter(source: str, value, variables: dict | None = None) -> list:
    """All outputs of a jq filter on one input value (raises JqSyntaxError / JqError)."""
    return list(Evaluator(variables or {}).run(parse_filter(source), value, {}))


@register("jq")
def jq(argv: list[str], stdin: str, ctx: ShellContext) -> ProgramResult:
    args = argv[1:]
    raw = join = compact = slurp = null_input = exit_status = sort_keys = False
    indent = 2
    variables: dict = {"ENV": dict(ctx.env), "__loc__": None}
    filter_src: str | None = None
    files: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("--arg", "--argjson") and i + 2 < len(args):
            try:
                variables[args[i + 1]] = args[i + 2] if a == "--arg" else json.loads(args[i + 2])
            except json.JSONDecodeError:
                return ProgramResult(stderr="jq: Invalid JSON text passed to --argjson\n", code=2)
            i += 3
            continue
        if a == "--indent" and i + 1 < len(args):
            indent = int(args[i + 1]) if args[i + 1].isdigit() else 2
            i += 2
            continue
        if a in ("--version", "-V"):
            return ProgramResult(stdout="jq-1.7.1\n")
        if a.startswith("--"):
            flag = {"--raw-output": "r", "--join-output": "j", "--compact-output": "c", "--slurp": "s",
                    "--null-input": "n", "--exit-status": "e", "--sort-keys": "S", "--tab": "t", "--monochrome-output": "M",
                    "--color-output": "C", "--raw-output0": "r"}.get(a)
            if flag is None:
                return ProgramResult(stderr=f"jq: Unknown option: {a}\nUse jq --help for help with command-line options,\nor see the jq manpage, or online docs  at https://jqlang.github.io/jq\n", code=2)
            letters = flag
        elif a.startswith("-") and len(a) > 1:
            letters = a[1:]
        else:
            if filter_src is None:
                filter_src = a
            else:
                files.append(a)
            i += 1
            continue
        for ch in letters:
            if ch not in "rjcsneSMCta":
                return ProgramResult(stderr=f"jq: Unknown option: {a}\nUse jq --help for help with command-line options,\nor see the jq manpage, or online docs  at https://jqlang.github.io/jq\n", code=2)
            raw = raw or ch in "rj"
            join = join or ch == "j"
            compact = compact or ch == "c"
            slurp = slurp or ch == "s"
            null_input = null_input or ch == "n"
            exit_status = exit_status or ch == "e"
            sort_keys = sort_keys or ch == "S"
        i += 1
    if filter_src is None:
        return ProgramResult(stderr="Usage:\tjq [OPTIONS] FILTER [FILES...]\n", code=2)
    try:
        ast = parse_filter(filter_src)
    except JqSyntaxError as e:
        return ProgramResult(stderr=f"jq: error: {e} at <top-level>, line 1:\n{filter_src}\njq: 1 compile error\n", code=3)
    text = stdin
    if files:
        from aoi_gym.shell.tools._common import read_inputs

        inputs, errors = read_inputs("jq", files, stdin, ctx)
        if errors:
            return ProgramResult(stderr="".join(f"jq: error: Could not open {f}: No such file or directory\n" for f in files), code=2)
        text = "".join(t for _, t in inputs)
    # jq -n never reads its input; otherwise the values before a parse error are still processed
    values, parse_error = ([None], None) if null_input else read_values(text)
    if slurp and not null_input:
        if parse_error:
            return ProgramResult(stderr=parse_error + "\n", code=_PARSE_ERROR_STATUS)
        values = [values]
    out: list[str] = []
    last = None
    evaluator = Evaluator(variables, now=cluster_now(ctx))
    for value in values:
        try:
            for result in evaluator.run(ast, value, {}):
                last = result
                if raw and isinstance(result, str):
                    out.append(result if join else result + "\n")
                else:
                    out.append(dumps(result, compact=compact, sort_keys=sort_keys, indent=indent) + ("" if join else "\n"))
        except JqError as e:
            return ProgramResult(stdout="".join(out), stderr=f"jq: error (at <stdin>:{text.count(chr(10))}): {e}\n", code=5)
        except _Break:
            continue
        except RecursionError:
            return ProgramResult(stdout="".join(out), stderr="jq: error: filter nested too deeply\n", code=5)
    if parse_error:
        return ProgramResult(stdout="".join(out), stderr=parse_error + "\n", code=_PARSE_ERROR_STATUS)
    code = 0
    if exit_status:
        code = 4 if last is None and not out else (1 if not truthy(last) else 0)
    return ProgramResult(stdout="".join(out), code=code)
