"""default-scheduler: binds Pending pods to nodes.

Filters run in the real plugin order (NodeUnschedulable, TaintToleration, NodeAffinity,
NodeResourcesFit, VolumeBinding) and the first failing filter gives a node's reason, so the
FailedScheduling message reads like the real one::

    0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: },
    2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available:
    3 Preemption is not helpful for scheduling.

An unschedulable pod is retried only when something it depends on changed (nodes, bound pods,
volumes, the pod itself), as the real scheduling queue does on cluster events.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aoi_gym.cluster.patch import json_copy
from aoi_gym.cluster.selectors import _Req
from aoi_gym.cluster.sim.controllers.common import (
    SimController,
    emit,
    set_condition,
    stable_hash,
)
from aoi_gym.cluster.sim.controllers.podtemplate import pod_requests, stored_pod_requests
from aoi_gym.cluster.sim.controllers.sched_pass import NOTHING_USED, Fleet, NodeFacts, OwnerCounts, fits, score

if TYPE_CHECKING:
    from aoi_gym.cluster.sim.cluster import SimCluster

__all__ = ["Scheduler", "tolerates", "node_matches_affinity"]

_NOT_HELPFUL = "Preemption is not helpful for scheduling"
_NO_VICTIMS = "No preemption victims found for incoming pod"
_OPS = {"In": "in", "NotIn": "notin", "Exists": "exists", "DoesNotExist": "!exists"}


def tolerates(tolerations: list[dict[str, Any]], taint: dict[str, Any]) -> bool:
    """Whether any toleration tolerates ``taint`` (key/operator/value/effect semantics)."""
    effect, taint_key = taint.get("effect"), taint.get("key")
    for t in tolerations or ():
        t_effect = t.get("effect")
        if t_effect and t_effect != effect:
            continue
        key = t.get("key")
        if t.get("operator", "Equal") == "Exists":
            if not key or key == taint_key:
                return True
        elif key == taint_key and (t.get("value") or "") == (taint.get("value") or ""):
            return True
    return False


def _match_expr(expr: dict[str, Any], labels: dict[str, str]) -> bool:
    op = expr.get("operator")
    key = expr.get("key", "")
    vals = [str(v) for v in expr.get("values") or ()]
    if op in _OPS:
        return _Req(key, _OPS[op], tuple(vals)).matches(labels)
    if op in ("Gt", "Lt") and key in labels and vals:
        try:
            a, b = int(labels[key]), int(vals[0])
        except ValueError:
            return False
        return a > b if op == "Gt" else a < b
    return False


def _node_selector_terms_match(terms: list[dict[str, Any]], node: dict[str, Any]) -> bool:
    labels = node["metadata"].get("labels") or {}
    fields = {"metadata.name": node["metadata"]["name"]}
    for term in terms or ():
        exprs = term.get("matchExpressions") or []
        fexprs = term.get("matchFields") or []
        if not exprs and not fexprs:
            continue
        if all(_match_expr(e, labels) for e in exprs) and all(_match_expr(e, fields) for e in fexprs):
            return True
    return False


def node_matches_affinity(pod_spec: dict[str, Any], node: dict[str, Any]) -> bool:
    """nodeSelector plus requiredDuringSchedulingIgnoredDuringExecution node affinity."""
    labels = node["metadata"].get("labels") or {}
    for k, v in (pod_spec.get("nodeSelector") or {}).items():
        if labels.get(k) != v:
            return False
    req = (((pod_spec.get("affinity") or {}).get("nodeAffinity") or {}).get("requiredDuringSchedulingIgnoredDuringExecution") or {})
    terms = req.get("nodeSelectorTerms")
    if terms is not None and not _node_selector_terms_match(terms, node):
        return False
    return True


def _taint_text(t: dict[str, Any]) -> str:
    return "{" + f"{t.get('key', '')}: {t.get('value', '')}" + "}"


_UNSCHEDULABLE_TAINT = {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}


def _waits(p: dict[str, Any]) -> bool:
    """Whether pod ``p`` waits for this scheduler: unbound, not being deleted, ours."""
    return (not p["spec"].get("nodeName") and "deletionTimestamp" not in p["metadata"]
            and p["spec"].get("schedulerName", "default-scheduler") == "default-scheduler")


def _placement(p: dict[str, Any]) -> tuple[str, float, float] | None:
    """(node, cpu, memory requested) of a pod that holds resources on its node, else None."""
    node = p["spec"].get("nodeName")
    if node and (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed"):
        cpu, mem = stored_pod_requests(p["spec"])
        return node, cpu, mem
    return None


def _placed(cluster: "SimCluster") -> list[tuple[str, float, float]]:
    """:func:`_placement` of every pod holding resources, in store order (per pod, kept by the store)."""
    store = cluster.store
    if getattr(store, "incremental", None) is None or getattr(store, "bucket", None) is None:
        return [x for p in cluster.iter_objects("Pod") if (x := _placement(p)) is not None]

    def update(placed: dict, changes: list) -> dict:
        for key, p in changes:
            x = _placement(p) if p is not None else None
            if x is None:
                placed.pop(key, None)
            else:
                placed[key] = x
        return placed

    placed = store.incremental("scheduler:placed", "Pod",
                               lambda: {k: x for k, p in store.bucket("Pod").items() if (x := _placement(p)) is not None},
                               update)
    get = placed.get
    return [x for k in store.bucket("Pod") if (x := get(k)) is not None]


def _pending(cluster: "SimCluster") -> list[dict[str, Any]]:
    """The pods waiting for this scheduler, in store order (a set kept by the store when it can)."""
    store = cluster.store
    if getattr(store, "incremental", None) is None or getattr(store, "positions", None) is None:
        return [p for p in cluster.iter_objects("Pod") if _waits(p)]

    def update(waiting: dict, changes: list) -> dict:
        for key, p in changes:
            if p is not None and _waits(p):
                waiting[key] = p
            else:
                waiting.pop(key, None)
        return waiting

    waiting = store.incremental("scheduler:pending", "Pod",
                                lambda: {k: p for k, p in store.bucket("Pod").items() if _waits(p)}, update)
    if not waiting:
        return []
    positions = store.positions("Pod")
    return [waiting[k] for k in sorted(waiting, key=positions.__getitem__)]


def _static_reason(spec: dict[str, Any], f: NodeFacts) -> str | None:
    """The failure of the filters that read only the node and the pod's tolerations, nodeSelector and
    affinity (NodeUnschedulable, TaintToleration, NodeAffinity, in that order), or None."""
    if f.unschedulable or f.taints:
        tolerations = spec.get("tolerations") or []
        if f.unschedulable and not tolerates(tolerations, _UNSCHEDULABLE_TAINT):
            return "node(s) were unschedulable"
        for t in f.taints:
            if not tolerates(tolerations, t):
                return f"node(s) had untolerated taint {_taint_text(t)}"
    # without a nodeSelector or an affinity every node matches
    if (spec.get("nodeSelector") or spec.get("affinity")) and not node_matches_affinity(spec, f.node):
        return "node(s) didn't match Pod's node affinity/selector"
    return None


def _affinity_candidates(spec: dict[str, Any], nodes: list[NodeFacts]) -> list[NodeFacts]:
    """``nodes`` less those the pod's required node affinity rules out by name alone: when every term
    that counts is a ``metadata.name In`` field match (a DaemonSet pod's pin), only the nodes named
    can match (the filters still run on them). Spares a DaemonSet pass a check per pod per node."""
    req = (((spec.get("affinity") or {}).get("nodeAffinity") or {}).get("requiredDuringSchedulingIgnoredDuringExecution") or {})
    terms = req.get("nodeSelectorTerms")
    if terms is None:
        return nodes
    names: set[str] = set()
    for term in terms:
        exprs, fexprs = term.get("matchExpressions") or [], term.get("matchFields") or []
        if not exprs and not fexprs:
            continue  # matches nothing (_node_selector_terms_match skips it)
        if exprs or len(fexprs) != 1 or fexprs[0].get("key") != "metadata.name" or fexprs[0].get("operator") != "In":
            return nodes
        names.update(str(v) for v in fexprs[0].get("values") or ())
    return [f for f in nodes if f.name in names]


def _tolerated(spec: dict[str, Any], f: NodeFacts) -> bool:
    """Whether the pod passes NodeUnschedulable and TaintToleration on ``f`` (:func:`_static_reason`
    for a pod without a nodeSelector or an affinity, without the message)."""
    tolerations = spec.get("tolerations") or []
    if f.unschedulable and not tolerates(tolerations, _UNSCHEDULABLE_TAINT):
        return False
    for t in f.taints:
        if not tolerates(tolerations, t):
            return False
    return True


def _volume_conflict(pvs: list[dict[str, Any]], f: NodeFacts) -> bool:
    """Whether a PV the pod's bound claims use cannot be reached from the node (VolumeBinding)."""
    for pv in pvs:
        terms = (((pv.get("spec") or {}).get("nodeAffinity") or {}).get("required") or {}).get("nodeSelectorTerms")
        if terms is not None and not _node_selector_terms_match(terms, f.node):
            return True
    return False


class Scheduler(SimController):
    """Binds unscheduled pods (schedulerName default-scheduler) to feasible nodes."""

    name = "default-scheduler"
    watches = ("Pod", "Node", "PersistentVolumeClaim", "PersistentVolume", "StorageClass")

    def sync(self, cluster: "SimCluster") -> float | None:
        pending = _pending(cluster)
        if not pending:
            cluster.private.pop("sched", None)
            return None
        placed = _placed(cluster)
        bound = len(placed)
        fleet: Fleet | None = None  # built when a pod is tried (nothing writes before)
        owners = OwnerCounts(cluster)
        nodes = sorted(cluster.iter_objects("Node"), key=lambda n: n["metadata"]["name"])
        world = "|".join(f"{n['metadata']['name']}:{n['metadata'].get('resourceVersion')}" for n in nodes)
        world += f"|bound={bound}|" + "|".join(
            f"{o['metadata'].get('namespace', '')}/{o['metadata']['name']}:{o['metadata'].get('resourceVersion')}"
            for kind in ("PersistentVolumeClaim", "PersistentVolume")
            for o in cluster.iter_objects(kind)
        )
        world_key = stable_hash(world, n=16)
        tried = cluster.private.setdefault("sched", {})
        for p in pending:
            uid = p["metadata"]["uid"]
            key = f"{p['metadata'].get('resourceVersion')}#{world_key}"
            if tried.get(uid) == key:
                continue
            if fleet is None:
                fleet = Fleet(nodes, placed)
            placement = self._schedule(cluster, p, fleet, owners)
            if placement is None:
                cur = cluster.peek("Pod", p["metadata"]["name"], p["metadata"]["namespace"])
                tried[uid] = f"{cur['metadata'].get('resourceVersion') if cur else ''}#{world_key}"
            else:
                tried.pop(uid, None)
                node, (cpu, mem) = placement
                owners.bound(p, node)
                fleet.add_pod(node, cpu, mem)
        live = {p["metadata"]["uid"] for p in pending}
        for uid in [u for u in tried if u not in live]:
            del tried[uid]
        return None

    # ------------------------------------------------------------------------------------------
    def _volume_problem(self, cluster: "SimCluster", pod: dict[str, Any]) -> tuple[str | None, list[dict[str, Any]]]:
        """(PreFilter failure message or None, PVs the pod's bound claims use)."""
        ns = pod["metadata"]["namespace"]
        pvs = []
        for v in pod["spec"].get("volumes") or ():
            claim = (v.get("persistentVolumeClaim") or {}).get("claimName")
            if not claim:
                continue
            pvc = cluster.peek("PersistentVolumeClaim", claim, ns)
            if pvc is None:
                return f'persistentvolumeclaim "{claim}" not found', pvs
            if "deletionTimestamp" in pvc["metadata"]:
                return f'persistentvolumeclaim "{claim}" is being deleted', pvs
            if (pvc.get("status") or {}).get("phase") == "Bound":
                pv = cluster.peek("PersistentVolume", (pvc.get("spec") or {}).get("volumeName", ""))
                if pv is not None:
                    pvs.append(pv)
                continue
            sc_name = (pvc.get("spec") or {}).get("storageClassName")
            sc = cluster.peek("StorageClass", sc_name) if sc_name else None
            if sc is None or sc.get("volumeBindingMode", "Immediate") != "WaitForFirstConsumer":
                return "pod has unbound immediate PersistentVolumeClaims", pvs
        return None, pvs

    def _node_reason(self, pod: dict[str, Any], f: NodeFacts, used: dict, req: tuple[float, float], pvs: list) -> tuple[list[str], bool] | None:
        """None if the pod fits on the node ``f`` describes; else (reasons, resolvable_by_preemption)."""
        static = _static_reason(pod["spec"], f)
        if static is not None:
            return [static], False
        u = used.get(f.name, NOTHING_USED)
        reasons = []
        if u[2] + 1 > f.max_pods:
            reasons.append("Too many pods")
        if req[0] > 0 and u[0] + req[0] > f.cpu + 1e-9:
            reasons.append("Insufficient cpu")
        if req[1] > 0 and u[1] + req[1] > f.memory + 1e-3:
            reasons.append("Insufficient memory")
        if reasons:
            return reasons, True
        if _volume_conflict(pvs, f):
            return ["node(s) had volume node affinity conflict"], False
        return None

    def _schedule(self, cluster: "SimCluster", pod: dict[str, Any], fleet: Fleet,
                  owners: OwnerCounts) -> tuple[str, tuple[float, float]] | None:
        """Binds ``pod``: returns (node, the pod's cpu/memory requests), or None when it does not fit."""
        nodes = fleet.facts
        n = len(nodes)
        problem, pvs = self._volume_problem(cluster, pod)
        if problem is not None:
            msg = f"0/{n} nodes are available: {problem}. preemption: 0/{n} nodes are available: {n} {_NOT_HELPFUL}."
            self._unschedulable(cluster, pod, msg)
            return None
        spec = pod["spec"]
        req = pod_requests(spec)
        r0, r1 = req
        owner = next((r.get("uid") for r in pod["metadata"].get("ownerReferences") or () if r.get("controller")), None)
        spread = owners.get(owner) if owner else {}
        used = fleet.used
        best = None  # the least score over the nodes that pass every filter (names are unique: no ties)
        if pvs or spec.get("nodeSelector") or spec.get("affinity"):
            for f in _affinity_candidates(spec, nodes):
                u = used.get(f.name, NOTHING_USED)
                if _static_reason(spec, f) is None and fits(f, u, r0, r1) and not (pvs and _volume_conflict(pvs, f)):
                    s = score(f, u, r0, r1, spread.get(f.name, 0))
                    if best is None or s < best:
                        best = s
        else:
            # only a tainted or unschedulable node can fail the filters that read the pod's tolerations,
            # nodeSelector and affinity; the others are scored by group
            for f in fleet.marked:
                u = used.get(f.name, NOTHING_USED)
                if _tolerated(spec, f) and fits(f, u, r0, r1):
                    s = score(f, u, r0, r1, spread.get(f.name, 0))
                    if best is None or s < best:
                        best = s
            best = fleet.best_plain(r0, r1, spread, best)
        if best is None:
            self._unschedulable(cluster, pod, self._failure_message(pod, nodes, used, req, pvs))
            return None
        node = best[3]
        self._bind(cluster, pod, node)
        return node, req

    def _failure_message(self, pod: dict[str, Any], nodes: list[NodeFacts], used: dict, req: tuple[float, float],
                         pvs: list) -> str:
        """The FailedScheduling message of a pod no node fits: every node's first failing filter, counted."""
        n = len(nodes)
        if not nodes:
            return "no nodes available to schedule pods"
        counts: dict[str, int] = {}
        preempt: dict[str, int] = {}
        for f in nodes:
            r = self._node_reason(pod, f, used, req, pvs)
            if r is None:  # not reached: the caller found no node that fits
                continue
            for reason in r[0]:
                counts[reason] = counts.get(reason, 0) + 1
            label = _NO_VICTIMS if r[1] else _NOT_HELPFUL
            preempt[label] = preempt.get(label, 0) + 1
        parts = sorted(f"{c} {r}" for r, c in counts.items())
        pparts = sorted(f"{c} {r}" for r, c in preempt.items())
        body = ", ".join(parts) if parts else "no nodes available to schedule pods"
        return f"0/{n} nodes are available: {body}. preemption: 0/{n} nodes are available: {', '.join(pparts)}."

    def _bind(self, cluster: "SimCluster", pod: dict[str, Any], node: str) -> None:
        # copy on write (stored objects are immutable): new spec, status and metadata dicts, the rest shared
        new = {**pod, "metadata": dict(pod["metadata"]), "spec": {**pod["spec"], "nodeName": node}}
        st = new["status"] = dict(pod.get("status") or {})
        st["phase"] = st.get("phase", "Pending")
        conds = [c for c in st.get("conditions") or () if c.get("type") != "PodScheduled"]
        set_condition(conds, "PodScheduled", "True", cluster.timestamp(), extra={"lastProbeTime": None})
        st["conditions"] = conds
        cluster.update_status(new)
        ns, name = pod["metadata"]["namespace"], pod["metadata"]["name"]
        emit(cluster, new, "Scheduled", f"Successfully assigned {ns}/{name} to {node}", component="default-scheduler")
        # WaitForFirstConsumer claims learn their node from the first pod that uses them
        for v in pod["spec"].get("volumes") or ():
            claim = (v.get("persistentVolumeClaim") or {}).get("claimName")
            pvc = cluster.peek("PersistentVolumeClaim", claim, ns) if claim else None
            if pvc is not None and (pvc.get("status") or {}).get("phase") != "Bound":
                ann = pvc["metadata"].get("annotations") or {}
                if ann.get("volume.kubernetes.io/selected-node") != node:
                    upd = json_copy(pvc)
                    upd["metadata"].setdefault("annotations", {})["volume.kubernetes.io/selected-node"] = node
                    cluster.update_status(upd)

    def _unschedulable(self, cluster: "SimCluster", pod: dict[str, Any], msg: str) -> None:
        st = pod.get("status") or {}
        cur = next((c for c in st.get("conditions") or () if c.get("type") == "PodScheduled"), None)
        if cur is None or cur.get("status") != "False" or cur.get("message") != msg:
            # copy on write (stored objects are immutable): new metadata and status dicts, the rest shared;
            # a pod without status gets one last, where json_copy + setdefault put it
            new = {**pod, "metadata": dict(pod["metadata"]), "status": dict(st)}
            nst = new["status"]
            nst["phase"] = "Pending"
            conds = [c for c in nst.get("conditions") or () if c.get("type") != "PodScheduled"]
            set_condition(conds, "PodScheduled", "False", cluster.timestamp(), "Unschedulable", msg, st.get("conditions"),
                          extra={"lastProbeTime": None})
            nst["conditions"] = conds
            if "qosClass" not in nst:
                from aoi_gym.cluster.sim.controllers.podtemplate import qos_class

                nst["qosClass"] = qos_class(new.get("spec") or {})
            cluster.update_status(new)
            pod = new
        emit(cluster, pod, "FailedScheduling", msg, type="Warning", component="default-scheduler")
