"""Service defaults as the API server writes them: ClusterIP and NodePort allocation, port protocol and
targetPort, session affinity, IP families (used by admission on every Service write, and by the endpoints
controller for a Service stored without admission)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from aoi_gym.cluster.sim.controllers.common import stable_hash

if TYPE_CHECKING:
    from aoi_gym.cluster.sim.cluster import SimCluster

__all__ = ["defaulted_service", "default_service"]

_RESERVED_IPS = {"10.96.0.0", "10.96.0.1", "10.96.0.10", "10.96.255.255"}


def _ip_of(s: dict[str, Any]) -> str | None:
    return (s.get("spec") or {}).get("clusterIP") or None


def _build_ip_counts(store: Any) -> tuple[dict, dict]:
    by_key: dict[tuple[str, str], str] = {}
    counts: dict[str, int] = {}
    for key, s in store.bucket("Service").items():
        ip = _ip_of(s)
        if ip:
            by_key[key] = ip
            counts[ip] = counts.get(ip, 0) + 1
    return by_key, counts


def _update_ip_counts(value: tuple, changes: list) -> tuple | None:
    by_key, counts = value
    for key, s in changes:
        if s is None:
            return None
        old, ip = by_key.get(key), _ip_of(s)
        if old == ip:
            continue
        if old:
            counts[old] -= 1
            if not counts[old]:
                del counts[old]
            del by_key[key]
        if ip:
            by_key[key] = ip
            counts[ip] = counts.get(ip, 0) + 1
    return value


def _used_cluster_ips(cluster: "SimCluster") -> dict[str, int]:
    """clusterIP -> how many stored Services have it (kept by the store: updated with the Services put
    since it was built, so that allocating an IP per new Service is not a scan of every Service)."""
    store = cluster.store
    if getattr(store, "incremental", None) is None or getattr(store, "bucket", None) is None:
        counts: dict[str, int] = {}
        for s in cluster.iter_objects("Service"):
            ip = _ip_of(s)
            if ip:
                counts[ip] = counts.get(ip, 0) + 1
        return counts
    # (module-level build and update: no closures made per Service admitted)
    return store.incremental("endpoints:cluster-ip-counts", "Service", partial(_build_ip_counts, store), _update_ip_counts)[1]


def _alloc_cluster_ip(cluster: "SimCluster", ns: str, name: str) -> str:
    used = _used_cluster_ips(cluster)
    h = int(stable_hash("clusterip", ns, name, n=8), 16)
    for i in range(65536):
        n = (h + i) % 65534 + 1
        ip = f"10.96.{n >> 8}.{n & 0xFF}"
        if ip not in _RESERVED_IPS and ip not in used:
            return ip
    raise RuntimeError("service CIDR 10.96.0.0/16 is exhausted")


def _alloc_node_port(cluster: "SimCluster", ns: str, name: str, port: Any) -> int:
    used = {
        p.get("nodePort")
        for s in cluster.iter_objects("Service")
        for p in (s.get("spec") or {}).get("ports") or ()
        if p.get("nodePort")
    }
    h = int(stable_hash("nodeport", ns, name, port, n=8), 16)
    for i in range(2768):
        candidate = 30000 + (h + i) % 2768
        if candidate not in used:
            return candidate
    raise RuntimeError("node port range 30000-32767 is exhausted")


# id -> a stored Service found to have every default (a pure function's memo: stored objects never
# change, and the entry holds the object, so its id is not reused while the entry lives)
_DEFAULTED: dict[int, dict[str, Any]] = {}


def default_service(cluster: "SimCluster", svc: dict[str, Any]) -> dict[str, Any]:
    """Write the fields the API server defaults on a Service (for one stored without admission, e.g.
    straight into the store by a test); returns the stored object."""
    if _DEFAULTED.get(id(svc)) is svc:
        return svc
    new = defaulted_service(cluster, svc)
    if new is not svc:
        cluster.update_status(new)
    else:
        if len(_DEFAULTED) > 16384:
            _DEFAULTED.clear()
        _DEFAULTED[id(svc)] = svc
    return new


def defaulted_service(cluster: "SimCluster", svc: dict[str, Any]) -> dict[str, Any]:
    """``svc`` with the API server's defaults and allocations (clusterIP, nodePorts): ``svc`` itself
    when it has them, else a new object sharing what did not change (``svc`` may be a stored object).
    Admission calls this on every Service write, as the API server does."""
    spec = svc.get("spec") or {}
    stype = spec.get("type", "ClusterIP")
    needs_ip = stype != "ExternalName" and not spec.get("clusterIP")
    needs_np = stype in ("NodePort", "LoadBalancer") and any(not p.get("nodePort") for p in spec.get("ports") or ())
    needs_defaults = "sessionAffinity" not in spec
    if not needs_defaults:  # (a loop, not any() over a generator: every stored Service is checked once)
        for p in spec.get("ports") or ():
            if isinstance(p, dict) and ("protocol" not in p or "targetPort" not in p):
                needs_defaults = True
                break
    if not (needs_ip or needs_np or needs_defaults):
        return svc
    # copy on write (stored objects are immutable): fresh metadata, spec and port dicts, the rest shared
    new = {**svc, "metadata": dict(svc["metadata"])}
    if isinstance(new.get("spec"), dict):
        new["spec"] = dict(new["spec"])
    s = new.setdefault("spec", {})
    if isinstance(s.get("ports"), list):
        s["ports"] = [dict(p) if isinstance(p, dict) else p for p in s["ports"]]
    meta = new["metadata"]
    s.setdefault("type", "ClusterIP")
    s.setdefault("sessionAffinity", "None")
    if stype != "ExternalName":
        s.setdefault("internalTrafficPolicy", "Cluster")
        s.setdefault("ipFamilies", ["IPv4"])
        s.setdefault("ipFamilyPolicy", "SingleStack")
    if needs_ip:
        s["clusterIP"] = _alloc_cluster_ip(cluster, meta["namespace"], meta["name"])
    if stype != "ExternalName" and s.get("clusterIP"):
        s.setdefault("clusterIPs", [s["clusterIP"]])
    for p in s.get("ports") or ():
        if not isinstance(p, dict):
            continue
        p.setdefault("protocol", "TCP")
        p.setdefault("targetPort", p.get("port"))
        if stype in ("NodePort", "LoadBalancer") and not p.get("nodePort"):
            p["nodePort"] = _alloc_node_port(cluster, meta["namespace"], meta["name"], p.get("port"))
    if stype in ("NodePort", "LoadBalancer"):
        s.setdefault("externalTrafficPolicy", "Cluster")
    new.setdefault("status", {"loadBalancer": {}})
    return new
