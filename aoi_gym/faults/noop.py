"""``noop``: nothing is injected; the expected detection answer is "No" (AIOpsLab's NoopFaultInjector)."""

from __future__ import annotations

from typing import Any

import numpy as np

from aoi_gym.faults.base import APP_NAMESPACES, Fault, GroundTruth, register

__all__ = ["Noop"]


@register
class Noop(Fault):
    family = "noop"
    apps = tuple(APP_NAMESPACES)
    # The analysis labels are never graded (noop has only detection problems); register() wants valid ones.
    system_level, fault_type = "Application", "Operation Error"
    settle_s = 6.0
    oracle = "nothing to mitigate"

    def _inject(self, cluster: Any, rng: np.random.Generator) -> None:
        return None

    def _recover(self, cluster: Any) -> None:
        return None

    def condition_problems(self, cluster: Any) -> list[str]:
        return []

    def remediation(self, cluster: Any) -> list[str]:
        return []

    def ground_truth(self, cluster: Any) -> GroundTruth:
        gt = super().ground_truth(cluster)
        return GroundTruth(gt.family, gt.app, gt.namespace, False, (), (), "", "", gt.params, None, self.oracle)
