"""The kubelet's status writer: a pod's ``status`` from its records, exactly as the API shows it.

Phase (kubelet getPhase rules), conditions (PodReadyToStartContainers, Initialized, Ready,
ContainersReady, PodScheduled), containerStatuses (sorted by name), initContainerStatuses, hostIP(s),
podIP(s), qosClass, startTime. A write over the kubelet's own last status shares what did not change
(see ``_OWN``); the records themselves are :mod:`.kubelet`'s and :mod:`.containers`'.
"""

from __future__ import annotations

from typing import Any

from aoi_gym.cluster.sim.controllers import containers as ctr
from aoi_gym.cluster.sim.controllers.podtemplate import qos_class

# id(node) -> (node, its InternalIP); a pure memo of immutable (stored) nodes, each entry holding its node
_NODE_IPS: dict[int, tuple[dict[str, Any], str]] = {}


def _node_ip(node: dict[str, Any]) -> str:
    hit = _NODE_IPS.get(id(node))
    if hit is not None and hit[0] is node:
        return hit[1]
    ip = ""
    for a in (node.get("status") or {}).get("addresses") or ():
        if a.get("type") == "InternalIP":
            ip = a.get("address", "")
            break
    if len(_NODE_IPS) > 1024:
        _NODE_IPS.clear()
    _NODE_IPS[id(node)] = (node, ip)
    return ip

# id(pod spec) -> (spec, its _specs); a pure memo of immutable (stored) specs, each entry holding its
# spec so that the id is not reused while the entry lives (a pod keeps its spec through status writes)
_SPECS: dict[int, tuple[dict[str, Any], tuple[tuple[str, dict[str, Any], bool], ...]]] = {}


def _specs(pod: dict[str, Any]) -> tuple[tuple[str, dict[str, Any], bool], ...]:
    """(record key, container spec, init) of the pod's init containers, then its containers."""
    spec = pod["spec"]
    hit = _SPECS.get(id(spec))
    if hit is not None and hit[0] is spec:
        return hit[1]
    out = tuple([("i:" + c["name"], c, True) for c in spec.get("initContainers") or ()]
                + [(c["name"], c, False) for c in spec.get("containers") or ()])
    if len(_SPECS) > 16384:
        _SPECS.clear()
    _SPECS[id(spec)] = (spec, out)
    return out


def _phase(pod: dict[str, Any], main: list[tuple[dict, dict]], init_failed: bool, init_done: bool) -> str:
    policy = pod["spec"].get("restartPolicy", "Always")
    if init_failed:
        return "Failed"
    if not init_done:
        return "Pending"
    waiting = running = stopped = succeeded = 0
    for rec, _ in main:
        st = rec["st"]
        if st == "run":
            running += 1
        elif st in ("dead", "done"):
            stopped += 1
            succeeded += rec["code"] == 0
        elif rec["fin"] is not None or rec["last"] is not None:
            stopped += 1
        else:
            waiting += 1
    if waiting:
        return "Pending"
    if running:
        return "Running"
    if stopped:
        if policy == "Always":
            return "Running"
        if stopped == succeeded:
            return "Succeeded"
        if policy == "Never":
            return "Failed"
        return "Running"
    return "Pending"

def _conditions(old: dict[str, Any], now: str, want: tuple[tuple[str, str, str | None, str | None], ...],
                own: bool) -> list[dict[str, Any]]:
    """The pod's conditions as ``set_condition`` builds them (with lastProbeTime), one per (type,
    status, reason, message) of ``want`` in that order, then PodScheduled as it was: the old
    lastTransitionTime is kept while the status holds (the old conditions by type, first one wins).

    ``own``: ``old`` is a status this function's caller stored, so an old condition with the wanted
    status, reason and message is exactly the dict that would be built: it is shared, not rebuilt
    (stored objects are never modified); so is PodScheduled, which would be copied as it is.
    (One loop, no call per condition: this runs for every status the kubelet writes.)"""
    olds = old.get("conditions") or ()
    prev_of: dict[Any, dict[str, Any]] | None = None
    if own and len(olds) == len(want) + 1 and olds[-1].get("type") == "PodScheduled":
        # the kubelet's own last list holds the wanted types in the wanted order, then PodScheduled:
        # matched by position (checked) instead of indexing the list by type
        for w, prev in zip(want, olds):
            if prev["type"] != w[0]:
                prev_of = {}
                break
    else:
        prev_of = {}
    if prev_of is None:
        sched = olds[-1]
    else:
        for c in olds:
            ctype = c.get("type")
            if ctype not in prev_of:
                prev_of[ctype] = c
        sched = prev_of.get("PodScheduled") or {"type": "PodScheduled", "status": "True", "lastProbeTime": None,
                                                 "lastTransitionTime": now}
    conds = []
    for i, (ctype, status, reason, message) in enumerate(want):
        # the condition after ``prev`` (the old one of its type): its lastTransitionTime kept while the
        # status holds; ``prev`` itself when the kubelet wrote it and nothing changed
        prev = olds[i] if prev_of is None else prev_of.get(ctype)
        if prev is not None and prev.get("status") == status:
            if own and prev.get("reason") == reason and prev.get("message") == message:
                conds.append(prev)
                continue
            since = prev["lastTransitionTime"]
        else:
            since = now
        conds.append(_condition(ctype, status, since, reason, message))
    conds.append(sched)
    return conds


