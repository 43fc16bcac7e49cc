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


def _pod_template_owner(defaulted_template: Callable[[Any], dict[str, Any]], obj: dict[str, Any]) -> dict[str, Any]:
    """ReplicaSet, StatefulSet, DaemonSet: the pod template gets the pod defaults (as a Deployment's)."""
    spec = obj.get("spec")
    if not isinstance(spec, dict) or not isinstance(spec.get("template"), dict):
        return obj
    return {**obj, "metadata": dict(obj.get("metadata") or {}), "spec": {**spec, "template": defaulted_template(spec["template"])}}


# kind -> its defaulter, filled on the first admission: the controllers' modules import the cluster
# module, which imports this one, so they cannot be imported when this module loads (and an import
# statement per create costs a few microseconds: ~2,500 creates per synthetic(1000) build)
_DEFAULTERS: dict[str, Callable[["SimCluster", dict[str, Any]], dict[str, Any]]] = {}


def _defaulters() -> dict[str, Callable[["SimCluster", dict[str, Any]], dict[str, Any]]]:
    from aoi_gym.cluster.sim.controllers.deploy_defaults import defaulted_deployment
    from aoi_gym.cluster.sim.controllers.podtemplate import defaulted_template
    from aoi_gym.cluster.sim.controllers.service_defaults import defaulted_service

    def template_owner(cluster: "SimCluster", obj: dict[str, Any]) -> dict[str, Any]:
        return _pod_template_owner(defaulted_template, obj)

    _DEFAULTERS.update({
        "Deployment": lambda cluster, obj: defaulted_deployment(obj),
        "Service": defaulted_service,
        "ReplicaSet": template_owner,
        "StatefulSet": template_owner,
        "DaemonSet": template_owner,
    })
    return _DEFAULTERS


def admit(cluster: "SimCluster", obj: dict[str, Any]) -> dict[str, Any]:
    """``obj`` with the API server's defaults (``obj`` itself or a new object sharing what did not
    change; ``obj`` is not modified)."""
    defaulter = (_DEFAULTERS or _defaulters()).get(obj.get("kind", ""))
    return obj if defaulter is None else defaulter(cluster, obj)
