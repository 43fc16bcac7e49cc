"""Label selectors and field selectors, parsed as the API server parses them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from aoi_gym.cluster.base import BadRequest

__all__ = ["parse_label_selector", "parse_field_selector", "match_labels", "selector_from_match"]

_REQ = re.compile(
    r"""\s*(?:
        (?P<notexists>!\s*(?P<nk>[A-Za-z0-9_./-]+)) |
        (?P<setk>[A-Za-z0-9_./-]+)\s+(?P<setop>in|notin)\s*\((?P<vals>[^)]*)\) |
        (?P<k>[A-Za-z0-9_./-]+)\s*(?P<op>==|=|!=)\s*(?P<v>[A-Za-z0-9_.-]*) |
        (?P<exists>[A-Za-z0-9_./-]+)
    )\s*(?:,|$)""",
    re.X,
)


@dataclass(frozen=True)
class _Req:
    key: str
    op: str  # = != in notin exists !exists
    values: tuple[str, ...] = ()

    def matches(self, labels: dict[str, str]) -> bool:
        has = self.key in labels
        v = labels.get(self.key)
        if self.op == "=":
            return has and v == self.values[0]
        if self.op == "!=":
            return not has or v != self.values[0]
        if self.op == "in":
            return has and v in self.values
        if self.op == "notin":
            return not has or v not in self.values
        if self.op == "exists":
            return has
        return not has


def parse_label_selector(sel: str | None) -> Callable[[dict[str, str]], bool]:
    """Parse ``app=x,tier!=db,env in (a,b),!legacy`` into a predicate over a labels dict."""
    if sel is None or not sel.strip():
        return lambda labels: True
    reqs: list[_Req] = []
    pos = 0
    s = sel.strip()
    while pos < len(s):
        m = _REQ.match(s, pos)
        if not m or m.end() == pos:
            raise BadRequest(f"unable to parse requirement: found '{s[pos:]}', expected: identifier")
        if m.group("notexists"):
            reqs.append(_Req(m.group("nk"), "!exists"))
        elif m.group("setk"):
            vals = tuple(v.strip() for v in m.group("vals").split(",") if v.strip())
            reqs.append(_Req(m.group("setk"), m.group("setop"), vals))
        elif m.group("k"):
            op = "=" if m.group("op") in ("=", "==") else "!="
            reqs.append(_Req(m.group("k"), op, (m.group("v"),)))
        else:
            reqs.append(_Req(m.group("exists"), "exists"))
        pos = m.end()
    return lambda labels: all(r.matches(labels or {}) for r in reqs)


def match_labels(selector: dict[str, Any] | None, labels: dict[str, str] | None) -> bool:
    """Match a structured selector (``{"matchLabels":..., "matchExpressions":...}`` or a plain map)."""
    if not selector:
        return False
    labels = labels or {}
    if "matchLabels" in selector or "matchExpressions" in selector:
        for k, v in (selector.get("matchLabels") or {}).items():
            if labels.get(k) != v:
                return False
        for e in selector.get("matchExpressions") or []:
            op = {"In": "in", "NotIn": "notin", "Exists": "exists", "DoesNotExist": "!exists"}[e["operator"]]
            if not _Req(e["key"], op, tuple(e.get("values") or ())).matches(labels):
                return False
        return True
    return all(labels.get(k) == v for k, v in selector.items())


def selector_from_match(match: dict[str, str]) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted(match.items()))


def _field(obj: dict, path: str) -> str:
    cur: Any = obj
    for p in path.split("."):
        if not isinstance(cur, dict):
            return ""
        cur = cur.get(p)
    if cur is None:
        return ""
    if isinstance(cur, bool):
        return "true" if cur else "false"
    return str(cur)


def parse_field_selector(sel: str | None) -> Callable[[dict], bool]:
    """Parse ``status.phase=Running,spec.nodeName!=node-1`` into a predicate over objects."""
    if sel is None or not sel.strip():
        return lambda obj: True
    terms = []
    for part in sel.split(","):
        part = part.strip()
        if not part:
            continue
        m = re.fullmatch(r"([A-Za-z0-9_.]+)\s*(==|=|!=)\s*(.*)", part)
        if not m:
            raise BadRequest(f'invalid selector: \'{sel}\'; can\'t understand \'{part}\'')
        terms.append((m.group(1), m.group(2) != "!=", m.group(3)))

    def pred(obj: dict) -> bool:
        for path, eq, value in terms:
            if (_field(obj, path) == value) != eq:
                return False
        return True

    return pred
