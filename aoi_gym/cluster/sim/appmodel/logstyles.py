"""How each kind of process writes its log: line format, startup lines, request/error lines, crashes.

Styles: ``go-hotel`` (zerolog console), ``go-generic``, ``cpp-thrift`` (DeathStarBench's Boost log),
``nginx-lua``, ``mongo`` (4.4 structured JSON), ``redis``, ``memcached``, ``consul``, ``jaeger`` and the
Astronomy Shop's languages (``java``, ``dotnet``, ``go``, ``cpp``, ``ruby``, ``node``, ``python``, ``rust``,
``php``, ``kotlin``, ``envoy``, ``nginx``, ``flagd``, ``kafka``) plus ``generic``.
"""

from __future__ import annotations

import datetime as _dt
import json

from aoi_gym.cluster.sim.cluster import EPOCH as _EPOCH

__all__ = ["fmt", "startup", "crash", "call_error", "error_text", "own_error", "request_info", "benign", "CALLER_MSG"]



def _dt_of(t: float) -> _dt.datetime:
    return _dt.datetime.fromtimestamp(_EPOCH + t, tz=_dt.timezone.utc)


def fmt(style: str, t: float, level: str, text: str, service: str = "") -> str:
    """One log line of ``style`` at simulated time ``t``; ``level`` in info|warn|error|fatal|panic|debug."""
    d = _dt_of(t)
    iso = d.strftime("%Y-%m-%dT%H:%M:%S")
    ms = f"{d.microsecond // 1000:03d}"
    lv = level
    if style in ("go-hotel", "go-generic"):
        tag = {"info": "INF", "warn": "WRN", "error": "ERR", "fatal": "FTL", "panic": "PNC", "debug": "DBG"}[lv]
        return f"{iso}Z {tag} {text}"
    if style == "cpp-thrift":
        return f"[{d.strftime('%Y-%b-%d %H:%M:%S')}.{d.microsecond:06d}] <{ {'warn': 'warning', 'fatal': 'fatal', 'panic': 'fatal'}.get(lv, lv)}>: {text}"
    if style in ("nginx-lua", "nginx"):
        if text.startswith("ACCESS "):
            return text[7:].replace("{ts}", d.strftime("%d/%b/%Y:%H:%M:%S +0000"))
        return f"{d.strftime('%Y/%m/%d %H:%M:%S')} [{ {'warn': 'warn', 'info': 'notice'}.get(lv, 'error')}] 1#1: {text}"
    if style == "mongo":
        sev = {"info": "I", "warn": "W", "error": "E", "fatal": "F", "panic": "F", "debug": "D1"}[lv]
        comp, ident, ctx, msg, attr = json.loads(text)
        head = f'{{"t":{{"$date":"{iso}.{ms}+00:00"}},"s":"{sev}",  "c":"{comp}", "id":{ident}, "ctx":"{ctx}","msg":"{msg}"'
        return head + (f',"attr":{json.dumps(attr, separators=(",", ":"))}' if attr else "") + "}"
    if style in ("redis", "valkey"):
        return f"1:M {d.strftime('%d %b %Y %H:%M:%S')}.{ms} {'#' if lv in ('warn', 'error') else '*'} {text}"
    if style == "consul":
        return f"{iso}.{ms}Z [{lv.upper()}] {text}"
    if style in ("jaeger", "otelcol", "flagd"):
        return json.dumps({"level": lv, "ts": round(_EPOCH + t, 3), "msg": text}, separators=(",", ":"))
    if style == "java":
        return f"{d.strftime('%Y-%m-%d %H:%M:%S')} - oteldemo.AdService - {text}"
    if style == "kotlin":
        return f"{d.strftime('%H:%M:%S')}.{ms} [main] {lv.upper():<5} frauddetection - {text}"
    if style == "dotnet":
        return f"{ {'warn': 'warn', 'error': 'fail', 'fatal': 'crit'}.get(lv, 'info')}: {service}[0] {text}"
    if style == "go":
        return json.dumps({"message": text, "severity": lv, "timestamp": f"{iso}.{ms}Z"}, separators=(",", ":"))
    if style == "node":
        return json.dumps({"level": {"info": 30, "warn": 40, "error": 50}.get(lv, 60), "time": int((_EPOCH + t) * 1000),
                           "pid": 1, "hostname": service, "msg": text}, separators=(",", ":"))
    if style == "python":
        return f"{d.strftime('%Y-%m-%d %H:%M:%S')},{ms} {lv.upper()} [{service}] {text}"
    if style == "rust":
        return f"{iso}.{ms}Z {lv.upper():>5} {service.replace('-', '_')}: {text}"
    if style == "php":
        return f"[{d.strftime('%d-%b-%Y %H:%M:%S')}] {'NOTICE' if lv == 'info' else lv.upper()}: {text}"
    if style == "ruby":
        return f"{lv[0].upper()}, [{iso}.{d.microsecond:06d} #1] {lv.upper():>5} -- : {text}"
    if style == "kafka":
        return f"[{d.strftime('%Y-%m-%d %H:%M:%S')},{ms}] {lv.upper()} {text}"
    if style == "envoy":
        return text.replace("{ts}", f"{iso}.{ms}Z")
    if style == "cpp":
        return f"{d.strftime('%Y-%m-%d %H:%M:%S')} [{lv}] {text}"
    return f"{iso}.{ms}Z {lv.upper()} {text}"


