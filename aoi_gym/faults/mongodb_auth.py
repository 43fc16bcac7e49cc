"""MongoDB authentication faults of HotelReservation (AIOpsLab's ApplicationFaultInjector).

The stores run ``mongo:4.4.6 --auth``; user ``admin/admin`` has ``readWrite`` on ``<svc>-db`` and the
service connects as that user, panicking when it cannot read. Both faults run ``mongo --eval`` inside
the MongoDB pod as ``root`` (what AIOpsLab's mounted scripts do), then delete the service's pods so
they restart against the changed database:

* ``revoke_auth_mongodb``: ``db.revokeRolesFromUser('admin', [{role: 'readWrite', db: ...}])``.
* ``user_unregistered_mongodb``: ``db.dropUser('admin')``.

Localization accepts the store (``mongodb-geo``) or the service (``geo``), as AIOpsLab does.
"""

from __future__ import annotations

import shlex
from typing import Any

import numpy as np

from aoi_gym.cluster.base import ApiError
from aoi_gym.faults import ops
from aoi_gym.faults.base import Fault, register

__all__ = ["RevokeAuthMongodb", "UserUnregisteredMongodb", "mongo_eval_argv"]

ROOT = ("root", "root")
APP_USER = ("admin", "admin")


def mongo_eval_argv(js: str, user: tuple[str, str] = ROOT) -> list[str]:
    """argv of ``mongo`` running ``js`` against the admin database as ``user``."""
    return ["mongo", "admin", "-u", user[0], "-p", user[1], "--authenticationDatabase", "admin", "--quiet", "--eval", js]


def _role(db: str) -> str:
    return f"[{{role: 'readWrite', db: '{db}'}}]"


class _MongoAuthFault(Fault):
    apps = ("hotel_reservation",)
    settle_s = 30.0
    param_choices = {"hotel_reservation": {"target": ("mongodb-geo", "mongodb-rate")}}
    oracle = "user admin can read and write the service's database and the service's pods run"

    @property
    def service(self) -> str:
        return self.params["target"].removeprefix("mongodb-")

    @property
    def db(self) -> str:
        return f"{self.service}-db"

    def localization_aliases(self) -> tuple[str, ...]:
        return (self.params["target"], self.service)

    def candidate_components(self) -> tuple[str, ...]:
        return ("mongodb-geo", "geo", "mongodb-rate", "rate")

    def _eval(self, cluster: Any, js: str) -> Any:
        return ops.exec_in_service(cluster, self.app, self.namespace, self.params["target"], mongo_eval_argv(js))

    def _restart_service(self, cluster: Any) -> None:
        ops.delete_pods(cluster, self.app, self.namespace, self.service)

    def _inject(self, cluster: Any, rng: np.random.Generator) -> None:
        res = self._eval(cluster, self.break_js())
        if res.exit_code != 0:
            raise RuntimeError(f"{self.family}: mongo refused the change: {res.stdout}{res.stderr}")
        self._restart_service(cluster)

    def _recover(self, cluster: Any) -> None:
        self._eval(cluster, self.fix_js())
        self._restart_service(cluster)

    def condition_problems(self, cluster: Any) -> list[str]:
        try:
            res = self._eval(cluster, "printjson(db.getUser('admin'))")
        except ApiError as e:
            return [f"cannot reach {self.params['target']}: {e}"]
        text = res.stdout.replace(" ", "").replace('"', "'")
        if res.exit_code != 0 or "'user':'admin'" not in text:
            return [f"user admin does not exist in {self.params['target']}"]
        if "'role':'readWrite'" not in text or f"'db':'{self.db}'" not in text:
            return [f"user admin lacks readWrite on {self.db}"]
        return []

    def remediation(self, cluster: Any) -> list[str]:
        pods = ops.pods_of(cluster, self.app, self.namespace, self.params["target"])
        pod = pods[0]["metadata"]["name"] if pods else f"deploy/{self.params['target']}"
        argv = " ".join(shlex.quote(a) for a in mongo_eval_argv(self.fix_js()))
        return [
            f"kubectl exec -n {self.namespace} {pod} -- {argv}",
            f"kubectl rollout restart deployment {self.service} -n {self.namespace}",
        ]

    def break_js(self) -> str:
        raise NotImplementedError

    def fix_js(self) -> str:
        raise NotImplementedError


@register
class RevokeAuthMongodb(_MongoAuthFault):
    family = "revoke_auth_mongodb"
    system_level, fault_type = "Application", "Authentication Issue"

    def break_js(self) -> str:
        return f"db.revokeRolesFromUser('admin', {_role(self.db)});"

    def fix_js(self) -> str:
        return f"db.grantRolesToUser('admin', {_role(self.db)});"


@register
class UserUnregisteredMongodb(_MongoAuthFault):
    family = "user_unregistered_mongodb"
    system_level, fault_type = "Application", "Network/Storage Issue"

    def break_js(self) -> str:
        return "db.dropUser('admin');"

    def fix_js(self) -> str:
        return f"db.createUser({{user: 'admin', pwd: 'admin', roles: {_role(self.db)}}});"
