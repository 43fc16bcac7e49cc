"""Kubernetes operations the fault families share, written against the Cluster interface only.

Every change is get -> modify a copy -> replace (or a plain create/delete), so the same code runs on the
simulated cluster and on a real one. Nothing here writes labels or annotations that name a fault.
"""

from __future__ import annotations

import functools
import json
from typing import Any, Callable

from aoi_gym.cluster.base import NotFound
from aoi_gym.cluster.readview import read_view

__all__ = [
    "app_info",
    "label_key",
    "container_name",
    "update",
    "main_container",
    "update_container",
    "rollout_restart",
    "pods_of",
    "delete_pods",
    "exec_in_service",
    "set_replicas",
    "pod_problems",
    "RESTART_ANNOTATION",
    "recreate",
    "recreate_with",
    "find",
    "delete_if_exists",
    "template_container",
    "set_or_remove",
    "running_pods",
    "json_patch_command",
]

RESTART_ANNOTATION = "kubectl.kubernetes.io/restartedAt"

@functools.lru_cache(maxsize=None)
def app_info(app: str) -> Any:
    """The :class:`aoi_gym.apps.base.App` for ``app`` (one per name and process: faults only read its
    label key and container names, and building an App costs about a third of a millisecond, paid
    several times per env reset before). Raises ValueError naming the valid apps."""
    from aoi_gym.apps import get_app  # the apps import the cluster package; keep ops importable alone

    return get_app(app)


def label_key(app: str) -> str:
    """Label whose value is the service name on ``app``'s pods (``io.kompose.service`` for hotel)."""
    return app_info(app).label_key


def container_name(app: str, service: str) -> str | None:
    """Name of ``service``'s main container, or None to mean "the first container"."""
    return app_info(app).container_name(service)


def update(cluster: Any, kind: str, name: str, namespace: str | None, change: Callable[[dict], Any]) -> dict:
    """Read an object, let ``change`` modify the copy in place, write it back with ``replace``."""
    obj = cluster.get(kind, name, namespace)
    change(obj)
    obj.pop("status", None)
    return cluster.replace(obj)


def find(cluster: Any, kind: str, name: str, namespace: str | None) -> dict | None:
    """The object, or None when it cannot be read (gone, or never created)."""
    try:
        return cluster.get(kind, name, namespace)
    except Exception:
        return None


def delete_if_exists(cluster: Any, kind: str, name: str, namespace: str | None = None) -> bool:
    """Delete an object if it is there; returns whether it was."""
    try:
        cluster.delete(kind, name, namespace)
    except NotFound:
        return False
    return True


def set_or_remove(mapping: dict, key: str, value: Any) -> None:
    """Put a remembered value back: ``mapping[key] = value``, or drop the key when ``value`` is None."""
    if value is None:
        mapping.pop(key, None)
    else:
        mapping[key] = value


def json_patch_command(resource: str, name: str, namespace: str | None, op: str, path: str,
                       *value: Any) -> str:
    """A ``kubectl patch <resource> <name> [-n ns] --type=json`` line with one operation (``value`` optional)."""
    operation: dict[str, Any] = {"op": op, "path": path}
    if value:
        operation["value"] = value[0]
    where = f" -n {namespace}" if namespace else ""
    return f"kubectl patch {resource} {name}{where} --type=json -p '{json.dumps([operation])}'"


def template_container(workload: dict, name: str | None = None) -> dict:
    """The container called ``name`` in a workload's pod template (see :func:`main_container`)."""
    return main_container(workload["spec"]["template"]["spec"], name)


def main_container(pod_spec: dict, name: str | None = None) -> dict:
    """The container called ``name`` in a pod spec (the first one when ``name`` is None or absent)."""
    containers = pod_spec.get("containers") or []
    if name is not None:
        for c in containers:
            if c.get("name") == name:
                return c
    if not containers:
        raise NotFound("pod template has no containers")
    return containers[0]


def update_container(
    cluster: Any, namespace: str, deployment: str, change: Callable[[dict], Any], container: str | None = None,
    kind: str = "Deployment",
) -> dict:
    """Modify one container of a workload's pod template (get -> change -> replace)."""

    def _change(obj: dict) -> None:
        change(template_container(obj, container))

    return update(cluster, kind, deployment, namespace, _change)


def rollout_restart(cluster: Any, namespace: str, deployment: str, kind: str = "Deployment") -> dict:
    """What ``kubectl rollout restart`` does: stamp the pod template with the restart time."""
    stamp = cluster.timestamp() if hasattr(cluster, "timestamp") else str(cluster.now())

    def _change(obj: dict) -> None:
        meta = obj["spec"]["template"].setdefault("metadata", {})
        meta.setdefault("annotations", {})[RESTART_ANNOTATION] = stamp

    return update(cluster, kind, deployment, namespace, _change)


