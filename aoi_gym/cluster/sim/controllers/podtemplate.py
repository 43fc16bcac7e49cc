"""Pod templates: API-server defaulting, QoS class, and pods stamped out of a template.

Workload controllers (ReplicaSet, StatefulSet, DaemonSet) create pods with :func:`new_pod`; the
deployment controller hashes :func:`defaulted_template` so that re-applying a manifest without the
defaulted fields does not start a rollout.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aoi_gym.cluster.patch import json_copy
from aoi_gym.cluster.sim.controllers.common import owner_ref, parse_quantity, put_new, template_hash

if TYPE_CHECKING:
    from aoi_gym.cluster.sim.cluster import SimCluster

__all__ = [
    "default_pod_spec", "defaulted_template", "note_defaulted_template", "stored_template_hash", "qos_class",
    "new_pod", "image_pull_policy", "pod_requests",
]

_PROBE_DEFAULTS = {"timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3}
DEFAULT_TOLERATIONS = [
    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
]


def image_pull_policy(image: str) -> str:
    """The API server's default imagePullPolicy: Always for ``:latest`` or untagged images."""
    last = image.rsplit("/", 1)[-1]
    if "@" in last:
        return "IfNotPresent"
    if ":" not in last or last.endswith(":latest"):
        return "Always"
    return "IfNotPresent"


