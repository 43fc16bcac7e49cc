"""Events about objects a controller has just created (the Deployment and ReplicaSet controllers' hot path).

``common.emit`` first looks up the namespace to drop events in a terminating one. Right after
``put_new`` stored an object in that namespace the answer is known (``put_new`` refuses a missing or
terminating namespace, and nothing ran in between), so the event goes straight to the cluster's
recorder: one event per ReplicaSet and per pod created.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aoi_gym.cluster.sim.controllers.common import emit

if TYPE_CHECKING:
    from aoi_gym.cluster.sim.cluster import SimCluster

__all__ = ["emit_after_create"]


def emit_after_create(cluster: "SimCluster", obj: dict[str, Any], reason: str, message: str, component: str) -> None:
    """``emit(cluster, obj, reason, message, component=component)`` where ``obj``'s namespace is known
    to exist and not to be terminating (an object was just created in it by ``put_new``)."""
    record = getattr(cluster, "_record_event", None)
    ns = obj["metadata"].get("namespace")
    if record is None or not ns:
        emit(cluster, obj, reason, message, component=component)
    else:
        record(obj, ns, reason, message, "Normal", component, None, None)
