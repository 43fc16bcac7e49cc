"""MongoDB inside the simulation: users and roles per instance, client checks, and the mongo shells.

State of one instance (JSON, held by the model): ``{"users": {"<db>.<user>": {"user", "db", "pwd",
"roles": [{"role", "db"}]}}}``. Whether authentication is on comes from the pod's ``--auth`` argument,
TLS from ``--tlsMode``; both are read from the spec, as mongod reads its command line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aoi_gym.apps.base import App, DbClient

__all__ = ["initial_state", "check_client", "has_privilege", "MongoInstance", "USER_ADMIN_ROLES", "shell_json"]

USER_ADMIN_ROLES = ("userAdminAnyDatabase", "root", "__system")
_RW_ANY = ("readWriteAnyDatabase", "root", "__system")
_R_ANY = ("readAnyDatabase",) + _RW_ANY


def initial_state(app: App, store: str, auth: bool) -> dict[str, Any]:
    """Users an instance starts with: with ``--auth``, what the init script creates (root + app users)."""
    users: dict[str, Any] = {}
    if auth:
        users["admin.root"] = {"user": "root", "db": "admin", "pwd": "root",
                               "roles": [{"role": "userAdminAnyDatabase", "db": "admin"}]}
        for svc in app.services.values():
            c = svc.db
            if c and c.store == store and c.user:
                key = f"admin.{c.user}"
                u = users.setdefault(key, {"user": c.user, "db": "admin", "pwd": c.password, "roles": []})
                role = {"role": "readWrite", "db": c.db}
                if role not in u["roles"]:
                    u["roles"].append(role)
    return {"users": users}


def databases(app: App, store: str) -> dict[str, dict[str, int]]:
    """Databases and collections (with document counts) an instance holds."""
    dbs: dict[str, dict[str, int]] = {"admin": {"system.users": 2, "system.version": 2}, "config": {"system.sessions": 1},
                                      "local": {"startup_log": 1}}
    for svc in app.services.values():
        if svc.db and svc.db.store == store:
            dbs.setdefault(svc.db.db, {})[svc.db.collection] = 80
    if len(dbs) == 3:  # an instance without declared clients: name its database after the store
        dbs[store.removesuffix("-mongodb").removesuffix("-db").replace("mongodb-", "") + "-db"] = {"data": 50}
    return dbs


def has_privilege(user: dict[str, Any] | None, action: str, db: str) -> bool:
    """Does ``user`` hold ``action`` (``read`` | ``write`` | ``userAdmin``) on ``db``?"""
    if user is None:
        return False
    for r in user.get("roles", []):
        role, rdb = r.get("role"), r.get("db")
        if action == "userAdmin" and (role in USER_ADMIN_ROLES or (role in ("userAdmin", "dbOwner") and rdb == db)):
            return True
        if action == "write" and (role in _RW_ANY or (role in ("readWrite", "dbOwner") and rdb == db)):
            return True
        if action == "read" and (role in _R_ANY or (role in ("read", "readWrite", "dbOwner") and rdb == db)):
            return True
    return False


def check_client(state: dict[str, Any], client: DbClient, auth: bool, action: str = "read") -> tuple[str, str] | None:
    """Can ``client`` connect and ``action`` on its database? None if yes, else (kind, error text)."""
    if not auth:
        return None
    users = state.get("users", {})
    u = users.get(f"admin.{client.user}")
    if not client.user or u is None or u.get("pwd") != client.password:
        return ("auth", "server returned error on SASL authentication step: Authentication failed.")
    if not has_privilege(u, action, client.db):
        cmd = "find" if action == "read" else "insert"
        return ("authz", f'not authorized on {client.db} to execute command {{ {cmd}: "{client.collection}", '
                         f'filter: {{}}, $db: "{client.db}" }}')
    return None


def shell_json(v: Any, indent: int = 0) -> str:
    """The legacy shell's ``printjson`` layout (tabs, ``"k" : v``)."""
    pad = "\t" * indent
    if isinstance(v, dict):
        if not v:
            return "{ }"
        inner = ",\n".join(f'{pad}\t"{k}" : {shell_json(x, indent + 1)}' for k, x in v.items())
        return "{\n" + inner + "\n" + pad + "}"
    if isinstance(v, list):
        if not v:
            return "[ ]"
        inner = ",\n".join(f"{pad}\t{shell_json(x, indent + 1)}" for x in v)
        return "[\n" + inner + "\n" + pad + "]"
    if isinstance(v, _Raw):
        return v.text
    return json.dumps(v)


def mongosh_inspect(v: Any, indent: int = 0) -> str:
    """mongosh's util.inspect-like layout (single quotes, bare keys)."""
    if isinstance(v, dict):
        if not v:
            return "{}"
        items = [f"{k if k.replace('_', '').isalnum() else repr(k)}: {mongosh_inspect(x, indent + 2)}" for k, x in v.items()]
        flat = "{ " + ", ".join(items) + " }"
        if len(flat) <= 72 and "\n" not in flat:
            return flat
        pad = " " * (indent + 2)
        return "{\n" + ",\n".join(pad + i for i in items) + "\n" + " " * indent + "}"
    if isinstance(v, list):
        if not v:
            return "[]"
        items = [mongosh_inspect(x, indent + 2) for x in v]
        flat = "[ " + ", ".join(items) + " ]"
        if len(flat) <= 72 and "\n" not in flat:
            return flat
        pad = " " * (indent + 2)
        return "[\n" + ",\n".join(pad + i for i in items) + "\n" + " " * indent + "]"
    if isinstance(v, _Raw):
        return v.mongosh
    if isinstance(v, str):
        return "'" + v.replace("'", "\\'") + "'"
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    return json.dumps(v)


@dataclass(frozen=True)
class _Raw:
    """A value printed verbatim (``UUID("...")``) by the legacy shell and differently by mongosh."""

    text: str
    mongosh: str


@dataclass
class MongoInstance:
    """One instance as a shell sees it; ``state`` is the model's (mutable) dict for it."""

    app: App
    store: str
    state: dict[str, Any]
    auth: bool
    version: str
    id_seed: str

    def user_doc(self, key: str, uid: str) -> dict[str, Any]:
        u = self.state["users"][key]
        return {
            "_id": key,
            "userId": _Raw(f'UUID("{uid}")', f"new UUID(\"{uid}\")"),
            "user": u["user"],
            "db": u["db"],
            "roles": [dict(r) for r in u["roles"]],
            "mechanisms": ["SCRAM-SHA-1", "SCRAM-SHA-256"],
        }

    def dbs(self) -> dict[str, dict[str, int]]:
        return databases(self.app, self.store)
