"""``bad_rollout``: a new revision of a Deployment that cannot start, rolled out over a good one.

The release renames the service's entrypoint (``command: [<binary>-server]``), which the image does not
contain, and switches the rollout strategy to Recreate (to "deploy faster"): the old pod is stopped,
the new one fails to start and crash-loops, and the service is down. The previous ReplicaSet is kept
as history, so ``kubectl rollout undo`` brings the working revision back.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from aoi_gym.faults import ops
from aoi_gym.faults.base import Fault, register
from aoi_gym.faults.resources import _HOTEL_APP, _SOCIAL_APP

__all__ = ["BadRollout"]


@register
class BadRollout(Fault):
    family = "bad_rollout"
    apps = ("hotel_reservation", "social_network")
    system_level, fault_type = "Application", "Code Defect"
    settle_s = 40.0
    param_choices = {"hotel_reservation": {"target": _HOTEL_APP}, "social_network": {"target": _SOCIAL_APP}}
    oracle = "the Deployment runs a revision whose pods start (the previous one) and the app serves normally"

    def _inject(self, cluster: Any, rng: np.random.Generator) -> None:
        name = ops.container_name(self.app, self.params["target"])

        def change(dep: dict) -> None:
            c = ops.main_container(dep["spec"]["template"]["spec"], name)
            self.saved["command"] = c.get("command")
            self.saved["strategy"] = dep["spec"].get("strategy")
            base = (c.get("command") or [self.params["target"]])[0].rsplit("/", 1)[-1]
            c["command"] = [f"{base}-server"]
            dep["spec"]["strategy"] = {"type": "Recreate"}

        ops.update(cluster, "Deployment", self.params["target"], self.namespace, change)

    def _recover(self, cluster: Any) -> None:
        name = ops.container_name(self.app, self.params["target"])

        def change(dep: dict) -> None:
            c = ops.main_container(dep["spec"]["template"]["spec"], name)
            if self.saved.get("command") is None:
                c.pop("command", None)
            else:
                c["command"] = self.saved["command"]
            if self.saved.get("strategy") is None:
                dep["spec"].pop("strategy", None)
            else:
                dep["spec"]["strategy"] = self.saved["strategy"]

        ops.update(cluster, "Deployment", self.params["target"], self.namespace, change)

    def condition_problems(self, cluster: Any) -> list[str]:
        target = self.params["target"]
        try:
            dep = cluster.get("Deployment", target, self.namespace)
        except Exception:
            return [f"deployment {target} does not exist"]
        c = ops.main_container(dep["spec"]["template"]["spec"], ops.container_name(self.app, target))
        if c.get("command") != self.saved.get("command"):
            return [f"{target} still runs the broken revision"]
        return []

    def remediation(self, cluster: Any) -> list[str]:
        return [f"kubectl rollout undo deployment/{self.params['target']} -n {self.namespace}"]
