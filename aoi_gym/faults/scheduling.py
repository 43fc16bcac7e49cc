"""Scheduling faults: pods that can never be placed.

``assign_to_non_existent_node_social_net`` (AIOpsLab): the target Deployment gets
``nodeSelector: {kubernetes.io/hostname: extra-node}`` and is deleted and re-applied, so its only pod
stays Pending ("didn't match Pod's node affinity/selector").
"""

from __future__ import annotations

from typing import Any

import numpy as np

from aoi_gym.faults import ops
from aoi_gym.faults.base import Fault, register

__all__ = ["AssignToNonExistentNode"]

BAD_SELECTOR = {"kubernetes.io/hostname": "extra-node"}


def _selector_matches(selector: dict[str, str], node: dict) -> bool:
    labels = node["metadata"].get("labels") or {}
    return all(labels.get(k) == v for k, v in selector.items())


@register
class AssignToNonExistentNode(Fault):
    family = "assign_to_non_existent_node_social_net"
    apps = ("social_network",)
    system_level, fault_type = "Virtualization", "Dependency Problem"
    settle_s = 25.0
    param_choices = {"social_network": {"target": ("user-service",)}}
    oracle = "the Deployment's nodeSelector matches a node and its pod runs"

    def _inject(self, cluster: Any, rng: np.random.Generator) -> None:
        def change(dep: dict) -> None:
            spec = dep["spec"]["template"]["spec"]
            self.saved["node_selector"] = spec.get("nodeSelector")
            spec["nodeSelector"] = dict(BAD_SELECTOR)

        ops.recreate_with(cluster, "Deployment", self.params["target"], self.namespace, change)

    def _recover(self, cluster: Any) -> None:
        def change(dep: dict) -> None:
            spec = dep["spec"]["template"]["spec"]
            if self.saved.get("node_selector"):
                spec["nodeSelector"] = self.saved["node_selector"]
            else:
                spec.pop("nodeSelector", None)

        ops.recreate_with(cluster, "Deployment", self.params["target"], self.namespace, change)

    def condition_problems(self, cluster: Any) -> list[str]:
        target = self.params["target"]
        try:
            dep = cluster.get("Deployment", target, self.namespace)
        except Exception:
            return [f"deployment {target} does not exist"]
        selector = dep["spec"]["template"]["spec"].get("nodeSelector") or {}
        if selector and not any(_selector_matches(selector, n) for n in cluster.list("Node")):
            return [f"deployment {target} selects nodes {selector} and none matches"]
        running = [p for p in ops.pods_of(cluster, self.app, self.namespace, target)
                   if (p.get("status") or {}).get("phase") == "Running"]
        return [] if running else [f"no pod of {target} is running"]

    def remediation(self, cluster: Any) -> list[str]:
        return [
            f"kubectl patch deployment {self.params['target']} -n {self.namespace} --type=json "
            "-p '[{\"op\": \"remove\", \"path\": \"/spec/template/spec/nodeSelector\"}]'"
        ]