def _condition(ctype: str, status: str, since: str, reason: str | None, message: str | None) -> dict[str, Any]:
    """One condition, reason and message only when set; written out as whole literals (a dict that
    grows past five keys is resized)."""
    if reason:
        if message:
            return {"type": ctype, "status": status, "lastProbeTime": None, "lastTransitionTime": since, "reason": reason,
                    "message": message}
        return {"type": ctype, "status": status, "lastProbeTime": None, "lastTransitionTime": since, "reason": reason}
    if message:
        return {"type": ctype, "status": status, "lastProbeTime": None, "lastTransitionTime": since, "message": message}
    return {"type": ctype, "status": status, "lastProbeTime": None, "lastTransitionTime": since}


_READY_TRUE = (("Ready", "True", None, None), ("ContainersReady", "True", None, None))
_COMPLETED = (("Ready", "False", "PodCompleted", None), ("ContainersReady", "False", "PodCompleted", None))
_INITIALIZED = ("Initialized", "True", None, None)
_STARTED = {False: ("PodReadyToStartContainers", "True", None, None), True: ("PodReadyToStartContainers", "False", None, None)}
# cluster.caches key: pod uid -> (the status the kubelet last stored for it, the record it was written from)
_OWN = "kubelet:own-status"


def _write_status(cluster, pod, node, prec, mount, init_done, init_failed, specs=None) -> None:
    t = cluster.t
    now = ctr.stamp(cluster, t)
    old = pod.get("status") or {}
    meta = pod["metadata"]
    owns = cluster.caches.get(_OWN)
    if owns is None:
        owns = cluster.caches[_OWN] = {}
    hit = owns.get(meta["uid"])
    own = hit is not None and hit[0] is old and hit[1] is prec
    main: list[tuple[dict, dict]] = []
    init_statuses, statuses, unready, incomplete = [], [], [], []
    probing = False
    due: float | None = None
    recs = prec["c"]
    for key, c_spec, init in _specs(pod) if specs is None else specs:
        rec = recs.get(key)
        if rec is None:
            continue
        cs, ready = ctr.container_status(cluster, rec, c_spec)
        rec_due = rec["due"]
        if rec_due is not None and (due is None or rec_due < due):
            due = rec_due
        if init:
            cs["ready"] = rec["st"] in ("done", "dead") and rec["code"] == 0
            init_statuses.append(cs)
            if not cs["ready"]:
                incomplete.append(c_spec["name"])
        else:
            statuses.append(cs)
            main.append((rec, c_spec))
            if not ready:
                unready.append(c_spec["name"])
                if rec["st"] == "run" and isinstance(c_spec.get("readinessProbe"), dict):
                    probing = True
    if len(statuses) > 1:
        statuses.sort(key=lambda s: s["name"])
    phase = _phase(pod, main, init_failed, init_done)
    if incomplete:
        initialized = ("Initialized", "False", "ContainersNotInitialized", f"containers with incomplete status: [{' '.join(incomplete)}]")
    else:
        initialized = _INITIALIZED
    if phase in ("Succeeded", "Failed"):
        ready_conds = _COMPLETED
    elif unready:
        msg = f"containers with unready status: [{' '.join(unready)}]"
        ready_conds = (("Ready", "False", "ContainersNotReady", msg), ("ContainersReady", "False", "ContainersNotReady", msg))
    else:
        ready_conds = _READY_TRUE
    conds = _conditions(old, now, (_STARTED[bool(mount)], initialized, *ready_conds), own)
    host_ip = _node_ip(node)
    if own and old["hostIP"] == host_ip and ("initContainerStatuses" in old) == bool(init_statuses):
        # the kubelet's own last status from this record: host and pod IPs, qosClass and startTime
        # are what it wrote, and the keys come in the same order; only what containers decide changes
        status = dict(old)
        status["conditions"] = conds
        status["containerStatuses"] = statuses
        if init_statuses:
            status["initContainerStatuses"] = init_statuses
        status["phase"] = phase
    elif prec["ip"] and not init_statuses:  # the usual keys, as one literal (no resizes)
        ip = prec["ip"]
        status = {"conditions": conds, "containerStatuses": statuses, "hostIP": host_ip, "hostIPs": [{"ip": host_ip}],
                  "phase": phase, "podIP": ip, "podIPs": [{"ip": ip}],
                  "qosClass": old.get("qosClass") or qos_class(pod["spec"]), "startTime": ctr.stamp(cluster, prec["t0"])}
    else:
        status = {"conditions": conds, "containerStatuses": statuses, "hostIP": host_ip, "hostIPs": [{"ip": host_ip}]}
        if init_statuses:
            status["initContainerStatuses"] = init_statuses
        status["phase"] = phase
        ip = prec["ip"]
        if ip:
            status["podIP"] = ip
            status["podIPs"] = [{"ip": ip}]
        status["qosClass"] = old.get("qosClass") or qos_class(pod["spec"])
        status["startTime"] = ctr.stamp(cluster, prec["t0"])
    prec["probing"] = probing
    prec["due"] = due if due is not None and due > t else None
    cur = cluster.store.peek("Pod", meta["name"], meta["namespace"])
    if cur is not None and cur.get("status") != status:
        new = dict(cur)  # copy on write: unchanged parts (spec) are shared with the stored version
        new["metadata"] = dict(cur["metadata"])
        new["status"] = status
        cluster.update_status(new)
        cur = new
        owns[meta["uid"]] = (status, prec)
    prec["rv"] = cur["metadata"].get("resourceVersion") if cur is not None else None
