"""The kubelet: runs bound pods on their nodes and reports pod status.

For each pod bound to an existing node it assigns the pod IP (from the node's podCIDR, in order),
mounts volumes (a missing ConfigMap/Secret keeps the pod in ContainerCreating with FailedMount
events), runs init containers in order and then the containers through the state machine in
:mod:`.containers`, and writes ``status`` (:mod:`.kubelet_status`) exactly as the API shows it: phase, conditions
(PodReadyToStartContainers, Initialized, Ready, ContainersReady, PodScheduled), containerStatuses,
hostIP(s), podIP(s), qosClass, startTime. Deleted pods stay Terminating until their
deletionTimestamp, then leave the store.

Per-pod bookkeeping lives in ``cluster.private["kubelet"][pod uid]``.
"""

from __future__ import annotations

import functools
import heapq
from typing import TYPE_CHECKING, Any

from aoi_gym.cluster.sim.controllers import containers as ctr
from aoi_gym.cluster.sim.controllers.common import (SimController, emit, pass_window, remove_object,
                                                    ts_to_t)
from aoi_gym.cluster.sim.controllers.kubelet_status import _OWN, _node_ip, _specs, _write_status
from aoi_gym.cluster.sim.controllers.podtemplate import qos_class

if TYPE_CHECKING:
    from aoi_gym.cluster.sim.cluster import SimCluster

__all__ = ["Kubelet", "kill_container", "pod_record"]


@functools.lru_cache(maxsize=256)
def _cidr_prefix(cidr: str) -> str:
    """``10.244.3.0/24`` -> ``10.244.3.`` (pure)."""
    return cidr.split("/", 1)[0].rsplit(".", 1)[0] + "."


def _alloc_ip(cluster: "SimCluster", pod: dict[str, Any], node: dict[str, Any]) -> str:
    if pod["spec"].get("hostNetwork"):
        return _node_ip(node)
    name = node["metadata"]["name"]
    cidr = (node.get("spec") or {}).get("podCIDR")
    if not cidr:
        names = sorted(n["metadata"]["name"] for n in cluster.iter_objects("Node"))
        cidr = f"10.244.{names.index(name) + 1 if name in names else 0}.0/24"
    prefix = _cidr_prefix(cidr)
    ipam = cluster.private.setdefault("ipam", {})
    n = ipam.get(name, 2)
    if n <= 254:  # the next address is free (the loop's first turn, written out)
        ipam[name] = n + 1
        return prefix + str(n)
    used: set[str] | None = None
    for _ in range(300):
        if n > 254:
            n = 2
            used = {
                (p.get("status") or {}).get("podIP", "")
                for p in cluster.iter_objects("Pod")
                if p["spec"].get("nodeName") == name
            }
        ip = prefix + str(n)
        n += 1
        if used is None or ip not in used:
            break
    ipam[name] = n
    return ip


def _mount_error(cluster: "SimCluster", pod: dict[str, Any]) -> str | None:
    ns = pod["metadata"]["namespace"]
    for v in pod["spec"].get("volumes") or ():
        for src, kind, label, name_key in (("configMap", "ConfigMap", "configmap", "name"), ("secret", "Secret", "secret", "secretName")):
            ref = v.get(src)
            if not isinstance(ref, dict) or ref.get("optional"):
                continue
            obj = cluster.peek(kind, ref.get(name_key, ""), ns)
            if obj is None:
                return f'MountVolume.SetUp failed for volume "{v.get("name")}" : {label} "{ref.get(name_key, "")}" not found'
            data = {**(obj.get("data") or {}), **(obj.get("binaryData") or {})}
            for item in ref.get("items") or ():
                if item.get("key") not in data:
                    return (f'MountVolume.SetUp failed for volume "{v.get("name")}" : {label} references non-existent '
                            f"config key: {item.get('key')}")
    return None


# cluster.caches key of the pass index: which records a pass must look at without scanning them all
_INDEX = "kubelet:pass-index"


def _note(cluster: "SimCluster", pod: dict[str, Any], prec: dict[str, Any]) -> None:
    """Bring the pass index up to date with a pod's record after it may have changed.

    The index (rebuilt by every full pass, gone after a restore) holds ``due``: uid -> its record's
    due; ``slots``: due -> the uids noted with it (the containers of one 100 ms start slot come due
    together: one heap entry per slot, not per pod), stale ones skipped (``entries`` counts them all);
    ``heap``: the dues of ``slots``; ``active``: uids watching or probing; ``key``/``uid``: the
    records' pod keys both ways."""
    index = cluster.caches.get(_INDEX)
    if index is None:
        return
    meta = pod["metadata"]
    uid = meta["uid"]
    if uid not in index["key"]:
        key = (meta["namespace"], meta["name"])
        index["key"][uid] = key
        index["uid"][key] = uid
    _note_due(index, uid, prec)


