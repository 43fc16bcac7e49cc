"""``kubectl expose`` and ``kubectl autoscale``: objects generated from an existing workload.

``expose TYPE NAME [--port] [--target-port] [--name] [--type] [--protocol] [--selector]`` creates a Service
selecting the workload's pods (ports introspected from its containers when ``--port`` is absent);
``autoscale TYPE NAME --max N [--min N] [--cpu-percent N] [--name]`` creates a HorizontalPodAutoscaler.
Both honour ``--dry-run`` and ``-o``. kubectl 1.31 builds the HPA in ``autoscaling/v1`` (that is what
``--dry-run=client -o yaml`` prints); the server stores and serves it as ``autoscaling/v2``, as here.
"""

from __future__ import annotations

from typing import Any

from aoi_gym.cluster.base import ApiError
from aoi_gym.shell.kubectl.errors import KubectlError
from aoi_gym.shell.kubectl.flags import Flag
from aoi_gym.shell.kubectl.invocation import DRY_RUN_FLAGS, Invocation, dry_run_mode
from aoi_gym.shell.kubectl.verbs.apply import _create_one
from aoi_gym.shell.kubectl.verbs.common import get_one
from aoi_gym.shell.kubectl.verbs.targets import split_targets

__all__ = ["run_expose", "run_autoscale"]

_EXPOSABLE = ("Deployment", "ReplicaSet", "StatefulSet", "Service", "Pod", "ReplicationController")
_SCALABLE = ("Deployment", "ReplicaSet", "StatefulSet", "ReplicationController")


def _one_target(inv: Invocation, args: list[str], verb: str) -> tuple[Any, dict[str, Any]]:
    items, rest = split_targets(args, verb)
    if rest or len(items) != 1 or items[0][1] is None:
        raise KubectlError(f"error: exactly one resource must be specified, e.g. 'kubectl {verb} deployment NAME'")
    info, name = items[0]
    try:
        return info, get_one(inv, info, name)
    except ApiError as e:
        raise KubectlError(e.kubectl_message()) from None


def _selector(obj: dict[str, Any]) -> dict[str, str]:
    kind, spec = obj["kind"], obj.get("spec") or {}
    if kind == "Pod":
        return dict((obj["metadata"].get("labels") or {}))
    if kind in ("Service", "ReplicationController"):
        return dict(spec.get("selector") or {})
    sel = spec.get("selector") or {}
    if sel.get("matchExpressions"):
        raise KubectlError("error: couldn't convert expressions - \"...\" to map-based selector format")
    return dict(sel.get("matchLabels") or {})


def _introspected_ports(obj: dict[str, Any]) -> list[dict[str, Any]]:
    """Ports of the object: a Service's ports, else its (template's) container ports."""
    spec = obj.get("spec") or {}
    if obj["kind"] == "Service":
        return [{"port": p["port"], "protocol": p.get("protocol", "TCP"), "targetPort": p.get("targetPort", p["port"])}
                for p in spec.get("ports") or []]
    pod_spec = spec if obj["kind"] == "Pod" else ((spec.get("template") or {}).get("spec") or {})
    return [{"port": cp["containerPort"], "protocol": cp.get("protocol", "TCP"), "targetPort": cp["containerPort"]}
            for c in pod_spec.get("containers") or [] for cp in c.get("ports") or []]


def _target_port(text: str) -> int | str:
    return int(text) if text.isdigit() else text


