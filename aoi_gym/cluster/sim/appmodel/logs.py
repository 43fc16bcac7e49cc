"""Container logs: startup lines from the instance's start, then lines derived from the request model.

A query reads; it never changes state. Request-derived lines are generated per 10 s bucket from a
random stream seeded by (app seed, namespace, pod, container, instance start, bucket), newest buckets
first, until about 200 lines are collected, so a query costs O(200) whatever the uptime. Error lines
come from the failing calls this service makes (in its caller's words), from its own failures, and
from everyday noise (benign warnings, and for a few services benign errors) so that the faulty
component is not the only one that logs errors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aoi_gym.apps.base import App
from aoi_gym.cluster.base import BadRequest
from aoi_gym.cluster.sim.appmodel.identity import Process, container_spec, identify
from aoi_gym.cluster.sim.appmodel.logstyles import benign, call_error, crash, error_text, fmt, own_error, request_info, startup
from aoi_gym.cluster.sim.appmodel.logstyles import _mongo as mongo_line
from aoi_gym.cluster.sim.appmodel.util import main_container_status, read_rng

if TYPE_CHECKING:
    from aoi_gym.cluster.sim.appmodel import AppModel

__all__ = ["container_logs", "MAX_LINES", "BUCKET_S"]

MAX_LINES = 200
BUCKET_S = 10.0
_CRASH_CODES = ("auth", "authz", "nodb", "dial", "buggy")
_WAITING = ("ContainerCreating", "PodInitializing", "ErrImagePull", "ImagePullBackOff", "InvalidImageName",
            "CreateContainerConfigError")


def container_logs(model: "AppModel", cluster: Any, pod: dict[str, Any], container: str, previous: bool,
                   since_t: float | None) -> list[tuple[float, str]]:
    """Lines of the container's current (or, with ``previous``, last terminated) instance, oldest first."""
    ns, name, uid = pod["metadata"].get("namespace", "default"), pod["metadata"]["name"], pod["metadata"].get("uid")
    app = model.app_for(cluster, ns)
    spec = container_spec(pod, container) or {}
    proc = identify(app, pod, spec)
    rec = model.start_record(ns, name, container, uid)
    cs = main_container_status(pod, container)
    if previous:
        if rec is None or rec[5] is None:
            raise BadRequest(f'previous terminated container "{container}" in pod "{name}" not found')
        inst = rec[5]
        end = inst[4] if inst[4] is not None else rec[1]
    else:
        waiting = (((cs or {}).get("state") or {}).get("waiting") or {}).get("reason")
        if (rec is not None and rec[2] == "image") or waiting in _WAITING or (
                cs is None and pod.get("status") and (pod["status"].get("phase") == "Pending")):
            why = "trying and failing to pull image" if (rec is not None and rec[2] == "image") or (
                waiting in ("ErrImagePull", "ImagePullBackOff", "InvalidImageName")) else (waiting or "ContainerCreating")
            raise BadRequest(f'container "{container}" in pod "{name}" is waiting to start: {why}')
        if rec is None:
            started = (((cs or {}).get("state") or {}).get("running") or {}).get("startedAt") or pod["metadata"].get("creationTimestamp")
            code = "ok" if proc.kind == "app" else proc.kind
            rec = (uid, cluster.parse_timestamp(started), code, "", None, None)
        inst = rec
        end = cluster.t if rec[4] is None else min(cluster.t, rec[4])
    lines = _instance(model, cluster, app, pod, spec, proc, inst, end)
    if since_t is not None:
        lines = [x for x in lines if x[0] >= since_t]
    return lines[-MAX_LINES:]