def _mongo(comp: str, ident: int, ctx: str, msg: str, attr: dict | None = None) -> str:
    return json.dumps([comp, ident, ctx, msg, attr or {}])


def startup(style: str, service: str, binary: str, port: int | None, deps: dict[str, str]) -> list[tuple[str, str]]:
    """(level, text) lines a process writes while starting."""
    if style in ("go-hotel", "go-generic"):
        b = binary or service
        lines = [("info", f"cmd/{b}/main.go:24 > Reading config..."), ("info", f"cmd/{b}/main.go:37 > Read target port: {port}"),
                 ("info", f"cmd/{b}/main.go:38 > Read consul address: consul:8500"),
                 ("info", f"cmd/{b}/main.go:39 > Read jaeger address: jaeger:6831")]
        if deps.get("mongo"):
            lines += [("info", f"cmd/{b}/main.go:40 > Read database URL: {deps['mongo']}:27017"),
                      ("info", f"cmd/{b}/main.go:41 > Initializing DB connection...")]
        return lines
    if style == "cpp-thrift":
        return [("info", f"({binary}.cpp:56:main) Starting the {service} server...")]
    if style == "nginx-lua":
        return [("info", "using the \"epoll\" event method"), ("info", "openresty/1.15.8.1rc1"), ("info", "start worker processes")]
    if style == "mongo":
        return [_lv(_mongo("CONTROL", 23285, "main", "Automatically disabling TLS 1.0, to force-enable TLS 1.0 specify --sslDisabledProtocols 'none'")),
                _lv(_mongo("CONTROL", 4615611, "initandlisten", "MongoDB starting", {"pid": 1, "port": 27017, "dbPath": "/data/db", "architecture": "64-bit", "host": service})),
                _lv(_mongo("STORAGE", 22315, "initandlisten", "Opening WiredTiger", {"config": "create,cache_size=7500M,"})),
                _lv(_mongo("NETWORK", 23015, "listener", "Listening on", {"address": "0.0.0.0"})),
                _lv(_mongo("NETWORK", 23016, "listener", "Waiting for connections", {"port": 27017, "ssl": "off"}))]
    if style in ("redis", "valkey"):
        return [("info", "Server initialized"), ("info", "Ready to accept connections tcp")]
    if style == "consul":
        return [("info", "agent: Consul agent running!"), ("info", "agent: Synced node info")]
    if style == "jaeger":
        return [("info", "Starting jaeger-collector gRPC server"), ("info", "Query server started")]
    if style == "memcached":
        return []
    return [("info", f"{service} started, listening on port {port}" if port else f"{service} started")]


def _lv(text: str) -> tuple[str, str]:
    return ("info", text)


