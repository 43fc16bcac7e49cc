"""Chaos Mesh PodChaos (chaos-mesh.org/v1alpha1): pod-failure, pod-kill, container-kill.

* ``pod-failure``: the selected pods' containers get Chaos Mesh's pause image, so the kubelet
  restarts them into a process that serves nothing (probes fail, the pod is not ready) until
  ``duration`` ends or the experiment is deleted; then the original images come back (another restart).
* ``pod-kill``: the selected pods are deleted (``gracePeriod``, default 0); their controllers recreate them.
* ``container-kill``: the named containers (``containerNames``) are killed once; the kubelet restarts them.

``mode``: one (picked with ``cluster.rng``), all, fixed (``value`` pods), fixed-percent,
random-max-percent. ``selector``: namespaces, labelSelectors, pods. The experiment's bookkeeping
(original images) lives in ``cluster.private``; ``status`` carries what Chaos Mesh reports.
NetworkChaos is the application model's business, not this controller's.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from aoi_gym.cluster.patch import json_copy
from aoi_gym.cluster.sim.controllers.common import SimController, emit, parse_duration, pod_is_terminating
from aoi_gym.cluster.sim.controllers.containers import PAUSE_IMAGE
from aoi_gym.cluster.sim.controllers.kubelet import kill_container

if TYPE_CHECKING:
    from aoi_gym.cluster.sim.cluster import SimCluster

__all__ = ["PodChaosController", "select_pods"]

_COMPONENT = "chaos-controller-manager"


def select_pods(cluster: "SimCluster", chaos: dict[str, Any]) -> list[dict[str, Any]]:
    """Pods a chaos experiment's selector and mode pick (consumes ``cluster.rng`` for random modes)."""
    spec = chaos.get("spec") or {}
    sel = spec.get("selector") or {}
    namespaces = sel.get("namespaces") or [chaos["metadata"]["namespace"]]
    labels = sel.get("labelSelectors") or {}
    named = sel.get("pods") or {}
    cands = []
    for ns in sorted(namespaces):
        for p in cluster.iter_objects("Pod", ns):
            if pod_is_terminating(p) or (p.get("status") or {}).get("phase") not in ("Running", "Pending"):
                continue
            plabels = p["metadata"].get("labels") or {}
            if any(plabels.get(k) != v for k, v in labels.items()):
                continue
            if named and p["metadata"]["name"] not in (named.get(ns) or ()):
                continue
            cands.append(p)
    cands.sort(key=lambda p: (p["metadata"]["namespace"], p["metadata"]["name"]))
    mode = spec.get("mode", "one")
    if not cands:
        return []
    if mode == "all":
        return cands
    value = spec.get("value")
    if mode == "one":
        n = 1
    elif mode == "fixed":
        n = int(value or 1)
    elif mode == "fixed-percent":
        n = int(math.floor(len(cands) * float(value or 0) / 100.0))
    elif mode == "random-max-percent":
        n = int(cluster.rng.integers(0, int(math.floor(len(cands) * float(value or 0) / 100.0)) + 1))
    else:
        return []
    n = max(0, min(n, len(cands)))
    idx = sorted(cluster.rng.choice(len(cands), size=n, replace=False).tolist()) if n else []
    return [cands[i] for i in idx]


def _set_images(cluster: "SimCluster", pod: dict[str, Any], images: dict[str, str]) -> None:
    new = json_copy(pod)
    for c in new["spec"].get("containers") or ():
        if c["name"] in images:
            c["image"] = images[c["name"]]
    cluster.update_status(new)