def _instance(model: "AppModel", cluster: Any, app: App | None, pod: dict[str, Any], spec: dict[str, Any],
              proc: Process, inst: tuple, end: float) -> list[tuple[float, str]]:
    t0, code, detail, exit_t = inst[1], inst[2], inst[3], inst[4]
    if code in ("missing", "image") or proc.service is None or app is None or t0 > end:
        return []
    svc, style = proc.service, proc.style
    deps = {"mongo": svc.db.store} if svc.db else {}
    out: list[tuple[float, str]] = []
    for i, (lv, text) in enumerate(startup(style, svc.name, proc.binary, svc.port, deps)):
        out.append((t0 + 0.01 * i, fmt(style, t0 + 0.01 * i, lv, text, svc.name)))
    if code in _CRASH_CODES:
        t = exit_t if exit_t is not None else t0 + 1.0
        if t <= end + 1e-6:
            for i, (lv, text) in enumerate(crash(style, code, detail, proc.binary, svc.name)):
                out.append((t - 0.05 + 0.001 * i, text if lv == "raw" else fmt(style, t - 0.05, lv, text, svc.name)))
        return out
    if style == "go-hotel" and code == "ok":
        b = proc.binary or svc.name
        extra = ([("info", f"cmd/{b}/db.go:27 > New session successfull..."), ("info", f"cmd/{b}/main.go:43 > Successfull")]
                 if svc.db else [])
        extra += [("info", f"cmd/{b}/main.go:53 > Initializing jaeger agent [service name: {b} | host: jaeger:6831]..."),
                  ("info", "tracing/tracer.go:26 > Jaeger client: adjusted sample ratio 1.000000"),
                  ("info", f"cmd/{b}/main.go:59 > Jaeger agent initialized"),
                  ("info", f"cmd/{b}/main.go:61 > Initializing consul agent [host: consul:8500]..."),
                  ("info", f"cmd/{b}/main.go:66 > Consul agent initialized"),
                  ("info", f"cmd/{b}/main.go:77 > Starting server...")]
        base = out[-1][0] if out else t0
        for i, (lv, text) in enumerate(extra):
            t = base + 0.05 * (i + 1)
            if t <= end:
                out.append((t, fmt(style, t, lv, text, svc.name)))
    if code == "ok":
        out += _traffic(model, cluster, app, pod, proc, inst, max(t0 + 1.0, out[-1][0] + 0.01 if out else t0), end)
    out.sort(key=lambda x: x[0])
    return out


