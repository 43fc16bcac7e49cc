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
            ops.set_or_remove(dep["spec"]["template"]["spec"], "nodeSelector", self.saved.get("node_selector") or None)

        ops.recreate_with(cluster, "Deployment", self.params["target"], self.namespace, change)

    def condition_problems(self, cluster: Any) -> list[str]:
        target = self.params["target"]
        dep = ops.find(cluster, "Deployment", target, self.namespace)
        if dep is None:
            return self.missing_target()
        selector = dep["spec"]["template"]["spec"].get("nodeSelector") or {}
        if selector and not any(_selector_matches(selector, n) for n in cluster.list("Node")):
            return [f"deployment {target} selects nodes {selector} and none matches"]
        return [] if ops.running_pods(cluster, self.app, self.namespace, target) else [f"no pod of {target} is running"]

    def remediation(self, cluster: Any) -> list[str]:
        return [ops.json_patch_command("deployment", self.params["target"], self.namespace, "remove",
                                       "/spec/template/spec/nodeSelector")]
