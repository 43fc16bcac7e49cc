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
    parse_quantity,
    pod_multi_index,
    set_condition,
    stable_hash,
)
from aoi_gym.cluster.sim.controllers.podtemplate import pod_requests, stored_pod_requests

if TYPE_CHECKING:
    from aoi_gym.cluster.sim.cluster import SimCluster

__all__ = ["Scheduler", "tolerates", "node_matches_affinity"]

_NOT_HELPFUL = "Preemption is not helpful for scheduling"
_NO_VICTIMS = "No preemption victims found for incoming pod"
_NOTHING_USED = (0.0, 0.0, 0)  # cpu, memory, pods of a node no pod holds resources on (read only)
_OPS = {"In": "in", "NotIn": "notin", "Exists": "exists", "DoesNotExist": "!exists"}


def tolerates(tolerations: list[dict[str, Any]], taint: dict[str, Any]) -> bool:
    """Whether any toleration tolerates ``taint`` (key/operator/value/effect semantics)."""
    for t in tolerations or ():
        if t.get("effect") and t.get("effect") != taint.get("effect"):
            continue
        op = t.get("operator", "Equal")
        key = t.get("key")
        if op == "Exists":
            if not key or key == taint.get("key"):
                return True
        elif key == taint.get("key") and (t.get("value") or "") == (taint.get("value") or ""):
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


class _NodeFacts:
    """What the filters and the score read of one node, worked out once per pass (not per pod)."""

    __slots__ = ("node", "name", "unschedulable", "taints", "max_pods", "cpu", "memory")

    def __init__(self, node: dict[str, Any]) -> None:
        nspec = node.get("spec") or {}
        alloc = (node.get("status") or {}).get("allocatable") or {}
        self.node = node
        self.name = node["metadata"]["name"]
        self.unschedulable = bool(nspec.get("unschedulable"))
        # only these effects keep a pod off a node
        self.taints = [t for t in nspec.get("taints") or () if t.get("effect") in ("NoSchedule", "NoExecute")]
        self.max_pods = int(parse_quantity(alloc.get("pods", 110)))
        self.cpu = parse_quantity(alloc.get("cpu"))
        self.memory = parse_quantity(alloc.get("memory"))


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