def pods_of(cluster: Any, app: str, namespace: str, service: str) -> list[dict]:
    """Pods of ``service`` (by the app's service label), not being deleted, sorted by name."""
    pods = cluster.list("Pod", namespace, label_selector=f"{label_key(app)}={service}")
    return [p for p in pods if not p["metadata"].get("deletionTimestamp")]


def delete_pods(cluster: Any, app: str, namespace: str, service: str) -> int:
    """Delete every pod of ``service`` (its controller recreates them); returns how many."""
    pods = pods_of(cluster, app, namespace, service)
    for p in pods:
        delete_if_exists(cluster, "Pod", p["metadata"]["name"], namespace)
    return len(pods)


def running_pods(cluster: Any, app: str, namespace: str, service: str) -> list[dict]:
    """The pods of ``service`` in phase Running."""
    return [p for p in pods_of(cluster, app, namespace, service) if (p.get("status") or {}).get("phase") == "Running"]


def exec_in_service(cluster: Any, app: str, namespace: str, service: str, argv: list[str]) -> Any:
    """Run ``argv`` in the first running pod of ``service`` (what ``kubectl exec deploy/<svc>`` does)."""
    running = running_pods(cluster, app, namespace, service) or pods_of(cluster, app, namespace, service)
    if not running:
        raise NotFound(f"no pod of {service} in {namespace} to exec into")
    return cluster.exec(running[0]["metadata"]["name"], namespace, argv, container=container_name(app, service))


def set_replicas(cluster: Any, namespace: str, name: str, replicas: int, kind: str = "Deployment") -> int:
    """Scale a workload; returns the previous ``spec.replicas``."""
    before = {}

    def _change(obj: dict) -> None:
        before["r"] = obj["spec"].get("replicas", 1)
        obj["spec"]["replicas"] = replicas

    update(cluster, kind, name, namespace, _change)
    return int(before["r"])


_BAD_WAITING = ("CrashLoopBackOff", "Error", "ImagePullBackOff", "ErrImagePull", "CreateContainerConfigError",
                "CreateContainerError", "InvalidImageName", "RunContainerError")


def pod_problems(cluster: Any, namespace: str) -> list[str]:
    """AIOpsLab's "all pods healthy" check, a bit stricter: every pod Running with all containers ready.

    Returns one line per unhealthy pod (empty when healthy). Pods of finished Jobs are ignored.
    """
    out = []
    for pod in read_view(cluster).list("Pod", namespace):  # only reads: no copies
        name = pod["metadata"]["name"]
        if pod["metadata"].get("deletionTimestamp"):
            continue
        status = pod.get("status") or {}
        phase = status.get("phase")
        if phase == "Succeeded":
            continue
        if phase != "Running":
            out.append(f"pod {name} is {phase or 'Unknown'}")
            continue
        for cs in status.get("containerStatuses") or []:
            state = cs.get("state") or {}
            waiting = (state.get("waiting") or {}).get("reason")
            terminated = state.get("terminated")
            if waiting in _BAD_WAITING:
                out.append(f"pod {name} container {cs.get('name')} is {waiting}")
            elif terminated and terminated.get("reason") != "Completed":
                out.append(f"pod {name} container {cs.get('name')} terminated ({terminated.get('reason')})")
            elif not cs.get("ready"):
                out.append(f"pod {name} container {cs.get('name')} is not ready")
    return out


def recreate(cluster: Any, obj: dict) -> dict:
    """What ``kubectl delete`` then ``kubectl apply -f`` of an edited manifest does: a fresh object."""
    meta = obj["metadata"]
    fresh = {k: v for k, v in obj.items() if k != "status"}
    keep = ("name", "namespace", "labels", "annotations")
    fresh["metadata"] = {k: meta[k] for k in keep if k in meta}
    ann = dict(fresh["metadata"].get("annotations") or {})
    ann.pop("deployment.kubernetes.io/revision", None)
    if ann:
        fresh["metadata"]["annotations"] = ann
    else:
        fresh["metadata"].pop("annotations", None)
    cluster.delete(obj["kind"], meta["name"], meta.get("namespace"))
    return cluster.create(fresh)


def recreate_with(cluster: Any, kind: str, name: str, namespace: str, change: Callable[[dict], Any]) -> dict:
    """Get an object, modify it with ``change``, then delete and create it (AIOpsLab's delete+apply)."""
    obj = cluster.get(kind, name, namespace)
    change(obj)
    return recreate(cluster, obj)
