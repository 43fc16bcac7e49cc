"""ReplicaSet controller: keeps ``spec.replicas`` pods of the template alive and reports status.

Pods are named ``<rs-name>-<5 chars>`` (the suffix from ``cluster.rng``); scaling down deletes the
least valuable pods first (unscheduled, pending, not ready, shortest ready, most restarts, newest),
as the real controller ranks them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aoi_gym.cluster.selectors import match_labels
from aoi_gym.cluster.sim.controllers.common import (
    ts_to_t,
    emit,
    owner_index,
    changed_owners,
    pass_window,
    rv_signature,
    pod_is_ready,
    pod_ready_since,
)
from aoi_gym.cluster.sim.controllers.deploy_events import emit_after_create
from aoi_gym.cluster.sim.controllers.deploy_memo import (
    KeepingPass,
    NoRepassOfKeptWrites,
    changed_uids_not_kept,
    memo_ts_to_t,
    single_own_write,
)
from aoi_gym.cluster.sim.controllers.podtemplate import new_pod

if TYPE_CHECKING:
    from aoi_gym.cluster.sim.cluster import SimCluster

__all__ = ["ReplicaSetController", "active_pods", "count_available"]

_PHASE_RANK = {"Pending": 0, "Unknown": 1, "Running": 2}


_TERMINAL = ("Succeeded", "Failed")


def active_pods(pods: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pods that count toward replicas: neither terminating (``pod_is_terminating``) nor finished
    (``pod_is_terminal``)."""
    return [p for p in pods
            if "deletionTimestamp" not in p["metadata"] and (p.get("status") or {}).get("phase") not in _TERMINAL]


def count_available(cluster: "SimCluster", pods: list[dict[str, Any]], min_ready_s: float) -> tuple[int, int, float | None]:
    """(ready, available, next time another pod becomes available) for ``pods`` (``pod_ready_since``
    inlined: this runs for every synced ReplicaSet, StatefulSet and DaemonSet)."""
    ready = available = 0
    due: float | None = None
    now = cluster.t
    for p in pods:
        for c in (p.get("status") or {}).get("conditions") or ():
            if c.get("type") == "Ready":  # the pod's first Ready condition
                break
        else:
            continue
        if c.get("status") != "True":
            continue
        ready += 1
        at = memo_ts_to_t(cluster, c.get("lastTransitionTime")) + min_ready_s
        if at <= now:
            available += 1
        elif due is None or at < due:
            due = at
    return ready, available, due


def _fully_labeled(tlabels: dict[str, Any], pods: list[dict[str, Any]]) -> int:
    """How many of ``pods`` carry the template's labels (``match_labels(tlabels, labels) or not tlabels``)."""
    if not tlabels:
        return len(pods)
    if "matchLabels" in tlabels or "matchExpressions" in tlabels:  # read as a structured selector
        return sum(1 for p in pods if match_labels(tlabels, p["metadata"].get("labels")))
    items = tlabels.items()
    n = 0
    for p in pods:
        labels = p["metadata"].get("labels") or {}
        for k, v in items:
            if labels.get(k) != v:
                break
        else:
            n += 1
    return n


def _one_pod_counts(cluster: "SimCluster", pod: dict[str, Any], tlabels: dict[str, Any],
                    min_ready_s: float) -> tuple[int, int, int, float | None]:
    """(fully labeled, ready, available, due) of a ReplicaSet with one active pod, as
    ``_fully_labeled`` (template labels read as plain labels) and ``count_available`` give them; the
    common ReplicaSet, synced a few times each."""
    labels = pod["metadata"].get("labels") or {}
    fully = 1
    for k, v in tlabels.items():
        if labels.get(k) != v:
            fully = 0
            break
    for c in (pod.get("status") or {}).get("conditions") or ():
        if c.get("type") == "Ready":  # the pod's first Ready condition
            break
    else:
        return fully, 0, 0, None
    if c.get("status") != "True":
        return fully, 0, 0, None
    at = memo_ts_to_t(cluster, c.get("lastTransitionTime")) + min_ready_s
    if at <= cluster.t:
        return fully, 1, 1, None
    return fully, 1, 0, at


def _deletion_rank(cluster: "SimCluster", pod: dict[str, Any]) -> tuple:
    st = pod.get("status") or {}
    ready = pod_is_ready(pod)
    since = pod_ready_since(cluster, pod) if ready else 0.0
    restarts = sum(c.get("restartCount", 0) for c in st.get("containerStatuses") or ())
    created = ts_to_t(cluster, pod["metadata"].get("creationTimestamp"))
    return (
        1 if pod["spec"].get("nodeName") else 0,
        _PHASE_RANK.get(st.get("phase", "Pending"), 0),
        1 if ready else 0,
        -(since or 0.0),
        -restarts,
        -created,
        pod["metadata"]["name"],
    )


