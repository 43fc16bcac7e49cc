"""Resource-limit faults: a limit set far below what the service needs.

* ``memory_limit_oom``: the container's memory limit drops below its working set; the kernel kills it
  (``OOMKilled``, exit 137) shortly after start and the pod crash-loops.
* ``cpu_limit_throttling``: the CPU limit (and request) drops to a few millicores; the CFS quota
  throttles the process, so the service and its callers get slow (no restarts, no errors at first).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from aoi_gym.cluster.patch import json_copy
from aoi_gym.faults.base import Fault, register

__all__ = ["MemoryLimitOOM", "CpuLimitThrottling", "parse_quantity"]

_HOTEL_APP = ("geo", "rate", "profile", "search", "recommendation", "reservation", "user")
_SOCIAL_APP = ("text-service", "user-service", "post-storage-service", "compose-post-service",
               "home-timeline-service", "social-graph-service", "url-shorten-service", "user-mention-service")
_SUFFIX = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "K": 1e3, "M": 1e6, "G": 1e9, "m": 1e-3, "": 1.0}


def parse_quantity(q: Any) -> float | None:
    """A Kubernetes quantity as a float (bytes for memory, cores for CPU); None if absent/invalid."""
    if q is None:
        return None
    s = str(q).strip()
    for suffix in sorted(_SUFFIX, key=len, reverse=True):
        if suffix and s.endswith(suffix):
            try:
                return float(s[: -len(suffix)]) * _SUFFIX[suffix]
            except ValueError:
                return None
    try:
        return float(s)
    except ValueError:
        return None


class _LimitFault(Fault):
    apps = ("hotel_reservation", "social_network")
    system_level, fault_type = "Virtualization", "Misconfiguration"
    settle_s = 60.0
    resource = "memory"
    param_choices: dict = {}

    def bad_resources(self, resources: dict) -> dict:
        """``resources`` with the limit (and a request of the same resource) set to ``params['limit']``."""
        resources.setdefault("limits", {})[self.resource] = self.params["limit"]
        if self.resource in (resources.get("requests") or {}):
            resources["requests"][self.resource] = self.params["limit"]  # a request above the limit is invalid
        return resources

    def _inject(self, cluster: Any, rng: np.random.Generator) -> None:
        def change(c: dict) -> None:
            self.saved["resources"] = json_copy(c.get("resources") or {})
            c["resources"] = self.bad_resources(json_copy(c.get("resources") or {}))

        self.change_target_container(cluster, change)

    def _recover(self, cluster: Any) -> None:
        def change(c: dict) -> None:
            c["resources"] = json_copy(self.saved.get("resources") or {})

        self.change_target_container(cluster, change)

    def minimum_ok(self) -> float:
        raise NotImplementedError

    def condition_problems(self, cluster: Any) -> list[str]:
        c = self.target_container(cluster)
        if c is None:
            return self.missing_target()
        limit = parse_quantity(((c.get("resources") or {}).get("limits") or {}).get(self.resource))
        if limit is not None and limit < self.minimum_ok():
            return [f"{self.params['target']} {self.resource} limit is still too low"]
        return []

    def remediation(self, cluster: Any) -> list[str]:
        container = self.target_container_name() or self.params["target"]
        res = self.saved.get("resources") or {}
        limits = ",".join(f"{k}={v}" for k, v in sorted((res.get("limits") or {}).items()))
        requests = ",".join(f"{k}={v}" for k, v in sorted((res.get("requests") or {}).items()))
        if self.resource not in (res.get("limits") or {}):
            limits = ",".join(x for x in (limits, f"{self.resource}={self.default_ok}") if x)
        cmd = f"kubectl set resources deployment {self.params['target']} -n {self.namespace} -c {container}"
        cmd += f" --limits={limits}"
        if requests:
            cmd += f" --requests={requests}"
        return [cmd]

    default_ok = ""


@register
class MemoryLimitOOM(_LimitFault):
    family = "memory_limit_oom"
    resource = "memory"
    default_ok = "512Mi"
    param_choices = {
        "hotel_reservation": {"target": _HOTEL_APP, "limit": ("4Mi", "6Mi", "8Mi")},
        "social_network": {"target": _SOCIAL_APP, "limit": ("2Mi", "3Mi", "4Mi")},
    }
    oracle = "the container's memory limit fits its working set and its pod runs without OOM kills"

    def minimum_ok(self) -> float:
        return 4 * (parse_quantity(self.params["limit"]) or 0.0)


@register
class CpuLimitThrottling(_LimitFault):
    family = "cpu_limit_throttling"
    resource = "cpu"
    settle_s = 45.0
    default_ok = "1"
    param_choices = {
        "hotel_reservation": {"target": _HOTEL_APP, "limit": ("1m", "2m", "3m")},
        "social_network": {"target": _SOCIAL_APP, "limit": ("1m", "2m", "3m")},
    }
    oracle = "the container's CPU limit is back to a sane value and latency is back to the baseline"

    def minimum_ok(self) -> float:
        return 0.05
