"""The strict mitigation oracle, shared by every family.

Mitigation succeeds only when all four hold:

1. **condition gone**: the family's own check (``Fault.condition_problems``) finds nothing, e.g. the
   Service targets the right port again, the flag is off, the MongoDB user has its role back;
2. **pods healthy**: AIOpsLab's check (every pod Running, containers ready, none crash-looping);
3. **serving**: the application serves its workload with error rate and latency back under the healthy
   baseline of the request model (:func:`serving_problems`);
4. **nothing collateral**: compared with records taken just before and just after injection, no workload
   was deleted or scaled below its healthy replica count, no Service deleted, no bound PVC or PV lost
   (deleted or replaced), no namespace deleted (:func:`collateral_problems`).

The env lets the cluster settle for :data:`MITIGATION_SETTLE_S` simulated seconds before grading.
:func:`healthy_digest` is the digest of the desired state that ``recover`` must restore.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from aoi_gym.faults.ops import RESTART_ANNOTATION, pod_problems
from aoi_gym.cluster.readview import read_view

__all__ = [
    "MITIGATION_SETTLE_S",
    "SERVING_WINDOW_S",
    "ClusterRecord",
    "take_record",
    "collateral_problems",
    "serving_problems",
    "request_stats",
    "baseline_stats",
    "compare_stats",
    "healthy_digest",
    "pod_problems",
]

#: Simulated seconds the env advances before grading a mitigation: long enough for a rollout (new pods
#: start in a few seconds, MongoDB-backed services reconnect) and for the request model's window below
#: to contain only post-fix traffic.
MITIGATION_SETTLE_S = 60.0
#: The window (seconds) of request statistics the serving check compares with the healthy baseline.
SERVING_WINDOW_S = 30.0
#: Tolerances over the healthy baseline: error rate may exceed it by this absolute amount, latency by
#: this factor (noise in the request model stays well inside both).
ERROR_RATE_SLACK = 0.02
LATENCY_FACTOR = 1.5
LATENCY_SLACK_MS = 5.0

_WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet")


@dataclass
class ClusterRecord:
    """What the collateral check compares against (taken at inject time, before and after the fault)."""

    workloads: dict[str, int] = field(default_factory=dict)  # "Kind/ns/name" -> spec.replicas
    services: set[str] = field(default_factory=set)  # "ns/name"
    pvcs: dict[str, tuple[str, bool]] = field(default_factory=dict)  # "ns/name" -> (uid, bound)
    pvs: dict[str, tuple[str, bool]] = field(default_factory=dict)  # name -> (uid, bound)
    namespaces: dict[str, str] = field(default_factory=dict)  # name -> uid
    baseline: dict[str, dict[str, float]] | None = None


def _key(obj: dict) -> str:
    meta = obj["metadata"]
    return f"{meta.get('namespace', '')}/{meta['name']}"


def take_record(cluster: Any, namespace: str | None = None, with_baseline: bool = False) -> ClusterRecord:
    """Record workloads, Services, volumes and namespaces of the whole cluster (and, optionally, the
    request-model baseline of ``namespace``)."""
    rec = ClusterRecord()
    view = read_view(cluster)  # only reads: no copy of every object (most of the cost on the simulator)
    for kind in _WORKLOAD_KINDS:
        for obj in view.list(kind):
            replicas = obj["spec"].get("replicas", 1) if kind != "DaemonSet" else 1
            rec.workloads[f"{kind}/{_key(obj)}"] = int(replicas if replicas is not None else 1)
    rec.services = {_key(s) for s in view.list("Service")}
    for pvc in view.list("PersistentVolumeClaim"):
        bound = (pvc.get("status") or {}).get("phase") == "Bound"
        rec.pvcs[_key(pvc)] = (pvc["metadata"].get("uid", ""), bound)
    for pv in view.list("PersistentVolume"):
        bound = (pv.get("status") or {}).get("phase") == "Bound"
        rec.pvs[pv["metadata"]["name"]] = (pv["metadata"].get("uid", ""), bound)
    rec.namespaces = {n["metadata"]["name"]: n["metadata"].get("uid", "") for n in view.list("Namespace")}
    if with_baseline and namespace:
        rec.baseline = baseline_stats(cluster, namespace)
    return rec


def collateral_problems(cluster: Any, healthy: ClusterRecord, injected: ClusterRecord) -> list[str]:
    """What the agent broke besides the fault: one line per workload deleted or scaled down, Service
    deleted, bound volume lost or namespace deleted (empty when nothing)."""
    now = take_record(cluster)
    out = []
    for key, replicas in sorted(healthy.workloads.items()):
        if key not in now.workloads:
            out.append(f"{key} was deleted")
        elif now.workloads[key] < replicas:
            out.append(f"{key} was scaled from {replicas} to {now.workloads[key]} replicas")
    for key in sorted(healthy.services - now.services):
        out.append(f"Service/{key} was deleted")
    for key, (uid, bound) in sorted(injected.pvcs.items()):
        if bound and now.pvcs.get(key, ("", False))[0] != uid:
            out.append(f"PersistentVolumeClaim/{key} (bound, with data) was deleted or replaced")
    for key, (uid, bound) in sorted(injected.pvs.items()):
        if bound and now.pvs.get(key, ("", False))[0] != uid:
            out.append(f"PersistentVolume/{key} (bound, with data) was deleted or replaced")
    for name, uid in sorted(injected.namespaces.items()):
        if now.namespaces.get(name) != uid:
            out.append(f"Namespace/{name} was deleted")
    return out


# ---------------------------------------------------------------------- request model
Stats = dict[str, dict[str, float]]  # service -> {"rps", "error_rate", "p50_ms", "p95_ms"}


def _as_dict(x: Any) -> dict[str, float]:
    if isinstance(x, dict):
        items = x.items()
    else:
        items = ((k, getattr(x, k)) for k in ("rps", "error_rate", "p50_ms", "p95_ms") if hasattr(x, k))
    return {k: float(v) for k, v in items if isinstance(v, (int, float)) and not isinstance(v, bool)}


def request_stats(cluster: Any, namespace: str, window_s: float = SERVING_WINDOW_S) -> Stats:
    """Per-service request rate, error rate and latency over the last ``window_s`` seconds.

    Uses the simulated application model's ``request_stats`` when the cluster has one, otherwise derives
    the same numbers from ``cluster.traces`` (real clusters). Empty when nothing was observed.
    """
    fn = getattr(getattr(cluster, "app", None), "request_stats", None)
    if callable(fn):
        return {name: _as_dict(st) for name, st in (fn(cluster, namespace, window_s) or {}).items()}
    by_service: dict[str, list[Any]] = {}
    for span in cluster.traces(namespace, window_s):
        by_service.setdefault(span.service, []).append(span)
    out: Stats = {}
    for name, spans in by_service.items():
        durations = sorted(sp.duration_us / 1000.0 for sp in spans)
        out[name] = {
            "rps": len(spans) / max(window_s, 1e-9),
            "error_rate": sum(1 for sp in spans if sp.error) / len(spans),
            "p50_ms": durations[len(durations) // 2],
            "p95_ms": durations[min(len(durations) - 1, int(0.95 * len(durations)))],
        }
    return out


def baseline_stats(cluster: Any, namespace: str) -> Stats:
    """The healthy baseline: the app model's ``healthy_baseline`` if it has one, else current stats."""
    fn = getattr(getattr(cluster, "app", None), "healthy_baseline", None)
    if callable(fn):
        return {name: _as_dict(st) for name, st in (fn(cluster, namespace) or {}).items()}
    return request_stats(cluster, namespace)


