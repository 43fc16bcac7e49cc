"""Workloads scaled to zero replicas: AIOpsLab's ``scale_pod_zero_social_net`` and a cache taken down.

``scale_pod_zero_social_net``: ``kubectl scale deployment user-service --replicas=0``; every caller of
user-service fails. ``cache_down``: a memcached/redis Deployment scaled to zero; the service in front of
it falls back to its database on every request (latency up, not errors).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from aoi_gym.faults import ops
from aoi_gym.faults.base import Fault, register

__all__ = ["ScaleToZero", "ScalePodZeroSocialNet", "CacheDown"]


class ScaleToZero(Fault):
    """Scale ``params['target']`` (a Deployment in the app namespace) to zero replicas."""

    settle_s = 30.0
    oracle = "the Deployment runs at least one available replica again"

    def _inject(self, cluster: Any, rng: np.random.Generator) -> None:
        self.saved["replicas"] = ops.set_replicas(cluster, self.namespace, self.params["target"], 0)

    def _recover(self, cluster: Any) -> None:
        ops.set_replicas(cluster, self.namespace, self.params["target"], self.saved.get("replicas", 1))

    def condition_problems(self, cluster: Any) -> list[str]:
        target = self.params["target"]
        dep = ops.find(cluster, "Deployment", target, self.namespace)
        if dep is None:
            return self.missing_target()
        if (dep["spec"].get("replicas", 1) or 0) < 1:
            return [f"deployment {target} has 0 replicas"]
        if ((dep.get("status") or {}).get("availableReplicas") or 0) < 1:
            return [f"deployment {target} has no available replica"]
        return []

    def remediation(self, cluster: Any) -> list[str]:
        return [
            f"kubectl scale deployment {self.params['target']} -n {self.namespace} "
            f"--replicas={self.saved.get('replicas', 1)}"
        ]


@register
class ScalePodZeroSocialNet(ScaleToZero):
    family = "scale_pod_zero_social_net"
    apps = ("social_network",)
    system_level, fault_type = "Virtualization", "Operation Error"
    param_choices = {"social_network": {"target": ("user-service",)}}


@register
class CacheDown(ScaleToZero):
    family = "cache_down"
    apps = ("hotel_reservation", "social_network")
    system_level, fault_type = "Application", "Dependency Problem"
    param_choices = {
        "hotel_reservation": {"target": ("memcached-profile", "memcached-rate", "memcached-reserve")},
        "social_network": {"target": ("post-storage-memcached", "user-memcached", "url-shorten-memcached")},
    }
    oracle = "the cache Deployment runs an available replica again and latency is back to the baseline"