def _note_due(index: dict[str, Any], uid: str, prec: dict[str, Any]) -> None:
    d = prec["due"]
    dues = index["due"]
    if d is None:
        dues.pop(uid, None)
    elif dues.get(uid) != d:
        dues[uid] = d
        slot = index["slots"].get(d)
        if slot is None:
            index["slots"][d] = [uid]
            heapq.heappush(index["heap"], d)
        else:
            slot.append(uid)
        index["entries"] += 1
    if prec["watch"] or prec["probing"]:
        index["active"].add(uid)
    else:
        index["active"].discard(uid)


def _fill_slots(index: dict[str, Any]) -> None:
    """Rebuild the index's slots and heap from its live dues alone."""
    slots: dict[float, list[str]] = {}
    for uid, d in index["due"].items():
        slot = slots.get(d)
        if slot is None:
            slots[d] = [uid]
        else:
            slot.append(uid)
    index["slots"] = slots
    index["heap"] = sorted(slots)  # a sorted list is a heap
    index["entries"] = len(index["due"])


def _forget(index: dict[str, Any], uid: str) -> None:
    """Drop a deleted record from the pass index."""
    key = index["key"].pop(uid, None)
    if key is not None and index["uid"].get(key) == uid:
        del index["uid"][key]
    index["due"].pop(uid, None)
    index["active"].discard(uid)


def pod_record(cluster: "SimCluster", pod: dict[str, Any]) -> dict[str, Any] | None:
    """The kubelet's private record of a pod (None before the kubelet admitted it)."""
    return cluster.private.get("kubelet", {}).get(pod["metadata"].get("uid"))


_NEW_POD_RECORD = {"ip": "", "t0": 0.0, "rv": None, "killing": False, "mount": None, "watch": False, "probing": False,
                   "due": None, "c": None}


