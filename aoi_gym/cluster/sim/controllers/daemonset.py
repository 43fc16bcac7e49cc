"""DaemonSet controller: one pod per eligible node.

A node is eligible when the pod template's nodeSelector/affinity match it and its NoSchedule/NoExecute
taints are tolerated (the controller adds the usual DaemonSet tolerations, unschedulable included, so
cordoned nodes keep their daemons). Pods are ``<name>-<5 chars>`` pinned with a ``metadata.name``
node-affinity term and bound by the scheduler. A template change replaces pods one node at a time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aoi_gym.cluster.sim.controllers.common import (
    SimController,
    emit,
    owner_index,
    memo_prune,
    memoized,
    rv_signature,
    pod_is_ready,
    pod_is_terminating,
)
from aoi_gym.cluster.sim.controllers.podtemplate import new_pod, stored_template_hash
from aoi_gym.cluster.sim.controllers.replicaset import count_available
from aoi_gym.cluster.sim.controllers.scheduler import node_matches_affinity, tolerates

if TYPE_CHECKING:
    from aoi_gym.cluster.sim.cluster import SimCluster

__all__ = ["DaemonSetController"]

_COMPONENT = "daemonset-controller"
_DS_TOLERATIONS = [
    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/disk-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/memory-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/pid-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"},
]


def _pod_node(pod: dict[str, Any]) -> str | None:
    if pod["spec"].get("nodeName"):
        return pod["spec"]["nodeName"]
    aff = (((pod["spec"].get("affinity") or {}).get("nodeAffinity") or {}).get("requiredDuringSchedulingIgnoredDuringExecution") or {})
    for term in aff.get("nodeSelectorTerms") or ():
        for f in term.get("matchFields") or ():
            if f.get("key") == "metadata.name" and f.get("values"):
                return f["values"][0]
    return None


class DaemonSetController(SimController):
    """Keeps one pod of each DaemonSet on every eligible node; writes DaemonSet status."""

    name = "daemonset-controller"
    watches = ("DaemonSet", "Pod", "Node", "Namespace")

    def sync(self, cluster: "SimCluster") -> float | None:
        sets = list(cluster.iter_objects("DaemonSet"))
        if not sets:
            return None
        nodes = sorted(cluster.iter_objects("Node"), key=lambda n: n["metadata"]["name"])
        by_owner = owner_index(cluster, "Pod")
        due: float | None = None
        live: set[str] = set()
        node_sig = rv_signature(nodes)
        for ds in sets:
            if "deletionTimestamp" in ds["metadata"]:
                continue
            uid = ds["metadata"]["uid"]
            live.add(uid)
            owned = by_owner.get(uid, [])
            sig = ds["metadata"].get("resourceVersion", "") + "|" + node_sig + "|" + rv_signature(owned)
            d = memoized(cluster, "memo:ds", uid, sig, lambda ds=ds, owned=owned: self._sync_one(cluster, ds, nodes, owned))
            if d is not None and (due is None or d < due):
                due = d
        memo_prune(cluster, "memo:ds", live)
        return due

    def _template(self, ds: dict[str, Any], h: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        """(template, spec, metadata) the pods of ``ds`` share but for the node pin :meth:`_pinned` adds.

        New dicts only where this changes the template: new_pod copies the spec's top level and reads
        the metadata without keeping it; everything below is shared with the stored DaemonSet (safe:
        stored objects are immutable)."""
        template = (ds.get("spec") or {}).get("template") or {}
        spec = dict(template.get("spec") or {})
        tols = list(spec.get("tolerations") or [])
        for t in _DS_TOLERATIONS:
            if not any(x.get("key") == t["key"] and x.get("effect") == t["effect"] for x in tols):
                tols.append(dict(t))
        spec["tolerations"] = tols
        meta = dict(template.get("metadata") or {})
        meta["labels"] = {**(meta.get("labels") or {}), "controller-revision-hash": h,
                          "pod-template-generation": str(ds["metadata"].get("generation", 1))}
        return template, spec, meta

    @staticmethod
    def _pinned(base: tuple[dict[str, Any], dict[str, Any], dict[str, Any]], node: str) -> dict[str, Any]:
        """The pod template of one node: the shared parts with a ``metadata.name`` affinity term."""
        template, spec, meta = base
        spec = {**spec, "affinity": {**(spec.get("affinity") or {}), "nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node]}]}]}}}}
        return {**template, "spec": spec, "metadata": meta}

    def _sync_one(self, cluster: "SimCluster", ds: dict[str, Any], nodes: list[dict[str, Any]], owned: list[dict[str, Any]]) -> float | None:
        meta, spec = ds["metadata"], ds.get("spec") or {}
        ns, name = meta["namespace"], meta["name"]
        h = stored_template_hash(spec.get("template"))  # ds is stored: memoized per template object
        tspec = (spec.get("template") or {}).get("spec") or {}
        tols = list(tspec.get("tolerations") or []) + _DS_TOLERATIONS
        eligible = []
        for n in nodes:
            taints = (n.get("spec") or {}).get("taints") or []
            if node_matches_affinity(tspec, n) and all(
                t.get("effect") not in ("NoSchedule", "NoExecute") or tolerates(tols, t) for t in taints
            ):
                eligible.append(n["metadata"]["name"])
        on_node: dict[str, list[dict[str, Any]]] = {}
        for p in owned:
            if not pod_is_terminating(p):
                on_node.setdefault(_pod_node(p) or "", []).append(p)
        pinned = {_pod_node(p) for p in owned}  # terminating pods included: a node waits for its pod to go
        base = None
        for node in eligible:
            if node not in on_node and node not in pinned:
                pod_name = f"{name}-{cluster.random_suffix(5)}"
                if base is None:
                    base = self._template(ds, h)
                if new_pod(cluster, self._pinned(base, node), pod_name, ns, ds, generate_name=f"{name}-") is not None:
                    emit(cluster, ds, "SuccessfulCreate", f"Created pod: {pod_name}", component=_COMPONENT)
        for node, pods in on_node.items():
            doomed = pods[1:] if node in eligible else pods
            for p in doomed:
                cluster.delete("Pod", p["metadata"]["name"], ns)
                emit(cluster, ds, "SuccessfulDelete", f"Deleted pod: {p['metadata']['name']}", component=_COMPONENT)
        # rolling update: one stale pod at a time, once every daemon pod is ready
        live = [p for p in owned if not pod_is_terminating(p)]
        if live and all(pod_is_ready(p) for p in live) and len(live) == len(eligible):
            stale = [p for p in live if (p["metadata"].get("labels") or {}).get("controller-revision-hash") != h]
            if stale:
                cluster.delete("Pod", stale[0]["metadata"]["name"], ns)
        live = [q for q in (cluster.peek("Pod", p["metadata"]["name"], ns) for p in owned) if q is not None and not pod_is_terminating(q)]
        ready, available, due = count_available(cluster, live, float(spec.get("minReadySeconds", 0) or 0))
        scheduled = sum(1 for p in live if p["spec"].get("nodeName"))
        status = {
            "currentNumberScheduled": scheduled,
            "desiredNumberScheduled": len(eligible),
            "numberAvailable": available,
            "numberMisscheduled": 0,
            "numberReady": ready,
            "observedGeneration": meta.get("generation", 1),
            "updatedNumberScheduled": sum(1 for p in live if (p["metadata"].get("labels") or {}).get("controller-revision-hash") == h),
        }
        if len(eligible) - available > 0:
            status["numberUnavailable"] = len(eligible) - available
        if ds.get("status") != status:
            cur = cluster.peek("DaemonSet", name, ns) or ds
            # copy on write: a new top level and metadata (the store stamps it), the spec shared
            new = {**cur, "metadata": dict(cur["metadata"]), "status": status}
            cluster.update_status(new)
        return due
