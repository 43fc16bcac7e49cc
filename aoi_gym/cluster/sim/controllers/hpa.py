"""HorizontalPodAutoscaler controller (autoscaling/v2), CPU utilization only.

Every 15 simulated seconds (the real sync period) each HPA asks the application model for the
target's average CPU utilization (percent of request) through the optional
``cluster.app.cpu_utilization(cluster, namespace, name) -> float | None``; without an answer it keeps
the current replica count and reports FailedGetResourceMetric. The desired count is
``ceil(current * utilization / target)`` outside a 10% tolerance, clamped to [minReplicas,
maxReplicas], with the default 300 s scale-down stabilization window.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from aoi_gym.cluster.patch import json_copy
from aoi_gym.cluster.sim.controllers.common import SimController, emit, parse_quantity, set_condition

if TYPE_CHECKING:
    from aoi_gym.cluster.sim.cluster import SimCluster

__all__ = ["HorizontalPodAutoscalerController"]

SYNC_PERIOD_S = 15.0
TOLERANCE = 0.1
DOWNSCALE_WINDOW_S = 300.0
_COMPONENT = "horizontal-pod-autoscaler"
_METRIC = "cpu resource utilization (percentage of request)"


def _target_cpu(hpa: dict[str, Any]) -> int | None:
    spec = hpa.get("spec") or {}
    if spec.get("targetCPUUtilizationPercentage") is not None:
        return int(spec["targetCPUUtilizationPercentage"])
    for m in spec.get("metrics") or ():
        res = m.get("resource") or {}
        if m.get("type") == "Resource" and res.get("name") == "cpu":
            return int((res.get("target") or {}).get("averageUtilization", 80))
    return 80 if not spec.get("metrics") else None


class HorizontalPodAutoscalerController(SimController):
    """Scales Deployments/StatefulSets/ReplicaSets from CPU utilization reported by the app model."""

    name = "horizontal-pod-autoscaler"
    watches = ("HorizontalPodAutoscaler", "Deployment", "StatefulSet", "ReplicaSet")
    time_driven = True

    def sync(self, cluster: "SimCluster") -> float | None:
        book: dict[str, Any] = cluster.private.setdefault("hpa", {})
        due: float | None = None
        live = set()
        for hpa in cluster.iter_objects("HorizontalPodAutoscaler"):
            uid = hpa["metadata"]["uid"]
            live.add(uid)
            entry = book.setdefault(uid, {"last": None, "recs": []})
            if entry["last"] is None or cluster.t >= entry["last"] + SYNC_PERIOD_S:
                entry["last"] = cluster.t
                self._evaluate(cluster, hpa, entry)
            nxt = entry["last"] + SYNC_PERIOD_S
            due = nxt if due is None or nxt < due else due
        for uid in [u for u in book if u not in live]:
            del book[uid]
        return due

    def _evaluate(self, cluster: "SimCluster", hpa: dict[str, Any], entry: dict[str, Any]) -> None:
        meta, spec = hpa["metadata"], hpa.get("spec") or {}
        ns = meta["namespace"]
        ref = spec.get("scaleTargetRef") or {}
        kind, name = ref.get("kind", "Deployment"), ref.get("name", "")
        target = cluster.peek(kind, name, ns) if kind in ("Deployment", "StatefulSet", "ReplicaSet") else None
        now = cluster.timestamp()
        old = hpa.get("status") or {}
        old_conds = old.get("conditions") or []
        conds: list[dict[str, Any]] = []
        status: dict[str, Any] = {"currentReplicas": 0, "desiredReplicas": 0}
        if old.get("lastScaleTime"):
            status["lastScaleTime"] = old["lastScaleTime"]
        if target is None:
            msg = f'the HPA controller was unable to get the target\'s current scale: {kind.lower()}s.apps "{name}" not found'
            set_condition(conds, "AbleToScale", "False", now, "FailedGetScale", msg, old_conds)
            self._write(cluster, hpa, status, conds, old)
            if (old_conds[:1] or [{}])[0].get("reason") != "FailedGetScale":
                emit(cluster, hpa, "FailedGetScale", msg.split(": ", 1)[1], "Warning", _COMPONENT)
            return
        current = int((target.get("spec") or {}).get("replicas", 1) or 0)
        status["currentReplicas"] = status["desiredReplicas"] = current
        lo, hi = int(spec.get("minReplicas", 1) or 1), int(spec.get("maxReplicas", 1) or 1)
        if current == 0:
            set_condition(conds, "AbleToScale", "True", now, "SucceededGetScale", "the HPA controller was able to get the target's current scale", old_conds)
            set_condition(conds, "ScalingActive", "False", now, "ScalingDisabled", "scaling is disabled since the replica count of the target is zero", old_conds)
            self._write(cluster, hpa, status, conds, old)
            return
        want_util = _target_cpu(hpa)
        fn = getattr(cluster.app, "cpu_utilization", None)
        util = fn(cluster, ns, name) if callable(fn) and want_util is not None else None
        if util is None:
            msg = ("the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics "
                   "for resource cpu: no metrics returned from resource metrics API")
            set_condition(conds, "AbleToScale", "True", now, "SucceededGetScale", "the HPA controller was able to get the target's current scale", old_conds)
            set_condition(conds, "ScalingActive", "False", now, "FailedGetResourceMetric", msg, old_conds)
            if not any(c.get("reason") == "FailedGetResourceMetric" for c in old_conds):
                emit(cluster, hpa, "FailedGetResourceMetric", "failed to get cpu utilization: unable to get metrics for resource cpu: "
                     "no metrics returned from resource metrics API", "Warning", _COMPONENT)
            self._write(cluster, hpa, status, conds, old)
            return
        ratio = float(util) / max(want_util, 1)
        proposal = current if abs(ratio - 1.0) <= TOLERANCE else int(math.ceil(current * ratio))
        entry["recs"] = [r for r in entry["recs"] if r[0] > cluster.t - DOWNSCALE_WINDOW_S] + [[cluster.t, proposal]]
        stabilized = proposal if proposal >= current else min(current, max(r[1] for r in entry["recs"]))
        desired = min(max(stabilized, lo), hi)
        limited = desired != stabilized
        tmpl_cpu = sum(
            parse_quantity(((c.get("resources") or {}).get("requests") or {}).get("cpu"))
            for c in (((target.get("spec") or {}).get("template") or {}).get("spec") or {}).get("containers") or ()
        )
        metric: dict[str, Any] = {"averageUtilization": int(round(util))}
        metric["averageValue"] = f"{int(round(tmpl_cpu * util / 100.0 * 1000))}m"
        status["currentMetrics"] = [{"type": "Resource", "resource": {"name": "cpu", "current": metric}}]
        status["desiredReplicas"] = desired
        if desired != current:
            cluster.patch(kind, name, ns, {"spec": {"replicas": desired}}, "merge")
            status["lastScaleTime"] = now
            direction = "above" if desired > current else "below"
            reason = f"{_METRIC} {direction} target"
            if limited:
                reason = "Current number of replicas above Spec.MaxReplicas" if desired == hi and stabilized > hi else (
                    "Current number of replicas below Spec.MinReplicas")
            emit(cluster, hpa, "SuccessfulRescale", f"New size: {desired}; reason: {reason}", component=_COMPONENT)
            set_condition(conds, "AbleToScale", "True", now, "SucceededRescale", f"the HPA controller was able to update the target scale to {desired}", old_conds)
        else:
            set_condition(conds, "AbleToScale", "True", now, "ReadyForNewScale", "recommended size matches current size", old_conds)
        set_condition(conds, "ScalingActive", "True", now, "ValidMetricFound",
                      f"the HPA was able to successfully calculate a replica count from {_METRIC}", old_conds)
        if limited:
            reason = "TooManyReplicas" if desired == hi else "TooFewReplicas"
            msg = "the desired replica count is more than the maximum replica count" if desired == hi else (
                "the desired replica count is less than the minimum replica count")
            set_condition(conds, "ScalingLimited", "True", now, reason, msg, old_conds)
        else:
            set_condition(conds, "ScalingLimited", "False", now, "DesiredWithinRange", "the desired count is within the acceptable range", old_conds)
        self._write(cluster, hpa, status, conds, old)

    def _write(self, cluster: "SimCluster", hpa: dict[str, Any], status: dict[str, Any], conds: list, old: dict[str, Any]) -> None:
        status["conditions"] = conds
        if old != status:
            cur = cluster.peek("HorizontalPodAutoscaler", hpa["metadata"]["name"], hpa["metadata"]["namespace"]) or hpa
            new = json_copy(cur)
            new["status"] = status
            cluster.update_status(new)
