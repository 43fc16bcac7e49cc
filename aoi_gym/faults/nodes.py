"""``node_cordon_drain``: node maintenance left half done.

Every worker node is cordoned (``spec.unschedulable``) and one of them is drained (its pods evicted,
DaemonSet pods excepted). The evicted pods' replacements stay Pending ("node(s) were unschedulable"),
so the services that ran on the drained node are down. Localization expects the drained node's name.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from aoi_gym.cluster.base import NotFound
from aoi_gym.faults import ops
from aoi_gym.faults.base import Fault, register

__all__ = ["NodeCordonDrain"]

_CONTROL_PLANE_LABEL = "node-role.kubernetes.io/control-plane"


def _workers(cluster: Any) -> list[str]:
    return sorted(n["metadata"]["name"] for n in cluster.list("Node")
                  if _CONTROL_PLANE_LABEL not in (n["metadata"].get("labels") or {}))


def _set_unschedulable(cluster: Any, node: str, value: bool) -> None:
    ops.update(cluster, "Node", node, None, lambda n: ops.set_or_remove(n["spec"], "unschedulable", value or None))


@register
class NodeCordonDrain(Fault):
    family = "node_cordon_drain"
    apps = ("hotel_reservation", "social_network")
    system_level, fault_type = "Virtualization", "Operation Error"
    settle_s = 40.0
    oracle = "the worker nodes are schedulable again and every evicted pod runs"

    def candidate_components(self) -> tuple[str, ...]:
        return ("kind-worker", "kind-worker2", "kind-worker3")

    def faulty_components(self) -> tuple[str, ...]:
        return (self.params["node"],) if self.params.get("node") else ()

    def _app_nodes(self, cluster: Any) -> list[str]:
        nodes = {(p.get("spec") or {}).get("nodeName") for p in cluster.list("Pod", self.namespace)}
        return sorted(n for n in nodes if n)

    def _inject(self, cluster: Any, rng: np.random.Generator) -> None:
        workers = _workers(cluster)
        used = [n for n in self._app_nodes(cluster) if n in workers] or workers
        node = used[int(rng.integers(0, len(used)))]
        self.params["node"] = node
        self.saved["cordoned"] = [w for w in workers
                                  if not cluster.get("Node", w)["spec"].get("unschedulable")]
        for w in self.saved["cordoned"]:
            _set_unschedulable(cluster, w, True)
        for pod in cluster.list("Pod", field_selector=f"spec.nodeName={node}"):
            owners = pod["metadata"].get("ownerReferences") or []
            if any(o.get("kind") == "DaemonSet" for o in owners) or not owners:
                continue  # drain skips DaemonSet pods and static/mirror pods
            ops.delete_if_exists(cluster, "Pod", pod["metadata"]["name"], pod["metadata"]["namespace"])

    def _recover(self, cluster: Any) -> None:
        for w in self.saved.get("cordoned", []):
            _set_unschedulable(cluster, w, False)

    def condition_problems(self, cluster: Any) -> list[str]:
        out = []
        for w in self.saved.get("cordoned", []):
            try:
                if cluster.get("Node", w)["spec"].get("unschedulable"):
                    out.append(f"node {w} is still cordoned")
            except NotFound:
                out.append(f"node {w} is gone")
        return out

    def remediation(self, cluster: Any) -> list[str]:
        return [f"kubectl uncordon {w}" for w in self.saved.get("cordoned", [])]
