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
        def change(dep: dict) -> None:
            c = ops.template_container(dep, self.target_container_name())
            self.saved["command"] = c.get("command")
            self.saved["strategy"] = dep["spec"].get("strategy")
            base = (c.get("command") or [self.params["target"]])[0].rsplit("/", 1)[-1]
            c["command"] = [f"{base}-server"]
            dep["spec"]["strategy"] = {"type": "Recreate"}

        ops.update(cluster, "Deployment", self.params["target"], self.namespace, change)

    def _recover(self, cluster: Any) -> None:
        def change(dep: dict) -> None:
            ops.set_or_remove(ops.template_container(dep, self.target_container_name()), "command",
                              self.saved.get("command"))
            ops.set_or_remove(dep["spec"], "strategy", self.saved.get("strategy"))

        ops.update(cluster, "Deployment", self.params["target"], self.namespace, change)

    def condition_problems(self, cluster: Any) -> list[str]:
        c = self.target_container(cluster)
        if c is None:
            return self.missing_target()
        if c.get("command") != self.saved.get("command"):
            return [f"{self.params['target']} still runs the broken revision"]
        return []

    def remediation(self, cluster: Any) -> list[str]:
        return [f"kubectl rollout undo deployment/{self.params['target']} -n {self.namespace}"]
