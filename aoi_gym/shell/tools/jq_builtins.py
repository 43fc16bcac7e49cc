"""Built-in functions, ``@format`` strings and update-assignment (``|=``) for the jq subset."""

from __future__ import annotations

import base64
import json
import math
import re
import shlex

from aoi_gym.shell.tools.jq import JqError, _norm, _shown, binop, index_value, sort_key, truthy, type_name
from aoi_gym.shell.tools.jq_dates import DATE_FUNCTIONS, DATE_FUNCTIONS_1
from aoi_gym.shell.tools.jq_parse import dumps

__all__ = ["call", "apply_format", "update"]


def _one(ev, node, v, env):
    outs = list(ev.run(node, v, env))
    if not outs:
        raise JqError("argument produced no value")
    return outs[0]


def _need(name, v, *types):
    if type_name(v) not in types:
        raise JqError(f"{type_name(v)} ({_shown(v)}) {name}")


def _length(v):
    if v is None:
        return 0
    if isinstance(v, bool):
        raise JqError(f"boolean ({_shown(v)}) has no length")
    if isinstance(v, (int, float)):
        return abs(v)
    return len(v)


def _keys(v, sort=True):
    if isinstance(v, dict):
        return sorted(v) if sort else list(v)
    if isinstance(v, list):
        return list(range(len(v)))
    raise JqError(f"{type_name(v)} ({_shown(v)}) has no keys")


def _entries(v):
    if isinstance(v, dict):
        return [{"key": k, "value": x} for k, x in v.items()]
    if isinstance(v, list):
        return [{"key": i, "value": x} for i, x in enumerate(v)]
    raise JqError(f"{type_name(v)} ({_shown(v)}) has no keys")


def _from_entries(v):
    out = {}
    for e in v or []:
        if isinstance(e, dict):
            key = next((e[k] for k in ("key", "k", "name", "Name", "Key", "K") if k in e), None)
            value = next((e[k] for k in ("value", "v", "Value", "V") if k in e), None)
        else:
            raise JqError(f"Cannot index {type_name(e)} with \"key\"")
        out[key if isinstance(key, str) else dumps(key, compact=True)] = value
    return out


def _tostring(v):
    return v if isinstance(v, str) else dumps(v, compact=True)


def _tonumber(v):
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return v
    try:
        f = float(v)
    except (TypeError, ValueError):
        raise JqError(f"{type_name(v)} ({_shown(v)}) cannot be parsed as a number") from None
    return _norm(f)


def _contains(a, b):
    if isinstance(a, dict) and isinstance(b, dict):
        return all(k in a and _contains(a[k], x) for k, x in b.items())
    if isinstance(a, list) and isinstance(b, list):
        return all(any(_contains(x, y) for x in a) for y in b)
    if isinstance(a, str) and isinstance(b, str):
        return b in a
    if type_name(a) == type_name(b):
        return a == b
    raise JqError(f"{type_name(a)} ({_shown(a)}) and {type_name(b)} ({_shown(b)}) cannot have their containment checked")


def _flatten(v, depth=1e9):
    out = []
    for x in v:
        if isinstance(x, list) and depth > 0:
            out.extend(_flatten(x, depth - 1))
        else:
            out.append(x)
    return out


def _regex(pattern, flags):
    f = 0
    if flags and "i" in flags:
        f |= re.I
    if flags and "x" in flags:
        f |= re.X
    try:
        return re.compile(pattern, f)
    except re.error as e:
        raise JqError(f"{pattern} (at offset {e.pos or 0}) is not a valid regex: {e.msg}") from None


def _paths(v, prefix=()):
    if isinstance(v, dict):
        items = v.items()
    elif isinstance(v, list):
        items = enumerate(v)
    else:
        return
    for k, x in items:
        yield list(prefix) + [k]
        yield from _paths(x, (*prefix, k))


# name -> function of the input value (no arguments)
_SIMPLE = {
    "length": _length,
    "utf8bytelength": lambda v: len(v.encode()),
    "keys": _keys,
    "keys_unsorted": lambda v: _keys(v, False),
    "to_entries": _entries,
    "from_entries": _from_entries,
    "add": lambda v: _add(v),
    "any": lambda v: any(truthy(x) for x in v),
    "all": lambda v: all(truthy(x) for x in v),
    "not": lambda v: not truthy(v),
    "type": type_name,
    "tostring": _tostring,
    "tonumber": _tonumber,
    "tojson": lambda v: dumps(v, compact=True),
    "fromjson": lambda v: json.loads(v),
    "ascii_downcase": lambda v: v.lower(),
    "ascii_upcase": lambda v: v.upper(),
    "sort": lambda v: sorted(v, key=sort_key),
    "unique": lambda v: _unique(v, lambda x: x),
    "reverse": lambda v: v[::-1] if v is not None else [],
    "min": lambda v: min(v, key=sort_key) if v else None,
    "max": lambda v: max(v, key=sort_key) if v else None,
    "flatten": _flatten,
    "floor": lambda v: _norm(float(math.floor(v))),
    "ceil": lambda v: _norm(float(math.ceil(v))),
    "round": lambda v: _norm(float(round(v))),
    "sqrt": lambda v: _norm(math.sqrt(v)),
    "fabs": abs,
    "abs": abs,
    "first": lambda v: v[0] if v else None,
    "last": lambda v: v[-1] if v else None,
    "tostream": None,
    "ltrimstr": None,
    "trim": lambda v: v.strip(),
    "ltrim": lambda v: v.lstrip(),
    "rtrim": lambda v: v.rstrip(),
    "null": lambda v: None,
    "true": lambda v: True,
    "false": lambda v: False,
    "infinite": lambda v: math.inf,
    "nan": lambda v: math.nan,
    "isnan": lambda v: isinstance(v, float) and math.isnan(v),
    "env": lambda v: None,
    "input_line_number": lambda v: 0,
    "paths": None,
    "ascii": lambda v: chr(v),
    "explode": lambda v: [ord(c) for c in v],
    "implode": lambda v: "".join(chr(c) for c in v),
    "halt": None,
}


