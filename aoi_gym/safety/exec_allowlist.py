"""Which commands run inside a container by ``kubectl exec`` only read.

Allowed: file and process viewers (cat, ls, head, tail, grep, ps, df, env, printenv...), name
lookups (nslookup, getent, dig), HTTP GET (curl/wget), ``redis-cli`` with a read command,
``mongo``/``mongosh --eval`` whose script only calls read methods, ``psql -c``/``mysql -e`` with a
SHOW or a plain SELECT, and ``sh -c`` scripts made only of these. Everything else is a write:
the container could be changed in ways the classifier cannot see.
"""

from __future__ import annotations

import re

from aoi_gym.safety.http_rules import classify_curl, classify_wget
from aoi_gym.safety.shellwalk import Ctx
from aoi_gym.safety.verdicts import Finding, Opaque, Verdict

__all__ = ["classify_in_container", "CONTAINER_READ_PROGRAMS", "REDIS_READ", "MONGO_READ_METHODS", "mongo_script_is_read"]

#: programs that never write whatever their arguments (reading stdin or files is all they do)
CONTAINER_READ_PROGRAMS = frozenset(
    "cat ls head tail grep egrep fgrep zgrep wc ps df du free uptime whoami id pwd echo printenv nslookup getent dig "
    "host stat uname which env-print nproc lscpu lsblk netstat ss ping md5sum sha256sum sha1sum file tac nl sort uniq "
    "cut tr base64 basename dirname readlink realpath true false test [ sleep date hostname jq".split()
)
_NO_ARGS_ONLY = frozenset({"hostname"})  # `hostname NAME` sets it
_WRITE_FLAGS = {"date": ("-s", "--set"), "sort": ("-o", "--output"), "uniq": ()}
REDIS_READ = frozenset(
    "GET MGET INFO PING DBSIZE KEYS SCAN TTL PTTL EXISTS TYPE STRLEN HGET HGETALL HKEYS HVALS HLEN HMGET HEXISTS "
    "LRANGE LLEN LINDEX SMEMBERS SCARD SISMEMBER ZRANGE ZCARD ZSCORE ZRANK ZREVRANGE ZCOUNT XLEN XRANGE XINFO ROLE "
    "TIME LASTSAVE ECHO GETRANGE SSCAN HSCAN ZSCAN RANDOMKEY OBJECT".split()
)
_REDIS_READ_PAIRS = {("CONFIG", "GET"), ("CLIENT", "LIST"), ("CLIENT", "INFO"), ("SLOWLOG", "GET"), ("SLOWLOG", "LEN"), ("MEMORY", "USAGE"), ("MEMORY", "STATS"), ("CLUSTER", "INFO"), ("CLUSTER", "NODES"), ("ACL", "LIST"), ("ACL", "WHOAMI"), ("ACL", "USERS"), ("COMMAND", "COUNT"), ("LATENCY", "LATEST")}
_REDIS_VALUE = frozenset("-h -p -a -n -u --user --pass --askpass -s --tls-cert --cacert --sni -t".split())
_REDIS_FLAGS = frozenset("--raw --no-raw --tls -c --no-auth-warning --insecure -e --verbose -3 -2".split())
_REDIS_MODES = frozenset("--bigkeys --memkeys --hotkeys --stat --latency --latency-history --scan".split())

MONGO_READ_METHODS = frozenset(
    "getUsers getUser getRoles getRole find findOne count countDocuments estimatedDocumentCount distinct aggregate "
    "getCollectionNames getCollectionInfos listCollections getName getSiblingDB getMongo getDBNames getDB adminCommand "
    "runCommand serverStatus stats version hostInfo isMaster hello printjson print tojson toArray forEach limit sort "
    "skip pretty itcount size explain hasNext next map getCollection getIndexes indexes dataSize storageSize "
    "totalIndexSize stringify currentOp getReplicationInfo getProfilingStatus getLogComponents listDatabases "
    "getParameter getCmdLineOpts buildInfo connectionStatus rs status conf printReplicationInfo keys length "
    "JSON log getShardDistribution dbStats collStats".split()
)
_MONGO_READ_COMMANDS = frozenset(
    "connectionStatus serverStatus listDatabases listCollections usersInfo rolesInfo ping buildInfo hostInfo "
    "getCmdLineOpts dbStats collStats isMaster hello replSetGetStatus getParameter currentOp count find "
    "listIndexes getLog whatsmyuri".split()
)
_MONGO_VALUE = frozenset("--host -h --port -u --username -p --password --authenticationDatabase --authenticationMechanism --tlsCAFile --tlsCertificateKeyFile".split())
_MONGO_FLAGS = frozenset("--quiet --norc --nodb --tls --ssl --retryWrites --json".split())