def _traffic(model: "AppModel", cluster: Any, app: App, pod: dict[str, Any], proc: Process, inst: tuple,
             t_from: float, t_to: float) -> list[tuple[float, str]]:
    ns, name = pod["metadata"].get("namespace", "default"), pod["metadata"]["name"]
    got = model.world(cluster, ns)
    if got is None or t_to <= t_from:
        return []
    _, world = got
    svc, style = proc.service, proc.style
    assert svc is not None
    labeled = proc.labeled or svc.name
    reach = world.reach.get(labeled)
    serving = reach is not None and any(pv.name == name for pv in reach.serving)
    n_serv = max(1, len(reach.serving) if reach else 1)
    seed = model.seed_of(ns)
    bg = model.background_error(ns, app, labeled)
    memo: dict[tuple[str, ...], Any] = {}
    out: list[tuple[float, str]] = []
    k_hi, k_lo = int(t_to // BUCKET_S), int(t_from // BUCKET_S)
    store_events = _store_events(model, world, labeled) if svc.kind == "mongodb" else []
    for k in range(k_hi, k_lo - 1, -1):
        if len(out) >= MAX_LINES:
            break
        lo, hi = max(t_from, k * BUCKET_S), min(t_to, (k + 1) * BUCKET_S)
        if hi <= lo:
            continue
        span = hi - lo
        key = tuple(r.name for r in world.chaos_at(lo))
        if key not in memo:
            memo[key] = model.evaluations(app, world, [lo])[0]
        ev = memo[key]
        rng = read_rng(seed, ns, name, proc.binary, inst[1], k, "logs")

        def emit(lv: str, text: str) -> None:
            t = lo + float(rng.uniform(0.0, span))
            out.append((t, fmt(style, t, lv, text, svc.name)))

        if serving:
            for (caller, callee), edge in sorted(ev.edges.items()):
                if caller != labeled or edge.err <= 1e-4 or edge.rate <= 0:
                    continue
                n = min(3, int(rng.poisson(edge.rate * edge.err * span / n_serv)))
                if n:
                    text = failure_text(app, world, ev, style, edge.kind, callee, edge.msg)
                    for _ in range(n):
                        emit(*call_error(style, labeled, edge.ops[0] if edge.ops else "", text))
            for (s, op), st in ev.ops.items():
                if s == labeled and st.kind == "intrinsic" and st.err > 0 and st.rate > 0:
                    for _ in range(min(3, int(rng.poisson(st.rate * st.err * span / n_serv)))):
                        emit(*own_error(style, op, st.msg))
            busiest = max(((st.rate, op) for (s, op), st in ev.ops.items() if s == labeled), default=(0.0, ""))
            if busiest[0] > 0:
                st = ev.ops[(labeled, busiest[1])]
                info = request_info(style, svc.name, busiest[1], 500 if st.err > 0.5 else 200, st.m, "10.244.0.1")
                if info:
                    for _ in range(min(2, int(rng.poisson(busiest[0] * span / n_serv * 0.05)) + (1 if rng.random() < 0.5 else 0))):
                        emit(*info)
        noise = benign(style)
        if noise and rng.random() < (0.35 if bg else 0.1) * model.noise:
            lv, text = noise[int(rng.integers(0, len(noise)))]
            if lv == "error" and not bg:
                lv = "warn"
            emit(lv, text.replace("{n}", str(int(rng.integers(1, 80)))).replace("{svc}", labeled))
        for t_ev, lv, text in store_events:
            if lo <= t_ev < hi:
                out.append((t_ev, fmt(style, t_ev, lv, text, svc.name)))
        for (client, store), (kind, msg) in sorted(world.db_issues.items()):
            if store != labeled:
                continue
            cr = ev.edges.get((client, store))
            if cr is None or cr.rate <= 0:
                continue
            for _ in range(min(2, int(rng.poisson(cr.rate * span)))):
                emit(*_store_issue_line(kind, msg, client))
    out.sort(key=lambda x: x[0])
    return out


def failure_text(app: App, world: Any, ev: Any, style: str, kind: str, callee: str, msg: str, depth: int = 0) -> str:
    """The error text a caller of ``style`` sees when calling ``callee`` fails with ``kind``.

    For ``error`` (the callee itself failed) the callee's own failure is rendered in its words, so a
    chain of gRPC services nests the messages as the real ones do.
    """
    target = world.reach.get(callee)
    ip = target.ip if target is not None else ""
    port = app.services[callee].port if callee in app.services else None
    if kind == "error" and depth < 6:
        worst = max(((st.err * st.rate, op, st) for (s, op), st in ev.ops.items() if s == callee and st.err > 0),
                    default=None, key=lambda x: x[0])
        if worst is not None:
            st = worst[2]
            if st.kind == "intrinsic":
                msg = st.msg
            elif st.via:
                inner_style = app.services[callee].style
                msg = failure_text(app, world, ev, inner_style, st.kind, st.via, st.msg, depth + 1)
            else:
                msg = st.msg
    return error_text(style, kind, callee, port, ip, "", msg)


def _store_issue_line(kind: str, msg: str, client: str) -> tuple[str, str]:
    if kind == "tls":
        return ("info", mongo_line("NETWORK", 22988, "conn41", "Error receiving request from client. Ending connection from remote",
                                   {"error": {"code": 141, "codeName": "SSLHandshakeFailed",
                                              "errmsg": "The server is configured to only allow SSL connections"},
                                    "remote": "10.244.1.23:48872", "connectionId": 41}))
    if kind == "auth":
        return ("info", mongo_line("ACCESS", 20249, "conn33", "Authentication failed",
                                   {"mechanism": "SCRAM-SHA-1", "principalName": "admin", "authenticationDatabase": "admin",
                                    "client": "10.244.1.19:39712", "result": "UserNotFound: Could not find user \"admin\" for db \"admin\""}))
    return ("info", mongo_line("ACCESS", 20436, "conn33", "Checking authorization failed",
                               {"error": {"code": 13, "codeName": "Unauthorized", "errmsg": msg}}))


def _store_events(model: "AppModel", world: Any, store: str) -> list[tuple[float, str, str]]:
    """MongoDB-side lines for client starts that failed against ``store`` (one per failed start)."""
    out = []
    for key, rec in model._starts.items():
        if not key.startswith(world.ns + "/"):
            continue
        for r in (rec, rec[5]):
            if r is not None and r[2] in ("auth", "authz") and str(r[3]).startswith(store + "|"):
                lv, text = _store_issue_line(r[2], str(r[3]).split("|", 1)[1], key)
                out.append((r[1] + 0.5, lv, text))
    return out