def _add(v):
    acc = None
    for x in (v.values() if isinstance(v, dict) else v or []):
        acc = binop("+", acc, x)
    return acc


def _unique(v, key):
    seen, out = set(), []
    for x in sorted(v, key=lambda y: sort_key(key(y))):
        k = repr(sort_key(key(x)))
        if k not in seen:
            seen.add(k)
            out.append(x)
    return out


def call(ev, name: str, args: list, v, env):
    n = len(args)
    if n == 0:
        if name == "empty":
            return
        if name in ("recurse", "recurse_down"):
            yield from ev.run(("recurse",), v, env)
            return
        if name == "values":
            if v is not None:
                yield v
            return
        if name == "paths":
            yield from _paths(v)
            return
        if name in ("arrays", "objects", "strings", "numbers", "booleans", "nulls", "iterables", "scalars"):
            t = type_name(v)
            ok = {"arrays": t == "array", "objects": t == "object", "strings": t == "string", "numbers": t == "number",
                  "booleans": t == "boolean", "nulls": t == "null", "iterables": t in ("array", "object"),
                  "scalars": t not in ("array", "object")}[name]
            if ok:
                yield v
            return
        if name == "error":
            raise JqError(_tostring(v))
        if name == "env":
            yield ev.vars.get("ENV", {})
            return
        if name == "now":
            yield _norm(float(ev.now))
            return
        fn = _SIMPLE.get(name) or DATE_FUNCTIONS.get(name)
        if fn is not None:
            try:
                yield fn(v)
            except JqError:
                raise
            except (TypeError, AttributeError, ValueError, KeyError):
                raise JqError(f"{type_name(v)} ({_shown(v)}) cannot be used with {name}") from None
            return
    elif n == 1:
        a = args[0]
        if name == "select":
            for c in ev.run(a, v, env):
                if truthy(c):
                    yield v
            return
        if name == "map":
            _need("cannot be mapped over", v, "array", "object")
            items = v.values() if isinstance(v, dict) else v
            yield [y for x in items for y in ev.run(a, x, env)]
            return
        if name == "map_values":
            if isinstance(v, dict):
                yield {k: next(iter(ev.run(a, x, env)), None) for k, x in v.items()}
            else:
                yield [next(iter(ev.run(a, x, env)), None) for x in v]
            return
        if name == "with_entries":
            yield _from_entries([y for x in _entries(v) for y in ev.run(a, x, env)])
            return
        if name in ("sort_by", "group_by", "unique_by", "min_by", "max_by"):
            _need("cannot be sorted, as it is not an array", v, "array")
            key = lambda x: [sort_key(y) for y in ev.run(a, x, env)]  # noqa: E731
            if name == "sort_by":
                yield sorted(v, key=key)
            elif name == "unique_by":
                yield _unique(v, lambda x: list(ev.run(a, x, env)))
            elif name == "group_by":
                groups: list[list] = []
                for x in sorted(v, key=key):
                    if groups and key(groups[-1][0]) == key(x):
                        groups[-1].append(x)
                    else:
                        groups.append([x])
                yield groups
            else:
                yield (min if name == "min_by" else max)(v, key=key) if v else None
            return
        if name in ("any", "all"):
            results = [truthy(y) for x in v for y in ev.run(a, x, env)]
            yield any(results) if name == "any" else all(results)
            return
        if name in ("first", "last"):
            outs = list(ev.run(a, v, env))
            if outs:
                yield outs[0] if name == "first" else outs[-1]
            return
        if name == "range":
            for hi in ev.run(a, v, env):
                yield from range(int(hi))
            return
        if name == "path":
            raise JqError("path(...) is not supported by this jq")
        if name == "del":
            from aoi_gym.shell.tools.jq_paths import delete

            yield delete(ev, a, v, env)
            return
        if name in ("recurse",):
            stack = [v]
            while stack:
                cur = stack.pop(0)
                yield cur
                stack[:0] = list(ev.run(a, cur, env))
            return
        if name in DATE_FUNCTIONS_1:
            for arg in ev.run(a, v, env):
                yield DATE_FUNCTIONS_1[name](v, arg)
            return
        for arg in ev.run(a, v, env):
            yield _call1(name, v, arg)
        return
    elif n == 2:
        if name == "range":
            for lo in ev.run(args[0], v, env):
                for hi in ev.run(args[1], v, env):
                    yield from range(int(lo), int(hi))
            return
        if name == "limit":
            count = _one(ev, args[0], v, env)
            if count > 0:
                for i, x in enumerate(ev.run(args[1], v, env)):
                    yield x
                    if i + 1 >= count:
                        break
            return
        if name in ("test", "match", "capture", "split", "sub", "gsub"):
            first, second = _one(ev, args[0], v, env), _one(ev, args[1], v, env)
            if name in ("sub", "gsub"):
                rx = _regex(first, None)
                yield rx.sub(lambda m: second, v, count=0 if name == "gsub" else 1)
            else:
                yield _call1(name, v, first, second)
            return
    raise JqError(f"{name}/{n} is not defined")