def _strip_js_strings(js: str) -> str | None:
    """The script with string literal contents blanked (same length, so positions still match the
    original); None if it has template literals or escapes."""
    if "`" in js or "\\u" in js or "\\x" in js:
        return None
    return re.sub(r"'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"", lambda m: m.group(0)[0] + " " * (len(m.group(0)) - 2) + m.group(0)[-1], js)


def mongo_script_is_read(js: str) -> tuple[bool, str]:
    """Whether a mongo shell script only calls read methods; (ok, reason)."""
    stripped = _strip_js_strings(js)
    if stripped is None:
        return False, "template literals or escapes in the script"
    for line in stripped.split(";"):
        s = line.strip()
        if re.fullmatch(r"(show\s+(dbs|databases|collections|users|roles|tables)|use\s+[\w-]+)?", s):
            continue
        if re.search(r"(?<![=!<>])=(?![=>])", s):
            return False, "the script assigns a value (it could alias a write method)"
    if re.search(r"[\])]\s*\(|\bnew\b|\bfunction\b|\beval\b|\$out\b|\$merge\b|\$function\b|\$accumulator\b", stripped):
        return False, "the script uses a computed call, $out/$merge or server-side JavaScript"
    for m in re.finditer(r"([A-Za-z_$][\w$]*)\s*(?:\?\.)?\s*\(", stripped):
        name = m.group(1)
        if name not in MONGO_READ_METHODS:
            return False, f"the script calls {name}(), not a read method"
        if name in ("runCommand", "adminCommand"):
            arg = js_arg(js, m)
            if arg not in _MONGO_READ_COMMANDS:
                return False, f"{name}({arg or '...'}) is not a read command"
    return True, "the script calls only read methods"


def js_arg(js: str, m: re.Match) -> str | None:
    """The command name passed to runCommand: ``{name: 1}`` or ``"name"``."""
    rest = js[m.end() - 1 :]  # blanking keeps lengths, so m's positions hold in the original
    mm = re.match(r"\(\s*(?:\{\s*[\"']?(\w+)[\"']?\s*:|[\"'](\w+)[\"'])", rest)
    return (mm.group(1) or mm.group(2)) if mm else None


def _read(prog: str, reason: str) -> list[Finding]:
    return [Finding(Verdict.READ, prog, reason)]


def _write(prog: str, reason: str) -> list[Finding]:
    return [Finding(Verdict.WRITE, prog, reason)]


def _redis(argv: list, ctx: Ctx) -> list[Finding]:
    i = 1
    while i < len(argv):
        a = argv[i]
        if isinstance(a, Opaque):
            return _write("redis-cli", "a redis-cli argument is an expansion")
        if a in _REDIS_VALUE:
            i += 2
        elif a in _REDIS_FLAGS or a in _REDIS_MODES:
            i += 1
        elif a.startswith("-"):
            return _write("redis-cli", f"redis-cli option {a} is not on the read allowlist")
        else:
            break
    rest = [str(a).upper() for a in argv[i:]]
    if not rest:
        if any(a in _REDIS_MODES for a in argv):
            return _read("redis-cli", "redis-cli read-only scan mode")
        return _write("redis-cli", "redis-cli without a command would run commands from stdin")
    if rest[0] in REDIS_READ or tuple(rest[:2]) in _REDIS_READ_PAIRS:
        return _read("redis-cli", f"redis {rest[0]} only reads")
    return _write("redis-cli", f"redis command {rest[0]} is not on the read allowlist")


def _mongo(argv: list, ctx: Ctx) -> list[Finding]:
    prog, script, i = argv[0], None, 1
    while i < len(argv):
        a = argv[i]
        if isinstance(a, Opaque):
            return _write(prog, f"a {prog} argument is an expansion")
        if a == "--eval":
            if i + 1 >= len(argv) or isinstance(argv[i + 1], Opaque):
                return _write(prog, "the --eval script is missing or an expansion")
            if script is not None:
                return _write(prog, "several --eval scripts")
            script = argv[i + 1]
            i += 2
        elif a.startswith("--eval="):
            script = a.split("=", 1)[1]
            i += 1
        elif a.split("=", 1)[0] in _MONGO_VALUE:
            i += 1 if "=" in a else 2
        elif a in _MONGO_FLAGS:
            i += 1
        elif a.startswith("-"):
            return _write(prog, f"{prog} option {a} is not on the read allowlist")
        elif a.endswith(".js"):
            return _write(prog, f"{prog} would run the script file {a}")
        else:
            i += 1  # connection string or database name
    if script is None:
        return _write(prog, f"{prog} without --eval would run commands from stdin")
    ok, why = mongo_script_is_read(script)
    return _read(prog, why) if ok else _write(prog, why)


_SQL_READ = re.compile(r"^\s*(show\s+[\w ]+|\\(l|dt|du|d|dn|conninfo)\+?( \w+)?|select\s+[^;()]*?(\b(count|version|now|current_user|current_database)\s*\(\s*\*?\s*\))?[^;()]*?|describe\s+\w+|explain\s+select\s+[^;()]*)\s*;?\s*$", re.I | re.S)


def _sql(argv: list, ctx: Ctx) -> list[Finding]:
    prog = argv[0]
    flag = "-c" if prog == "psql" else "-e"
    stmts = [argv[i + 1] for i, a in enumerate(argv[:-1]) if a in (flag, "--command", "--execute")]
    if any(isinstance(a, Opaque) for a in argv) or len(stmts) != 1:
        return _write(prog, f"{prog} needs exactly one literal {flag} statement to be judged a read")
    s = stmts[0]
    if _SQL_READ.match(s) and not re.search(r"\binto\b|\bfor\s+update\b|\bnextval\b|\bsetval\b", s, re.I):
        return _read(prog, "SQL SHOW/SELECT only reads")
    return _write(prog, f"SQL statement {s[:60]!r} is not a plain SHOW/SELECT")


def classify_in_container(argv: list, ctx: Ctx) -> list[Finding]:
    """Findings for argv run inside a container (READ only for allowlisted reads)."""
    from aoi_gym.safety.wrappers import SHELLS, unwrap

    if not argv:
        return []
    a0 = argv[0]
    if isinstance(a0, Opaque):
        return _write("exec", "the in-container program is an expansion")
    prog = a0.rsplit("/", 1)[-1]
    argv = [prog] + list(argv[1:])
    if prog in SHELLS or prog in ("env", "timeout", "nice", "xargs", "command", "exec", "eval", "nohup", "time", "watch"):
        res = unwrap(argv, ctx, classify_in_container)
        if res is not None:
            return [Finding(Verdict.WRITE, f.program, f.reason) if f.verdict is Verdict.DENY else f for f in res]
    if prog == "env" and len(argv) == 1:
        return _read("env", "prints the environment")
    if prog in CONTAINER_READ_PROGRAMS:
        if prog in _NO_ARGS_ONLY and len(argv) > 1:
            return _write(prog, f"{prog} with arguments changes the system")
        bad = _WRITE_FLAGS.get(prog, ())
        if any(isinstance(a, str) and a.split("=", 1)[0] in bad for a in argv[1:]) or (prog == "uniq" and len([a for a in argv[1:] if not str(a).startswith("-")]) > 1):
            return _write(prog, f"{prog} with these options writes")
        if prog in ("sort", "date") and any(isinstance(a, Opaque) for a in argv[1:]):
            return _write(prog, f"an argument of {prog} is an expansion and could be a writing option")
        return _read(prog, f"{prog} only reads")
    if prog == "curl":
        return classify_curl(argv, ctx)
    if prog == "wget":
        return classify_wget(argv, ctx)
    if prog == "redis-cli":
        return _redis(argv, ctx)
    if prog in ("mongo", "mongosh"):
        return _mongo(argv, ctx)
    if prog in ("psql", "mysql"):
        return _sql(argv, ctx)
    return _write(prog, f"{prog} is not on the in-container read allowlist")
