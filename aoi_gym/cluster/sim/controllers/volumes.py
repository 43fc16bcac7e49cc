"""PersistentVolume controller: binds claims to volumes, provisions dynamic ones, releases stale ones.

* A Pending PVC binds to the smallest Available PV with the same storageClassName, a superset of its
  accessModes and enough capacity (or to the PV it names in ``volumeName`` / that is pre-bound to it).
* A PV whose ``claimRef`` names a claim uid that no longer exists becomes ``Released`` and is never
  bound again (a new claim with the same name has another uid), unless its reclaim policy is Delete,
  in which case it is removed (dynamically provisioned volumes).
* A claim whose class names no StorageClass object stays Pending with a ProvisioningFailed event; a
  class with a provisioner (kind's ``standard``: rancher.io/local-path, WaitForFirstConsumer)
  provisions ``pvc-<uid>`` once the scheduler picked a node for the first pod using the claim.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aoi_gym.cluster.patch import json_copy
from aoi_gym.cluster.sim.controllers.common import SimController, emit, parse_quantity, put_new, remove_object

if TYPE_CHECKING:
    from aoi_gym.cluster.sim.cluster import SimCluster

__all__ = ["PersistentVolumeController", "DEFAULT_CLASS_ANNOTATION"]

DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class"
SELECTED_NODE_ANNOTATION = "volume.kubernetes.io/selected-node"
_COMPONENT = "persistentvolume-controller"


def _request(pvc: dict[str, Any]) -> float:
    return parse_quantity((((pvc.get("spec") or {}).get("resources") or {}).get("requests") or {}).get("storage"))


def _pv_class(pv: dict[str, Any]) -> str:
    return (pv.get("spec") or {}).get("storageClassName") or ""


class PersistentVolumeController(SimController):
    """Binds PVCs and PVs, provisions dynamic volumes, marks PVs of deleted claims Released."""

    name = "persistentvolume-controller"
    watches = ("PersistentVolume", "PersistentVolumeClaim", "StorageClass", "Namespace")

    def sync(self, cluster: "SimCluster") -> float | None:
        classes = {sc["metadata"]["name"]: sc for sc in cluster.iter_objects("StorageClass")}
        default_class = next(
            (n for n, sc in sorted(classes.items()) if (sc["metadata"].get("annotations") or {}).get(DEFAULT_CLASS_ANNOTATION) == "true"),
            None,
        )
        self._sync_volumes(cluster)
        for pvc in cluster.iter_objects("PersistentVolumeClaim"):
            if "deletionTimestamp" in pvc["metadata"]:
                continue
            if "storageClassName" not in (pvc.get("spec") or {}) and default_class is not None:
                new = json_copy(pvc)
                new.setdefault("spec", {})["storageClassName"] = default_class
                cluster.update_status(new)
                pvc = new
            self._sync_claim(cluster, pvc, classes)
        return None

    # ------------------------------------------------------------------------------------------
    def _sync_volumes(self, cluster: "SimCluster") -> None:
        for pv in cluster.iter_objects("PersistentVolume"):
            spec = pv.get("spec") or {}
            ref = spec.get("claimRef")
            phase = (pv.get("status") or {}).get("phase")
            if not ref:
                want = "Available"
            else:
                pvc = cluster.peek("PersistentVolumeClaim", ref.get("name", ""), ref.get("namespace"))
                if ref.get("uid") and (pvc is None or pvc["metadata"].get("uid") != ref["uid"]):
                    if phase == "Released" or spec.get("persistentVolumeReclaimPolicy", "Retain") != "Delete":
                        want = "Released"
                    else:
                        remove_object(cluster, "PersistentVolume", pv["metadata"]["name"])
                        continue
                elif ref.get("uid"):
                    want = "Bound"
                else:
                    want = "Available"  # pre-bound to a claim that does not exist (yet)
            if phase != want:
                new = json_copy(pv)
                new["status"] = {"phase": want, "lastPhaseTransitionTime": cluster.timestamp()}
                cluster.update_status(new)

    def _once(self, cluster: "SimCluster", pvc: dict[str, Any], reason: str, message: str, type: str = "Normal", component: str = _COMPONENT) -> None:
        """Emit an event on a claim once per distinct message (the real controller repeats it every resync)."""
        seen = cluster.private.setdefault("pvc-events", {})
        key = f"{pvc['metadata']['uid']}|{reason}"
        if seen.get(key) != message:
            seen[key] = message
            emit(cluster, pvc, reason, message, type=type, component=component)

    def _matches(self, pv: dict[str, Any], pvc: dict[str, Any], cls: str) -> bool:
        spec, cspec = pv.get("spec") or {}, pvc.get("spec") or {}
        ref = spec.get("claimRef")
        if ref:
            m = pvc["metadata"]
            if ref.get("name") != m["name"] or ref.get("namespace") != m["namespace"]:
                return False
            if ref.get("uid") and ref["uid"] != m.get("uid"):
                return False
        elif (pv.get("status") or {}).get("phase") not in (None, "Available"):
            return False
        if _pv_class(pv) != cls:
            return False
        if not set(cspec.get("accessModes") or ()) <= set(spec.get("accessModes") or ()):
            return False
        if spec.get("volumeMode", "Filesystem") != cspec.get("volumeMode", "Filesystem"):
            return False
        return parse_quantity((spec.get("capacity") or {}).get("storage")) >= _request(pvc)

    def _sync_claim(self, cluster: "SimCluster", pvc: dict[str, Any], classes: dict[str, dict]) -> None:
        spec = pvc.get("spec") or {}
        phase = (pvc.get("status") or {}).get("phase")
        if phase == "Bound":
            if cluster.peek("PersistentVolume", spec.get("volumeName", "")) is None:
                new = json_copy(pvc)
                new["status"] = {"phase": "Lost"}
                cluster.update_status(new)
                emit(cluster, pvc, "ClaimLost", "Bound claim has lost its PersistentVolume. Data on the volume is lost!", "Warning", _COMPONENT)
            return
        if phase == "Lost":
            return
        cls = spec.get("storageClassName") or ""
        pv = None
        if spec.get("volumeName"):
            cand = cluster.peek("PersistentVolume", spec["volumeName"])
            if cand is not None and self._matches(cand, pvc, _pv_class(cand)):
                pv = cand
        else:
            fits = [p for p in cluster.iter_objects("PersistentVolume") if self._matches(p, pvc, cls)]
            prebound = [p for p in fits if (p.get("spec") or {}).get("claimRef")]
            pool = prebound or fits
            if pool:
                pv = min(pool, key=lambda p: (parse_quantity((p["spec"].get("capacity") or {}).get("storage")), p["metadata"]["name"]))
        if pv is None:
            sc = classes.get(cls) if cls else None
            if cls and sc is None:
                self._once(cluster, pvc, "ProvisioningFailed", f'storageclass.storage.k8s.io "{cls}" not found', "Warning")
            elif sc is None:
                self._once(cluster, pvc, "FailedBinding", "no persistent volumes available for this claim and no storage class is set", "Warning")
            elif sc.get("provisioner") in (None, "", "kubernetes.io/no-provisioner"):
                if sc.get("volumeBindingMode") == "WaitForFirstConsumer":
                    self._once(cluster, pvc, "WaitForFirstConsumer", "waiting for first consumer to be created before binding")
                else:
                    self._once(cluster, pvc, "FailedBinding", "no persistent volumes available for this claim and no storage class is set", "Warning")
            else:
                node = (pvc["metadata"].get("annotations") or {}).get(SELECTED_NODE_ANNOTATION)
                if sc.get("volumeBindingMode") == "WaitForFirstConsumer" and not node:
                    self._once(cluster, pvc, "WaitForFirstConsumer", "waiting for first consumer to be created before binding")
                else:
                    pv = self._provision(cluster, pvc, sc, node)
            if pv is None:
                if phase != "Pending":
                    new = json_copy(pvc)
                    new["status"] = {"phase": "Pending"}
                    cluster.update_status(new)
                return
        self._bind(cluster, pv, pvc)

    def _provision(self, cluster: "SimCluster", pvc: dict[str, Any], sc: dict[str, Any], node: str | None) -> dict[str, Any] | None:
        m = pvc["metadata"]
        prov = sc.get("provisioner", "")
        self._once(cluster, pvc, "ExternalProvisioning",
                   f"Waiting for a volume to be created either by the external provisioner '{prov}' or manually by the system "
                   "administrator. If volume creation is delayed, please verify that the volume creation is in progress.")
        name = f"pvc-{m['uid']}"
        spec: dict[str, Any] = {
            "accessModes": list((pvc.get("spec") or {}).get("accessModes") or ["ReadWriteOnce"]),
            "capacity": {"storage": (((pvc.get("spec") or {}).get("resources") or {}).get("requests") or {}).get("storage", "1Gi")},
            "persistentVolumeReclaimPolicy": sc.get("reclaimPolicy", "Delete"),
            "storageClassName": sc["metadata"]["name"],
            "volumeMode": (pvc.get("spec") or {}).get("volumeMode", "Filesystem"),
        }
        ann = {"pv.kubernetes.io/provisioned-by": prov}
        if node:
            ann["local.path.provisioner/selected-node"] = node
            spec["hostPath"] = {"path": f"/var/local-path-provisioner/{name}_{m['namespace']}_{m['name']}", "type": "DirectoryOrCreate"}
            spec["nodeAffinity"] = {"required": {"nodeSelectorTerms": [{"matchExpressions": [
                {"key": "kubernetes.io/hostname", "operator": "In", "values": [node]}]}]}}
        pv = {
            "apiVersion": "v1",
            "kind": "PersistentVolume",
            "metadata": {"name": name, "annotations": ann, "finalizers": ["kubernetes.io/pv-protection"]},
            "spec": spec,
            "status": {"phase": "Available"},
        }
        if cluster.peek("PersistentVolume", name) is None:
            put_new(cluster, pv)
        component = f"{prov}_local-path-provisioner" if prov else _COMPONENT
        self._once(cluster, pvc, "Provisioning", f'External provisioner is provisioning volume for claim "{m["namespace"]}/{m["name"]}"', component=component)
        self._once(cluster, pvc, "ProvisioningSucceeded", f"Successfully provisioned volume {name}", component=component)
        return cluster.peek("PersistentVolume", name)

    def _bind(self, cluster: "SimCluster", pv: dict[str, Any], pvc: dict[str, Any]) -> None:
        m = pvc["metadata"]
        new_pv = json_copy(pv)
        prebound = bool((pv.get("spec") or {}).get("claimRef"))
        new_pv["spec"]["claimRef"] = {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "name": m["name"],
            "namespace": m["namespace"],
            "resourceVersion": m.get("resourceVersion", ""),
            "uid": m["uid"],
        }
        if not prebound:
            new_pv["metadata"].setdefault("annotations", {})["pv.kubernetes.io/bound-by-controller"] = "yes"
        new_pv["status"] = {"phase": "Bound", "lastPhaseTransitionTime": cluster.timestamp()}
        cluster.update_status(new_pv)
        new_pvc = json_copy(pvc)
        new_pvc["spec"]["volumeName"] = pv["metadata"]["name"]
        ann = new_pvc["metadata"].setdefault("annotations", {})
        ann["pv.kubernetes.io/bind-completed"] = "yes"
        ann["pv.kubernetes.io/bound-by-controller"] = "yes"
        new_pvc["status"] = {
            "phase": "Bound",
            "accessModes": list(new_pv["spec"].get("accessModes") or []),
            "capacity": dict(new_pv["spec"].get("capacity") or {}),
        }
        cluster.update_status(new_pvc)
