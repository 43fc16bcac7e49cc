"""kubectl's generic describer, used for kinds without a dedicated one (custom resources, RBAC...)."""

from __future__ import annotations

from typing import Any

from aoi_gym.shell.kubectl.describe.writer import Writer, describe_events, events_for, print_annotations, print_labels

__all__ = ["describe_generic"]


def _title(key: str) -> str:
    out = ""
    for i, ch in enumerate(key):
        if i and ch.isupper() and not key[i - 1].isupper():
            out += " "
        out += ch
    return out[:1].upper() + out[1:]


def _fields(w: Writer, value: Any, level: int) -> None:
    if isinstance(value, dict):
        for k in sorted(value):
            v = value[k]
            if isinstance(v, (dict, list)):
                w.write(level, f"{_title(k)}:\n")
                _fields(w, v, level + 1)
            else:
                w.write(level, f"{_title(k)}:\t{'' if v is None else v}\n")
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, (dict, list)):
                _fields(w, item, level)
            else:
                w.write(level, f"{item}\n")


def describe_generic(cluster: Any, obj: dict[str, Any], now: float) -> str:
    meta = obj.get("metadata") or {}
    w = Writer()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    if meta.get("namespace"):
        w.write(0, f"Namespace:\t{meta['namespace']}\n")
    print_labels(w, "Labels", meta.get("labels"))
    print_annotations(w, "Annotations", meta.get("annotations"))
    w.write(0, f"API Version:\t{obj.get('apiVersion', '')}\n")
    w.write(0, f"Kind:\t{obj.get('kind', '')}\n")
    rest = {k: v for k, v in obj.items() if k not in ("apiVersion", "kind", "metadata")}
    md = {k: v for k, v in meta.items() if k not in ("name", "namespace", "labels", "annotations", "managedFields")}
    if md:
        w.write(0, "Metadata:\n")
        _fields(w, md, 1)
    _fields(w, rest, 0)
    describe_events(w, events_for(cluster, obj), now)
    return w.text()
