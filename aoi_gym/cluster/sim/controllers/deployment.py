"""Deployment controller: ReplicaSets per pod template, rolling updates, rollout status.

The ReplicaSet for a template is ``<deployment>-<pod-template-hash>``. A template change (including
``kubectl rollout restart``'s ``kubectl.kubernetes.io/restartedAt`` annotation) creates a new RS and
moves replicas over within maxSurge/maxUnavailable; old RSs stay at 0 replicas as rollout history
(``revisionHistoryLimit``). Conditions and events follow the real controller's reasons and wording.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aoi_gym.cluster.patch import json_copy
from aoi_gym.cluster.sim.controllers.common import (
    emit,
    owner_index,
    changed_owners,
    pass_window,
    rv_signature,
    owner_ref,
    pod_is_terminal,
    put_new,
    remove_object,
)
from aoi_gym.cluster.sim.controllers.deploy_defaults import default_stored_deployment, own_copy, surge_unavailable
from aoi_gym.cluster.sim.controllers.deploy_events import emit_after_create
from aoi_gym.cluster.sim.controllers.deploy_memo import (
    KeepingPass,
    NoRepassOfKeptWrites,
    changed_uids_not_kept,
    memo_ts_to_t,
    single_own_write,
)
from aoi_gym.cluster.sim.controllers.podtemplate import stored_template_hash

if TYPE_CHECKING:
    from aoi_gym.cluster.sim.cluster import SimCluster

__all__ = ["DeploymentController", "REVISION_ANNOTATION"]

REVISION_ANNOTATION = "deployment.kubernetes.io/revision"
DESIRED_ANNOTATION = "deployment.kubernetes.io/desired-replicas"
MAX_ANNOTATION = "deployment.kubernetes.io/max-replicas"
_COMPONENT = "deployment-controller"


def _revision(rs: dict[str, Any]) -> int:
    try:
        return int((rs["metadata"].get("annotations") or {}).get(REVISION_ANNOTATION, "0"))
    except ValueError:
        return 0


def _revision_text(rs: dict[str, Any]) -> str:
    """``str(_revision(rs))``: the annotation itself when it is a plain decimal number (it always is
    when this controller wrote it), without the round trip through int."""
    v = (rs["metadata"].get("annotations") or {}).get(REVISION_ANNOTATION, "0")
    if type(v) is str and v.isascii() and v.isdigit() and (v[0] != "0" or v == "0"):
        return v
    return str(_revision(rs))


def _replicas(rs: dict[str, Any]) -> int:
    return int((rs.get("spec") or {}).get("replicas", 0) or 0)


def _st(rs: dict[str, Any], key: str) -> int:
    return int((rs.get("status") or {}).get(key, 0) or 0)


def _recreates(d: dict[str, Any]) -> bool:
    return (d.get("spec") or {}).get("strategy", {}).get("type") == "Recreate"


def _any_recreate(cluster: "SimCluster") -> bool:
    """Whether any Deployment uses the Recreate strategy (a set kept by the store when it can)."""
    store = cluster.store
    if getattr(store, "incremental", None) is None or getattr(store, "bucket", None) is None:
        return any(_recreates(d) for d in cluster.iter_objects("Deployment"))

    def update(keys: set, changes: list) -> set:
        for key, d in changes:
            if d is not None and _recreates(d):
                keys.add(key)
            else:
                keys.discard(key)
        return keys

    return bool(store.incremental("deploy:recreate", "Deployment",
                                  lambda: {k for k, d in store.bucket("Deployment").items() if _recreates(d)}, update))


class DeploymentController(NoRepassOfKeptWrites):
    """Reconciles Deployments into ReplicaSets and writes Deployment status."""

    name = "deployment-controller"
    watches = ("Deployment", "ReplicaSet", "Pod", "Namespace")

    def sync(self, cluster: "SimCluster") -> float | None:
        since = pass_window(cluster, self.name)
        dirty = changed_owners(cluster, self.name, "ReplicaSet", since)
        if dirty is not None:
            changed_uids_not_kept(cluster, "Deployment", since, dirty, "memo:deploy")
            if _any_recreate(cluster) and \
                    cluster.store.changed_since("Pod", since):
                dirty = None  # Recreate deployments depend on their pods: check every deployment
        rs_by_owner = owner_index(cluster, "ReplicaSet")
        # the store's RSs as the index shows them (None: a store without kind versions)
        kind_version = getattr(cluster.store, "kind_version", None)
        rs_version = None if kind_version is None else kind_version("ReplicaSet")
        pods_by_owner: dict[str, list[dict[str, Any]]] | None = None
        p = KeepingPass(cluster, "Deployment", "memo:deploy", dirty)
        store = cluster.store
        for d, uid in p.objects():
            rss = rs_by_owner.get(uid, [])
            spec = d.get("spec") or {}
            recreate = spec.get("strategy", {}).get("type") == "Recreate"
            if recreate and pods_by_owner is None:
                pods_by_owner = owner_index(cluster, "Pod")
            # rv_signature, the one-RS case (the common one) without the join
            rss_sig = rss[0]["metadata"].get("resourceVersion", "") if len(rss) == 1 else rv_signature(rss)
            meta = d["metadata"]
            sig = meta.get("resourceVersion", "") + "|" + rss_sig
            if recreate:  # Recreate waits for the old pods to be gone, which no RS status shows
                sig += "|" + ",".join(rv_signature((pods_by_owner or {}).get(r["metadata"]["uid"], [])) for r in rss)
            if p.fresh(uid, sig):
                continue
            before = store.resource_version
            current = store.peek("Deployment", meta["name"], meta["namespace"]) is d
            if not ("progressDeadlineSeconds" in spec and "strategy" in spec and "replicas" in spec):
                d = default_stored_deployment(cluster, d)  # (the test defaulted_deployment starts with)
            due = self._sync_one(cluster, d, rss, pods_by_owner or {}, rs_version)
            # When the one write was a new version of this (current) Deployment, its status or defaults,
            # and no RS changed, a sync of that version with the same RSs writes nothing: the status is
            # a function of the RSs and of the previous status only through "progress since then", which
            # the write settled; the deadline is the one just computed. Recreate also reads the pods,
            # which the signature would have to cover: not kept.
            after = None
            if current and not recreate and rs_version is not None and rs_version == store.kind_version("ReplicaSet"):
                rv = single_own_write(cluster, before, d)
                if rv is not None:
                    after = rv + "|" + rss_sig
            p.done(uid, sig, before, due, after)
        self._all_kept = p.all_kept
        return p.finish()

    # ------------------------------------------------------------------------------------------
    def _scale(self, cluster: "SimCluster", d: dict[str, Any], rs: dict[str, Any], n: int, surge: int) -> dict[str, Any]:
        cur = cluster.peek("ReplicaSet", rs["metadata"]["name"], rs["metadata"]["namespace"]) or rs
        old = _replicas(cur)
        want_ann = {DESIRED_ANNOTATION: str(d["spec"]["replicas"]), MAX_ANNOTATION: str(d["spec"]["replicas"] + surge)}
        ann = cur["metadata"].get("annotations") or {}
        if old == n and all(ann.get(k) == v for k, v in want_ann.items()):
            return cur
        new = json_copy(cur)
        new["spec"]["replicas"] = n
        new["metadata"].setdefault("annotations", {}).update(want_ann)
        if old != n:
            new["metadata"]["generation"] = new["metadata"].get("generation", 1) + 1
        cluster.update_status(new)
        if old != n:
            direction = "up" if n > old else "down"
            emit(cluster, d, "ScalingReplicaSet", f"Scaled {direction} replica set {cur['metadata']['name']} from {old} to {n}", component=_COMPONENT)
        return new

    def _create_rs(self, cluster: "SimCluster", d: dict[str, Any], h: str, replicas: int, revision: int, surge: int) -> dict[str, Any] | None:
        meta, spec = d["metadata"], d["spec"]
        # the RS shares the unchanged parts of the template and selector with the (immutable) stored
        # Deployment; only the dicts on the path to the added pod-template-hash label are new
        tmpl = dict(spec["template"])
        own_copy(own_copy(tmpl, "metadata", {}), "labels", {})["pod-template-hash"] = h
        selector = dict(spec.get("selector") or {})
        own_copy(selector, "matchLabels", {})["pod-template-hash"] = h
        labels = dict(tmpl["metadata"]["labels"])
        rs = {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {
                "name": f"{meta['name']}-{h}",
                "namespace": meta["namespace"],
                "labels": labels,
                "annotations": {
                    DESIRED_ANNOTATION: str(spec["replicas"]),
                    MAX_ANNOTATION: str(spec["replicas"] + surge),
                    REVISION_ANNOTATION: str(revision),
                },
                "ownerReferences": [owner_ref(d)],
            },
            "spec": {
                "replicas": replicas,
                "minReadySeconds": spec.get("minReadySeconds", 0),
                "selector": selector,
                "template": tmpl,
            },
            "status": {"replicas": 0, "observedGeneration": 0},
        }
        stored = put_new(cluster, rs)
        if stored is not None and replicas > 0:
            # (the RS was just created in d's namespace: it exists and is not terminating)
            emit_after_create(cluster, d, "ScalingReplicaSet", f"Scaled up replica set {rs['metadata']['name']} from 0 to {replicas}", _COMPONENT)
        return stored

    def _sync_one(self, cluster: "SimCluster", d: dict[str, Any], rss: list[dict[str, Any]], pods_by_owner: dict,
                  rs_version: int | None = None) -> float | None:
        spec = d["spec"]
        want = int(spec.get("replicas", 1) or 0)
        strategy = spec.get("strategy") or {}
        rolling = strategy.get("type", "RollingUpdate") != "Recreate"
        if rolling:
            ru = strategy.get("rollingUpdate") or {}
            surge, unavailable = surge_unavailable(ru.get("maxSurge"), ru.get("maxUnavailable"), want)
        else:
            surge = unavailable = 0
        h = stored_template_hash(spec.get("template"))
        if not rss:  # a new Deployment (or all its RSs gone)
            new_rs, old_rss, max_rev = None, [], 0
        elif len(rss) == 1 and (rss[0]["metadata"].get("labels") or {}).get("pod-template-hash") == h:
            # the steady state: one RS, for the current template (it has the highest revision: no
            # rollback to re-number, see below)
            new_rs, old_rss, max_rev = rss[0], [], None
        else:
            new_rs = next((r for r in rss if (r["metadata"].get("labels") or {}).get("pod-template-hash") == h), None)
            old_rss = sorted((r for r in rss if r is not new_rs), key=lambda r: (_revision(r), r["metadata"]["name"]))
            max_rev = max((_revision(r) for r in rss), default=0)
        created_now = False
        created_version = None  # the RS kind version right after creating the only RS
        if not spec.get("paused"):
            if new_rs is None:
                old_total = sum(_replicas(r) for r in old_rss)
                if not rolling:
                    initial = 0 if old_total else want
                elif old_total == 0:
                    initial = want
                else:
                    initial = max(0, min(want, want + surge - old_total))
                new_rs = self._create_rs(cluster, d, h, initial, max_rev + 1, surge)
                if new_rs is None:
                    return None
                created_now = True
                rss = [*old_rss, new_rs]
                if not old_rss and rs_version is not None:
                    created_version = cluster.store.kind_version("ReplicaSet")
            elif max_rev is not None and _revision(new_rs) < max_rev:
                # rollback onto an older template: it gets the next revision
                upd = json_copy(new_rs)
                upd["metadata"].setdefault("annotations", {})[REVISION_ANNOTATION] = str(max_rev + 1)
                cluster.update_status(upd)
                new_rs = upd
            if rolling:
                if old_rss:
                    self._rolling(cluster, d, new_rs, old_rss, want, surge, unavailable)
                elif _replicas(new_rs) != want:  # what _rolling does without old RSs
                    self._scale(cluster, d, new_rs, want, surge)
            else:
                self._recreate(cluster, d, new_rs, old_rss, want, pods_by_owner)
            if old_rss:
                self._cleanup(cluster, d, old_rss)
        if rs_version is not None and rs_version == cluster.store.kind_version("ReplicaSet"):
            # no RS put or removed since the owner index was read: rss are the stored RSs, as peeks would say
            cur_rss, new_cur = rss, new_rs
        elif created_version is not None and created_version == cluster.store.kind_version("ReplicaSet"):
            # the one RS is the one just created, and no RS was put or removed since: as peeks would say
            cur_rss, new_cur = rss, new_rs
        else:
            cur_rss = [cluster.peek("ReplicaSet", r["metadata"]["name"], r["metadata"]["namespace"]) for r in rss]
            cur_rss = [r for r in cur_rss if r is not None]
            new_cur = None if new_rs is None else \
                cluster.peek("ReplicaSet", new_rs["metadata"]["name"], new_rs["metadata"]["namespace"])
        return self._write_status(cluster, d, new_cur, cur_rss, want, unavailable, created_now)

    def _rolling(self, cluster, d, new_rs, old_rss, want, surge, unavailable) -> None:
        active_old = [r for r in old_rss if _replicas(r) > 0]
        if not active_old:
            if _replicas(new_rs) != want:
                self._scale(cluster, d, new_rs, want, surge)
            return
        # scale the new RS up within maxSurge
        total = _replicas(new_rs) + sum(_replicas(r) for r in old_rss)
        if _replicas(new_rs) > want:
            new_rs = self._scale(cluster, d, new_rs, want, surge)
        elif _replicas(new_rs) < want and total < want + surge:
            new_rs = self._scale(cluster, d, new_rs, _replicas(new_rs) + min(want + surge - total, want - _replicas(new_rs)), surge)
        # scale old RSs down while keeping want - maxUnavailable pods available
        min_available = want - unavailable
        all_pods = _replicas(new_rs) + sum(_replicas(r) for r in old_rss)
        new_unavailable = max(0, _replicas(new_rs) - _st(new_rs, "availableReplicas"))
        budget = all_pods - min_available - new_unavailable
        if budget <= 0:
            return
        olds = [cluster.peek("ReplicaSet", r["metadata"]["name"], r["metadata"]["namespace"]) or r for r in old_rss]
        # first remove old pods that are not available anyway
        for i, r in enumerate(olds):
            if budget <= 0:
                break
            unhealthy = max(0, _replicas(r) - _st(r, "availableReplicas"))
            cut = min(budget, unhealthy)
            if cut:
                olds[i] = self._scale(cluster, d, r, _replicas(r) - cut, surge)
                budget -= cut
        available = _st(new_rs, "availableReplicas") + sum(min(_st(r, "availableReplicas"), _replicas(r)) for r in olds)
        can = available - min_available
        for i, r in enumerate(olds):
            if can <= 0:
                break
            cut = min(_replicas(r), can)
            if cut:
                olds[i] = self._scale(cluster, d, r, _replicas(r) - cut, surge)
                can -= cut

    def _recreate(self, cluster, d, new_rs, old_rss, want, pods_by_owner) -> None:
        for r in old_rss:
            if _replicas(r):
                self._scale(cluster, d, r, 0, 0)
        still = any(not pod_is_terminal(p) for r in old_rss for p in pods_by_owner.get(r["metadata"]["uid"], []))
        if not still and _replicas(new_rs) != want:
            self._scale(cluster, d, new_rs, want, 0)

    def _cleanup(self, cluster, d, old_rss) -> None:
        limit = int(d["spec"].get("revisionHistoryLimit", 10))
        dead = [r for r in old_rss if _replicas(r) == 0 and _st(r, "replicas") == 0]
        for r in dead[: max(0, len(dead) - limit)]:
            remove_object(cluster, "ReplicaSet", r["metadata"]["name"], r["metadata"]["namespace"])

    def _write_status(self, cluster, d, new_rs, rss, want, unavailable, created_now) -> float | None:
        meta = d["metadata"]
        prev = d.get("status") or {}
        replicas = ready = available = 0
        for r in rss:  # the three sums in one pass (this runs for every synced Deployment)
            rst = r.get("status")
            if rst:
                replicas += int(rst.get("replicas", 0) or 0)
                ready += int(rst.get("readyReplicas", 0) or 0)
                available += int(rst.get("availableReplicas", 0) or 0)
        if new_rs is None:
            updated = 0
        elif len(rss) == 1 and rss[0] is new_rs:  # (the sum above is over new_rs alone)
            updated = replicas
        else:
            updated = _st(new_rs, "replicas")
        status: dict[str, Any] = {"observedGeneration": meta.get("generation", 1), "replicas": replicas}
        if updated:
            status["updatedReplicas"] = updated
        if ready:
            status["readyReplicas"] = ready
        if available:
            status["availableReplicas"] = available
        if want - available > 0:
            status["unavailableReplicas"] = want - available
        now = cluster.timestamp()
        # the first condition of each type, looking no further than the later of the two (as two next()s would)
        old_avail = old_prog = None
        for c in prev.get("conditions") or ():
            ctype = c["type"]
            if ctype == "Available":
                if old_avail is None:
                    old_avail = c
                    if old_prog is not None:
                        break
            elif ctype == "Progressing" and old_prog is None:
                old_prog = c
                if old_avail is not None:
                    break
        if available >= want - unavailable:
            a = ("True", "MinimumReplicasAvailable", "Deployment has minimum availability.")
        else:
            a = ("False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.")
        # The conditions are what set_condition builds for (status, reason, message) with
        # extra={"lastUpdateTime": ...}, written out as dicts: this runs for every synced Deployment.
        # Available keeps its lastUpdateTime while status and reason stay, its lastTransitionTime while status does.
        if old_avail:
            same_status = old_avail.get("status") == a[0]
            keep = same_status and old_avail.get("reason") == a[1]
            conds = [{
                "type": "Available",
                "status": a[0],
                "lastUpdateTime": old_avail["lastUpdateTime"] if keep else now,
                "lastTransitionTime": old_avail["lastTransitionTime"] if same_status else now,
                "reason": a[1],
                "message": a[2],
            }]
        else:
            conds = [{"type": "Available", "status": a[0], "lastUpdateTime": now, "lastTransitionTime": now,
                      "reason": a[1], "message": a[2]}]
        # Progressing
        rs_name = new_rs["metadata"]["name"] if new_rs else ""
        prev_updated = int(prev.get("updatedReplicas", 0) or 0)
        prev_old = int(prev.get("replicas", 0) or 0) - prev_updated
        complete = updated == want and replicas == want and available == want
        progressing = (
            updated > prev_updated
            or replicas - updated < prev_old
            or ready > int(prev.get("readyReplicas", 0) or 0)
            or available > int(prev.get("availableReplicas", 0) or 0)
        )
        deadline_s = d["spec"].get("progressDeadlineSeconds", 600)
        due: float | None = None
        prog = None
        if new_rs is None:
            prog = None
        elif complete:
            prog = ("True", "NewReplicaSetAvailable", f'ReplicaSet "{rs_name}" has successfully progressed.')
        elif created_now:
            prog = ("True", "NewReplicaSetCreated", f'Created new replica set "{rs_name}"')
        elif progressing or old_prog is None:
            prog = ("True", "ReplicaSetUpdated", f'ReplicaSet "{rs_name}" is progressing.')
        elif old_prog.get("reason") in ("ReplicaSetUpdated", "NewReplicaSetCreated") and deadline_s is not None:
            started = memo_ts_to_t(cluster, old_prog.get("lastUpdateTime"))
            if cluster.t >= started + float(deadline_s):
                prog = ("False", "ProgressDeadlineExceeded", f'ReplicaSet "{rs_name}" has timed out progressing.')
            else:
                due = started + float(deadline_s)
        if prog is None and old_prog is not None:
            conds.append(old_prog)  # unchanged: shared with the stored version (stored objects are immutable)
        elif prog is not None:
            same = (
                old_prog is not None
                and (old_prog.get("status"), old_prog.get("reason"), old_prog.get("message")) == prog
                and not (progressing and prog[1] == "ReplicaSetUpdated")  # progress moves the deadline
            )
            last_update = old_prog["lastUpdateTime"] if same else now
            conds.append({
                "type": "Progressing",
                "status": prog[0],
                "lastUpdateTime": last_update,
                "lastTransitionTime": old_prog["lastTransitionTime"] if old_prog and old_prog.get("status") == prog[0] else now,
                "reason": prog[1],
                "message": prog[2],
            })
            if prog[1] in ("ReplicaSetUpdated", "NewReplicaSetCreated") and deadline_s is not None:
                due = memo_ts_to_t(cluster, last_update) + float(deadline_s)
        status["conditions"] = conds  # Available first, then Progressing
        rev = _revision_text(new_rs) if new_rs else None
        if status != prev or (rev is not None and (meta.get("annotations") or {}).get(REVISION_ANNOTATION) != rev):
            # copy on write: the new version shares spec with the stored one (stored objects are immutable)
            cur = cluster.store.peek("Deployment", meta["name"], meta["namespace"]) or d
            new = dict(cur)
            new_meta = new["metadata"] = dict(cur["metadata"])
            new["status"] = status
            if rev is not None:
                ann = new_meta.get("annotations") or {}
                # (annotations that already say so stay shared: a copy would hold the same keys in the same order)
                if ann.get(REVISION_ANNOTATION) != rev:
                    new_meta["annotations"] = {**ann, REVISION_ANNOTATION: rev}
            cluster.update_status(new)
        return due
