"""Builders of the plain Kubernetes dicts the applications' manifests are made of."""

from __future__ import annotations

from typing import Any

from aoi_gym.apps.base import App, Service

__all__ = ["deployment", "service", "configmap", "secret", "persistent_volume", "pvc", "container"]


def container(
    app: App,
    svc: Service,
    *,
    env: dict[str, str] | None = None,
    mounts: list[dict[str, Any]] | None = None,
    resources: dict[str, Any] | None = None,
    args: tuple[str, ...] | list[str] | None = None,
    ports: bool = True,
) -> dict[str, Any]:
    """The main container of ``svc``'s pods."""
    c: dict[str, Any] = {"name": app.container_name(svc.name), "image": svc.image, "imagePullPolicy": "IfNotPresent"}
    if svc.command:
        c["command"] = list(svc.command)
    a = svc.args if args is None else args
    if a:
        c["args"] = list(a)
    if ports and svc.listen_ports:
        c["ports"] = [{"containerPort": p, "protocol": "TCP"} for p in svc.listen_ports]
    all_env = dict(svc.env)
    all_env.update(env or {})
    if all_env:
        c["env"] = [{"name": k, "value": v} for k, v in all_env.items()]
    c["resources"] = resources if resources is not None else {}
    if mounts:
        c["volumeMounts"] = mounts
    return c


def deployment(
    app: App,
    svc: Service,
    containers: list[dict[str, Any]],
    *,
    labels: dict[str, str] | None = None,
    volumes: list[dict[str, Any]] | None = None,
    replicas: int = 1,
    annotations: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A Deployment named after the service whose pods carry ``{label_key: name}`` (plus ``labels``)."""
    sel = {app.label_key: svc.name}
    pod_labels = dict(sel)
    pod_labels.update(labels or {})
    spec: dict[str, Any] = {"containers": containers, "restartPolicy": "Always"}
    if volumes:
        spec["volumes"] = volumes
    meta: dict[str, Any] = {"name": svc.name, "namespace": app.namespace, "labels": dict(pod_labels)}
    if annotations:
        meta["annotations"] = annotations
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": meta,
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": sel},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
            "template": {"metadata": {"labels": pod_labels}, "spec": spec},
        },
    }


def service(
    app: App,
    svc: Service,
    ports: list[tuple[str, int, int]] | None = None,
    *,
    labels: dict[str, str] | None = None,
    udp: tuple[str, ...] = (),
) -> dict[str, Any]:
    """A ClusterIP Service selecting ``svc``'s pods; ``ports`` are (name, port, targetPort)."""
    if ports is None:
        ports = [(str(p), p, p) for p in svc.listen_ports]
    meta_labels = {app.label_key: svc.name}
    meta_labels.update(labels or {})
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": svc.name, "namespace": app.namespace, "labels": meta_labels},
        "spec": {
            "type": "ClusterIP",
            "selector": {app.label_key: svc.name},
            "ports": [
                {"name": n, "port": p, "targetPort": t, "protocol": "UDP" if n in udp else "TCP"} for n, p, t in ports
            ],
        },
    }


def configmap(app: App, name: str, data: dict[str, str], labels: dict[str, str] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": app.namespace}
    if labels:
        meta["labels"] = labels
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": dict(data)}


def secret(app: App, name: str, data_b64: dict[str, str], type_: str = "Opaque") -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": name, "namespace": app.namespace},
        "type": type_,
        "data": dict(data_b64),
    }


def persistent_volume(name: str, storage_class: str, size: str, host_path: str) -> dict[str, Any]:
    """A static hostPath PersistentVolume (cluster-scoped; survives deletion of the namespace)."""
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {"name": name},
        "spec": {
            "capacity": {"storage": size},
            "accessModes": ["ReadWriteOnce"],
            "persistentVolumeReclaimPolicy": "Retain",
            "storageClassName": storage_class,
            "hostPath": {"path": host_path, "type": "DirectoryOrCreate"},
        },
    }


def pvc(app: App, name: str, storage_class: str, size: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": name, "namespace": app.namespace},
        "spec": {
            "accessModes": ["ReadWriteOnce"],
            "storageClassName": storage_class,
            "resources": {"requests": {"storage": size}},
        },
    }
