"""Chaos Mesh experiments on HotelReservation (AIOpsLab's SymptomFaultInjector), with their time limits.

Each fault creates one ``PodChaos`` or ``NetworkChaos`` object in the application namespace, selecting
pods by the kompose label; Chaos Mesh (the simulated controller) applies it and lifts it when
``spec.duration`` has passed. Recovery deletes the object. The object's name is neutral (``exp-<hash>``):
ground truth is not written into the cluster, although an agent who lists chaos objects can see them,
as on a real cluster.

=============================  ===========  ======================  =========  ========
family                         kind         action                  target     duration
=============================  ===========  ======================  =========  ========
container_kill                 PodChaos     container-kill          geo        200 s
pod_failure_hotel_res          PodChaos     pod-failure             user       100 s
pod_kill_hotel_res             PodChaos     pod-failure (sic)       user       100 s
network_loss_hotel_res         NetworkChaos loss 99 %               user       200 s
network_delay_hotel_res        NetworkChaos delay 10 s              user       200 s
=============================  ===========  ======================  =========  ========
"""

from __future__ import annotations

from typing import Any

import numpy as np

from aoi_gym.cluster.base import NotFound
from aoi_gym.faults import ops
from aoi_gym.faults.base import Fault, register

__all__ = ["ChaosFault", "ContainerKill", "PodFailure", "PodKill", "NetworkLoss", "NetworkDelay"]

CHAOS_API = "chaos-mesh.org/v1alpha1"


class ChaosFault(Fault):
    """Create one Chaos Mesh object; subclasses give kind, action, duration and the action's fields."""

    apps = ("hotel_reservation",)
    system_level = "Virtualization"
    settle_s = 6.0
    chaos_kind = "PodChaos"
    action = "pod-failure"
    duration_s = 100
    oracle = "the chaos experiment is over (deleted or expired) and every pod is healthy"

    def extra_spec(self) -> dict[str, Any]:
        return {}

    def _inject(self, cluster: Any, rng: np.random.Generator) -> None:
        digits = "".join("0123456789abcdef"[int(i)] for i in rng.integers(0, 16, size=8))
        name = f"exp-{digits}"
        spec = {
            "action": self.action,
            "mode": "one",
            "duration": f"{self.duration_s}s",
            "selector": {
                "namespaces": [self.namespace],
                "labelSelectors": {ops.label_key(self.app): self.params["target"]},
            },
        }
        spec.update(self.extra_spec())
        cluster.create({
            "apiVersion": CHAOS_API,
            "kind": self.chaos_kind,
            "metadata": {"name": name, "namespace": self.namespace},
            "spec": spec,
        })
        self.saved["name"] = name
        self.saved["start_t"] = float(getattr(cluster, "t", cluster.now()))

    def _recover(self, cluster: Any) -> None:
        ops.delete_if_exists(cluster, self.chaos_kind, self.saved["name"], self.namespace)

    def expires_at(self, cluster: Any) -> float | None:
        start = self.saved.get("start_t")
        return None if start is None else start + self.duration_s

    def condition_problems(self, cluster: Any) -> list[str]:
        now = float(getattr(cluster, "t", 0.0))
        try:
            cluster.get(self.chaos_kind, self.saved["name"], self.namespace)
        except NotFound:
            return []
        if now >= self.saved["start_t"] + self.duration_s:
            return []
        return [f"{self.chaos_kind} {self.saved['name']} is still active"]

    def remediation(self, cluster: Any) -> list[str]:
        return [f"kubectl delete {self.chaos_kind.lower()} {self.saved['name']} -n {self.namespace}"]


@register
class ContainerKill(ChaosFault):
    family = "container_kill"
    fault_type = "Operation Error"
    action, duration_s = "container-kill", 200
    param_choices = {"hotel_reservation": {"target": ("geo",)}}

    def extra_spec(self) -> dict[str, Any]:
        return {"containerNames": [ops.container_name(self.app, self.params["target"]) or "hotel-reserv-geo"]}


@register
class PodFailure(ChaosFault):
    family = "pod_failure_hotel_res"
    fault_type = "Operation Error"
    param_choices = {"hotel_reservation": {"target": ("user",)}}


@register
class PodKill(ChaosFault):
    family = "pod_kill_hotel_res"
    fault_type = "Operation Error"
    param_choices = {"hotel_reservation": {"target": ("user",)}}
    # AIOpsLab's pod_kill uses action pod-failure too (to avoid an immediate re-creation).


class _NetworkChaos(ChaosFault):
    chaos_kind = "NetworkChaos"
    fault_type = "Network/Storage Issue"
    duration_s = 200
    param_choices = {"hotel_reservation": {"target": ("user",)}}


@register
class NetworkLoss(_NetworkChaos):
    family = "network_loss_hotel_res"
    action = "loss"

    def extra_spec(self) -> dict[str, Any]:
        return {"loss": {"loss": "99", "correlation": "100"}}


@register
class NetworkDelay(_NetworkChaos):
    family = "network_delay_hotel_res"
    action = "delay"

    def extra_spec(self) -> dict[str, Any]:
        return {"delay": {"latency": "10s", "correlation": "100", "jitter": "0ms"}}
