"""kubectl's JSONPath dialect: ``{.items[*].metadata.name}``, ``{range .items[*]}...{end}``,
filters ``[?(@.type=="Ready")]``, recursive descent ``..``, slices, unions and string literals.

``render(template, data)`` returns the text kubectl would print; ``find(expr, data)`` the values.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from typing import Any

from aoi_gym.shell.kubectl.errors import KubectlError

__all__ = ["render", "find", "compile_template", "relaxed", "JsonPathError"]


class JsonPathError(KubectlError):
    pass


@dataclass
class _Text:
    text: str


@dataclass
class _Expr:
    segments: list[tuple]
    literal: str | None = None


@dataclass
class _Range:
    expr: _Expr
    body: list


# a key; ``\.`` escapes a dot inside it (``{.data.demo\.flagd\.json}``), as in kubectl
_IDENT = re.compile(r"(?:[A-Za-z0-9_\-$/]|\\.)+|\*")
_ESCAPE = re.compile(r"\\(.)")


def _key(token: str) -> str:
    """A key as matched by _IDENT, with its backslash escapes removed."""
    return _ESCAPE.sub(r"\1", token) if "\\" in token else token


_FILTER_OP = re.compile(r"\s*(==|!=|<=|>=|<|>|=~)\s*")


def _unquote(lit: str) -> str:
    try:
        val = ast.literal_eval(lit)
        return val if isinstance(val, str) else str(val)
    except (ValueError, SyntaxError):
        return lit[1:-1]


def _split_brackets(body: str, sep: str) -> list[str]:
    out, depth, cur, q = [], 0, "", ""
    for ch in body:
        if q:
            cur += ch
            if ch == q:
                q = ""
            continue
        if ch in "'\"":
            q = ch
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        if ch == sep and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    out.append(cur)
    return out


def _parse_expr(src: str, full: str) -> _Expr:
    s = src.strip()
    if not s:
        return _Expr([])
    if s[0] in "'\"" and s[-1] == s[0] and len(s) >= 2:
        return _Expr([], literal=_unquote(s))
    segs: list[tuple] = []
    i = 0
    if s[0] in "@$":
        segs.append(("root",) if s[0] == "$" else ("cur",))
        i = 1
    while i < len(s):
        c = s[i]
        if s.startswith("..", i):
            i += 2
            m = _IDENT.match(s, i)
            if m:
                segs.append(("recursive", _key(m.group(0))))
                i = m.end()
            else:
                segs.append(("recursive", None))
        elif c == ".":
            i += 1
            m = _IDENT.match(s, i)
            if not m:
                if i >= len(s):
                    break
                raise JsonPathError(f'error: error parsing jsonpath {full}, unrecognized character in action: U+{ord(s[i]):04X} {s[i]!r}')
            name = m.group(0)
            segs.append(("wild",) if name == "*" else ("field", _key(name)))
            i = m.end()
        elif c == "[":
            depth, j, q = 0, i, ""
            while j < len(s):
                ch = s[j]
                if q:
                    if ch == q:
                        q = ""
                elif ch in "'\"":
                    q = ch
                elif ch == "[":
                    depth += 1
                elif ch == "]":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            if j >= len(s):
                raise JsonPathError(f"error: error parsing jsonpath {full}, unclosed array expect ]")
            body = s[i + 1 : j].strip()
            i = j + 1
            segs.append(_parse_bracket(body, full))
        else:
            m = _IDENT.match(s, i)
            if not m:
                raise JsonPathError(f'error: error parsing jsonpath {full}, unrecognized character in action: U+{ord(c):04X} {c!r}')
            segs.append(("field", _key(m.group(0))))
            i = m.end()
    return _Expr(segs)


def _parse_bracket(body: str, full: str) -> tuple:
    if body == "*":
        return ("wild",)
    if body.startswith("?(") and body.endswith(")"):
        inner = body[2:-1]
        m = None
        q = ""
        for k, ch in enumerate(inner):
            if q:
                if ch == q:
                    q = ""
                continue
            if ch in "'\"":
                q = ch
                continue
            m = _FILTER_OP.match(inner, k)
            if m and m.group(1):
                break
            m = None
        if m is None:
            return ("filter", _parse_expr(inner, full), None, None)
        left, op, right = inner[: m.start()], m.group(1), inner[m.end():]
        return ("filter", _parse_expr(left, full), op, _parse_value(right.strip(), full))
    parts = _split_brackets(body, ",")
    if len(parts) > 1 or body[:1] in "'\"":
        keys = []
        for p in parts:
            p = p.strip()
            keys.append(_unquote(p) if p[:1] in "'\"" else p)
        return ("union", keys)
    if ":" in body:
        bits = body.split(":")
        try:
            nums = [int(b) if b.strip() else None for b in bits]
        except ValueError:
            raise JsonPathError(f"error: error parsing jsonpath {full}, invalid array index {body}") from None
        return ("slice", *(nums + [None, None, None])[:3])
    try:
        return ("index", int(body))
    except ValueError:
        return ("field", body)


def _parse_value(src: str, full: str) -> Any:
    if src[:1] in "'\"":
        return ("lit", _unquote(src))
    if src[:1] in "@$":
        return ("path", _parse_expr(src, full))
    if src in ("true", "false"):
        return ("lit", src == "true")
    try:
        return ("lit", int(src))
    except ValueError:
        pass
    try:
        return ("lit", float(src))
    except ValueError:
        return ("lit", src)


def compile_template(template: str) -> list:
    """Parse a template into text, expression and range nodes."""
    nodes: list = []
    stack: list[list] = [nodes]
    ranges: list[_Range] = []
    i = 0
    while i < len(template):
        j = template.find("{", i)
        if j < 0:
            stack[-1].append(_Text(template[i:]))
            break
        if j > i:
            stack[-1].append(_Text(template[i:j]))
        k, q = j + 1, ""
        while k < len(template):
            ch = template[k]
            if q:
                if ch == "\\":
                    k += 2
                    continue
                if ch == q:
                    q = ""
            elif ch in "'\"":
                q = ch
            elif ch == "}":
                break
            k += 1
        if k >= len(template):
            raise JsonPathError(f"error: error parsing jsonpath {template}, unclosed action")
        action = template[j + 1 : k].strip()
        i = k + 1
        if action == "end":
            if not ranges:
                raise JsonPathError(f"error: error parsing jsonpath {template}, not in range, nothing to end")
            ranges.pop()
            stack.pop()
        elif action.startswith("range ") or action == "range":
            r = _Range(_parse_expr(action[5:], template), [])
            stack[-1].append(r)
            stack.append(r.body)
            ranges.append(r)
        else:
            exprs = _split_brackets(action, ",") if "," in action and not action.startswith(("'", '"')) else [action]
            for e in exprs:
                stack[-1].append(_parse_expr(e, template))
    if ranges:
        raise JsonPathError(f"error: error parsing jsonpath {template}, unclosed range")
    return nodes


def _walk_recursive(v: Any, name: str | None, out: list) -> None:
    if isinstance(v, dict):
        if name is None:
            out.extend(v[k] for k in sorted(v))
        elif name in v:
            out.append(v[name])
        for k in sorted(v):
            _walk_recursive(v[k], name, out)
    elif isinstance(v, list):
        if name is None:
            out.extend(v)
        for x in v:
            _walk_recursive(x, name, out)


def _compare(a: Any, op: str, b: Any) -> bool:
    if op == "==":
        return a == b or (isinstance(a, (int, float)) and isinstance(b, (int, float)) and float(a) == float(b))
    if op == "!=":
        return not _compare(a, "==", b)
    if op == "=~":
        return isinstance(a, str) and isinstance(b, str) and re.search(b, a) is not None
    try:
        if isinstance(a, (int, float)) and isinstance(b, (int, float)):
            a, b = float(a), float(b)
        elif not (isinstance(a, str) and isinstance(b, str)):
            return False
        return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]
    except TypeError:
        return False


def _eval(expr: _Expr, cur: Any, root: Any) -> list:
    if expr.literal is not None:
        return [expr.literal]
    vals = [cur]
    for seg in expr.segments:
        kind = seg[0]
        nxt: list = []
        if kind == "root":
            nxt = [root]
        elif kind == "cur":
            nxt = vals
        for v in vals if kind not in ("root", "cur") else ():
            if kind == "field":
                if isinstance(v, dict) and seg[1] in v:
                    nxt.append(v[seg[1]])
            elif kind == "wild":
                if isinstance(v, dict):
                    nxt.extend(v[k] for k in sorted(v))
                elif isinstance(v, list):
                    nxt.extend(v)
            elif kind == "index":
                if isinstance(v, list):
                    idx = seg[1] + len(v) if seg[1] < 0 else seg[1]
                    if 0 <= idx < len(v):
                        nxt.append(v[idx])
            elif kind == "slice":
                if isinstance(v, list):
                    nxt.extend(v[slice(seg[1], seg[2], seg[3] or None)])
            elif kind == "union":
                for key in seg[1]:
                    if isinstance(v, dict) and key in v:
                        nxt.append(v[key])
                    elif isinstance(v, list):
                        try:
                            nxt.append(v[int(key)])
                        except (ValueError, IndexError):
                            pass
            elif kind == "recursive":
                _walk_recursive(v, seg[1], nxt)
            elif kind == "filter":
                items = v if isinstance(v, list) else (list(v.values()) if isinstance(v, dict) else [])
                for it in items:
                    left = _eval(seg[1], it, root)
                    if seg[2] is None:
                        if left:
                            nxt.append(it)
                        continue
                    rkind, rval = seg[3]
                    rights = _eval(rval, it, root) if rkind == "path" else [rval]
                    if left and rights and _compare(left[0], seg[2], rights[0]):
                        nxt.append(it)
        vals = nxt
    return vals


def _text(v: Any) -> str:
    if isinstance(v, (dict, list)):
        from aoi_gym.shell.kubectl.printers.structured import to_json

        return to_json(v, indent=None)
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    return str(v)


def _exec(nodes: list, cur: Any, root: Any, out: list[str], as_json: list | None) -> None:
    for n in nodes:
        if isinstance(n, _Text):
            out.append(n.text)
        elif isinstance(n, _Range):
            for item in _eval(n.expr, cur, root):
                _exec(n.body, item, root, out, as_json)
        else:
            res = _eval(n, cur, root)
            if as_json is not None:
                as_json.extend(res)
            else:
                out.append(" ".join(_text(r) for r in res))


def render(template: str, data: Any, as_json: bool = False) -> str:
    """Execute a JSONPath template against ``data`` (``-o jsonpath=`` / ``-o jsonpath-as-json=``)."""
    nodes = compile_template(template)
    out: list[str] = []
    collected: list | None = [] if as_json else None
    _exec(nodes, data, data, out, collected)
    if as_json:
        from aoi_gym.shell.kubectl.printers.structured import to_json

        return to_json(collected) + "\n"
    return "".join(out)


def relaxed(expr: str) -> str:
    """kubectl's RelaxedJSONPathExpression: ``.a.b`` / ``a.b`` / ``{.a.b}`` -> ``{.a.b}``."""
    e = expr.strip()
    if e.startswith("{") and e.endswith("}"):
        return e
    if not e.startswith("."):
        e = "." + e
    return "{" + e + "}"


def find(expr: str, data: Any) -> list:
    """Values an expression selects (``.status.phase`` or ``{.status.phase}``)."""
    nodes = compile_template(relaxed(expr))
    vals: list = []
    for n in nodes:
        if isinstance(n, _Expr):
            vals.extend(_eval(n, data, data))
    return vals
