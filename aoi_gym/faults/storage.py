"""``redeploy_without_PV`` (AIOpsLab): HotelReservation's namespace deleted and redeployed while its
static hostPath PersistentVolumes stay ``Released`` with a stale claimRef.

The new PVCs find no Available volume of their storage class and stay Pending, so the MongoDB pods stay
Pending and every service that needs its database fails. The fix an SRE would apply: clear the stale
``claimRef`` of each Released volume (the data on the host path is intact) so the new claims bind.
Recovery (the harness's) deletes the namespace, frees the volumes (keeping their data) and installs again.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from aoi_gym.cluster.base import NotFound
from aoi_gym.faults import ops
from aoi_gym.faults.base import Fault, register

__all__ = ["RedeployWithoutPV"]

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
