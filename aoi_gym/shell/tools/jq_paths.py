"""Path expressions for jq's ``del(...)`` and update-assignment (``.a.b |= f``, ``.x = 1``, ``+=``)."""

from __future__ import annotations

import copy

from aoi_gym.shell.tools.jq import JqError, binop, index_value, truthy, type_name

__all__ = ["paths_of", "delete", "assign"]


def paths_of(ev, node, v, env, prefix: tuple = ()):
    """The paths (tuples of keys) a path expression refers to, relative to ``v``."""
    kind = node[0]
    if kind == "identity":
        yield prefix
    elif kind == "field":
        for p in paths_of(ev, node[1], v, env, prefix):
            yield (*p, node[2])
    elif kind == "index":
        for p in paths_of(ev, node[1], v, env, prefix):
            for key in ev.run(node[2], v, env):
                yield (*p, key)
    elif kind == "iterate":
        for p in paths_of(ev, node[1], v, env, prefix):
            base = _get(v, p[len(prefix) :])
            if isinstance(base, list):
                yield from ((*p, i) for i in range(len(base)))
            elif isinstance(base, dict):
                yield from ((*p, k) for k in base)
            elif base is not None:
                raise JqError(f"Cannot iterate over {type_name(base)}")
    elif kind == "pipe":
        for p in paths_of(ev, node[1], v, env, prefix):
            yield from paths_of(ev, node[2], _get(v, p[len(prefix) :]), env, p)
    elif kind == "comma":
        yield from paths_of(ev, node[1], v, env, prefix)
        yield from paths_of(ev, node[2], v, env, prefix)
    elif kind == "optional":
        try:
            yield from list(paths_of(ev, node[1], v, env, prefix))
        except JqError:
            return
    elif kind == "call" and node[1] == "select" and len(node[2]) == 1:
        if any(truthy(c) for c in ev.run(node[2][0], v, env)):
            yield prefix
    elif kind == "call" and node[1] in ("empty",):
        return
    else:
        raise JqError("Invalid path expression")


def _get(v, path):
    for k in path:
        v = index_value(v, k)
    return v


def _set(root, path, value):
    if not path:
        return value
    key, rest = path[0], path[1:]
    if root is None:
        root = [] if isinstance(key, int) else {}
    if isinstance(root, dict):
        if not isinstance(key, str):
            raise JqError(f"Cannot index object with {type_name(key)}")
        out = dict(root)
        out[key] = _set(root.get(key), rest, value)
        return out
    if isinstance(root, list) and isinstance(key, int):
        out = list(root)
        while len(out) <= key:
            out.append(None)
        out[key] = _set(out[key], rest, value)
        return out
    raise JqError(f"Cannot index {type_name(root)} with {type_name(key)}")


def delete(ev, node, v, env):
    paths = sorted(paths_of(ev, node, v, env), key=lambda p: [str(k) for k in p], reverse=True)
    result = copy.deepcopy(v)
    for p in sorted(paths, key=len, reverse=True):
        if not p:
            return None
        parent = _get(result, p[:-1])
        key = p[-1]
        if isinstance(parent, dict):
            parent.pop(key, None)
        elif isinstance(parent, list) and isinstance(key, int) and -len(parent) <= key < len(parent):
            del parent[key]
    return result


def assign(ev, node, v, env):
    op, target, rhs = node[1], node[2], node[3]
    paths = list(paths_of(ev, target, v, env))
    if op == "|=":
        result = v
        for p in paths:
            outs = list(ev.run(rhs, _get(result, p), env))
            result = _set(result, p, outs[0] if outs else None)
        yield result
        return
    for value in ev.run(rhs, v, env):
        result = v
        for p in paths:
            if op == "=":
                new = value
            elif op == "//=":
                cur = _get(result, p)
                new = cur if truthy(cur) else value
            else:
                new = binop(op[0], _get(result, p), value)
            result = _set(result, p, new)
        yield result