class PodChaosController(SimController):
    """Runs PodChaos experiments and recovers them when their duration ends or they are deleted."""

    name = "podchaos-controller"
    watches = ("PodChaos", "Pod", "Namespace")

    def sync(self, cluster: "SimCluster") -> float | None:
        book: dict[str, Any] = cluster.private.setdefault("podchaos", {})
        live_uids = set()
        due: float | None = None
        for ch in cluster.iter_objects("PodChaos"):
            uid = ch["metadata"]["uid"]
            live_uids.add(uid)
            d = self._sync_one(cluster, ch, book)
            if d is not None and (due is None or d < due):
                due = d
        for uid in [u for u in book if u not in live_uids]:
            self._recover(cluster, book.pop(uid))  # the experiment was deleted: recover at once
        return due

    def _sync_one(self, cluster: "SimCluster", ch: dict[str, Any], book: dict[str, Any]) -> float | None:
        meta, spec = ch["metadata"], ch.get("spec") or {}
        uid = meta["uid"]
        action = spec.get("action", "pod-kill")
        duration = parse_duration(spec.get("duration"))
        entry = book.get(uid)
        if entry is None:
            if (ch.get("status") or {}).get("experiment"):
                return None  # already ran and finished
            targets = select_pods(cluster, ch)
            entry = book[uid] = {"start": cluster.t, "action": action, "targets": [], "done": False}
            records = []
            for p in targets:
                pm = p["metadata"]
                rec = {"ns": pm["namespace"], "name": pm["name"], "uid": pm["uid"], "images": {}}
                if action == "pod-failure":
                    rec["images"] = {c["name"]: c.get("image", "") for c in p["spec"].get("containers") or ()}
                    _set_images(cluster, p, {n: PAUSE_IMAGE for n in rec["images"]})
                elif action == "pod-kill":
                    cluster.delete("Pod", pm["name"], pm["namespace"], grace_period=int(spec.get("gracePeriod", 0) or 0))
                elif action == "container-kill":
                    for cname in spec.get("containerNames") or ():
                        kill_container(cluster, p, cname)
                entry["targets"].append(rec)
                records.append(f"{pm['namespace']}/{pm['name']}")
                emit(cluster, ch, "Applied", f"Successfully apply chaos for {pm['namespace']}/{pm['name']}", component=_COMPONENT)
            self._status(cluster, ch, records, injected=True)
        if entry["done"]:
            return None
        if duration is not None and cluster.t >= entry["start"] + duration:
            emit(cluster, ch, "TimeUp", "Time up according to the duration", component=_COMPONENT)
            self._recover(cluster, entry)
            entry["done"] = True
            self._status(cluster, ch, [f"{r['ns']}/{r['name']}" for r in entry["targets"]], injected=False)
            for r in entry["targets"]:
                emit(cluster, ch, "Recovered", f"Successfully recover chaos for {r['ns']}/{r['name']}", component=_COMPONENT)
            return None
        return None if duration is None else entry["start"] + duration

    def _recover(self, cluster: "SimCluster", entry: dict[str, Any]) -> None:
        if entry.get("done") or entry.get("action") != "pod-failure":
            return
        for r in entry["targets"]:
            pod = cluster.peek("Pod", r["name"], r["ns"])
            if pod is not None and pod["metadata"].get("uid") == r["uid"] and r["images"]:
                _set_images(cluster, pod, r["images"])

    def _status(self, cluster: "SimCluster", ch: dict[str, Any], records: list[str], injected: bool) -> None:
        cur = cluster.peek("PodChaos", ch["metadata"]["name"], ch["metadata"]["namespace"]) or ch
        new = json_copy(cur)
        ts = cluster.timestamp()
        old_records = {r["id"]: r for r in (((cur.get("status") or {}).get("experiment") or {}).get("containerRecords") or ())}
        recs = []
        for rid in records:
            old = old_records.get(rid, {"events": [], "injectedCount": 0, "recoveredCount": 0})
            events = list(old.get("events") or [])
            events.append({"operation": "Apply" if injected else "Recover", "timestamp": ts, "type": "Succeeded"})
            recs.append({
                "events": events,
                "id": rid,
                "injectedCount": old.get("injectedCount", 0) + (1 if injected else 0),
                "phase": "Injected" if injected else "Not Injected",
                "recoveredCount": old.get("recoveredCount", 0) + (0 if injected else 1),
                "selectorKey": ".",
            })
        new["status"] = {
            "conditions": [
                {"status": "True" if records else "False", "type": "Selected"},
                {"status": "True" if injected and records else "False", "type": "AllInjected"},
                {"status": "False" if injected else "True", "type": "AllRecovered"},
                {"status": "False", "type": "Paused"},
            ],
            "experiment": {"containerRecords": recs, "desiredPhase": "Run" if injected else "Stop"},
        }
        cluster.update_status(new)
