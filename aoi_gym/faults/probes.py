"""Probe faults: a health check that cannot pass although the service is fine.

* ``liveness_probe_wrong_port``: a TCP liveness probe on a port the process does not listen on; the
  kubelet kills the container every ~30 s ("Liveness probe failed: ... connection refused") and the pod
  ends in CrashLoopBackOff.
* ``readiness_probe_failure``: an HTTP readiness probe on a port nothing listens on; the pod never becomes
  Ready, is dropped from the Service's endpoints, and every caller fails.

The pod was deleted and re-applied with the probe (no old pod keeps serving).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from aoi_gym.faults import ops
from aoi_gym.faults.base import Fault, register
from aoi_gym.faults.resources import _HOTEL_APP, _SOCIAL_APP

__all__ = ["LivenessProbeWrongPort", "ReadinessProbeFailure"]


class _ProbeFault(Fault):
    apps = ("hotel_reservation", "social_network")
    system_level, fault_type = "Virtualization", "Misconfiguration"
    settle_s = 90.0
    probe = "livenessProbe"
    param_choices = {"hotel_reservation": {"target": _HOTEL_APP}, "social_network": {"target": _SOCIAL_APP}}

    def _ports(self, container: dict) -> list[int]:
        return [p["containerPort"] for p in container.get("ports") or [] if "containerPort" in p]

    def probe_spec(self, port: int) -> dict:
        raise NotImplementedError

    def _inject(self, cluster: Any, rng: np.random.Generator) -> None:
        def change(c: dict) -> None:
            ports = self._ports(c) or [8080]
            self.saved["old"] = c.get(self.probe)
            self.saved["good_port"] = ports[0]
            self.saved["bad_port"] = ports[0] + int(rng.choice([1, 10, 1000]))
            c[self.probe] = self.probe_spec(self.saved["bad_port"])

        self.change_target_container(cluster, change, recreate=True)

    def _recover(self, cluster: Any) -> None:
        self.change_target_container(cluster, lambda c: ops.set_or_remove(c, self.probe, self.saved.get("old")))

    def condition_problems(self, cluster: Any) -> list[str]:
        target = self.params["target"]
        c = self.target_container(cluster)
        if c is None:
            return self.missing_target()
        probe = c.get(self.probe)
        if probe:
            action = probe.get("tcpSocket") or probe.get("httpGet") or probe.get("grpc") or {}
            port = action.get("port")
            if port is not None and port not in self._ports(c) and port != self.saved.get("good_port"):
                return [f"{target}'s {self.probe} checks port {port}, where nothing listens"]
        return []

    def remediation(self, cluster: Any) -> list[str]:
        return [ops.json_patch_command("deployment", self.params["target"], self.namespace, "remove",
                                       f"/spec/template/spec/containers/0/{self.probe}")]


@register
class LivenessProbeWrongPort(_ProbeFault):
    family = "liveness_probe_wrong_port"
    probe = "livenessProbe"
    oracle = "the liveness probe checks a port the process listens on (or is gone) and the pod stops restarting"

    def probe_spec(self, port: int) -> dict:
        return {"tcpSocket": {"port": port}, "initialDelaySeconds": 5, "periodSeconds": 10, "failureThreshold": 3}


@register
class ReadinessProbeFailure(_ProbeFault):
    family = "readiness_probe_failure"
    probe = "readinessProbe"
    settle_s = 40.0
    oracle = "the readiness probe can pass (or is gone) and the pod is Ready behind its Service"

    def probe_spec(self, port: int) -> dict:
        return {"httpGet": {"path": "/ready", "port": port}, "initialDelaySeconds": 5, "periodSeconds": 5,
                "failureThreshold": 3}
