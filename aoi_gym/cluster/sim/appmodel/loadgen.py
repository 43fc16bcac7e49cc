"""In-cluster load generators: pods running ``ghz`` (gRPC) or ``wrk2`` (HTTP) against a Service.

A running, ready-to-send pod of such an image adds its request rate to the operation it targets, on
top of the application's own workload:

* ``ghz --insecure --rps 900 --call geo.Geo/Nearby geo:8083`` -> 900 req/s to geo's ``/geo.Geo/Nearby``;
* ``wrk -R 300 http://frontend:5000/hotels`` (``wrk2``'s ``-R``/``--rate``) -> 300 req/s to frontend's
  ``/hotels``.

Without a rate flag the tool's own default applies (ghz: 50 req/s per worker; wrk2 requires ``-R``,
so no load). Targets resolve like DNS does inside the pod (``geo``, ``geo.<ns>``, ``geo.<ns>.svc``).
"""

from __future__ import annotations

import re
from typing import Any

from aoi_gym.apps.base import App
from aoi_gym.cluster.sim.appmodel.plans import resolve_host
from aoi_gym.cluster.sim.appmodel.util import pod_serving_phase

__all__ = ["load_of", "LOAD_IMAGES"]

#: image name fragments of the load tools the model understands
LOAD_IMAGES = ("ghz", "wrk2", "wrk")


def _argv(container: dict[str, Any]) -> list[str]:
    return [str(a) for a in (container.get("command") or []) + (container.get("args") or [])]


def _flag(argv: list[str], *names: str) -> str | None:
    for i, a in enumerate(argv):
        for n in names:
            if a == n and i + 1 < len(argv):
                return argv[i + 1]
            if a.startswith(n + "="):
                return a.split("=", 1)[1]
    return None


def _rate(value: str | None, default: float) -> float:
    try:
        return max(0.0, float(str(value).lower().rstrip("k")) * (1000.0 if str(value).lower().endswith("k") else 1.0))
    except (TypeError, ValueError):
        return default


def _target_op(app: App, service: str, wanted: str) -> tuple[str, str] | None:
    """The operation of ``service`` a load tool names (``geo.Geo/Nearby`` or an HTTP path)."""
    ops = [name for (s, name) in app.operations if s == service]
    if not ops:
        return None
    method = wanted.rsplit("/", 1)[-1] if "/" in wanted else wanted
    for name in ops:
        if wanted and (name == wanted or name.endswith("/" + method) or name.lstrip("/") == wanted.lstrip("/")):
            return (service, name)
    return (service, ops[0]) if not wanted or wanted == "/" else None


def load_of(cluster: Any, app: App, ns: str, pod: dict[str, Any]) -> dict[tuple[str, str], float]:
    """(service, operation) -> req/s this pod sends (empty if it is no running load generator)."""
    if not pod_serving_phase(pod) or not (pod.get("status") or {}).get("containerStatuses"):
        return {}
    out: dict[tuple[str, str], float] = {}
    for c in (pod.get("spec") or {}).get("containers") or []:
        image = str(c.get("image") or "").rsplit("/", 1)[-1].split(":", 1)[0]
        tool = next((t for t in LOAD_IMAGES if t in image), None)
        if tool is None:
            continue
        argv = _argv(c)
        positional = [a for a in argv[1:] if not a.startswith("-")]
        if tool == "ghz":
            rps = _rate(_flag(argv, "--rps", "-r"), 50.0 * _rate(_flag(argv, "-c", "--concurrency"), 1.0))
            call = _flag(argv, "--call") or ""
            m = re.match(r"^([^:/]+)(?::\d+)?$", positional[-1]) if positional else None
            host, wanted = (m.group(1) if m else None), call
        else:
            rps = _rate(_flag(argv, "-R", "--rate"), 0.0)
            url = next((a for a in positional if "://" in a), "")
            m = re.match(r"^https?://([^/:]+)(?::\d+)?(/[^?#]*)?", url)
            host, wanted = (m.group(1) if m else None), ((m.group(2) or "/") if m else "/")
        if not host or rps <= 0:
            continue
        target = resolve_host(cluster, ns, host)
        if target is None or target[0] != ns or target[1] not in app.services:
            continue
        op = _target_op(app, target[1], wanted)
        if op is not None:
            out[op] = out.get(op, 0.0) + rps
    return out