def _nodes_by_owner(cluster: "SimCluster") -> dict[str, dict[tuple[str, str], str]]:
    """owner uid (any ownerReference) -> {(namespace, name): node} of its bound pods, kept by the store."""
    def entries(p: dict[str, Any]) -> list[tuple[str, str]]:
        node = p["spec"].get("nodeName")
        return [(r.get("uid"), node) for r in p["metadata"].get("ownerReferences") or ()] if node else []

    return pod_multi_index(cluster, "scheduler:nodes-by-owner", entries)


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
        used: dict[str, list[float]] | None = None  # summed when a pod is tried (nothing writes before)
        facts: list[_NodeFacts] | None = None  # likewise
        # owner uid -> {node: its bound pods there}, counted once per pass and kept up to date with the
        # pass's own binds (nothing else in a pass binds a pod)
        owner_counts: dict[str, dict[str, int]] = {}
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
            if used is None:
                used = {}
                for node_name, cpu, mem in placed:
                    u = used.setdefault(node_name, [0.0, 0.0, 0])
                    u[0] += cpu
                    u[1] += mem
                    u[2] += 1
            if facts is None:
                facts = [_NodeFacts(n) for n in nodes]
            placement = self._schedule(cluster, p, facts, used, owner_counts)
            if placement is None:
                cur = cluster.peek("Pod", p["metadata"]["name"], p["metadata"]["namespace"])
                tried[uid] = f"{cur['metadata'].get('resourceVersion') if cur else ''}#{world_key}"
            else:
                tried.pop(uid, None)
                node, (cpu, mem) = placement
                for owner in {r.get("uid") for r in p["metadata"].get("ownerReferences") or ()}:
                    counted = owner_counts.get(owner)
                    if counted is not None:
                        counted[node] = counted.get(node, 0) + 1
                u = used.setdefault(node, [0.0, 0.0, 0])
                u[0] += cpu
                u[1] += mem
                u[2] += 1
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

    def _node_reason(self, pod: dict[str, Any], f: _NodeFacts, used: dict, req: tuple[float, float], pvs: list) -> tuple[list[str], bool] | None:
        """None if the pod fits on the node ``f`` describes; else (reasons, resolvable_by_preemption)."""
        spec = pod["spec"]
        if f.unschedulable or f.taints:
            tolerations = spec.get("tolerations") or []
            if f.unschedulable and not tolerates(tolerations, _UNSCHEDULABLE_TAINT):
                return ["node(s) were unschedulable"], False
            for t in f.taints:
                if not tolerates(tolerations, t):
                    return [f"node(s) had untolerated taint {_taint_text(t)}"], False
        # without a nodeSelector or an affinity every node matches
        if (spec.get("nodeSelector") or spec.get("affinity")) and not node_matches_affinity(spec, f.node):
            return ["node(s) didn't match Pod's node affinity/selector"], False
        u = used.get(f.name, _NOTHING_USED)
        reasons = []
        if u[2] + 1 > f.max_pods:
            reasons.append("Too many pods")
        if req[0] > 0 and u[0] + req[0] > f.cpu + 1e-9:
            reasons.append("Insufficient cpu")
        if req[1] > 0 and u[1] + req[1] > f.memory + 1e-3:
            reasons.append("Insufficient memory")
        if reasons:
            return reasons, True
        for pv in pvs:
            terms = (((pv.get("spec") or {}).get("nodeAffinity") or {}).get("required") or {}).get("nodeSelectorTerms")
            if terms is not None and not _node_selector_terms_match(terms, f.node):
                return ["node(s) had volume node affinity conflict"], False
        return None

    def _schedule(self, cluster: "SimCluster", pod: dict[str, Any], nodes: list[_NodeFacts], used: dict,
                  owner_counts: dict[str, dict[str, int]]) -> tuple[str, tuple[float, float]] | None:
        """Binds ``pod``: returns (node, the pod's cpu/memory requests), or None when it does not fit."""
        n = len(nodes)
        problem, pvs = self._volume_problem(cluster, pod)
        if problem is not None:
            msg = f"0/{n} nodes are available: {problem}. preemption: 0/{n} nodes are available: {n} {_NOT_HELPFUL}."
            self._unschedulable(cluster, pod, msg)
            return None
        req = pod_requests(pod["spec"])
        feasible = []
        counts: dict[str, int] = {}
        preempt: dict[str, int] = {}
        for f in nodes:
            r = self._node_reason(pod, f, used, req, pvs)
            if r is None:
                feasible.append(f)
                continue
            for reason in r[0]:
                counts[reason] = counts.get(reason, 0) + 1
            label = _NO_VICTIMS if r[1] else _NOT_HELPFUL
            preempt[label] = preempt.get(label, 0) + 1
        if not feasible:
            parts = sorted(f"{c} {r}" for r, c in counts.items())
            pparts = sorted(f"{c} {r}" for r, c in preempt.items())
            body = ", ".join(parts) if parts else "no nodes available to schedule pods"
            msg = f"0/{n} nodes are available: {body}. preemption: 0/{n} nodes are available: {', '.join(pparts)}."
            if not nodes:
                msg = "no nodes available to schedule pods"
            self._unschedulable(cluster, pod, msg)
            return None
        owner = next((r.get("uid") for r in pod["metadata"].get("ownerReferences") or () if r.get("controller")), None)
        same_owner = {}
        if owner:
            same_owner = owner_counts.get(owner)
            if same_owner is None:
                same_owner = owner_counts[owner] = self._owner_counts(cluster, owner)

        def score(f: _NodeFacts) -> tuple:
            name = f.name
            u = used.get(name, _NOTHING_USED)
            cpu_frac = (u[0] + req[0]) / max(f.cpu, 1e-9)
            mem_frac = (u[1] + req[1]) / max(f.memory, 1e-9)
            return (same_owner.get(name, 0), round(cpu_frac + mem_frac, 6), u[2], name)

        best = min(feasible, key=score).name
        self._bind(cluster, pod, best)
        return best, req

    def _owner_counts(self, cluster: "SimCluster", owner_uid: str) -> dict[str, int]:
        out: dict[str, int] = {}
        if getattr(cluster.store, "incremental", None) is not None and getattr(cluster.store, "bucket", None) is not None:
            for node in _nodes_by_owner(cluster).get(owner_uid, {}).values():
                out[node] = out.get(node, 0) + 1
            return out
        for p in cluster.iter_objects("Pod"):
            node = p["spec"].get("nodeName")
            if node and any(r.get("uid") == owner_uid for r in p["metadata"].get("ownerReferences") or ()):
                out[node] = out.get(node, 0) + 1
        return out

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