def _call1(name: str, v, arg, flags=None):
    if name == "has":
        if isinstance(v, dict):
            return arg in v
        if isinstance(v, list) and isinstance(arg, (int, float)):
            return 0 <= arg < len(v)
        raise JqError(f"Cannot check whether {type_name(v)} has a {type_name(arg)} key")
    if name == "contains":
        return _contains(v, arg)
    if name == "inside":
        return _contains(arg, v)
    if name in ("startswith", "endswith", "ltrimstr", "rtrimstr", "split", "join", "test", "match", "capture", "index", "rindex", "indices"):
        if name == "join":
            _need("cannot be joined", v, "array")
            return arg.join("" if x is None else (x if isinstance(x, str) else dumps(x, compact=True)) for x in v)
        if not isinstance(v, str):
            if name in ("ltrimstr", "rtrimstr"):
                return v
            raise JqError(f"{type_name(v)} ({_shown(v)}) cannot be matched, as it is not a string")
        if name == "startswith":
            return v.startswith(arg)
        if name == "endswith":
            return v.endswith(arg)
        if name == "ltrimstr":
            return v[len(arg) :] if isinstance(arg, str) and v.startswith(arg) else v
        if name == "rtrimstr":
            return v[: -len(arg)] if isinstance(arg, str) and arg and v.endswith(arg) else v
        if name == "split":
            return _regex(arg, flags).split(v) if flags is not None else v.split(arg)
        if name in ("index", "rindex"):
            i = v.find(arg) if name == "index" else v.rfind(arg)
            return None if i < 0 else i
        if name == "indices":
            return [m.start() for m in re.finditer(re.escape(arg), v)]
        rx = _regex(arg, flags)
        m = rx.search(v)
        if name == "test":
            return m is not None
        if name == "capture":
            return m.groupdict() if m else None
        if m is None:
            return None
        return {"offset": m.start(), "length": len(m.group(0)), "string": m.group(0),
                "captures": [{"offset": m.start(i), "length": len(m.group(i) or ""), "string": m.group(i), "name": None}
                             for i in range(1, (rx.groups or 0) + 1)]}
    if name == "getpath":
        cur = v
        for k in arg:
            cur = index_value(cur, k)
        return cur
    if name in ("flatten",):
        return _flatten(v, arg)
    if name == "tostring":
        return _tostring(v)
    raise JqError(f"{name}/1 is not defined")


def apply_format(name: str, v) -> str:
    if name == "@base64":
        return base64.b64encode(_tostring(v).encode()).decode()
    if name == "@base64d":
        text = _tostring(v)
        return base64.b64decode(text + "=" * (-len(text) % 4)).decode("utf-8", "replace")
    if name in ("@text",):
        return _tostring(v)
    if name == "@json":
        return dumps(v, compact=True)
    if name == "@uri":
        from urllib.parse import quote

        return quote(_tostring(v), safe="-_.~")
    if name in ("@csv", "@tsv"):
        if not isinstance(v, list):
            raise JqError(f"{type_name(v)} ({_shown(v)}) cannot be {name[1:]}-formatted, only an array can be")
        cells = []
        for x in v:
            if isinstance(x, str):
                cells.append('"' + x.replace('"', '""') + '"' if name == "@csv" else x.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n"))
            elif x is None:
                cells.append("")
            else:
                cells.append(dumps(x, compact=True))
        return ("," if name == "@csv" else "\t").join(cells)
    if name == "@sh":
        items = v if isinstance(v, list) else [v]
        return " ".join(shlex.quote(x) if isinstance(x, str) else dumps(x, compact=True) for x in items)
    if name == "@html":
        return _tostring(v).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;").replace('"', "&quot;")
    raise JqError(f"{name} is not a valid format")


def update(ev, node, v, env):
    from aoi_gym.shell.tools.jq_paths import assign

    yield from assign(ev, node, v, env)