class ReplicaSetController(NoRepassOfKeptWrites):
    """Creates/deletes pods to match each ReplicaSet's replicas; writes RS status."""

    name = "replicaset-controller"
    watches = ("ReplicaSet", "Pod", "Namespace")

    def sync(self, cluster: "SimCluster") -> float | None:
        since = pass_window(cluster, self.name)
        dirty = changed_owners(cluster, self.name, "Pod", since)
        if dirty is not None:
            changed_uids_not_kept(cluster, "ReplicaSet", since, dirty, "memo:rs")
        by_owner = owner_index(cluster, "Pod")
        p = KeepingPass(cluster, "ReplicaSet", "memo:rs", dirty)
        store = cluster.store
        for rs, uid in p.objects():
            owned = by_owner.get(uid, [])
            # rv_signature, the one-pod case (the common one) without the join
            owned_sig = owned[0]["metadata"].get("resourceVersion", "") if len(owned) == 1 else rv_signature(owned)
            meta = rs["metadata"]
            sig = meta.get("resourceVersion", "") + "|" + owned_sig
            if p.fresh(uid, sig):
                continue
            before = store.resource_version
            current = store.peek("ReplicaSet", meta["name"], meta["namespace"]) is rs
            due, steady = self._sync_one(cluster, rs, owned)
            # When the (current) RS had its replicas already (no pod to make or delete, no name drawn)
            # and the one write was its status, a sync of the new version with the same pods writes
            # nothing and finds the same deadline: keep the memo under that version.
            after = None
            if steady and current:
                rv = single_own_write(cluster, before, rs)
                if rv is not None:
                    after = rv + "|" + owned_sig
            p.done(uid, sig, before, due, after)
        self._all_kept = p.all_kept
        return p.finish()

    def _sync_one(self, cluster: "SimCluster", rs: dict[str, Any], owned: list[dict[str, Any]]) -> tuple[float | None, bool]:
        """(the RS's deadline, whether it had its replicas: no pod to make or delete)"""
        meta, spec = rs["metadata"], rs.get("spec") or {}
        ns, name = meta["namespace"], meta["name"]
        want = int(spec.get("replicas", 1) or 0)
        active = active_pods(owned)
        steady = len(active) == want
        template = spec.get("template") or {}
        if len(active) < want:
            for _ in range(want - len(active)):
                pod_name = f"{name}-{cluster.random_suffix()}"
                while cluster.store.peek("Pod", pod_name, ns) is not None:
                    pod_name = f"{name}-{cluster.random_suffix()}"
                pod = new_pod(cluster, template, pod_name, ns, rs, generate_name=f"{name}-")
                if pod is None:
                    break
                active.append(pod)
                # (the pod was just created in the RS's namespace: it exists and is not terminating)
                emit_after_create(cluster, rs, "SuccessfulCreate", f"Created pod: {pod_name}", "replicaset-controller")
        elif len(active) > want:
            ranked = sorted(active, key=lambda p: _deletion_rank(cluster, p))
            doomed = ranked[: len(active) - want]
            for p in doomed:
                cluster.delete("Pod", p["metadata"]["name"], ns)
                emit(cluster, rs, "SuccessfulDelete", f"Deleted pod: {p['metadata']['name']}", component="replicaset-controller")
            gone = {id(p) for p in doomed}
            active = [p for p in active if id(p) not in gone]
        tlabels = (template.get("metadata") or {}).get("labels") or {}
        min_ready_s = float(spec.get("minReadySeconds", 0) or 0)
        if len(active) == 1 and tlabels and "matchLabels" not in tlabels and "matchExpressions" not in tlabels:
            fully, ready, available, due = _one_pod_counts(cluster, active[0], tlabels, min_ready_s)
        else:
            fully = _fully_labeled(tlabels, active)
            ready, available, due = count_available(cluster, active, min_ready_s)
        status: dict[str, Any] = {"replicas": len(active)}
        # the API omits zero-valued optional counts
        if fully:
            status["fullyLabeledReplicas"] = fully
        if ready:
            status["readyReplicas"] = ready
        if available:
            status["availableReplicas"] = available
        status["observedGeneration"] = meta.get("generation", 1)
        if rs.get("status") != status:
            cur = cluster.store.peek("ReplicaSet", name, ns)
            if cur is not None:
                # copy on write: spec is shared with the stored version (stored objects are immutable);
                # metadata is copied because the store stamps resourceVersion into it
                new = {**cur, "metadata": dict(cur["metadata"]), "status": status}
                cluster.update_status(new)
        return due, steady
