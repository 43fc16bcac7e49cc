"""StatefulSet controller: pods ``<name>-0..N-1`` with stable names and per-pod claims.

OrderedReady (the default) creates pod i only when pods 0..i-1 are Running and Ready, and removes
the highest ordinal first when scaling down; Parallel creates and deletes all at once. Each
``volumeClaimTemplates`` entry gives pod i the claim ``<template>-<name>-<i>``. A template change
rolls pods from the highest ordinal down, one at a time (RollingUpdate), each waiting for the
previous to become ready.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aoi_gym.cluster.patch import json_copy
from aoi_gym.cluster.sim.controllers.common import (
    SimController,
    emit,
    index_by_owner,
    memo_prune,
    memoized,
    rv_signature,
    pod_is_ready,
    pod_is_terminating,
    put_new,
)
from aoi_gym.cluster.sim.controllers.podtemplate import new_pod, stored_template_hash
from aoi_gym.cluster.sim.controllers.replicaset import count_available

if TYPE_CHECKING:
    from aoi_gym.cluster.sim.cluster import SimCluster

__all__ = ["StatefulSetController"]

_COMPONENT = "statefulset-controller"
REVISION_LABEL = "controller-revision-hash"


def _ordinal(sts_name: str, pod: dict[str, Any]) -> int | None:
    suffix = pod["metadata"]["name"][len(sts_name) + 1:]
    return int(suffix) if suffix.isdigit() else None


class StatefulSetController(SimController):
    """Reconciles StatefulSets into ordered pods and claims; writes StatefulSet status."""

    name = "statefulset-controller"
    watches = ("StatefulSet", "Pod", "PersistentVolumeClaim", "Namespace")

    def sync(self, cluster: "SimCluster") -> float | None:
        sets = list(cluster.iter_objects("StatefulSet"))
        if not sets:
            return None
        by_owner = index_by_owner(cluster.iter_objects("Pod"))
        due: float | None = None
        live: set[str] = set()
        for sts in sets:
            if "deletionTimestamp" in sts["metadata"]:
                continue
            uid = sts["metadata"]["uid"]
            live.add(uid)
            owned = by_owner.get(uid, [])
            sig = sts["metadata"].get("resourceVersion", "") + "|" + rv_signature(owned)
            d = memoized(cluster, "memo:sts", uid, sig, lambda sts=sts, owned=owned: self._sync_one(cluster, sts, owned))
            if d is not None and (due is None or d < due):
                due = d
        memo_prune(cluster, "memo:sts", live)
        return due

    def _claims(self, cluster: "SimCluster", sts: dict[str, Any], pod_name: str, i: int) -> list[dict[str, Any]]:
        """Ensure pod i's claims exist; return the volumes the pod mounts them as."""
        meta, spec = sts["metadata"], sts["spec"]
        ns = meta["namespace"]
        vols = []
        for vct in spec.get("volumeClaimTemplates") or ():
            tname = vct["metadata"]["name"]
            claim = f"{tname}-{meta['name']}-{i}"
            vols.append({"name": tname, "persistentVolumeClaim": {"claimName": claim}})
            if cluster.peek("PersistentVolumeClaim", claim, ns) is None:
                labels = dict((vct.get("metadata") or {}).get("labels") or {})
                labels.update((spec.get("selector") or {}).get("matchLabels") or {})
                pvc = {
                    "apiVersion": "v1",
                    "kind": "PersistentVolumeClaim",
                    "metadata": {"name": claim, "namespace": ns, "labels": labels},
                    "spec": json_copy(vct.get("spec") or {}),
                    "status": {"phase": "Pending"},
                }
                pvc["spec"].setdefault("volumeMode", "Filesystem")
                if put_new(cluster, pvc) is not None:
                    emit(cluster, sts, "SuccessfulCreate", f"create Claim {claim} Pod {pod_name} in StatefulSet {meta['name']} success",
                         component=_COMPONENT)
        return vols

    def _create_pod(self, cluster: "SimCluster", sts: dict[str, Any], i: int, revision: str) -> dict[str, Any] | None:
        meta, spec = sts["metadata"], sts["spec"]
        name = f"{meta['name']}-{i}"
        vols = self._claims(cluster, sts, name, i)
        tmpl = json_copy(spec.get("template") or {})
        pspec = tmpl.setdefault("spec", {})
        existing = {v.get("name") for v in pspec.get("volumes") or ()}
        pspec["volumes"] = list(pspec.get("volumes") or []) + [v for v in vols if v["name"] not in existing]
        pspec["hostname"] = name
        if spec.get("serviceName"):
            pspec["subdomain"] = spec["serviceName"]
        extra = {REVISION_LABEL: revision, "statefulset.kubernetes.io/pod-name": name, "apps.kubernetes.io/pod-index": str(i)}
        pod = new_pod(cluster, tmpl, name, meta["namespace"], sts, extra_labels=extra)
        if pod is not None:
            emit(cluster, sts, "SuccessfulCreate", f"create Pod {name} in StatefulSet {meta['name']} successful", component=_COMPONENT)
        return pod

    def _delete_pod(self, cluster: "SimCluster", sts: dict[str, Any], pod: dict[str, Any]) -> None:
        cluster.delete("Pod", pod["metadata"]["name"], pod["metadata"]["namespace"])
        emit(cluster, sts, "SuccessfulDelete", f"delete Pod {pod['metadata']['name']} in StatefulSet {sts['metadata']['name']} successful",
             component=_COMPONENT)

    def _sync_one(self, cluster: "SimCluster", sts: dict[str, Any], owned: list[dict[str, Any]]) -> float | None:
        meta, spec = sts["metadata"], sts.get("spec") or {}
        want = int(spec.get("replicas", 1) or 0)
        parallel = spec.get("podManagementPolicy") == "Parallel"
        revision = f"{meta['name']}-{stored_template_hash(spec.get('template'))}"
        pods: dict[int, dict[str, Any]] = {}
        for p in owned:
            i = _ordinal(meta["name"], p)
            if i is not None:
                pods[i] = p
        # create missing pods in order
        for i in range(want):
            p = pods.get(i)
            if p is None:
                made = self._create_pod(cluster, sts, i, revision)
                if made is None:
                    break
                pods[i] = made
                if not parallel:
                    break
                continue
            if not parallel and (pod_is_terminating(p) or not pod_is_ready(p)):
                break
        # scale down from the highest ordinal
        extra = sorted((i for i in pods if i >= want), reverse=True)
        for i in extra:
            p = pods[i]
            if not pod_is_terminating(p):
                self._delete_pod(cluster, sts, p)
            if not parallel:
                break
        # rolling update: replace the highest out-of-date pod once all pods are ready
        strategy = (spec.get("updateStrategy") or {}).get("type", "RollingUpdate")
        current = [pods[i] for i in range(want) if i in pods]
        if strategy == "RollingUpdate" and len(current) == want and all(pod_is_ready(p) and not pod_is_terminating(p) for p in current):
            stale = [i for i in range(want) if (pods[i]["metadata"].get("labels") or {}).get(REVISION_LABEL) != revision]
            if stale:
                self._delete_pod(cluster, sts, pods[max(stale)])
        live = [cluster.peek("Pod", f"{meta['name']}-{i}", meta["namespace"]) for i in sorted(pods)]
        live = [p for p in live if p is not None and not pod_is_terminating(p)]
        updated = sum(1 for p in live if (p["metadata"].get("labels") or {}).get(REVISION_LABEL) == revision)
        prev = sts.get("status") or {}
        current_rev = prev.get("currentRevision") or revision
        if updated == len(live) == want:
            current_rev = revision
        ready, available, due = count_available(cluster, live, float(spec.get("minReadySeconds", 0) or 0))
        status: dict[str, Any] = {
            "availableReplicas": available,
            "collisionCount": 0,
            "currentReplicas": sum(1 for p in live if (p["metadata"].get("labels") or {}).get(REVISION_LABEL) == current_rev),
            "currentRevision": current_rev,
            "observedGeneration": meta.get("generation", 1),
            "readyReplicas": ready,
            "replicas": len(live),
            "updateRevision": revision,
            "updatedReplicas": updated,
        }
        for k in ("readyReplicas", "currentReplicas", "updatedReplicas"):
            if not status[k]:
                del status[k]
        if prev != status:
            new = json_copy(cluster.peek("StatefulSet", meta["name"], meta["namespace"]) or sts)
            new["status"] = status
            new.setdefault("spec", {}).setdefault("podManagementPolicy", "OrderedReady")
            new["spec"].setdefault("updateStrategy", {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}})
            new["spec"].setdefault("revisionHistoryLimit", 10)
            cluster.update_status(new)
        return due
