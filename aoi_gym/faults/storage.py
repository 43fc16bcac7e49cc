"""``redeploy_without_PV`` (AIOpsLab): HotelReservation's namespace deleted and redeployed while its
static hostPath PersistentVolumes stay ``Released`` with a stale claimRef.

The new PVCs find no Available volume of their storage class and stay Pending, so the MongoDB pods stay
Pending and every service that needs its database fails. The fix an SRE would apply: clear the stale
``claimRef`` of each Released volume (the data on the host path is intact) so the new claims bind.
Recovery (the harness's) deletes the namespace, frees the volumes (keeping their data) and installs again.

``pvc_missing_storage_class`` (new): a database's claim names a StorageClass the cluster does not have.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from aoi_gym.cluster.base import NotFound
from aoi_gym.faults import ops
from aoi_gym.faults.base import Fault, register

__all__ = ["RedeployWithoutPV", "PvcMissingStorageClass"]

NAMESPACE_GONE_S = 15.0


def _app_pvs(cluster: Any, namespace: str) -> list[dict]:
    return [pv for pv in cluster.list("PersistentVolume")
            if ((pv["spec"].get("claimRef") or {}).get("namespace") == namespace)]


def _delete_namespace(cluster: Any, namespace: str) -> None:
    try:
        cluster.delete("Namespace", namespace)
    except NotFound:
        return
    for _ in range(30):  # the namespace controller empties it, then it disappears
        cluster.advance(NAMESPACE_GONE_S / 3)
        try:
            cluster.get("Namespace", namespace)
        except NotFound:
            return


@register
class RedeployWithoutPV(Fault):
    family = "redeploy_without_PV"
    apps = ("hotel_reservation",)
    system_level, fault_type = "Virtualization", "Operation Error"
    settle_s = 30.0
    oracle = "every PVC of the namespace is Bound and the databases run"

    def faulty_components(self) -> tuple[str, ...]:
        return ()

    def candidate_components(self) -> tuple[str, ...]:
        return ("mongodb-geo", "mongodb-profile", "mongodb-rate", "mongodb-recommendation",
                "mongodb-reservation", "mongodb-user")

    def _inject(self, cluster: Any, rng: np.random.Generator) -> None:
        from aoi_gym.apps import install_app

        _delete_namespace(cluster, self.namespace)
        install_app(cluster, self.app)

    def _recover(self, cluster: Any) -> None:
        from aoi_gym.apps import install_app

        pvs = [pv["metadata"]["name"] for pv in _app_pvs(cluster, self.namespace)]
        _delete_namespace(cluster, self.namespace)
        for name in pvs:  # free the volumes (their data stays) so the fresh claims bind to them again
            try:
                ops.update(cluster, "PersistentVolume", name, None, lambda pv: pv["spec"].pop("claimRef", None))
            except NotFound:
                pass
        install_app(cluster, self.app)

    def condition_problems(self, cluster: Any) -> list[str]:
        return [f"PersistentVolumeClaim {p['metadata']['name']} is {(p.get('status') or {}).get('phase', 'Pending')}"
                for p in cluster.list("PersistentVolumeClaim", self.namespace)
                if (p.get("status") or {}).get("phase") != "Bound"]

    def remediation(self, cluster: Any) -> list[str]:
        return [
            f"kubectl patch pv {pv['metadata']['name']} --type=json "
            "-p '[{\"op\": \"remove\", \"path\": \"/spec/claimRef\"}]'"
            for pv in _app_pvs(cluster, self.namespace)
            if (pv.get("status") or {}).get("phase") == "Released"
        ]


_BAD_CLASSES = ("fast-ssd", "gp3", "premium-rwo", "managed-csi")


@register
class PvcMissingStorageClass(Fault):
    """``pvc_missing_storage_class``: a database moved to a new claim whose StorageClass does not exist.

    The claim was written for another cluster (``gp3``, ``premium-rwo``...): nothing provisions it, so it
    stays Pending (``ProvisioningFailed: storageclass.storage.k8s.io "gp3" not found``), the database's new
    pod stays Pending ("pod has unbound immediate PersistentVolumeClaims") and its rollout never
    finishes. The fix: recreate the claim on a class the cluster has (a claim's class is immutable), or
    create the class it names.
    """

    family = "pvc_missing_storage_class"
    apps = ("hotel_reservation",)
    system_level, fault_type = "Virtualization", "Misconfiguration"
    settle_s = 30.0
    param_choices = {"hotel_reservation": {
        "target": ("mongodb-geo", "mongodb-profile", "mongodb-rate", "mongodb-recommendation",
                   "mongodb-reservation", "mongodb-user"),
        "storage_class": _BAD_CLASSES,
    }}
    oracle = "every claim the database's pods use is Bound and its pods run"

    @property
    def claim(self) -> str:
        return f"{self.params['target'].removeprefix('mongodb-')}-data"

    def _inject(self, cluster: Any, rng: np.random.Generator) -> None:
        cluster.create({
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": self.claim, "namespace": self.namespace},
            "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": self.params["storage_class"],
                     "resources": {"requests": {"storage": "1Gi"}}},
        })

        def change(dep: dict) -> None:
            for vol in dep["spec"]["template"]["spec"].get("volumes") or []:
                ref = vol.get("persistentVolumeClaim")
                if ref:
                    self.saved["claim"] = ref["claimName"]
                    ref["claimName"] = self.claim

        ops.update(cluster, "Deployment", self.params["target"], self.namespace, change)

    def _recover(self, cluster: Any) -> None:
        def change(dep: dict) -> None:
            for vol in dep["spec"]["template"]["spec"].get("volumes") or []:
                ref = vol.get("persistentVolumeClaim")
                if ref and ref.get("claimName") == self.claim:
                    ref["claimName"] = self.saved.get("claim", ref["claimName"])

        ops.update(cluster, "Deployment", self.params["target"], self.namespace, change)
        for kind, name, ns in (("PersistentVolumeClaim", self.claim, self.namespace),
                               ("StorageClass", self.params["storage_class"], None)):
            ops.delete_if_exists(cluster, kind, name, ns)

    def condition_problems(self, cluster: Any) -> list[str]:
        dep = ops.find(cluster, "Deployment", self.params["target"], self.namespace)
        if dep is None:
            return self.missing_target()
        out = []
        for vol in dep["spec"]["template"]["spec"].get("volumes") or []:
            name = (vol.get("persistentVolumeClaim") or {}).get("claimName")
            if not name:
                continue
            try:
                pvc = cluster.get("PersistentVolumeClaim", name, self.namespace)
            except NotFound:
                out.append(f"claim {name} used by {self.params['target']} does not exist")
                continue
            if (pvc.get("status") or {}).get("phase") != "Bound":
                out.append(f"claim {name} used by {self.params['target']} is not Bound")
        return out

    def remediation(self, cluster: Any) -> list[str]:
        manifest = (f"apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: {self.claim}\n"
                    f"  namespace: {self.namespace}\nspec:\n  accessModes: [ReadWriteOnce]\n"
                    f"  storageClassName: standard\n  resources:\n    requests:\n      storage: 1Gi\n")
        return [f"kubectl delete pvc {self.claim} -n {self.namespace} --wait=false",
                f"cat <<EOF | kubectl apply -f -\n{manifest}EOF"]
