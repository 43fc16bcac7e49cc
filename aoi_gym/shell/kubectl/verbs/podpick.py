"""Resolving ``POD`` / ``TYPE/NAME`` to one pod and choosing its container, as logs/exec do."""

from __future__ import annotations

from typing import Any

from aoi_gym.cluster.base import ApiError, NotFound
from aoi_gym.shell.kubectl.errors import KubectlError
from aoi_gym.shell.kubectl.invocation import Invocation
from aoi_gym.shell.kubectl.printers.fmt import format_labels, selector_string
from aoi_gym.shell.kubectl.resources import resolve_type
from aoi_gym.shell.kubectl.verbs.common import get_one

__all__ = ["resolve_pod", "choose_container", "pod_rank"]


def pod_rank(p: dict[str, Any]) -> tuple:
    """Sort key preferring running, ready, older pods (kubectl's ActivePods ordering, simplified)."""
    st = p.get("status") or {}
    ready = any(c.get("type") == "Ready" and c.get("status") == "True" for c in st.get("conditions") or [])
    phase_rank = {"Running": 0, "Pending": 1}.get(st.get("phase", ""), 2)
    return (not (p.get("spec") or {}).get("nodeName"), phase_rank, not ready, p["metadata"].get("creationTimestamp", ""),
            p["metadata"]["name"])


def resolve_pod(inv: Invocation, ref: str) -> dict[str, Any]:
    """``POD`` or ``TYPE/NAME`` -> a pod dict; for controllers and services, the first matching pod."""
    if "/" not in ref:
        try:
            return get_one(inv, resolve_type("pod"), ref)
        except ApiError as e:
            raise KubectlError(e.kubectl_message()) from None
    typ, _, name = ref.partition("/")
    info = resolve_type(typ)
    try:
        obj = get_one(inv, info, name)
    except ApiError as e:
        raise KubectlError(e.kubectl_message()) from None
    if info.kind == "Pod":
        return obj
    spec = obj.get("spec") or {}
    if info.kind == "Service":
        sel = format_labels(spec.get("selector")) if spec.get("selector") else ""
    else:
        sel = selector_string(spec.get("selector"))
    if not sel:
        raise KubectlError(f"error: cannot attach to {info.kind}: selector for {info.kind.lower()}/{name} is empty")
    pods = inv.cluster.list("Pod", namespace=inv.namespace, label_selector=sel)
    if not pods:
        raise KubectlError(f"error: timed out waiting for the condition" if info.kind != "Service"
                           else f"error: no pods found for service {name}")
    pods.sort(key=pod_rank)
    if len(pods) > 1:
        inv.warn(f"Found {len(pods)} pods, using pod/{pods[0]['metadata']['name']}\n")
    return pods[0]


def choose_container(inv: Invocation, pod: dict[str, Any], container: str | None) -> str:
    """The container to use: ``-c`` if given (validated), else the default one with kubectl's notice."""
    spec = pod.get("spec") or {}
    names = [c.get("name", "") for c in spec.get("containers") or []]
    init_names = [c.get("name", "") for c in spec.get("initContainers") or []]
    pname = pod["metadata"]["name"]
    if container:
        if container not in names and container not in init_names:
            raise KubectlError(f'error: container {container} is not valid for pod {pname}')
        return container
    if not names:
        raise NotFound(f'pods "{pname}" not found')
    ann = (pod.get("metadata") or {}).get("annotations") or {}
    default = ann.get("kubectl.kubernetes.io/default-container")
    if default in names:
        return default
    if len(names) > 1 or init_names:
        if len(names) > 1:
            all_names = ", ".join(names + [f"{n} (init)" for n in init_names])
            inv.warn(f'Defaulted container "{names[0]}" out of: {all_names}\n')
    return names[0]
