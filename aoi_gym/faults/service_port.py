"""``k8s_target_port-misconfig``: a Service's targetPort no longer matches the port its pods listen on.

AIOpsLab's ``misconfig_k8s``: every port of the target Service whose ``targetPort`` is 9090 (the port all
SocialNetwork Thrift services listen on) becomes 9999, so callers get connection refused.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from aoi_gym.faults import ops
from aoi_gym.faults.base import Fault, register

__all__ = ["TargetPortMisconfig"]

GOOD_PORT, BAD_PORT = 9090, 9999


@register
class TargetPortMisconfig(Fault):
    family = "k8s_target_port-misconfig"
    apps = ("social_network",)
    system_level, fault_type = "Virtualization", "Misconfiguration"
    settle_s = 6.0
    param_choices = {"social_network": {"target": ("user-service", "text-service", "post-storage-service")}}
    oracle = "the Service's targetPort points at a port its pods listen on"

    def _inject(self, cluster: Any, rng: np.random.Generator) -> None:
        changed: list[int] = []

        def change(svc: dict) -> None:
            for i, port in enumerate(svc["spec"].get("ports") or []):
                if port.get("targetPort") == GOOD_PORT:
                    port["targetPort"] = BAD_PORT
                    changed.append(i)

        ops.update(cluster, "Service", self.params["target"], self.namespace, change)
        self.saved["ports"] = changed

    def _recover(self, cluster: Any) -> None:
        def change(svc: dict) -> None:
            for i in self.saved.get("ports", []):
                ports = svc["spec"].get("ports") or []
                if i < len(ports):
                    ports[i]["targetPort"] = GOOD_PORT

        ops.update(cluster, "Service", self.params["target"], self.namespace, change)

    def _listening_ports(self, cluster: Any) -> set[Any]:
        dep = cluster.get("Deployment", self.params["target"], self.namespace)
        ports: set[Any] = {GOOD_PORT}
        for c in dep["spec"]["template"]["spec"].get("containers") or []:
            for p in c.get("ports") or []:
                ports.add(p.get("containerPort"))
                if p.get("name"):
                    ports.add(p["name"])
        return ports

    def condition_problems(self, cluster: Any) -> list[str]:
        target = self.params["target"]
        svc = ops.find(cluster, "Service", target, self.namespace)
        if svc is None:
            return self.missing_target("service")
        listening = self._listening_ports(cluster)
        return [
            f"service {target} port {p.get('port')} targets {p.get('targetPort')}"
            for p in svc["spec"].get("ports") or []
            if p.get("targetPort") not in listening
        ]

    def remediation(self, cluster: Any) -> list[str]:
        svc, ns = self.params["target"], self.namespace
        return [
            f"kubectl patch service {svc} -n {ns} --type=json "
            f"-p '[{{\"op\": \"replace\", \"path\": \"/spec/ports/{i}/targetPort\", \"value\": {GOOD_PORT}}}]'"
            for i in self.saved.get("ports", [])
        ]