def crash(style: str, code: str, detail: str, binary: str, service: str) -> list[tuple[str, str]]:
    """(level, text) lines a process writes when it dies for ``code`` (see ``plans``)."""
    msg = detail.split("|", 1)[-1]
    b = binary or service
    if style in ("go-hotel", "go-generic"):
        if code in ("auth", "authz"):
            lines = [("info", f"cmd/{b}/db.go:27 > New session successfull..."), ("info", f"cmd/{b}/db.go:29 > Generating test data...")] if code == "authz" else []
            lines.append(("panic", f"cmd/{b}/db.go:{35 if code == 'authz' else 25} > {msg}"))
            return lines + _go_panic(msg, f"main.initializeDatabase(...)\n\t/go/src/github.com/harlow/go-micro-services/cmd/{b}/db.go")
        if code == "nodb":
            return [("panic", f"cmd/{b}/db.go:25 > no reachable servers")] + _go_panic("no reachable servers", "main.initializeDatabase")
        if code == "dial":
            return [("fatal", f"cmd/{b}/main.go:44 > {msg}")]
        if code == "buggy":
            return [("info", f"cmd/{b}/main.go:70 > Starting server...")] + _go_panic(
                "runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x9a1c2d]",
                f"github.com/harlow/go-micro-services/services/{b}.(*Server).Run")
    if code == "dial":
        return [("error", f"failed to connect: {msg}")]
    if code == "buggy":
        return [("fatal", "segmentation fault")]
    return []


def _go_panic(msg: str, frame: str) -> list[tuple[str, str]]:
    first, *rest = msg.split("\n")
    lines = [("raw", f"panic: {first}")] + [("raw", r) for r in rest]
    return lines + [("raw", ""), ("raw", "goroutine 1 [running]:"), ("raw", frame), ("raw", "\t/usr/local/go/src/runtime/panic.go:884 +0x213")]


CALLER_MSG = {
    "go-hotel": {
        "refused": 'rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing dial tcp {ip}:{port}: connect: connection refused"',
        "no_endpoints": "rpc error: code = Unavailable desc = there is no address available",
        "no_service": 'rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing dial tcp: lookup {callee} on 10.96.0.10:53: no such host"',
        "dns": 'rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing dial tcp: lookup {callee} on 10.96.0.10:53: {msg}"',
        "timeout": "rpc error: code = DeadlineExceeded desc = context deadline exceeded",
        "unreachable": 'rpc error: code = Unavailable desc = name resolver error: produced zero addresses',
        "error": "rpc error: code = Unknown desc = {msg}",
        "authz": "{msg}", "auth": "{msg}", "tls": "{msg}",
    },
    "cpp-thrift": {
        "refused": "TSocket::open() connect() <Host: {callee} Port: {port}>: Connection refused",
        "no_endpoints": "TSocket::open() connect() <Host: {callee} Port: {port}>: Connection refused",
        "no_service": "TSocket::open() getaddrinfo() <Host: {callee} Port: {port}>: Name or service not known",
        "dns": "TSocket::open() getaddrinfo() <Host: {callee} Port: {port}>: Temporary failure in name resolution",
        "timeout": "THRIFT_EAGAIN (timed out)",
        "unreachable": "TSocket::open() connect() <Host: {callee} Port: {port}>: No route to host",
        "error": "Failed to call {op} on {callee}: {msg}",
        "authz": "{msg}", "auth": "{msg}", "tls": "Error in mongoc: {msg}",
    },
    "generic": {
        "refused": "failed to connect to {callee}:{port}: connection refused",
        "no_endpoints": "failed to connect to {callee}:{port}: connection refused",
        "no_service": "failed to resolve {callee}: no such host",
        "dns": "dial tcp: lookup {callee} on 10.96.0.10:53: {msg}",
        "timeout": "request to {callee}:{port} timed out",
        "unreachable": 'rpc error: code = Unavailable desc = dns: A record lookup error: lookup {msg}: no such host',
        "error": "{callee} returned an error: {msg}",
        "authz": "{msg}", "auth": "{msg}", "tls": "{msg}",
    },
}


def error_text(style: str, kind: str, callee: str, port: int | None, ip: str, op: str, msg: str) -> str:
    """The error a caller of ``style`` gets for a failed call (no log prefix)."""
    table = CALLER_MSG.get(style, CALLER_MSG["generic"])
    return table.get(kind, table["error"]).format(callee=callee, port=port, ip=ip, op=op, msg=msg or "internal error")