def serving_problems(cluster: Any, namespace: str, baseline: Stats | None) -> list[str]:
    """Empty when every service serves its traffic with error rate and latency within the baseline."""
    stats = request_stats(cluster, namespace)
    if not stats or not any(st.get("rps", 0.0) > 0 for st in stats.values()):
        return ["the application served no requests in the last window"]
    return compare_stats(stats, baseline or {})


def compare_stats(stats: Stats, baseline: Stats) -> list[str]:
    """Services whose traffic, error rate or latency in ``stats`` is off the ``baseline``."""
    out = []
    for name, base in sorted(baseline.items()):
        now = stats.get(name) or {}
        base_rps, rps = base.get("rps", 0.0), now.get("rps", 0.0)
        if base_rps > 0 and rps < 0.5 * base_rps:
            out.append(f"{name} serves {rps:.1f} req/s, healthy {base_rps:.1f}")
            continue
        err, base_err = now.get("error_rate", 0.0), base.get("error_rate", 0.0)
        if err > base_err + ERROR_RATE_SLACK:
            out.append(f"{name} error rate {err:.1%} is above the healthy {base_err:.1%}")
        for key in ("p95_ms", "p50_ms"):
            if key in now and key in base and now[key] > base[key] * LATENCY_FACTOR + LATENCY_SLACK_MS:
                out.append(f"{name} {key[:3]} latency {now[key]:.0f} ms is above the healthy {base[key]:.0f} ms")
    return out


