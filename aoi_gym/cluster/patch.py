"""The three patch types kubectl sends: strategic merge, JSON merge (RFC 7386) and JSON patch (RFC 6902).

Pure functions over JSON-like data; they never modify their inputs.
"""

from __future__ import annotations

import copy
from typing import Any

from aoi_gym.cluster.base import BadRequest, Invalid

__all__ = ["json_copy", "merge_patch", "strategic_merge_patch", "json_patch", "apply_patch"]

# Lists that Kubernetes merges by a key under strategic merge patch (patchMergeKey in the API types).
_MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "env": "name",
    "volumes": "name",
    "volumeMounts": "mountPath",
    "ports": ("containerPort", "port"),
    "imagePullSecrets": "name",
    "tolerations": None,  # replaced
    "conditions": "type",
}


_SCALARS = frozenset({str, int, float, bool, type(None)})


def json_copy(o: Any) -> Any:
    """Deep copy of JSON-like data (dict/list/scalars); several times faster than ``copy.deepcopy``
    (scalars inside containers are not recursed into; other types go through ``copy.deepcopy``)."""
    t = type(o)
    if t is dict:
        return {k: (v if type(v) in _SCALARS else json_copy(v)) for k, v in o.items()}
    if t is list:
        return [(v if type(v) in _SCALARS else json_copy(v)) for v in o]
    if t in _SCALARS:
        return o
    return copy.deepcopy(o)


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch: dicts merge recursively, ``None`` deletes, anything else replaces."""
    if not isinstance(patch, dict):
        return json_copy(patch)
    out = json_copy(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        elif isinstance(v, dict):
            out[k] = merge_patch(out.get(k), v)
        else:
            out[k] = json_copy(v)
    return out


def _merge_key_for(field: str, items: list) -> str | None:
    key = _MERGE_KEYS.get(field)
    if isinstance(key, tuple):
        for k in key:
            if items and all(isinstance(i, dict) and k in i for i in items):
                return k
        return None
    return key


def _strategic_list(field: str, target: list, patch: list) -> list:
    key = _merge_key_for(field, patch)
    if key is None or not all(isinstance(i, dict) for i in target):
        return [json_copy(i) for i in patch if not (isinstance(i, dict) and "$patch" in i)]
    out = [json_copy(i) for i in target]
    for item in patch:
        if not isinstance(item, dict) or key not in item:
            raise Invalid(f"strategic merge patch: list item in {field!r} has no merge key {key!r}")
        idx = next((n for n, cur in enumerate(out) if cur.get(key) == item[key]), None)
        if item.get("$patch") == "delete":
            if idx is not None:
                out.pop(idx)
            continue
        if idx is None:
            out.append(json_copy(item))
        else:
            out[idx] = strategic_merge_patch(out[idx], item)
    return out


def strategic_merge_patch(target: Any, patch: Any) -> Any:
    """Kubernetes strategic merge patch for the list fields kubectl users touch (containers, env, ports...)."""
    if not isinstance(patch, dict):
        return json_copy(patch)
    if patch.get("$patch") == "replace":
        return {k: json_copy(v) for k, v in patch.items() if k != "$patch"}
    out = json_copy(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if k.startswith("$"):
            continue
        if v is None:
            out.pop(k, None)
        elif isinstance(v, dict):
            out[k] = strategic_merge_patch(out.get(k), v)
        elif isinstance(v, list) and isinstance(out.get(k), list):
            out[k] = _strategic_list(k, out[k], v)
        else:
            out[k] = json_copy(v)
    return out


def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise BadRequest(f'the JSON pointer "{path}" must start with "/"')
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _walk(doc: Any, parts: list[str], path: str) -> Any:
    cur = doc
    for p in parts:
        if isinstance(cur, dict):
            if p not in cur:
                raise Invalid(f'jsonpatch: the path "{path}" does not exist')
            cur = cur[p]
        elif isinstance(cur, list):
            try:
                cur = cur[int(p)]
            except (ValueError, IndexError):
                raise Invalid(f'jsonpatch: the path "{path}" does not exist') from None
        else:
            raise Invalid(f'jsonpatch: the path "{path}" does not exist')
    return cur


def _set(doc: Any, path: str, value: Any, op: str) -> Any:
    parts = _pointer(path)
    if not parts:
        return json_copy(value)
    parent = _walk(doc, parts[:-1], path)
    last = parts[-1]
    if isinstance(parent, dict):
        if op == "replace" and last not in parent:
            raise Invalid(f'jsonpatch replace operation does not apply: doc is missing key: {path}')
        parent[last] = json_copy(value)
    elif isinstance(parent, list):
        if last == "-":
            parent.append(json_copy(value))
        else:
            try:
                i = int(last)
            except ValueError:
                raise Invalid(f'jsonpatch: invalid array index "{last}" in "{path}"') from None
            if op == "add":
                if i > len(parent) or i < 0:
                    raise Invalid(f"jsonpatch add operation does not apply: index {i} out of bounds")
                parent.insert(i, json_copy(value))
            else:
                if i >= len(parent) or i < 0:
                    raise Invalid(f"jsonpatch replace operation does not apply: index {i} out of bounds")
                parent[i] = json_copy(value)
    else:
        raise Invalid(f'jsonpatch: the path "{path}" does not exist')
    return doc


def _remove(doc: Any, path: str) -> Any:
    parts = _pointer(path)
    if not parts:
        raise Invalid("jsonpatch: cannot remove the whole document")
    parent = _walk(doc, parts[:-1], path)
    last = parts[-1]
    if isinstance(parent, dict) and last in parent:
        return parent.pop(last)
    if isinstance(parent, list):
        try:
            return parent.pop(int(last))
        except (ValueError, IndexError):
            pass
    raise Invalid(f'jsonpatch remove operation does not apply: doc is missing path: "{path}"')


def json_patch(target: Any, ops: Any) -> Any:
    """RFC 6902 JSON patch (add, remove, replace, move, copy, test)."""
    if not isinstance(ops, list):
        raise BadRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
    doc = json_copy(target)
    for op in ops:
        if not isinstance(op, dict) or "op" not in op:
            raise BadRequest("jsonpatch: each operation must be an object with an 'op' field")
        kind, path = op["op"], op.get("path", "")
        if kind in ("add", "replace"):
            if "value" not in op:
                raise BadRequest(f"jsonpatch {kind} operation has no value")
            doc = _set(doc, path, op["value"], kind)
        elif kind == "remove":
            _remove(doc, path)
        elif kind in ("move", "copy"):
            value = _walk(doc, _pointer(op.get("from", "")), op.get("from", ""))
            value = json_copy(value)
            if kind == "move":
                _remove(doc, op["from"])
            doc = _set(doc, path, value, "add")
        elif kind == "test":
            if _walk(doc, _pointer(path), path) != op.get("value"):
                raise Invalid(f'jsonpatch test operation does not apply: is not equal at "{path}"')
        else:
            raise BadRequest(f'jsonpatch: unexpected operation "{kind}"; valid: add, remove, replace, move, copy, test')
    return doc


def apply_patch(target: dict, patch: Any, patch_type: str = "strategic") -> dict:
    """Apply a patch of type ``strategic``, ``merge`` or ``json`` and return the new object."""
    if patch_type == "strategic":
        if not isinstance(patch, dict):
            raise BadRequest("strategic merge patch must be a JSON object")
        return strategic_merge_patch(target, patch)
    if patch_type == "merge":
        if not isinstance(patch, dict):
            raise BadRequest("merge patch must be a JSON object")
        return merge_patch(target, patch)
    if patch_type == "json":
        return json_patch(target, patch)
    raise ValueError(f"unknown patch type {patch_type!r}; valid: strategic, merge, json")