def call_error(style: str, caller: str, op: str, text: str) -> tuple[str, str]:
    """(level, line text) with which ``caller`` logs a failed call to ``op`` (``text`` from :func:`error_text`)."""
    if style in ("go-hotel", "go-generic"):
        where = "cmd/frontend/server.go:198" if caller == "frontend" else f"services/{caller}/server.go:112"
        return ("error", f"{where} > {op}: {text}")
    if style == "cpp-thrift":
        handler = "".join(w.capitalize() for w in caller.replace("-service", "").split("-")) + "Handler.h"
        return ("error", f"({handler}:121:{op}) {text}")
    if style == "nginx-lua":
        return ("error", f"[lua] {op}: {text}, client: 10.244.0.1, server: localhost")
    if style == "dotnet":
        return ("error", f"Failed to call {op}: {text}")
    return ("error", f"{op}: {text}")


def own_error(style: str, op: str, msg: str) -> tuple[str, str]:
    if style == "java":
        return ("error", f"GetAds Failed with status Status{{code=UNAVAILABLE, description={msg}}}")
    return ("error", f"{op}: {msg}")


def request_info(style: str, service: str, op: str, status: int, ms: float, peer: str) -> tuple[str, str] | None:
    """(level, text) of an access/request log line, or None for styles that do not log requests."""
    if style == "nginx-lua":
        return ("info", f'ACCESS {peer} - - [{{ts}}] "POST {op} HTTP/1.1" {status} 45 "-" "wrk2"')
    if style == "envoy":
        meth, _, path = op.partition(" ")
        return ("info", f'[{{ts}}] "{meth} {path or "/"} HTTP/1.1" {status} - 0 1024 {int(ms)} {int(ms)} "-" "python-requests/2.32.3" "frontend:8080"')
    if style == "node":
        return ("info", f"{op} {status} in {ms:.0f}ms")
    if style == "python":
        return ("info", f"Receive ListRecommendations for product ids:['OLJCESPC7Z', '66VCHSJNUP']" if service == "recommendation" else f"{op} {status}")
    if style == "java":
        return ("info", "received ad request (context_words=[telescopes])")
    if style == "go":
        return ("info", f"[{op}] completed in {ms:.1f}ms")
    if style == "rust":
        return ("info", f"{op} request received")
    if style == "ruby":
        return ("info", "Order confirmation email sent to: customer@example.com")
    if style == "php":
        return ("info", "Calculated quote")
    if style == "dotnet":
        return ("info", f"{op} called with userId=6c4b2f71-user")
    if style == "kotlin":
        return ("info", "Consumed record with orderId: 8d2f4c1e-3b9a-11f0-a1b2-0242ac120002, and updated total count to: 128")
    if style == "cpp":
        return ("info", "Convert conversion successful")
    return None


_BENIGN = {
    "go-hotel": [("warn", "cmd/frontend/server.go:141 > memcached: cache miss for key hotel_{n}"),
                 ("info", "registry/registry.go:91 > consul: health check passed for service instance"),
                 ("error", "tracing/tracer.go:58 > jaeger: span reporter queue is full, dropping span")],
    "cpp-thrift": [("warning", "(utils.h:110:LoadConfigFile) config entry keepalive_ms not set, using default"),
                   ("info", "(ClientPool.h:120:Pop) Creating new client connection"),
                   ("error", "(ThriftClient.h:92:Connect) read timed out on an idle connection; reconnecting")],
    "mongo": [("info", _mongo("STORAGE", 22430, "WTCheckpointThread", "WiredTiger message", {"message": "WT_SESSION.checkpoint: [WT_VERB_CHECKPOINT_PROGRESS] saving checkpoint snapshot min: 35, snapshot max: 35 snapshot count: 0"})),
              ("info", _mongo("NETWORK", 22943, "listener", "Connection accepted", {"remote": "10.244.1.17:51322", "connectionCount": 12})),
              ("info", _mongo("NETWORK", 22944, "conn27", "Connection ended", {"remote": "10.244.1.17:51322", "connectionCount": 11}))],
    "redis": [("info", "100 changes in 300 seconds. Saving..."), ("info", "Background saving started by pid 27"),
              ("info", "DB saved on disk")],
    "consul": [("info", "agent: Synced check: check=service:srv-{svc}"), ("warn", "agent: Check is now critical: check=_nomad-check")],
    "envoy": [],
    "generic": [("warn", "slow response from upstream (p99 above target)"), ("info", "health check ok")],
}


def benign(style: str) -> list[tuple[str, str]]:
    """Everyday noise: routine lines, and warnings/errors that do not mean a fault."""
    return _BENIGN.get(style, _BENIGN["generic"] if style not in ("memcached", "jaeger") else [])
