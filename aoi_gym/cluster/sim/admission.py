"""Admission of the simulated API server: the defaults it writes into an object on every create,
replace and patch, before the object is stored (so the first stored version is already defaulted and
has one resourceVersion, as on a real cluster; ``--dry-run=server`` shows them too).

Controllers keep their own defaulting for objects put straight into the store (tests do that); for an
object that came through admission it finds nothing to do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from aoi_gym.cluster.sim.cluster import SimCluster

__all__ = ["admit"]


def _deployment(cluster: "SimCluster", obj: dict[str, Any]) -> dict[str, Any]:
    from aoi_gym.cluster.sim.controllers.deployment import defaulted_deployment

    return defaulted_deployment(obj)


def _service(cluster: "SimCluster", obj: dict[str, Any]) -> dict[str, Any]:
    from aoi_gym.cluster.sim.controllers.service_defaults import defaulted_service

    return defaulted_service(cluster, obj)


def _pod_template_owner(cluster: "SimCluster", obj: dict[str, Any]) -> dict[str, Any]:
    """ReplicaSet, StatefulSet, DaemonSet: the pod template gets the pod defaults (as a Deployment's)."""
    from aoi_gym.cluster.sim.controllers.podtemplate import defaulted_template

    spec = obj.get("spec")
    if not isinstance(spec, dict) or not isinstance(spec.get("template"), dict):
        return obj
    return {**obj, "metadata": dict(obj.get("metadata") or {}), "spec": {**spec, "template": defaulted_template(spec["template"])}}


_DEFAULTERS: dict[str, Callable[["SimCluster", dict[str, Any]], dict[str, Any]]] = {
    "Deployment": _deployment,
    "Service": _service,
    "ReplicaSet": _pod_template_owner,
    "StatefulSet": _pod_template_owner,
    "DaemonSet": _pod_template_owner,
}


def admit(cluster: "SimCluster", obj: dict[str, Any]) -> dict[str, Any]:
    """``obj`` with the API server's defaults (``obj`` itself or a new object sharing what did not
    change; ``obj`` is not modified)."""
    defaulter = _DEFAULTERS.get(obj.get("kind", ""))
    return obj if defaulter is None else defaulter(cluster, obj)
