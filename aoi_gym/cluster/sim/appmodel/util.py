"""Small helpers of the application model: stable hashing, per-query random streams, quantities, IPs."""

from __future__ import annotations

import functools
import hashlib
import re
from typing import Any

import numpy as np

from aoi_gym.cluster.sim.cluster import EPOCH as EPOCH_OFFSET

__all__ = ["EPOCH_OFFSET", "stable_hash", "read_rng", "parse_memory_mib", "parse_cpu_cores", "cluster_ip", "pod_ip", "hex_id",
           "parse_duration_s", "main_container_status", "pod_ready", "pod_serving_phase", "label_of"]


def stable_hash(*parts: Any) -> int:
    """A 64-bit integer hash of ``parts`` that is the same in every process (unlike ``hash``)."""
    h = hashlib.blake2b("\x1f".join(str(p) for p in parts).encode(), digest_size=8)
    return int.from_bytes(h.digest(), "little")


def read_rng(*parts: Any) -> np.random.Generator:
    """A random stream for a read-only query, derived from ``parts`` (seed, namespace, window...).

    Telemetry reads use these instead of ``cluster.rng`` so that they neither consume nor depend on it.
    """
    return np.random.default_rng(stable_hash(*parts))


def hex_id(n_hex: int, *parts: Any) -> str:
    """A deterministic lowercase hex id of ``n_hex`` digits (trace and span ids)."""
    return hashlib.blake2b("\x1f".join(str(p) for p in parts).encode(), digest_size=(n_hex + 1) // 2).hexdigest()[:n_hex]


_MEM = {"": 1 / 2**20, "k": 1e3 / 2**20, "M": 1e6 / 2**20, "G": 1e9 / 2**20, "T": 1e12 / 2**20,
        "Ki": 1 / 1024, "Mi": 1.0, "Gi": 1024.0, "Ti": 1024.0**2, "m": 1e-3 / 2**20}


def parse_memory_mib(q: Any) -> float | None:
    """Kubernetes memory quantity (``256Mi``, ``1G``, ``134217728``) -> MiB; None if absent or malformed."""
    if q is None:
        return None
    try:
        return _parse_memory_mib_cached(q)
    except TypeError:  # unhashable (malformed) input: parse it uncached
        return _parse_memory_mib(q)


@functools.lru_cache(maxsize=4096)  # a pure function; container starts ask it for the same few limits
def _parse_memory_mib_cached(q: Any) -> float | None:
    return _parse_memory_mib(q)


def _parse_memory_mib(q: Any) -> float | None:
    m = re.fullmatch(r"\s*([0-9.]+)\s*([a-zA-Z]*)\s*", str(q))
    if not m or m.group(2) not in _MEM:
        return None
    try:
        return float(m.group(1)) * _MEM[m.group(2)]
    except ValueError:
        return None


def parse_cpu_cores(q: Any) -> float | None:
    """CPU quantity (``100m``, ``0.5``, ``2``) -> cores; None if absent or malformed."""
    if q is None:
        return None
    s = str(q).strip()
    try:
        return float(s[:-1]) / 1000 if s.endswith("m") else float(s)
    except ValueError:
        return None


def parse_duration_s(d: Any) -> float | None:
    """Go duration (``200s``, ``1m30s``, ``10ms``, ``1h``) -> seconds; None if absent or malformed."""
    if d is None or d == "":
        return None
    parts = re.findall(r"([0-9.]+)(ms|us|µs|ns|s|m|h)", str(d))
    if not parts or "".join(a + b for a, b in parts) != str(d).strip():
        return None
    mult = {"h": 3600, "m": 60, "s": 1, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}
    return sum(float(a) * mult[b] for a, b in parts)


def cluster_ip(svc: dict[str, Any]) -> str:
    """The Service's ClusterIP (as allocated, or a stable one derived from its name if none is set)."""
    ip = (svc.get("spec") or {}).get("clusterIP")
    if ip and ip != "None":
        return ip
    h = stable_hash("svc", svc["metadata"].get("namespace"), svc["metadata"]["name"])
    return f"10.96.{(h >> 8) % 254 + 1}.{h % 254 + 1}"


def pod_ip(pod: dict[str, Any]) -> str:
    """The pod's IP (as assigned by the kubelet, or a stable one derived from its name)."""
    ip = (pod.get("status") or {}).get("podIP")
    if ip:
        return ip
    h = stable_hash("pod", pod["metadata"].get("namespace"), pod["metadata"]["name"])
    return f"10.244.{(h >> 8) % 3 + 1}.{h % 250 + 2}"


def main_container_status(pod: dict[str, Any], container: str) -> dict[str, Any] | None:
    for cs in (pod.get("status") or {}).get("containerStatuses") or []:
        if cs.get("name") == container:
            return cs
    return None


def pod_serving_phase(pod: dict[str, Any]) -> bool:
    """Running and not being deleted (pods without any status count as running: hand-made test pods)."""
    if pod["metadata"].get("deletionTimestamp"):
        return False
    st = pod.get("status")
    if not st:
        return True
    return st.get("phase") == "Running"


def pod_ready(pod: dict[str, Any]) -> bool:
    """The pod's Ready condition (status-less pods count as ready)."""
    if not pod_serving_phase(pod):
        return False
    st = pod.get("status") or {}
    conds = st.get("conditions")
    if conds is None:
        return all(cs.get("ready", True) for cs in st.get("containerStatuses") or [])
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conds)


def label_of(pod: dict[str, Any], key: str) -> str | None:
    return (pod["metadata"].get("labels") or {}).get(key)
