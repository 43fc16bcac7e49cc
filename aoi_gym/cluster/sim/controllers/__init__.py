"""Controllers of the simulated cluster: they derive status from spec (see ``runtime.Controller``).

:func:`default_controllers` returns what a kind cluster runs; :func:`create_kind_nodes` (in
:mod:`.nodes`) populates a fresh :class:`~aoi_gym.cluster.sim.cluster.SimCluster` with kind's nodes
and kube-system basics.

What pods look like (the API's own fields, so ``kubectl get pods`` derives STATUS as kubectl does):

* ``status.phase`` Pending / Running / Succeeded / Failed (kubelet's getPhase rules); ``status.conditions``
  in the order PodReadyToStartContainers, Initialized, Ready, ContainersReady, PodScheduled (an
  unschedulable pod has only PodScheduled=False, reason Unschedulable); ``hostIP(s)``, ``podIP(s)``,
  ``qosClass``, ``startTime``; ``initContainerStatuses`` when the pod has init containers.
* ``containerStatuses`` (sorted by name), each ``{containerID?, image, imageID, lastState, name, ready,
  restartCount, started, state}`` with ``state`` one of
  ``{"waiting": {"reason": R, "message"?: M}}`` (R: ContainerCreating, ErrImagePull, ImagePullBackOff,
  CrashLoopBackOff, CreateContainerConfigError), ``{"running": {"startedAt"}}`` or
  ``{"terminated": {"containerID", "exitCode", "finishedAt", "reason", "startedAt"}}`` (reason Error,
  OOMKilled, Completed or what the plan says). ``lastState`` is ``{}`` or ``{"terminated": {...}}``.
  Before the first start ``image`` is the spec's and ``imageID`` is ``""``; afterwards both are
  containerd's fully qualified names.
* A pod being deleted keeps its status and has ``metadata.deletionTimestamp`` (kubectl: Terminating)
  until that time, then leaves the store; pods with nothing running leave at once.
"""

from __future__ import annotations

__all__ = ["default_controllers", "create_kind_nodes"]


def default_controllers() -> list:
    """The controllers a kind cluster runs, in the order they act on one reconcile pass."""
    from aoi_gym.cluster.sim.controllers.chaos import PodChaosController
    from aoi_gym.cluster.sim.controllers.daemonset import DaemonSetController
    from aoi_gym.cluster.sim.controllers.deployment import DeploymentController
    from aoi_gym.cluster.sim.controllers.endpoints import EndpointsController
    from aoi_gym.cluster.sim.controllers.gc import GarbageCollector, NamespaceController
    from aoi_gym.cluster.sim.controllers.hpa import HorizontalPodAutoscalerController
    from aoi_gym.cluster.sim.controllers.kubelet import Kubelet
    from aoi_gym.cluster.sim.controllers.nodes import NodeController
    from aoi_gym.cluster.sim.controllers.replicaset import ReplicaSetController
    from aoi_gym.cluster.sim.controllers.scheduler import Scheduler
    from aoi_gym.cluster.sim.controllers.statefulset import StatefulSetController
    from aoi_gym.cluster.sim.controllers.volumes import PersistentVolumeController

    return [
        NamespaceController(),
        GarbageCollector(),
        NodeController(),
        HorizontalPodAutoscalerController(),
        DeploymentController(),
        ReplicaSetController(),
        StatefulSetController(),
        DaemonSetController(),
        PersistentVolumeController(),
        Scheduler(),
        Kubelet(),
        EndpointsController(),
        PodChaosController(),
    ]


def create_kind_nodes(cluster, workers: int = 2, system: bool = True) -> list[str]:
    """See :func:`aoi_gym.cluster.sim.controllers.nodes.create_kind_nodes`."""
    from aoi_gym.cluster.sim.controllers.nodes import create_kind_nodes as _create

    return _create(cluster, workers=workers, system=system)
