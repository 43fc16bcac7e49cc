"""The ``mongo`` (4.4 legacy shell) and ``mongosh`` commands run inside a MongoDB container.

Connects (with ``-u/-p/--authenticationDatabase`` or a ``mongodb://`` URI), evaluates ``--eval`` or
stdin with :mod:`jsparse`, and answers in each shell's own words: user management
(``getUsers/getUser/createUser/dropUser/grantRolesToUser/revokeRolesFromUser``), ``runCommand``
(``connectionStatus``, ``usersInfo``, ``listDatabases``, ``ping``), ``use``/``show dbs``, ``getSiblingDB``,
collection reads. Writes change the instance state held by the model.
"""

from __future__ import annotations

from typing import Any, Callable
from urllib.parse import unquote, urlparse

from aoi_gym.cluster.base import ExecResult
from aoi_gym.cluster.sim.appmodel.jsparse import JsSyntaxError, parse_script
from aoi_gym.cluster.sim.appmodel.mongo import MongoInstance, has_privilege, mongosh_inspect, shell_json, _Raw
from aoi_gym.cluster.sim.appmodel.util import hex_id

__all__ = ["run_mongo_shell"]

_FRAMES = {
    "getUsers": "DB.prototype.getUsers@src/mongo/shell/db.js:1659:15",
    "getUser": "DB.prototype.getUser@src/mongo/shell/db.js:1675:15",
    "createUser": "DB.prototype.createUser@src/mongo/shell/db.js:1386:15",
    "dropUser": "DB.prototype.dropUser@src/mongo/shell/db.js:1544:19",
    "grantRolesToUser": "DB.prototype.grantRolesToUser@src/mongo/shell/db.js:1588:15",
    "revokeRolesFromUser": "DB.prototype.revokeRolesFromUser@src/mongo/shell/db.js:1611:15",
    "find": "DBCommandCursor@src/mongo/shell/query.js:696:15",
    "listDatabases": "Mongo.prototype.getDBs/<@src/mongo/shell/mongo.js:147:19",
}
_UNDEF = object()


class _ShellError(Exception):
    def __init__(self, message: str, frame: str = "", server: bool = True):
        super().__init__(message)
        self.message, self.frame, self.server = message, frame, server


class _Db:
    def __init__(self, name: str):
        self.name = name


class _Coll:
    def __init__(self, db: str, name: str):
        self.db, self.name = db, name


class _Method:
    def __init__(self, target: Any, name: str):
        self.target, self.name = target, name


def _uuid(*parts: Any) -> str:
    h = hex_id(32, *parts)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


class _Session:
    def __init__(self, inst: MongoInstance, user_key: str | None, mongosh: bool):
        self.inst, self.user_key, self.mongosh = inst, user_key, mongosh
        self.out: list[str] = []
        self.n_ids = 0

    @property
    def user(self) -> dict[str, Any] | None:
        return self.inst.state["users"].get(self.user_key) if self.user_key else None

    def uuid(self) -> str:
        self.n_ids += 1
        return _uuid(self.inst.id_seed, self.n_ids)

    def user_uuid(self, user_key: str) -> str:
        """A user's userId: fixed for the user, as MongoDB stores it."""
        return _uuid(self.inst.store, user_key)

    def need(self, action: str, db: str, cmd: str, frame: str, cmd_doc: str) -> None:
        if not self.inst.auth:
            return
        users = self.inst.state["users"]
        if self.user is None:
            if action == "userAdmin" and not users and cmd in ("createUser",):
                return  # the localhost exception: the first user may be created without auth
            raise _ShellError(f"command {cmd} requires authentication", frame)
        if not has_privilege(self.user, action, db):
            raise _ShellError(f'not authorized on {db} to execute command {{ {cmd}: {cmd_doc}, $db: "{db}" }}', frame)

    def fmt(self, v: Any) -> str:
        return mongosh_inspect(v) if self.mongosh else (shell_json(v) if isinstance(v, (dict, list)) else
                                                         (v.text if isinstance(v, _Raw) else _scalar(v)))