def run_expose(inv: Invocation) -> int:
    p = inv.parse(DRY_RUN_FLAGS + [
        Flag("port"), Flag("target-port"), Flag("name"), Flag("type"), Flag("protocol"), Flag("selector"),
        Flag("labels", "l"), Flag("output", "o"), Flag("external-ip"), Flag("cluster-ip"),
        Flag("session-affinity"), Flag("filename", "f", "list"), Flag("field-manager")], verb="expose")
    mode = dry_run_mode(p)
    if p["filename"]:
        raise KubectlError("error: -f is not supported for expose in this simulated cluster; name the resource instead")
    info, obj = _one_target(inv, p.args, "expose")
    if info.kind not in _EXPOSABLE:
        raise KubectlError(f"error: cannot expose a {info.kind}")
    if p["selector"]:
        selector = dict(pair.split("=", 1) for pair in p["selector"].split(",") if "=" in pair)
    else:
        selector = _selector(obj)
    if not selector:
        raise KubectlError(f"error: couldn't retrieve selectors via --selector flag or introspection: the {info.kind.lower()} has no selector")
    if p["port"]:
        ports = [{"port": int(p["port"]), "protocol": p["protocol"] or "TCP", "targetPort": int(p["port"])}]
    else:
        ports = _introspected_ports(obj)
        if not ports:
            raise KubectlError("error: couldn't find port via --port flag or introspection\nSee 'kubectl expose -h' for help and examples")
    for i, port in enumerate(ports):
        if p["target-port"]:
            port["targetPort"] = _target_port(p["target-port"])
        if p["protocol"]:
            port["protocol"] = p["protocol"]
        if len(ports) > 1:
            port["name"] = f"port-{i + 1}"
    labels = (dict(pair.split("=", 1) for pair in p["labels"].split(",") if "=" in pair) if p["labels"]
              else dict(obj["metadata"].get("labels") or {}))
    meta: dict[str, Any] = {"name": p["name"] or obj["metadata"]["name"], "namespace": inv.namespace}
    if labels:
        meta["labels"] = labels
    spec: dict[str, Any] = {"ports": ports, "selector": selector}
    if p["type"]:
        spec["type"] = p["type"]
    if p["cluster-ip"]:
        spec["clusterIP"] = p["cluster-ip"]
    if p["session-affinity"]:
        spec["sessionAffinity"] = p["session-affinity"]
    service = {"apiVersion": "v1", "kind": "Service", "metadata": meta, "spec": spec}
    return _create(inv, service, mode, p["output"], "exposed")


def run_autoscale(inv: Invocation) -> int:
    p = inv.parse(DRY_RUN_FLAGS + [
        Flag("min", kind="int", default=-1), Flag("max", kind="int", default=-1), Flag("cpu-percent", kind="int", default=-1),
        Flag("name"), Flag("output", "o"), Flag("filename", "f", "list"), Flag("field-manager")], verb="autoscale")
    mode = dry_run_mode(p)
    if p["max"] < 1:
        raise KubectlError(f"error: --max=MAXPODS is required and must be at least 1, max: {p['max']}")
    if p["min"] > p["max"]:
        raise KubectlError(f"error: --max=MAXPODS must be larger or equal to --min=MINPODS, max: {p['max']}, min: {p['min']}")
    info, obj = _one_target(inv, p.args, "autoscale")
    if info.kind not in _SCALABLE:
        raise KubectlError(f"error: cannot autoscale a {info.kind}: {info.resource_ref} \"{obj['metadata']['name']}\" is not scalable")
    meta: dict[str, Any] = {"name": p["name"] or obj["metadata"]["name"], "namespace": inv.namespace}
    spec: dict[str, Any] = {
        "scaleTargetRef": {"apiVersion": obj.get("apiVersion", "apps/v1"), "kind": info.kind, "name": obj["metadata"]["name"]},
        "minReplicas": p["min"] if p["min"] >= 1 else 1,
        "maxReplicas": p["max"],
    }
    if p["cpu-percent"] >= 0:
        spec["metrics"] = [{"type": "Resource", "resource": {
            "name": "cpu", "target": {"type": "Utilization", "averageUtilization": p["cpu-percent"]}}}]
    hpa = {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": meta, "spec": spec}
    if mode == "client":  # printed as kubectl builds it, in autoscaling/v1, without server defaults
        v1: dict[str, Any] = {"maxReplicas": p["max"], "scaleTargetRef": spec["scaleTargetRef"]}
        if p["min"] >= 1:
            v1["minReplicas"] = p["min"]
        if p["cpu-percent"] >= 0:
            v1["targetCPUUtilizationPercentage"] = p["cpu-percent"]
        hpa = {"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler", "metadata": meta, "spec": v1}
    return _create(inv, hpa, mode, p["output"], "autoscaled")


def _create(inv: Invocation, obj: dict[str, Any], mode: str, output: str | None, verb_done: str) -> int:
    try:
        _create_one(inv, obj, mode, output, generated=True, done=verb_done)
    except ApiError as e:
        raise KubectlError(e.kubectl_message()) from None
    return 0
