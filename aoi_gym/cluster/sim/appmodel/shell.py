"""``kubectl exec`` into a simulated container: which binaries the image has, and a small shell.

``sh -c '...'`` and scripts (``bash /scripts/x.sh``) run through a minimal interpreter: variable
assignments and ``$VAR`` expansion, ``;``/``&&``/``||`` lists, pipes into ``grep``/``head``/``tail``/``wc``,
line continuations. Commands are dispatched to the tools this package models (mongo, mongosh,
redis-cli, curl, nslookup, getent, cat, ls, env...). Anything else fails as kubectl shows it.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aoi_gym.apps.base import App
from aoi_gym.cluster.base import ExecResult
from aoi_gym.cluster.sim.appmodel.fs import container_env, container_files, list_dir
from aoi_gym.cluster.sim.appmodel.identity import Process, container_spec, identify
from aoi_gym.cluster.sim.appmodel.images import normalize_image
from aoi_gym.cluster.sim.appmodel.kv import run_redis_cli
from aoi_gym.cluster.sim.appmodel.mongo import MongoInstance
from aoi_gym.cluster.sim.appmodel.mongoshell import run_mongo_shell
from aoi_gym.cluster.sim.appmodel.nettools import run_curl, run_getent, run_nslookup
from aoi_gym.cluster.sim.appmodel.plans import resolve_host, store_args
from aoi_gym.cluster.sim.appmodel.util import main_container_status

if TYPE_CHECKING:
    from aoi_gym.cluster.sim.appmodel import AppModel

__all__ = ["run_exec", "available"]

_BASIC = {"sh", "cat", "ls", "env", "printenv", "echo", "hostname", "true", "false", "grep", "head", "tail", "wc",
          "sleep", "id", "whoami", "date", "pwd", "test", "["}


def available(image: str, prog: str) -> bool:
    """Does ``image`` ship ``prog`` on its PATH?"""
    repo, tag = normalize_image(image)
    name = repo.rsplit("/", 1)[-1]
    alpine = "alpine" in tag or name in ("busybox", "alpine", "curl", "netshoot")
    store = name in ("mongo", "redis", "memcached", "valkey")
    if prog in _BASIC:
        return True
    if prog == "bash":
        return not alpine or name == "netshoot"
    if prog == "curl":
        return not store and (not alpine or name in ("curl", "netshoot"))
    if prog == "wget":
        return not store
    if prog == "nslookup":
        return not store or alpine
    if prog == "getent":
        return not alpine or name == "netshoot"
    major = tag.split(".")[0]
    if prog == "mongo":
        return name == "mongo" and major in ("3", "4", "5")
    if prog == "mongosh":
        return name == "mongo" and major not in ("3", "4")
    if prog == "redis-cli":
        return name in ("redis", "valkey")
    if prog == "valkey-cli":
        return name == "valkey"
    return False


@dataclass
class _Ctx:
    model: "AppModel"
    cluster: Any
    app: App | None
    pod: dict[str, Any]
    spec: dict[str, Any]
    proc: Process
    vars: dict[str, str] = field(default_factory=dict)
    _files: dict[str, str] | None = None

    @property
    def ns(self) -> str:
        return self.pod["metadata"].get("namespace", "default")

    @property
    def files(self) -> dict[str, str]:
        if self._files is None:
            self._files = container_files(self.cluster, self.app, self.pod, self.spec, self.proc)
        return self._files


def _not_found(prog: str) -> ExecResult:
    return ExecResult("", "OCI runtime exec failed: exec failed: unable to start container process: exec: "
                          f'"{prog}": executable file not found in $PATH: unknown\n', 126)


def run_exec(model: "AppModel", cluster: Any, pod: dict[str, Any], container: str, argv: list[str],
             stdin: str | None) -> ExecResult:
    """Run ``argv`` in ``container`` of ``pod`` as ``kubectl exec`` would."""
    if not argv:
        return ExecResult("", "error: you must specify at least one command for the container\n", 1)
    cs = main_container_status(pod, container)
    if (cs is not None and "running" not in (cs.get("state") or {})) or (
            cs is None and (pod.get("status") or {}).get("phase") not in (None, "Running")):
        return ExecResult("", f'error: unable to upgrade connection: container not found ("{container}")\n', 1)
    ns = pod["metadata"].get("namespace", "default")
    app = model.app_for(cluster, ns)
    spec = container_spec(pod, container) or {}
    ctx = _Ctx(model, cluster, app, pod, spec, identify(app, pod, spec))
    if ctx.proc.kind == "pause":
        return _not_found(argv[0])
    return _run_argv(ctx, list(argv), stdin)


def _run_argv(ctx: _Ctx, argv: list[str], stdin: str | None) -> ExecResult:
    prog = argv[0].rsplit("/", 1)[-1]
    if not available(ctx.spec.get("image", ""), prog):
        return _not_found(argv[0])
    if prog in ("sh", "bash"):
        if "-c" in argv:
            i = argv.index("-c")
            return _run_line(ctx, argv[i + 1] if i + 1 < len(argv) else "", stdin) if i + 1 < len(argv) else \
                ExecResult("", f"{prog}: -c: option requires an argument\n", 2)
        script_args = [a for a in argv[1:] if not a.startswith("-")]
        if script_args:
            path = script_args[0]
            if path not in ctx.files:
                return ExecResult("", f"{prog}: {path}: No such file or directory\n", 127)
            return _run_script(ctx, ctx.files[path])
        return _run_script(ctx, stdin or "")
    if prog in ("mongo", "mongosh"):
        return run_mongo_shell(argv, stdin, prog == "mongosh", lambda host: _mongo_target(ctx, host))
    if prog in ("redis-cli", "valkey-cli"):
        version = normalize_image(ctx.spec.get("image", ""))[1].split("-")[0]
        return run_redis_cli(argv, lambda host, port: _redis_target(ctx, host, port), version if version[:1].isdigit() else "7.2.4")
    if prog == "curl":
        return run_curl(ctx.model, ctx.cluster, ctx.pod, argv)
    if prog == "nslookup":
        return run_nslookup(ctx.cluster, ctx.ns, argv, ctx.pod)
    if prog == "getent":
        return run_getent(ctx.cluster, ctx.ns, argv, ctx.pod)
    return _builtin(ctx, prog, argv, stdin)


def _builtin(ctx: _Ctx, prog: str, argv: list[str], stdin: str | None) -> ExecResult:
    args = argv[1:]
    if prog == "cat":
        if not args:
            return ExecResult(stdin or "")
        out, err, code = [], [], 0
        for p in args:
            if p in ctx.files:
                out.append(ctx.files[p])
            elif list_dir(ctx.files, p) is not None:
                err.append(f"cat: {p}: Is a directory\n")
                code = 1
            else:
                err.append(f"cat: {p}: No such file or directory\n")
                code = 1
        return ExecResult("".join(out), "".join(err), code)
    if prog == "ls":
        paths = [a for a in args if not a.startswith("-")] or ["/"]
        out, err, code = [], [], 0
        for p in paths:
            if p in ctx.files:
                out.append(p + "\n")
                continue
            names = list_dir(ctx.files, p)
            if names is None:
                err.append(f"ls: cannot access '{p}': No such file or directory\n")
                code = 2
            else:
                out.append("".join(n + "\n" for n in names))
        return ExecResult("".join(out), "".join(err), code)
    if prog in ("env", "printenv"):
        env = dict(container_env(ctx.cluster, ctx.pod, ctx.spec))
        if prog == "printenv" and args:
            vals = [env[a] for a in args if a in env]
            return ExecResult("".join(v + "\n" for v in vals), "", 0 if len(vals) == len(args) else 1)
        return ExecResult("".join(f"{k}={v}\n" for k, v in env.items()))
    if prog == "echo":
        nl = "" if args[:1] == ["-n"] else "\n"
        return ExecResult(" ".join(args[1:] if nl == "" else args) + nl)
    if prog == "hostname":
        return ExecResult(ctx.pod["metadata"]["name"] + "\n")
    if prog in ("true", "sleep", "test", "["):
        return ExecResult("")
    if prog == "false":
        return ExecResult("", "", 1)
    if prog in ("id", "whoami"):
        return ExecResult("root\n" if prog == "whoami" else "uid=0(root) gid=0(root) groups=0(root)\n")
    if prog == "pwd":
        return ExecResult("/\n")
    if prog == "date":
        return ExecResult(ctx.cluster.timestamp().replace("T", " ").replace("Z", " UTC") + "\n")
    if prog in ("grep", "head", "tail", "wc"):
        return _filter(prog, args, stdin or "")
    return _not_found(argv[0])


def _filter(prog: str, args: list[str], text: str) -> ExecResult:
    lines = text.splitlines()
    if prog == "grep":
        flags = [a for a in args if a.startswith("-")]
        pats = [a for a in args if not a.startswith("-")]
        if not pats:
            return ExecResult("", "Usage: grep [OPTION]... PATTERNS [FILE]...\n", 2)
        ic, inv = any("i" in f for f in flags), any("v" in f for f in flags)
        try:
            rx = re.compile(pats[0], re.I if ic else 0)
        except re.error:
            rx = re.compile(re.escape(pats[0]), re.I if ic else 0)
        hits = [ln for ln in lines if bool(rx.search(ln)) != inv]
        return ExecResult("".join(h + "\n" for h in hits), "", 0 if hits else 1)
    n = 10
    for i, a in enumerate(args):
        if a == "-n" and i + 1 < len(args) and args[i + 1].lstrip("-").isdigit():
            n = int(args[i + 1].lstrip("-"))
        elif re.fullmatch(r"-\d+", a):
            n = int(a[1:])
    if prog == "head":
        return ExecResult("".join(ln + "\n" for ln in lines[:n]))
    if prog == "tail":
        return ExecResult("".join(ln + "\n" for ln in lines[-n:] if n))
    return ExecResult(f"{len(lines)}\n" if "-l" in args else f"{len(lines)} {len(text.split())} {len(text)}\n")


_VAR = re.compile(r"\$\{(\w+)\}|\$(\w+)")


def _expand(ctx: _Ctx, text: str) -> str:
    """Expand $VAR / ${VAR} as a POSIX shell does: not inside single quotes (unless those sit in double quotes)."""
    env: dict[str, str] | None = None

    def lookup(name: str) -> str:
        nonlocal env
        if name in ctx.vars:
            return ctx.vars[name]
        if env is None:
            env = dict(container_env(ctx.cluster, ctx.pod, ctx.spec))
        return env.get(name, "")

    out, i, dq, sq = [], 0, False, False
    while i < len(text):
        ch = text[i]
        if ch == '"' and not sq:
            dq = not dq
        elif ch == "'" and not dq:
            sq = not sq
        elif ch == "$" and not sq:
            m = _VAR.match(text, i)
            if m:
                out.append(lookup(m.group(1) or m.group(2)))
                i = m.end()
                continue
        out.append(ch)
        i += 1
    return "".join(out)


def _run_line(ctx: _Ctx, line: str, stdin: str | None) -> ExecResult:
    """Run one shell command line (lists and pipes)."""
    try:
        lex = shlex.shlex(_expand(ctx, line), posix=True, punctuation_chars=";&|<>")
        lex.whitespace_split = True
        tokens = list(lex)
    except ValueError:
        return ExecResult("", "sh: 1: Syntax error: Unterminated quoted string\n", 2)
    out, err, code = [], [], 0
    cmd: list[str] = []
    pipeline: list[list[str]] = []
    skip = False

    def flush(op: str) -> None:
        nonlocal code, skip, cmd, pipeline
        pipeline.append(cmd)
        cmd = []
        if not skip:
            data = stdin
            res = ExecResult("")
            for k, c in enumerate(pipeline):
                c = [w for w in c if w]
                if not c:
                    continue
                if "=" in c[0] and re.fullmatch(r"\w+=.*", c[0]) and len(c) == 1:
                    name, val = c[0].split("=", 1)
                    ctx.vars[name] = val
                    res = ExecResult("")
                    continue
                res = _run_argv(ctx, c, data)
                if res.exit_code == 126 and "executable file not found" in res.stderr:
                    res = ExecResult("", f"sh: 1: {c[0]}: not found\n", 127)
                data = res.stdout
                if k < len(pipeline) - 1:
                    err.append(res.stderr)
            out.append(res.stdout)
            err.append(res.stderr)
            code = res.exit_code
        pipeline = []
        skip = (op == "&&" and code != 0) or (op == "||" and code == 0) if op in ("&&", "||") else (skip if op == "" else False)

    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok in (";", "&&", "||"):
            flush(tok)
        elif tok == "|":
            pipeline.append(cmd)
            cmd = []
        elif tok in (">", ">>", "2>", "<", "&", ">&", "2>&1") or tok.startswith((">", "<")):
            i += 1 if tok in (">", ">>", "<") else 0  # redirections: drop the target
        else:
            cmd.append(tok)
        i += 1
    if cmd or pipeline:
        flush("")
    return ExecResult("".join(out), "".join(err), code)


def _run_script(ctx: _Ctx, text: str) -> ExecResult:
    joined = re.sub(r"\\\n\s*", " ", text)
    out, err, code = [], [], 0
    for raw in joined.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or line.startswith("set "):
            continue
        m = re.fullmatch(r"(\w+)=(\"[^\"]*\"|'[^']*'|\S*)", line)
        if m:
            val = m.group(2)
            ctx.vars[m.group(1)] = _expand(ctx, val[1:-1]) if val[:1] == '"' else (val[1:-1] if val[:1] == "'" else val)
            continue
        res = _run_line(ctx, line, None)
        out.append(res.stdout)
        err.append(res.stderr)
        code = res.exit_code
    return ExecResult("".join(out), "".join(err), code)


def _mongo_target(ctx: _Ctx, host: str | None) -> MongoInstance | str | None:
    app = ctx.app
    if app is None:
        return None
    if host in (None, "", "localhost", "127.0.0.1"):
        store = ctx.proc.labeled if ctx.proc.service and ctx.proc.service.kind == "mongodb" else None
        if store is None:
            return f"couldn't connect to server 127.0.0.1:27017, connection attempt failed: SocketException: Error connecting to 127.0.0.1:27017 :: caused by :: Connection refused"
    else:
        t = resolve_host(ctx.cluster, ctx.ns, host)
        if t is None or t[0] != ctx.ns or t[1] not in app.services or app.services[t[1]].kind != "mongodb":
            return (f"couldn't connect to server {host}:27017, connection attempt failed: HostNotFound: Could not find "
                    f"address for {host}:27017: SocketException: Host not found (authoritative)")
        store = t[1]
        got = ctx.model.world(ctx.cluster, ctx.ns)
        if got is None or not got[1].reach.get(store) or not got[1].reach[store].serving:
            return (f"couldn't connect to server {host}:27017, connection attempt failed: SocketException: Error "
                    f"connecting to {host}:27017 :: caused by :: Connection refused")
    auth = "--auth" in store_args(ctx.cluster, app, ctx.ns, store)
    version = normalize_image(app.services[store].image)[1]
    return MongoInstance(app, store, ctx.model.mongo_state(ctx.ns, store, create=True), auth, version,
                         f"{ctx.ns}/{ctx.pod['metadata']['name']}/{ctx.cluster.t}/{store}/{len(ctx.vars)}")


def _redis_target(ctx: _Ctx, host: str | None, port: int) -> dict[str, str] | str:
    app = ctx.app
    if host in (None, "", "localhost", "127.0.0.1"):
        if ctx.proc.service and ctx.proc.service.kind == "redis" and port == 6379:
            return ctx.model.kv_state(ctx.ns, ctx.proc.labeled or "", create=True)
        return "Connection refused"
    t = resolve_host(ctx.cluster, ctx.ns, host)
    if t is None:
        return "Name or service not known"
    if app is None or t[0] != ctx.ns or t[1] not in app.services or app.services[t[1]].kind != "redis":
        return "Connection refused"
    return ctx.model.kv_state(ctx.ns, t[1], create=True)