def sync_pod(cluster: "SimCluster", pod: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Bring one bound pod's containers up to ``cluster.t`` and write its status; returns its record."""
    recs = cluster.private.setdefault("kubelet", {})
    uid = pod["metadata"]["uid"]
    prec = recs.get(uid)
    t = cluster.t
    specs = _specs(pod)
    if prec is None:
        prec = _NEW_POD_RECORD.copy()  # cheaper than building the keys (same keys, same order)
        prec["ip"] = _alloc_ip(cluster, pod, node)
        prec["t0"] = t
        prec["c"] = {key: ctr.new_record(cluster, pod, c, init) for key, c, init in specs}
        recs[uid] = prec
    if prec["ip"] and not (pod.get("status") or {}).get("podIP"):
        pod = {**pod, "status": {**(pod.get("status") or {}), "podIP": prec["ip"]}}  # probe messages need the IP
    mount = _mount_error(cluster, pod)
    if mount != prec["mount"]:
        prec["mount"] = mount
        if mount:
            emit(cluster, pod, "FailedMount", mount, type="Warning", host=pod["spec"].get("nodeName"))
    prec["watch"] = mount is not None
    init_done, init_failed = True, False
    if mount is None:
        for key, c_spec, init in specs:
            rec = prec["c"].get(key)
            if rec is None:
                continue
            if not init and not init_done:
                break
            if rec["st"] == "run" and rec["image"] != c_spec.get("image", "") and not init:
                # the image changed under a running pod (chaos pod-failure, a patched static pod)
                ctr._ev(cluster, pod, rec, c_spec["name"], "Killing", f"Container {c_spec['name']} definition changed, will be restarted")
                rec.update(st="dead", fin=t, code=137, reason="Error", fin_ts=cluster.timestamp(t), start_ts=cluster.timestamp(rec["start"]))
                ctr.restart_now(cluster, pod, rec, c_spec, t)
            elif rec["st"] in ("backoff", "dead") and rec["image"] != c_spec.get("image", "") and not init:
                ctr.restart_now(cluster, pod, rec, c_spec, t)
            if rec["st"] == "create" and rec["due"] is None:
                rec["plan"] = ctr.ask_plan(cluster, pod, c_spec)
                rec["due"] = t + rec["plan"][2]
                if rec["due"] > t and not init:
                    continue  # the start lies ahead: advance_record finds nothing due, nothing to note
            ctr.advance_record(cluster, pod, rec, c_spec)
            if init:
                if rec["st"] == "done" and rec["code"] != 0:
                    init_failed = True
                if not (rec["st"] in ("done", "dead") and rec["code"] == 0):
                    init_done = False
                    if init_failed:
                        break
                    break
            prec["watch"] = prec["watch"] or rec["st"] == "cfg"
    else:
        init_done = not pod["spec"].get("initContainers")
    _write_status(cluster, pod, node, prec, mount, init_done, init_failed, specs)
    _note(cluster, pod, prec)
    return prec


def kill_container(cluster: "SimCluster", pod: dict[str, Any], container: str, exit_code: int = 137) -> bool:
    """Kill a running container from outside the kubelet (Chaos Mesh container-kill).

    The container terminates now (reason Error) and is restarted under the normal back-off.
    Returns False when the container is not running.
    """
    prec = pod_record(cluster, pod)
    node = cluster.peek("Node", pod["spec"].get("nodeName") or "")
    if prec is None or node is None:
        return False
    rec = prec["c"].get(container)
    c_spec = next((c for c in pod["spec"].get("containers") or () if c.get("name") == container), None)
    if rec is None or c_spec is None or rec["st"] != "run":
        return False
    ctr.terminate(cluster, pod, rec, c_spec, cluster.t, exit_code, "Error")
    sync_pod(cluster, pod, node)
    return True


class Kubelet(SimController):
    """The kubelets of all nodes (one controller: they share nothing but the clock)."""

    name = "kubelet"
    watches = ("Pod", "Node", "ConfigMap", "Secret", "Namespace")
    time_driven = True

    def __init__(self) -> None:
        # (cluster id, store epoch, resourceVersion at the start of the last pass) -> keys of the pods
        # being deleted then; lets a pass visit only the pods with work (see ``_visit``)
        self._deleting: tuple[tuple, set[tuple[str, str]]] | None = None
        self._popped: list[str] = []  # uids whose deadline entries the current pass took from the index

    def _visit(self, cluster: "SimCluster", recs: dict[str, Any]) -> tuple[list[dict[str, Any]] | None, float | None]:
        """The pods a pass must visit, in store order, and the earliest deadline of the others; None
        when the pass must visit every pod (first pass, after a restore, a pod removed or replaced, a
        node changed).

        A pod left out is one the full pass would skip: bound to an existing node, not being deleted,
        its record synced at its current resourceVersion, not watching or probing, deadline not come.
        The pass index (see ``_note``) finds the due, watching and probing ones without a scan."""
        store = cluster.store
        since = pass_window(cluster, "kubelet")
        state, self._deleting = self._deleting, None
        index = cluster.caches.get(_INDEX)
        if since is None or getattr(store, "positions", None) is None or index is None or \
                state is None or \
                state[0] != (id(cluster), store.epoch, since) or store.changed_since("Node", since):
            return None, None
        deleting = state[1]
        visit = set(deleting)
        uid_at = index["uid"]
        for key, pod in store.changed_since("Pod", since):
            if pod is None:
                return None, None  # its record must go: a full pass finds every orphan
            meta = pod["metadata"]
            old = uid_at.get(key)
            if old is not None:
                if old != meta.get("uid"):
                    return None, None  # replaced under the same name: the old record is an orphan
                prec = recs.get(old)
                if prec is not None and prec["rv"] == meta.get("resourceVersion") and "deletionTimestamp" not in meta:
                    # synced at this version (most often: the kubelet's own status write of the last
                    # pass): the pass would skip it unless it is due or active, which come below
                    continue
            visit.add(key)
            if "deletionTimestamp" in meta:
                deleting.add(key)
        t = cluster.t
        heap, slots, dues, key_of = index["heap"], index["slots"], index["due"], index["key"]
        popped = self._popped = []
        while heap and heap[0] <= t:
            d = heapq.heappop(heap)
            slot = slots.pop(d)
            index["entries"] -= len(slot)
            for uid in slot:
                if dues.get(uid) == d:  # live: the pass re-notes it (``sync``)
                    del dues[uid]
                    popped.append(uid)
                    visit.add(key_of[uid])
        for uid in index["active"]:
            visit.add(key_of[uid])
        # the earliest deadline of a pod left out; the slots of visited ones are set aside, not lost
        due: float | None = None
        held = []
        while heap:
            d = heap[0]
            slot = slots[d]
            live = [uid for uid in slot if dues.get(uid) == d]
            if len(live) != len(slot):  # drop the stale entries
                index["entries"] -= len(slot) - len(live)
                if not live:
                    heapq.heappop(heap)
                    del slots[d]
                    continue
                slots[d] = live
            if any(key_of[uid] not in visit for uid in live):
                due = d
                break
            held.append(heapq.heappop(heap))
        for d in held:
            heapq.heappush(heap, d)
        if index["entries"] > 2 * len(dues) + 64:  # many stale entries: compact
            _fill_slots(index)
        self._deleting = (None, deleting)
        positions = store.positions("Pod")
        bucket = store.bucket("Pod")
        return [bucket[k] for k in sorted(visit, key=positions.__getitem__) if k in bucket], due

    def sync(self, cluster: "SimCluster") -> float | None:
        recs = cluster.private.setdefault("kubelet", {})
        t = cluster.t
        seen: set[str] = set()
        nodes = {n["metadata"]["name"]: n for n in cluster.iter_objects("Node")}
        visit, due = self._visit(cluster, recs)
        if visit is None:
            cluster.caches.pop(_INDEX, None)  # rebuilt after the full pass
        start_rv = cluster.store.resource_version if getattr(cluster.store, "epoch", None) is not None else None
        for pod in cluster.iter_objects("Pod") if visit is None else visit:
            meta, spec = pod["metadata"], pod["spec"]
            uid = meta.get("uid")
            node_name = spec.get("nodeName")
            node = nodes.get(node_name) if node_name else None
            if not (pod.get("status") or {}).get("phase"):
                # what the API server fills in on creation of a bare pod
                pod = {**pod, "metadata": dict(meta), "status": {**(pod.get("status") or {}), "phase": "Pending", "qosClass": qos_class(spec)}}
                cluster.update_status(pod)
                meta = pod["metadata"]
            if "deletionTimestamp" in meta:
                d = self._terminating(cluster, pod, node, recs.get(uid))
                if d is not None:
                    seen.add(uid)
                    due = d if due is None or d < due else due
                continue
            if node is None:
                continue
            seen.add(uid)
            prec = recs.get(uid)
            if (
                prec is not None
                and prec["rv"] == meta.get("resourceVersion")
                and not prec["watch"]
                and not prec["probing"]
                and (prec["due"] is None or prec["due"] > t)
            ):
                pass
            else:
                prec = sync_pod(cluster, pod, node)
            if prec["due"] is not None and (due is None or prec["due"] < due):
                due = prec["due"]
        if visit is None:
            if len(recs) != len(seen):
                for uid in [u for u in recs if u not in seen]:
                    del recs[uid]
            owns = cluster.caches.get(_OWN)
            if owns is not None and len(owns) > len(recs):
                for uid in [u for u in owns if u not in recs]:
                    del owns[uid]
            deleting = {(p["metadata"]["namespace"], p["metadata"]["name"]) for p in cluster.iter_objects("Pod")
                        if "deletionTimestamp" in p["metadata"]}
            if start_rv is not None:
                cluster.caches[_INDEX] = {"heap": [], "slots": {}, "entries": 0, "due": {}, "active": set(),
                                          "key": {}, "uid": {}}
                for pod in cluster.iter_objects("Pod"):
                    prec = recs.get(pod["metadata"].get("uid"))
                    if prec is not None:
                        _note(cluster, pod, prec)
        else:
            # only a visited pod can have left ``seen`` (every other record belongs to a bound pod)
            index = cluster.caches[_INDEX]
            for pod in visit:
                uid = pod["metadata"].get("uid")
                if uid in recs and uid not in seen:
                    del recs[uid]
                    _forget(index, uid)
                    cluster.caches.get(_OWN, {}).pop(uid, None)
            for uid in self._popped:  # deadline entries the pass took out come back (if not synced again)
                prec = recs.get(uid)
                if prec is not None:
                    _note_due(index, uid, prec)
            deleting = {k for k in self._deleting[1] if k in cluster.store.bucket("Pod")} if self._deleting else set()
        if start_rv is not None:
            self._deleting = ((id(cluster), cluster.store.epoch, start_rv), deleting)
        return due

    def _terminating(self, cluster: "SimCluster", pod: dict[str, Any], node: dict[str, Any] | None, prec: dict[str, Any] | None) -> float | None:
        """Handle a pod with deletionTimestamp; returns when it will be removed (None: removed now)."""
        meta = pod["metadata"]
        gone_at = ts_to_t(cluster, meta.get("deletionTimestamp"))
        phase = (pod.get("status") or {}).get("phase")
        running = prec is not None and any(r["st"] == "run" for r in prec["c"].values())
        if node is None or not running or phase in ("Succeeded", "Failed") or cluster.t >= gone_at:
            # nothing left to stop (never started, crash-looping, finished) or the grace period is over
            remove_object(cluster, "Pod", meta["name"], meta["namespace"])
            return None
        if not prec["killing"]:
            prec["killing"] = True
            for key, c_spec, init in _specs(pod):
                rec = prec["c"].get(key)
                if rec is not None and rec["st"] == "run":
                    ctr._ev(cluster, pod, rec, c_spec["name"], "Killing", f"Stopping container {c_spec['name']}")
        return gone_at
