"""``kubectl describe`` renderers, one module per group of kinds; :data:`DESCRIBERS` maps kind -> function."""

from __future__ import annotations

from typing import Callable

from aoi_gym.shell.kubectl.describe.core import (
    describe_configmap,
    describe_endpoints,
    describe_hpa,
    describe_namespace,
    describe_pv,
    describe_pvc,
    describe_secret,
    describe_service,
    describe_serviceaccount,
    describe_storageclass,
)
from aoi_gym.shell.kubectl.describe.generic import describe_generic
from aoi_gym.shell.kubectl.describe.node import describe_node
from aoi_gym.shell.kubectl.describe.pods import describe_pod
from aoi_gym.shell.kubectl.describe.workloads import (
    describe_daemonset,
    describe_deployment,
    describe_job,
    describe_replicaset,
    describe_statefulset,
)

__all__ = ["DESCRIBERS", "describe_object"]

DESCRIBERS: dict[str, Callable] = {
    "Pod": describe_pod,
    "Deployment": describe_deployment,
    "ReplicaSet": describe_replicaset,
    "StatefulSet": describe_statefulset,
    "DaemonSet": describe_daemonset,
    "Job": describe_job,
    "Service": describe_service,
    "Endpoints": describe_endpoints,
    "Node": describe_node,
    "PersistentVolumeClaim": describe_pvc,
    "PersistentVolume": describe_pv,
    "ConfigMap": describe_configmap,
    "Secret": describe_secret,
    "Namespace": describe_namespace,
    "ServiceAccount": describe_serviceaccount,
    "StorageClass": describe_storageclass,
    "HorizontalPodAutoscaler": describe_hpa,
}


def describe_object(cluster, obj: dict, now: float) -> str:
    """The ``kubectl describe`` text of one object (``cluster`` is read for events and related objects)."""
    fn = DESCRIBERS.get(obj.get("kind", ""), describe_generic)
    return fn(cluster, obj, now)