# Defaulting copies on write below the top level of a pod spec: a container, port, probe or volume
# that gains a field is a fresh dict, everything else stays shared with the input. So the nested
# parts of a spec are never modified (they may belong to a stored object), and a template defaulted
# twice comes out the same (defaulting is idempotent: every default is a setdefault).
def _with_default(d: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    """``d`` with ``d.setdefault(key, value)`` applied, as a copy when that changes it."""
    if key in d:
        return d
    return {**d, key: value}


def _defaulted_container(c: dict[str, Any]) -> dict[str, Any]:
    c = dict(c)
    c.setdefault("imagePullPolicy", image_pull_policy(str(c.get("image", ""))))
    c.setdefault("resources", {})
    c.setdefault("terminationMessagePath", "/dev/termination-log")
    c.setdefault("terminationMessagePolicy", "File")
    ports = c.get("ports")
    if isinstance(ports, (list, tuple)):
        c["ports"] = type(ports)(_with_default(p, "protocol", "TCP") if isinstance(p, dict) else p for p in ports)
    for probe_name in ("livenessProbe", "readinessProbe", "startupProbe"):
        probe = c.get(probe_name)
        if isinstance(probe, dict):
            probe = c[probe_name] = dict(probe)
            for k, v in _PROBE_DEFAULTS.items():
                probe.setdefault(k, v)
            if isinstance(probe.get("httpGet"), dict):
                probe["httpGet"] = _with_default(probe["httpGet"], "scheme", "HTTP")
    return c


def _defaulted_volume(v: dict[str, Any]) -> dict[str, Any]:
    for src in ("configMap", "secret"):
        if isinstance(v.get(src), dict) and "defaultMode" not in v[src]:
            v = {**v, src: {**v[src], "defaultMode": 420}}
    return v


def default_pod_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """Fill the fields the API server defaults in a pod spec (returns ``spec``). The top level is
    filled in place; below it nothing is modified: containers and volumes that gain fields are
    replaced by copies, the rest is shared with the input."""
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("schedulerName", "default-scheduler")
    spec.setdefault("securityContext", {})
    spec.setdefault("terminationGracePeriodSeconds", 30)
    for key in ("containers", "initContainers"):
        cs = spec.get(key)
        if isinstance(cs, (list, tuple)):
            spec[key] = type(cs)(_defaulted_container(c) if isinstance(c, dict) else c for c in cs)
    vols = spec.get("volumes")
    if isinstance(vols, (list, tuple)):
        spec["volumes"] = type(vols)(_defaulted_volume(v) if isinstance(v, dict) else v for v in vols)
    return spec


def defaulted_template(template: dict[str, Any] | None) -> dict[str, Any]:
    """A defaulted copy of a pod template (what the deployment controller hashes). It shares with
    ``template`` whatever defaulting leaves alone: treat both as immutable."""
    tmpl = dict(template) if type(template) is dict else json_copy(template or {})
    tmpl.setdefault("metadata", {})
    spec = tmpl.get("spec")
    if type(spec) is dict:
        tmpl["spec"] = spec = dict(spec)  # default_pod_spec fills the top level in place
        default_pod_spec(spec)
    else:
        default_pod_spec(tmpl.setdefault("spec", {}))
    return tmpl


_STORED_HASHES: dict[int, tuple[Any, str]] = {}


def stored_template_hash(template: dict[str, Any] | None) -> str:
    """``template_hash(defaulted_template(template))`` for a template inside a *stored* object.

    Stored objects never change, so the result is remembered per template object (the memo holds a
    reference, so an id is never reused while its entry lives); a pure function's memo, no simulation state.
    """
    if template is None:
        return template_hash(defaulted_template(None))
    hit = _STORED_HASHES.get(id(template))
    if hit is not None and hit[0] is template:
        return hit[1]
    h = template_hash(defaulted_template(template))
    if len(_STORED_HASHES) > 4096:
        _STORED_HASHES.clear()
    _STORED_HASHES[id(template)] = (template, h)
    return h


# id(spec) -> spec for pod specs known to be defaulted that lie inside stored (immutable) objects; a pure
# memo holding a reference, so an id is not reused while its entry lives
_DEFAULTED_SPECS: dict[int, Any] = {}


def note_defaulted_template(template: dict[str, Any]) -> None:
    """Remember what is known of a template that :func:`defaulted_template` just returned and that is
    about to be stored. Defaulting is idempotent and the hash ignores key order, so
    ``stored_template_hash(template)`` is ``template_hash(template)`` (no second defaulting copy), and
    :func:`new_pod` need not default (nor copy) its spec."""
    if len(_STORED_HASHES) > 4096:
        _STORED_HASHES.clear()
    _STORED_HASHES[id(template)] = (template, template_hash(template))
    spec = template["spec"]
    if len(_DEFAULTED_SPECS) > 4096:
        _DEFAULTED_SPECS.clear()
    _DEFAULTED_SPECS[id(spec)] = spec


def _container_resources(c: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    res = c.get("resources") or {}
    limits = res.get("limits") or {}
    requests = dict(res.get("requests") or {})
    for k, v in limits.items():
        requests.setdefault(k, v)  # a limit without a request implies an equal request
    return requests, limits


_STORED_REQUESTS: dict[int, tuple[Any, tuple[float, float]]] = {}


def stored_pod_requests(spec: dict[str, Any]) -> tuple[float, float]:
    """:func:`pod_requests` of the spec of a *stored* pod, remembered per spec object (stored objects
    never change; the memo holds a reference, so an id is not reused while its entry lives)."""
    hit = _STORED_REQUESTS.get(id(spec))
    if hit is not None and hit[0] is spec:
        return hit[1]
    out = pod_requests(spec)
    if len(_STORED_REQUESTS) > 16384:
        _STORED_REQUESTS.clear()
    _STORED_REQUESTS[id(spec)] = (spec, out)
    return out


def pod_requests(spec: dict[str, Any]) -> tuple[float, float]:
    """(cpu cores, memory bytes) the scheduler accounts for a pod (containers summed, max with init)."""
    cpu = mem = 0.0
    for c in spec.get("containers") or ():
        req, _ = _container_resources(c)
        cpu += parse_quantity(req.get("cpu"))
        mem += parse_quantity(req.get("memory"))
    for c in spec.get("initContainers") or ():
        req, _ = _container_resources(c)
        cpu = max(cpu, parse_quantity(req.get("cpu")))
        mem = max(mem, parse_quantity(req.get("memory")))
    return cpu, mem


def qos_class(spec: dict[str, Any]) -> str:
    """Guaranteed / Burstable / BestEffort as the API server computes status.qosClass."""
    containers = list(spec.get("containers") or ()) + list(spec.get("initContainers") or ())
    any_set = False
    guaranteed = True
    for c in containers:
        req, lim = _container_resources(c)
        if req or lim:
            any_set = True
        for r in ("cpu", "memory"):
            if r not in lim or parse_quantity(req.get(r)) != parse_quantity(lim.get(r)):
                guaranteed = False
    if not any_set:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"


def new_pod(
    cluster: "SimCluster",
    template: dict[str, Any],
    name: str,
    namespace: str,
    owner: dict[str, Any] | None,
    extra_labels: dict[str, str] | None = None,
    generate_name: str | None = None,
) -> dict[str, Any] | None:
    """Create and store a pod from ``template`` (returns the stored pod, or None if the namespace is
    terminating)."""
    tmeta = template.get("metadata") or {}
    labels = dict(tmeta.get("labels") or {})
    labels.update(extra_labels or {})
    meta: dict[str, Any] = {"name": name, "namespace": namespace, "labels": labels}
    if generate_name:
        meta["generateName"] = generate_name
    if tmeta.get("annotations"):
        meta["annotations"] = dict(tmeta["annotations"])
    if owner is not None:
        meta["ownerReferences"] = [owner_ref(owner)]
    tspec = template.get("spec") or {}
    hit = _POD_SPECS.get(id(tspec))
    if hit is not None and hit[0] is tspec:
        spec, qos = dict(hit[1]), hit[2]
    elif _DEFAULTED_SPECS.get(id(tspec)) is tspec:
        # defaulting is idempotent, so default_pod_spec would change nothing: a fresh top level that
        # shares the rest with the stored template is enough (only top-level keys are set below)
        spec = _pod_spec(dict(tspec))
        qos = qos_class(spec)
        # every pod of this stored template gets the same spec: remember it (each pod a fresh top level)
        if len(_POD_SPECS) > 4096:
            _POD_SPECS.clear()
        _POD_SPECS[id(tspec)] = (tspec, spec, qos)
        spec = dict(spec)
    else:
        # default_pod_spec modifies nothing below the top level
        spec = _pod_spec(default_pod_spec(dict(tspec) if type(tspec) is dict else json_copy(tspec)))
        qos = qos_class(spec)
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": meta,
        "spec": spec,
        "status": {"phase": "Pending", "qosClass": qos},
    }
    return put_new(cluster, pod)


# id(template spec) -> (that spec, the pod spec new_pod makes of it, its QoS class) for defaulted specs
# inside stored (immutable) templates; a pure memo holding a reference, so an id is not reused while its
# entry lives. Pods share everything below the top level of their spec with it (as they do with the
# template): stored objects are never modified.
_POD_SPECS: dict[int, tuple[Any, dict[str, Any], str]] = {}


def _pod_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """Set the top-level fields the API server adds to a pod's (defaulted) spec (returns ``spec``)."""
    sa = spec.get("serviceAccountName") or spec.get("serviceAccount") or "default"
    spec["serviceAccountName"] = spec["serviceAccount"] = sa
    spec.setdefault("enableServiceLinks", True)
    spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
    spec.setdefault("priority", 2000000000 if spec.get("priorityClassName") == "system-cluster-critical" else 0)
    tolerations = list(spec.get("tolerations") or [])
    for t in DEFAULT_TOLERATIONS:
        if not any(x.get("key") == t["key"] for x in tolerations):
            tolerations.append(dict(t))
    spec["tolerations"] = tolerations
    return spec
