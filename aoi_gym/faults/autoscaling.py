"""``hpa_capped``: a HorizontalPodAutoscaler whose ``maxReplicas`` is too low for the load it meets.

A service is autoscaled on CPU, but its autoscaler was capped at one replica (a copy of a staging
manifest). Heavy gRPC traffic arrives (a ``ghz`` client sending ~1000 req/s at the service): the one
pod runs into its CPU limit, the CFS quota throttles it, and its latency climbs while the HPA reports
``ScalingLimited: TooManyReplicas`` ("the desired replica count is more than the maximum replica
count"). The traffic is the users'; the fix is to let the autoscaler scale out (raise ``maxReplicas``).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from aoi_gym.cluster.base import NotFound
from aoi_gym.faults import ops
from aoi_gym.faults.base import Fault, register

__all__ = ["HpaCapped", "LOAD_CLIENT", "GHZ_IMAGE"]

LOAD_CLIENT = "grpc-bench"
GHZ_IMAGE = "ghcr.io/bojand/ghz:v0.120.0"
#: the gRPC method each hotel service serves to the load client
_CALLS = {
    "geo": ("geo.Geo/Nearby", 8083),
    "rate": ("rate.Rate/GetRates", 8084),
    "profile": ("profile.Profile/GetProfiles", 8081),
    "user": ("user.User/CheckUser", 8086),
    "recommendation": ("recommendation.Recommendation/GetRecommendations", 8085),
}


@register
class HpaCapped(Fault):
    family = "hpa_capped"
    apps = ("hotel_reservation",)
    system_level, fault_type = "Virtualization", "Misconfiguration"
    settle_s = 60.0
    param_choices = {"hotel_reservation": {"target": tuple(_CALLS), "rps": (1000, 1200, 1400)}}
    oracle = "the service's HPA may scale out past its old cap (still autoscaling), under the same load, at baseline latency"
    cap = 1
    target_utilization = 80

    def _inject(self, cluster: Any, rng: np.random.Generator) -> None:
        target = self.params["target"]
        cluster.create({
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": target, "namespace": self.namespace},
            "spec": {
                "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": target},
                "minReplicas": 1,
                "maxReplicas": self.cap,
                "metrics": [{"type": "Resource", "resource": {
                    "name": "cpu", "target": {"type": "Utilization", "averageUtilization": self.target_utilization}}}],
            },
        })
        call, port = _CALLS[target]
        labels = {"app": LOAD_CLIENT}
        cluster.create({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": LOAD_CLIENT, "namespace": self.namespace, "labels": dict(labels)},
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": dict(labels)},
                "template": {
                    "metadata": {"labels": dict(labels)},
                    "spec": {"containers": [{
                        "name": "ghz",
                        "image": GHZ_IMAGE,
                        "args": ["--insecure", "--rps", str(self.params["rps"]), "-c", "50", "-z", "24h",
                                 "--call", call, f"{target}:{port}"],
                    }]},
                },
            },
        })

    def _recover(self, cluster: Any) -> None:
        for kind, name in (("Deployment", LOAD_CLIENT), ("HorizontalPodAutoscaler", self.params["target"])):
            ops.delete_if_exists(cluster, kind, name, self.namespace)
        try:  # the HPA may have scaled the service out; the healthy app runs one replica
            cluster.patch("Deployment", self.params["target"], self.namespace, {"spec": {"replicas": 1}}, "merge")
        except NotFound:
            pass

    def condition_problems(self, cluster: Any) -> list[str]:
        target = self.params["target"]
        out = []
        try:
            hpa = cluster.get("HorizontalPodAutoscaler", target, self.namespace)
            if int((hpa.get("spec") or {}).get("maxReplicas", 1) or 1) <= self.cap:
                out.append(f"the HPA of {target} is still capped at {self.cap} replica(s)")
        except NotFound:
            out.append(f"{target} is no longer autoscaled (its HPA was deleted)")
        try:
            cluster.get("Deployment", LOAD_CLIENT, self.namespace)
        except NotFound:
            out.append("the traffic was dropped instead of served")
        return out

    def remediation(self, cluster: Any) -> list[str]:
        patch = json.dumps({"spec": {"maxReplicas": 30}})
        return [f"kubectl patch hpa {self.params['target']} -n {self.namespace} --type=merge -p '{patch}'"]
