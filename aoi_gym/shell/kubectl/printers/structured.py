"""``-o yaml``, ``-o json`` and ``-o name`` as kubectl prints them (keys sorted, Go-style quoting)."""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from aoi_gym.shell.kubectl.resources import group_kind, resolve_type

__all__ = ["to_yaml", "to_json", "as_list", "name_of", "strip_for_output"]


class _GoYamlDumper(yaml.SafeDumper):
    """PyYAML emitter configured to quote the way go-yaml v2 (sigs.k8s.io/yaml) does."""


_GO_BOOL = re.compile(r"^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$")
_NUMERIC_START = set("+-.0123456789")


def _needs_double_quotes(s: str) -> bool:
    if s == "" or _GO_BOOL.match(s) or s in ("~", "null", "Null", "NULL"):
        return True
    resolved = _GoYamlDumper.resolve(_GoYamlDumper, yaml.ScalarNode, s, (True, False))  # type: ignore[arg-type]
    if resolved != "tag:yaml.org,2002:str":
        return True
    if s[0] in _NUMERIC_START:
        try:
            float(s.replace("_", ""))
            return True
        except ValueError:
            pass
    return False


def _repr_str(dumper: yaml.SafeDumper, s: str) -> yaml.ScalarNode:
    if "\n" in s:
        return dumper.represent_scalar("tag:yaml.org,2002:str", s, style="|")
    if _needs_double_quotes(s):
        return dumper.represent_scalar("tag:yaml.org,2002:str", s, style='"')
    return dumper.represent_scalar("tag:yaml.org,2002:str", s)


def _repr_float(dumper: yaml.SafeDumper, f: float) -> yaml.ScalarNode:
    if f.is_integer() and abs(f) < 1e15:
        return dumper.represent_int(int(f))
    return dumper.represent_scalar("tag:yaml.org,2002:float", repr(f))


_GoYamlDumper.add_representer(str, _repr_str)
_GoYamlDumper.add_representer(float, _repr_float)


def to_yaml(obj: Any) -> str:
    return yaml.dump(obj, Dumper=_GoYamlDumper, default_flow_style=False, sort_keys=True, allow_unicode=True, width=80)


def _int_floats(o: Any) -> Any:
    if isinstance(o, float) and o.is_integer() and abs(o) < 1e15:
        return int(o)
    if isinstance(o, dict):
        return {k: _int_floats(v) for k, v in o.items()}
    if isinstance(o, list):
        return [_int_floats(v) for v in o]
    return o


def to_json(obj: Any, indent: int | None = 4) -> str:
    """Go ``json.MarshalIndent`` style: sorted keys, 4 spaces, ``<>&`` escaped as ``\\u003c`` etc."""
    text = json.dumps(_int_floats(obj), indent=indent, sort_keys=True, ensure_ascii=False,
                      separators=(",", ": ") if indent else (",", ":"))
    if "<" in text or ">" in text or "&" in text or "\u2028" in text or "\u2029" in text:
        text = (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
                .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
    return text


def strip_for_output(obj: dict[str, Any]) -> dict[str, Any]:
    """Drop managedFields (kubectl hides them unless --show-managed-fields)."""
    meta = obj.get("metadata")
    if isinstance(meta, dict) and "managedFields" in meta:
        obj = dict(obj)
        obj["metadata"] = {k: v for k, v in meta.items() if k != "managedFields"}
    return obj


def as_list(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}


def name_of(obj: dict[str, Any]) -> str:
    """``deployment.apps/x`` for an object."""
    kind = obj.get("kind", "")
    try:
        info = resolve_type(kind)
        gk = group_kind(info)
    except Exception:
        gk = kind.lower()
    return f"{gk}/{(obj.get('metadata') or {}).get('name', '')}"
