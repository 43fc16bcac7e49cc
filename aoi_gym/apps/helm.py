"""Helm releases as the cluster stores them: a Secret ``sh.helm.release.v1.<release>.v<revision>``.

Real Helm stores base64(gzip(JSON)); here the payload is base64(JSON of {name, chart, version, values,
namespace, revision, status}) without gzip, so ``kubectl get secret -o yaml`` stays readable and a helm
emulation can read back the values, merge ``--set`` overrides and re-render with
:meth:`aoi_gym.apps.base.App.render_values`.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from aoi_gym.apps.base import App

__all__ = ["release_secret", "read_release", "parse_set", "merge_values", "RELEASE_TYPE"]

RELEASE_TYPE = "helm.sh/release.v1"


def release_secret(app: App, values: dict[str, Any], revision: int = 1, status: str = "deployed") -> dict[str, Any]:
    """The Secret recording revision ``revision`` of ``app``'s Helm release with ``values``."""
    payload = {
        "name": app.helm_release,
        "namespace": app.namespace,
        "chart": app.helm_chart,
        "version": app.helm_version,
        "revision": revision,
        "status": status,
        "values": values,
    }
    data = base64.b64encode(json.dumps(payload, sort_keys=True).encode()).decode()
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": f"sh.helm.release.v1.{app.helm_release}.v{revision}",
            "namespace": app.namespace,
            "labels": {"name": str(app.helm_release), "owner": "helm", "status": status, "version": str(revision)},
        },
        "type": RELEASE_TYPE,
        "data": {"release": data},
    }


def read_release(cluster: Any, namespace: str, release: str) -> dict[str, Any] | None:
    """The latest revision of ``release`` in ``namespace`` as a dict (see module doc), or None."""
    best: tuple[int, dict[str, Any]] | None = None
    for s in cluster.list("Secret", namespace, label_selector=f"owner=helm,name={release}"):
        if s.get("type") != RELEASE_TYPE:
            continue
        try:
            payload = json.loads(base64.b64decode(s["data"]["release"]))
        except (KeyError, ValueError):
            continue
        rev = int(payload.get("revision", 0))
        if best is None or rev > best[0]:
            best = (rev, payload)
    return None if best is None else best[1]


def _coerce(v: str) -> Any:
    if v in ("true", "false"):
        return v == "true"
    try:
        return int(v)
    except ValueError:
        return v


def parse_set(assignments: list[str]) -> dict[str, Any]:
    """``["a.b=c", "x=1"]`` (helm ``--set``) -> ``{"a": {"b": "c"}, "x": 1}``; raises ValueError on bad input."""
    out: dict[str, Any] = {}
    for item in assignments:
        for part in item.split(","):
            if "=" not in part:
                raise ValueError(f"failed parsing --set data: key \"{part}\" has no value")
            key, value = part.split("=", 1)
            cur = out
            keys = key.split(".")
            for k in keys[:-1]:
                cur = cur.setdefault(k, {})
                if not isinstance(cur, dict):
                    raise ValueError(f"failed parsing --set data: {key}")
            cur[keys[-1]] = _coerce(value)
    return out


def merge_values(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Deep merge of Helm values (override wins)."""
    out = dict(base)
    for k, v in override.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = merge_values(out[k], v)
        else:
            out[k] = v
    return out