# ---------------------------------------------------------------------- healthy digest
_DIGEST_KINDS = (
    "Namespace", "Node", "Deployment", "StatefulSet", "DaemonSet", "Service", "ConfigMap", "Secret",
    "PersistentVolume", "PersistentVolumeClaim", "NetworkPolicy", "HorizontalPodAutoscaler", "Job",
    "PodChaos", "NetworkChaos", "StorageClass",
)
_VOLATILE_META = ("uid", "resourceVersion", "creationTimestamp", "generation", "managedFields",
                  "deletionTimestamp", "deletionGracePeriodSeconds", "ownerReferences", "finalizers")
_VOLATILE_ANNOTATIONS = (RESTART_ANNOTATION, "deployment.kubernetes.io/revision",
                         "kubectl.kubernetes.io/last-applied-configuration")


def _desired(obj: dict) -> dict:
    body = {k: v for k, v in obj.items() if k not in ("status", "metadata")}
    meta = {k: v for k, v in obj["metadata"].items() if k not in _VOLATILE_META}
    ann = {k: v for k, v in (meta.get("annotations") or {}).items() if k not in _VOLATILE_ANNOTATIONS}
    meta["annotations"] = ann
    if obj["kind"] in ("Deployment", "StatefulSet", "DaemonSet"):
        tmeta = dict(body.get("spec", {}).get("template", {}).get("metadata") or {})
        tmeta["annotations"] = {k: v for k, v in (tmeta.get("annotations") or {}).items()
                                if k not in _VOLATILE_ANNOTATIONS}
        body = json.loads(json.dumps(body))
        body["spec"]["template"]["metadata"] = tmeta
    elif obj["kind"] == "Service":
        body = json.loads(json.dumps(body))
        for k in ("clusterIP", "clusterIPs"):
            body.get("spec", {}).pop(k, None)
    elif obj["kind"] == "PersistentVolume":
        body = json.loads(json.dumps(body))
        body.get("spec", {}).pop("claimRef", None)
    elif obj["kind"] == "PersistentVolumeClaim":
        body = json.loads(json.dumps(body))
        body.get("spec", {}).pop("volumeName", None)
    return {"metadata": meta, **body}


def healthy_digest(cluster: Any, app_state: bool = True) -> str:
    """Hash of the desired state that matters to an application's health, independent of identities
    and history: specs of workloads, Services, config, volumes, policies and nodes (minus uids, restart
    stamps, cluster IPs, volume bindings), Helm release records excluded, plus the application model's
    state (database users, ...) when it exposes one. ``recover`` must bring it back."""
    h = hashlib.blake2b(digest_size=16)
    view = read_view(cluster)  # _desired builds new dicts; the listed objects are only read
    for kind in _DIGEST_KINDS:
        try:
            objs = view.list(kind)
        except Exception:
            continue
        for obj in objs:
            if kind == "Secret" and str(obj.get("type", "")).startswith("helm.sh/"):
                continue
            data = json.dumps(_desired(obj), sort_keys=True, separators=(",", ":"), default=str)
            h.update(f"{kind}|{_key(obj)}|{data};".encode())
    if app_state:
        fn = getattr(getattr(cluster, "app", None), "digest_state", None)
        if callable(fn):
            h.update(str(fn()).encode())
    return h.hexdigest()
