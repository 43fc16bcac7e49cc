"""Network tools inside a container: ``curl``, ``nslookup``, ``getent hosts``.

Answers come from the same view as the request model: DNS from Services (and whether CoreDNS has
ready endpoints the pod may reach), connections through the Service's Endpoints to a process that
listens (or not) on the targetPort, NetworkPolicies (a denied connection times out), NetworkChaos
loss/delay on the target pod, and HTTP status from the request model.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from aoi_gym.cluster.base import ExecResult
from aoi_gym.cluster.sim.appmodel.netpolicy import allowed, can_resolve, dns_up
from aoi_gym.cluster.sim.appmodel.plans import resolve_host
from aoi_gym.cluster.sim.appmodel.util import cluster_ip, stable_hash

if TYPE_CHECKING:
    from aoi_gym.cluster.sim.appmodel import AppModel

__all__ = ["dns_up", "run_curl", "run_nslookup", "run_getent"]

_DNS = "10.96.0.10"




def _fqdn(name: str, ns: str) -> str:
    return f"{name}.{ns}.svc.cluster.local"


def run_nslookup(cluster: Any, ns: str, argv: list[str], pod: dict[str, Any] | None = None) -> ExecResult:
    names = [a for a in argv[1:] if not a.startswith("-")]
    if not names:
        return ExecResult("", "Usage: nslookup [-type=...] HOST [DNS_SERVER]\n", 1)
    head = f"Server:\t\t{_DNS}\nAddress:\t{_DNS}#53\n\n"
    if not can_resolve(cluster, pod):
        return ExecResult(";; connection timed out; no servers could be reached\n\n", "", 1)
    target = resolve_host(cluster, ns, names[0])
    if target is None:
        fq = names[0] if "." in names[0] else _fqdn(names[0], ns)
        return ExecResult(head + f"** server can't find {fq}: NXDOMAIN\n\n", "", 1)
    svc = cluster.peek("Service", target[1], target[0])
    return ExecResult(head + f"Name:\t{_fqdn(target[1], target[0])}\nAddress: {cluster_ip(svc)}\n\n", "", 0)


def run_getent(cluster: Any, ns: str, argv: list[str], pod: dict[str, Any] | None = None) -> ExecResult:
    if len(argv) < 3 or argv[1] not in ("hosts", "ahosts"):
        return ExecResult("", "Usage: getent [OPTION...] database [key ...]\n", 1)
    if not can_resolve(cluster, pod):
        return ExecResult("", "", 2)
    lines = []
    for name in argv[2:]:
        target = resolve_host(cluster, ns, name)
        if target is not None:
            ip = cluster_ip(cluster.peek("Service", target[1], target[0]))
            lines.append(f"{ip:<15} {_fqdn(target[1], target[0])}")
    return ExecResult("".join(line + "\n" for line in lines), "", 0 if lines else 2)


def _parse_curl(argv: list[str]) -> dict[str, Any] | str:
    o: dict[str, Any] = {"method": None, "silent": False, "show_err": False, "out": None, "w": None, "max": None,
                         "head": False, "include": False, "fail": False, "url": None}
    i = 1
    takes = {"-X": "method", "--request": "method", "-o": "out", "--output": "out", "-w": "w", "--write-out": "w",
             "-m": "max", "--max-time": "max", "--connect-timeout": "ctimeout", "-H": "_", "--header": "_",
             "-d": "data", "--data": "data", "--data-raw": "data", "-u": "_", "-A": "_", "--retry": "_"}
    while i < len(argv):
        a = argv[i]
        if a in takes:
            if i + 1 >= len(argv):
                return f"curl: option {a}: requires parameter\ncurl: try 'curl --help' or 'curl --manual' for more information\n"
            o[takes[a]] = argv[i + 1]
            i += 2
            continue
        if a.startswith("-") and not a.startswith("--") and len(a) > 2 and all(c in "sSvLkfIi" for c in a[1:]):
            flags = a[1:]
        elif a.startswith("-"):
            flags = {"--silent": "s", "--show-error": "S", "--verbose": "v", "--location": "L", "--insecure": "k",
                     "--fail": "f", "--head": "I", "--include": "i"}.get(a, "")
            if not flags and a not in ("-v", "-L", "-k"):
                if a in ("-s", "-S", "-f", "-I", "-i"):
                    flags = a[1]
                else:
                    return f"curl: option {a}: is unknown\ncurl: try 'curl --help' or 'curl --manual' for more information\n"
        else:
            o["url"] = a
            i += 1
            continue
        o["silent"] |= "s" in flags
        o["show_err"] |= "S" in flags
        o["fail"] |= "f" in flags
        o["head"] |= "I" in flags
        o["include"] |= "i" in flags
        i += 1
    if not o["url"]:
        return "curl: no URL specified!\ncurl: try 'curl --help' or 'curl --manual' for more information\n"
    return o


def run_curl(model: "AppModel", cluster: Any, pod: dict[str, Any], argv: list[str]) -> ExecResult:
    """``curl`` from inside ``pod``."""
    ns = pod["metadata"].get("namespace", "default")
    o = _parse_curl(argv)
    if isinstance(o, str):
        return ExecResult("", o, 2)
    m = re.match(r"^(?:(https?)://)?([^/:?#]+)(?::(\d+))?([^?#]*)?", o["url"])
    if not m:
        return ExecResult("", f"curl: (3) URL using bad/illegal format or missing URL\n", 3)
    scheme, host, port_s, path = m.group(1) or "http", m.group(2), m.group(3), m.group(4) or "/"
    port = int(port_s) if port_s else (443 if scheme == "https" else 80)
    max_ms = float(o["max"]) * 1000 if o["max"] else 300000.0

    def fail(code: int, msg: str) -> ExecResult:
        out = ""
        if o["w"]:
            out = o["w"].replace("%{http_code}", "000").replace("\\n", "\n")
        err = f"curl: ({code}) {msg}\n" if (not o["silent"] or o["show_err"]) else ""
        return ExecResult(out, err, code)

    got = _connect(model, cluster, pod, ns, host, port)
    if isinstance(got, tuple) and got[0] == "error":
        kind = got[1]
        if kind == "dns":
            return fail(6, f"Could not resolve host: {host}")
        if kind == "dns_timeout":
            return fail(28, f"Resolving timed out after {int(min(max_ms, 5000))} milliseconds")
        if kind == "refused":
            return fail(7, f"Failed to connect to {host} port {port} after 0 ms: Connection refused")
        return fail(28, f"Failed to connect to {host} port {port} after {int(min(max_ms, 130000))} ms: Timeout was reached")
    proc_service, world, delay_ms, loss = got
    if loss >= 0.5:
        return fail(28, f"Failed to connect to {host} port {port} after {int(min(max_ms, 130000))} ms: Timeout was reached")
    if delay_ms >= max_ms:
        return fail(28, f"Operation timed out after {int(max_ms)} milliseconds with 0 bytes received")
    proto = proc_service.protocol
    if proto == "grpc":
        return fail(1, "Received HTTP/0.9 when not allowed")
    if proto in ("thrift", "redis", "memcached", "kafka"):
        return fail(52, "Empty reply from server")
    if proto == "mongodb":
        status, body = 200, "It looks like you are trying to access MongoDB over HTTP on the native driver port.\n"
    else:
        status, body = _http_status(model, cluster, world, proc_service, path)
    if o["fail"] and status >= 400:
        return fail(22, f"The requested URL returned error: {status}")
    reason = {200: "OK", 404: "Not Found", 500: "Internal Server Error", 503: "Service Unavailable"}.get(status, "")
    headers = f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {len(body)}\r\n\r\n"
    out = headers if o["head"] else ((headers if o["include"] else "") + body)
    if o["out"]:
        out = ""
    if o["w"]:
        out += o["w"].replace("%{http_code}", str(status)).replace("\\n", "\n")
    return ExecResult(out, "", 0)


def _connect(model: "AppModel", cluster: Any, pod: dict[str, Any], ns: str, host: str, port: int) -> Any:
    """Where a connection to host:port lands: ("error", kind) or (service, world, delay_ms, loss)."""
    from aoi_gym.cluster.sim.appmodel.util import pod_ip

    target_ns, svc_name, direct_pod = ns, None, None
    if host in ("localhost", "127.0.0.1"):
        direct_pod = pod
    elif re.fullmatch(r"[0-9.]+", host):
        for s in cluster.iter_objects("Service"):
            if cluster_ip(s) == host:
                target_ns, svc_name = s["metadata"]["namespace"], s["metadata"]["name"]
                break
        else:
            for p in cluster.iter_objects("Pod"):
                if pod_ip(p) == host:
                    direct_pod, target_ns = p, p["metadata"]["namespace"]
                    break
            else:
                return ("error", "timeout")
    else:
        if not can_resolve(cluster, pod):
            return ("error", "dns_timeout")
        t = resolve_host(cluster, ns, host)
        if t is None:
            return ("error", "dns")
        target_ns, svc_name = t
    got = model.world(cluster, target_ns)
    if got is None:
        return ("error", "refused")
    app, world = got
    rules = world.chaos_at(cluster.t)
    if direct_pod is not None:
        pv = world.by_ip.get(pod_ip(direct_pod))
        if pv is not None and direct_pod is not pod and not allowed(cluster, pod, direct_pod, port):
            return ("error", "timeout")
        if pv is None or not pv.accepts(port):
            return ("error", "refused")
        _, loss, delay = world.chaos_on(pv.process.labeled or "", rules) if pv.process.labeled in app.services else (0, 0, 0)
        return (pv.process.service, world, delay, loss)
    svc_obj = cluster.peek("Service", svc_name, target_ns)
    entry = next((p for p in (svc_obj.get("spec") or {}).get("ports") or [] if p.get("port") == port), None)
    if entry is None:
        return ("error", "timeout")
    reach = world.reach.get(svc_name)
    if reach is None or not reach.endpoints:
        return ("error", "refused")
    pick = reach.endpoints[stable_hash(svc_name, port, cluster.t) % len(reach.endpoints)]
    tp = entry.get("targetPort", port)
    tp = reach.target_port if isinstance(tp, str) and not tp.isdigit() else int(tp)
    if not allowed(cluster, pod, pick.pod, tp):
        return ("error", "timeout")  # dropped by a NetworkPolicy
    if not pick.accepts(tp):
        return ("error", "refused")
    f, loss, delay = world.chaos_on(svc_name, rules)
    hit = f >= 1.0 or (f > 0 and stable_hash(pick.name, cluster.t) % 100 < f * 100)
    return (pick.process.service, world, delay if hit else 0.0, loss if hit else 0.0)


def _http_status(model: "AppModel", cluster: Any, world: Any, service: Any, path: str) -> tuple[int, str]:
    from aoi_gym.cluster.sim.appmodel.requests import evaluate

    paths = service.http_paths or ("/",)
    if not (path in paths or path == "/" or any(path.startswith(p.rstrip("/") + "/") or path.startswith(p + "?")
                                                for p in paths if p != "/")):
        return 404, "404 page not found\n"
    ev = evaluate(world.app, world, cluster.t)
    ops = [st for (s, name), st in ev.ops.items() if s == service.name and (path in name or name.endswith(path))]
    if not ops:
        ops = [st for (s, _), st in ev.ops.items() if s == service.name][:1]
    err = ops[0].err if ops else 0.0
    if err >= 0.5:
        return 500, f"{ops[0].msg or 'internal error'}\n" if ops else "internal error\n"
    return 200, "{\"status\":\"ok\"}\n" if path != "/" else "<!DOCTYPE html><html><head><title>" + service.name + "</title></head></html>\n"