def _scalar(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _lit(node: Any, s: _Session) -> Any:
    return _eval(node, s, "")


def _roles(arg: Any, db: str) -> list[dict[str, str]]:
    out = []
    for r in arg if isinstance(arg, list) else []:
        if isinstance(r, str):
            out.append({"role": r, "db": db})
        elif isinstance(r, dict) and "role" in r:
            out.append({"role": str(r["role"]), "db": str(r.get("db", db))})
    return out


def _db_method(s: _Session, db: str, name: str, args: list[Any]) -> Any:
    users = s.inst.state["users"]
    ok = {"ok": 1}
    if name in ("getUsers", "getUser"):
        s.need("userAdmin", db, "usersInfo", _FRAMES[name], "1.0" if name == "getUsers" else f'"{args[0] if args else ""}"')
        docs = [s.inst.user_doc(k, s.user_uuid(k)) for k in sorted(users) if users[k]["db"] == db]
        if name == "getUser":
            want = str(args[0]) if args else ""
            found = [d for d in docs if d["user"] == want]
            return found[0] if found else None
        return {"users": docs, "ok": 1} if s.mongosh else docs
    if name == "createUser":
        spec = args[0] if args and isinstance(args[0], dict) else {}
        if "user" not in spec or "pwd" not in spec:
            raise _ShellError("\"createUser\" had the wrong type. Expected string, found missing", _FRAMES[name])
        s.need("userAdmin", db, "createUser", _FRAMES[name], f'"{spec["user"]}"')
        key = f"{db}.{spec['user']}"
        if key in users:
            if s.mongosh:
                raise _ShellError(f"User \"{spec['user']}@{db}\" already exists", _FRAMES[name])
            raise _ShellError(f"couldn't add user: User \"{spec['user']}@{db}\" already exists", _FRAMES[name], server=False)
        users[key] = {"user": str(spec["user"]), "db": db, "pwd": str(spec["pwd"]), "roles": _roles(spec.get("roles"), db)}
        if s.mongosh:
            return ok
        shown = {"user": spec["user"], "roles": users[key]["roles"]}
        s.out.append("Successfully added user: " + shell_json(shown))
        return _UNDEF
    if name == "dropUser":
        who = str(args[0]) if args else ""
        s.need("userAdmin", db, "dropUser", _FRAMES[name], f'"{who}"')
        existed = users.pop(f"{db}.{who}", None) is not None
        if s.mongosh:
            if not existed:
                raise _ShellError(f"User '{who}@{db}' not found", _FRAMES[name])
            return ok
        return existed
    if name in ("grantRolesToUser", "revokeRolesFromUser"):
        who = str(args[0]) if args else ""
        roles = _roles(args[1] if len(args) > 1 else [], db)
        s.need("userAdmin", db, name, _FRAMES[name], f'"{who}", roles: [ ... ]')
        u = users.get(f"{db}.{who}")
        if u is None:
            raise _ShellError(f"Could not find user \"{who}\" for db \"{db}\"", _FRAMES[name])
        if name == "grantRolesToUser":
            u["roles"] = u["roles"] + [r for r in roles if r not in u["roles"]]
        else:
            u["roles"] = [r for r in u["roles"] if r not in roles]
        return ok if s.mongosh else _UNDEF
    if name == "auth":
        who, pwd = (str(args[0]) if args else ""), (str(args[1]) if len(args) > 1 else "")
        u = users.get(f"{db}.{who}")
        if u is None or u["pwd"] != pwd:
            if s.mongosh:
                raise _ShellError("Authentication failed.")
            s.out.append("Error: Authentication failed.")
            return 0
        s.user_key = f"{db}.{who}"
        return {"ok": 1} if s.mongosh else 1
    if name in ("runCommand", "adminCommand"):
        return _run_command(s, "admin" if name == "adminCommand" else db, args[0] if args else {})
    if name == "getName":
        return db
    if name == "version":
        return s.inst.version
    if name == "getCollectionNames":
        s.need("read", db, "listCollections", _FRAMES["find"], "1.0")
        return sorted(s.inst.dbs().get(db, {}))
    if name == "getSiblingDB":
        return _Db(str(args[0]) if args else "test")
    if name == "getMongo":
        return _Db("\x00mongo")
    raise _ShellError(f"db.{name} is not a function", server=False)


def _list_databases(s: _Session) -> list[tuple[str, int]]:
    if s.inst.auth and s.user is None:
        raise _ShellError("command listDatabases requires authentication", _FRAMES["listDatabases"])
    names = sorted(s.inst.dbs())
    if s.inst.auth and not has_privilege(s.user, "read", "\x00any"):
        names = [n for n in names if any(r.get("db") == n for r in s.user["roles"]) or has_privilege(s.user, "userAdmin", n)]
    return [(n, 40960 if n in ("admin", "config", "local") else 204800) for n in names]


def _run_command(s: _Session, db: str, cmd: Any) -> Any:
    if not isinstance(cmd, dict) or not cmd:
        raise _ShellError("no such command: ''", server=True)
    name = next(iter(cmd))
    if name == "connectionStatus":
        u = s.user
        return {"authInfo": {"authenticatedUsers": [{"user": u["user"], "db": u["db"]}] if u else [],
                             "authenticatedUserRoles": [dict(r) for r in u["roles"]] if u else []}, "ok": 1}
    if name == "ping":
        return {"ok": 1}
    if name == "usersInfo":
        return _db_method(s, db, "getUsers", [])
    if name == "listDatabases":
        dbs = _list_databases(s)
        return {"databases": [{"name": n, "sizeOnDisk": sz, "empty": False} for n, sz in dbs],
                "totalSize": sum(sz for _, sz in dbs), "ok": 1}
    if name in ("grantRolesToUser", "revokeRolesFromUser", "dropUser"):
        return _db_method(s, db, name, [cmd[name], cmd.get("roles", [])])
    raise _ShellError(f"no such command: '{name}'")


def _coll_method(s: _Session, c: _Coll, name: str, args: list[Any]) -> Any:
    docs = s.inst.dbs().get(c.db, {}).get(c.name, 0)
    if name in ("find", "findOne", "count", "countDocuments", "estimatedDocumentCount", "aggregate"):
        s.need("read", c.db, "find" if "find" in name else "count", _FRAMES["find"], f'"{c.name}", filter: {{}}')
        if name in ("count", "countDocuments", "estimatedDocumentCount"):
            return docs
        sample = [{"_id": _Raw(f'ObjectId("{hex_id(24, c.db, c.name, i)}")', f"ObjectId('{hex_id(24, c.db, c.name, i)}')"),
                   "hotelId": str(i + 1)} for i in range(min(docs, 3))]
        return (sample[0] if sample else None) if name == "findOne" else sample
    if name in ("insert", "insertOne", "insertMany", "updateOne", "update", "deleteOne", "drop"):
        s.need("write", c.db, "insert" if "insert" in name else name, _FRAMES["find"], f'"{c.name}"')
        return {"acknowledged": True} if s.mongosh else _Raw('WriteResult({ "nInserted" : 1 })', "{ acknowledged: true }")
    raise _ShellError(f"db.{c.name}.{name} is not a function", server=False)


def _eval(node: Any, s: _Session, db: str) -> Any:
    kind = node[0]
    if kind == "lit":
        return node[1]
    if kind == "obj":
        return {k: _eval(v, s, db) for k, v in node[1]}
    if kind == "arr":
        return [_eval(v, s, db) for v in node[1]]
    if kind == "ident":
        if node[1] == "db":
            return _Db(db)
        if node[1] in ("printjson", "print", "ObjectId", "NumberInt", "NumberLong", "ISODate", "UUID", "tojson"):
            return _Method(None, node[1])
        raise _ShellError(f"ReferenceError: {node[1]} is not defined", server=False)
    if kind in ("attr", "index"):
        target = _eval(node[1], s, db)
        name = node[2] if kind == "attr" else str(_eval(node[2], s, db))
        if isinstance(target, _Db):
            if target.name == "\x00mongo":
                return _Method(target, name)
            if name in _DB_METHODS:
                return _Method(target, name)
            return _Coll(target.name, name)
        if isinstance(target, _Coll):
            return _Method(target, name)
        if isinstance(target, dict):
            return target.get(name)
        if isinstance(target, list) and name == "length":
            return len(target)
        raise _ShellError(f"TypeError: cannot read property '{name}'", server=False)
    if kind == "call":
        fn = _eval(node[1], s, db)
        args = [_eval(a, s, db) for a in node[2]]
        if not isinstance(fn, _Method):
            raise _ShellError("TypeError: not a function", server=False)
        if fn.target is None:
            if fn.name in ("printjson", "print", "tojson"):
                if fn.name == "tojson":
                    return shell_json(args[0]) if args else "undefined"
                s.out.append(" ".join(s.fmt(a) if fn.name == "printjson" or not isinstance(a, str) else a for a in args))
                return _UNDEF
            return str(args[0]) if args else ""
        if isinstance(fn.target, _Coll):
            return _coll_method(s, fn.target, fn.name, args)
        if fn.target.name == "\x00mongo":
            if fn.name == "getDBNames":
                return [n for n, _ in _list_databases(s)]
            if fn.name == "getDB":
                return _Db(str(args[0]) if args else "test")
            raise _ShellError(f"TypeError: db.getMongo().{fn.name} is not a function", server=False)
        return _db_method(s, fn.target.name, fn.name, args)
    raise _ShellError("SyntaxError", server=False)


_DB_METHODS = {"getUsers", "getUser", "createUser", "dropUser", "grantRolesToUser", "revokeRolesFromUser", "auth",
               "runCommand", "adminCommand", "getName", "version", "getCollectionNames", "getSiblingDB", "getMongo"}


def _parse_args(argv: list[str]) -> dict[str, Any]:
    opts: dict[str, Any] = {"db": "test", "eval": None, "user": None, "pwd": None, "authdb": None, "quiet": False,
                            "host": None}
    i = 0
    flags = {"-u": "user", "--username": "user", "-p": "pwd", "--password": "pwd", "--authenticationDatabase": "authdb",
             "--eval": "eval", "--host": "host", "--port": "port"}
    while i < len(argv):
        a = argv[i]
        key, val = (a.split("=", 1) + [None])[:2] if a.startswith("--") and "=" in a else (a, None)
        if key in flags:
            if val is None:
                i += 1
                val = argv[i] if i < len(argv) else ""
            opts[flags[key]] = val
        elif a in ("--quiet", "--norc", "--nodb"):
            opts["quiet"] = opts["quiet"] or a == "--quiet"
        elif a.startswith("mongodb://"):
            u = urlparse(a)
            opts["host"] = u.hostname
            opts["db"] = (u.path or "/").lstrip("/") or "test"
            if u.username:
                opts["user"], opts["pwd"] = unquote(u.username), unquote(u.password or "")
            for part in (u.query or "").split("&"):
                if part.startswith("authSource="):
                    opts["authdb"] = part.split("=", 1)[1]
        elif not a.startswith("-"):
            host, _, db = a.rpartition("/")
            opts["db"] = db or "test"
            if host:
                opts["host"] = host.split(":")[0]
        i += 1
    return opts


def run_mongo_shell(
    argv: list[str], stdin: str | None, mongosh: bool, resolve: Callable[[str | None], MongoInstance | None | str]
) -> ExecResult:
    """Run ``argv`` (``mongo ...`` / ``mongosh ...``). ``resolve(host)`` gives the instance, or an error string."""
    o = _parse_args(argv[1:])
    inst = resolve(o["host"])
    authdb = o["authdb"] or o["db"]
    query = (f"authSource={authdb}&" if o["user"] and o["authdb"] else "") + "compressors=disabled&gssapiServiceName=mongodb"
    host = o["host"] or "127.0.0.1"
    banner: list[str] = []
    if mongosh:
        if not o["quiet"]:
            banner.append(f"Current Mongosh Log ID:\t{hex_id(24, argv)}")
            banner.append(f"Connecting to:\t\tmongodb://{'<credentials>@' if o['user'] else ''}{host}:27017/{o['db']}"
                          f"?directConnection=true&serverSelectionTimeoutMS=2000&appName=mongosh+2.2.10")
    elif not o["quiet"]:
        banner += ["MongoDB shell version v4.4.6", f"connecting to: mongodb://{host}:27017/{o['db']}?{query}"]
    if isinstance(inst, str) or inst is None:
        msg = inst or f"couldn't connect to server {host}:27017"
        if mongosh:
            return ExecResult("\n".join(banner) + "\n" if banner else "", f"MongoNetworkError: {msg}\n", 1)
        err = f"Error: {msg} :\nconnect@src/mongo/shell/mongo.js:374:17\n@(connect):2:6\nexception: connect failed\nexiting with code 1\n"
        return ExecResult("\n".join(banner) + "\n" if banner else "", err, 1)
    user_key = None
    if o["user"]:
        u = inst.state["users"].get(f"{authdb}.{o['user']}")
        if u is None or u["pwd"] != (o["pwd"] or ""):
            if mongosh:
                return ExecResult("\n".join(banner) + "\n" if banner else "", "MongoServerError: Authentication failed.\n", 1)
            err = ("Error: Authentication failed. :\nconnect@src/mongo/shell/mongo.js:374:17\n@(connect):2:6\n"
                   "exception: connect failed\nexiting with code 1\n")
            return ExecResult("\n".join(banner) + "\n" if banner else "", err, 1)
        user_key = f"{authdb}.{o['user']}"
    s = _Session(inst, user_key, mongosh)
    if not o["quiet"]:
        if mongosh:
            banner += [f"Using MongoDB:\t\t{inst.version}", "Using Mongosh:\t\t2.2.10", ""]
        else:
            banner += [f'Implicit session: session {{ "id" : UUID("{s.uuid()}") }}', f"MongoDB server version: {inst.version}"]
    script = o["eval"] if o["eval"] is not None else (stdin or "")
    interactive = o["eval"] is None
    db = o["db"]
    try:
        stmts = parse_script(script, allow_helpers=interactive or mongosh)
    except JsSyntaxError as e:
        where = "(shell eval)" if not interactive else "(shell)"
        if mongosh:
            return ExecResult("\n".join(banner) + "\n" if banner else "", f"SyntaxError: {e} ({e.line}:{e.col})\n", 1)
        return ExecResult("\n".join(banner) + "\n" if banner else "",
                          f"uncaught exception: SyntaxError: {e} :\n@{where}:{e.line}:{e.col}\n", 1 if not interactive else 0)
    last: Any = _UNDEF
    code = 0
    err_text = ""
    for kind, payload in stmts:
        try:
            if kind == "use":
                db = payload
                last = f"switched to db {db}" if not mongosh else _UNDEF
                if mongosh:
                    s.out.append(f"switched to db {db}")
            elif kind == "show":
                if payload in ("dbs", "databases"):
                    dbs = _list_databases(s)
                    w = max(len(n) for n, _ in dbs) if dbs else 0
                    s.out.append("\n".join(f"{n.ljust(w)}  {sz / 1024:.2f} KiB" if mongosh else f"{n.ljust(w)}  0.000GB"
                                           for n, sz in dbs))
                elif payload == "users":
                    for d in _db_method(s, db, "getUsers", []) if not mongosh else _db_method(s, db, "getUsers", [])["users"]:
                        s.out.append(s.fmt(d))
                elif payload in ("collections", "tables"):
                    s.out.append("\n".join(_db_method(s, db, "getCollectionNames", [])))
                last = _UNDEF
            else:
                last = _eval(payload, s, db)
            if interactive and last is not _UNDEF:
                s.out.append(last if isinstance(last, str) and kind == "use" else s.fmt(last))
                last = _UNDEF
        except _ShellError as e:
            code = 1
            if mongosh:
                err_text = (f"MongoServerError[Unauthorized]: {e.message}" if e.server and "not authorized" in e.message
                            else (f"MongoServerError: {e.message}" if e.server else e.message)) + "\n"
            else:
                frame = f"\n_getErrorWithCode@src/mongo/shell/utils.js:25:13\n{e.frame}" if e.frame else ""
                where = "@(shell eval):1:1" if not interactive else "@(shell):1:1"
                msg = e.message if e.message.startswith(("ReferenceError", "TypeError")) else f"Error: {e.message}"
                err_text = f"uncaught exception: {msg} :{frame}\n{where}\n"
                if interactive:
                    code = 0  # the interactive shell reports and goes on
                    s.out.append(err_text.rstrip("\n"))
                    err_text = ""
                    continue
            break
    if not interactive and last is not _UNDEF and code == 0:
        s.out.append(s.fmt(last))
    if interactive and not mongosh:
        s.out.append("bye")
    out = "\n".join(banner + s.out)
    return ExecResult(out + "\n" if out else "", err_text, code)
