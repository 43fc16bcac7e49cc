"""The request model: rates, errors and latencies per operation, edge and service, computed lazily.

Nothing runs per request. For a query the model builds a :class:`World` (the namespace now), pushes
the workload's entry rates down the call graph (callers first), then computes each operation's error
probability and latency bottom-up (callees first): a call fails when the callee's Service is missing,
has no ready endpoints, its endpoints do not accept on the targetPort, the network drops or delays it
(NetworkChaos), a NetworkPolicy drops it (a timeout), the caller cannot resolve the name (CoreDNS
down), the client's DB credentials are rejected, or the callee itself fails; failures of critical
calls fail the caller. A service whose CPU demand nears its pods' CPU limit is throttled by the CFS
quota: a growing share of its requests waits for the next 100 ms period (or several), so its latency
and its callers' latency rise without errors. Latency is a two-part mixture (a lognormal body at ``m`` ms plus a slow
fraction ``s`` taking ``e`` ms more), which gives p50/p95/p99 cheaply.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any

from aoi_gym.apps.base import App, Call, Operation
from aoi_gym.cluster.sim.appmodel.world import World

__all__ = ["ServiceStats", "OpStat", "EdgeStat", "Evaluation", "evaluate", "baseline", "quantile", "op_order", "stats_of"]

_SIGMA = 0.45
_ND = NormalDist()
#: CPU a serving process burns with no traffic (cores), as the metrics report it
IDLE_CORES = 0.002
#: CFS quota period (ms) and the usage/limit ratio from which throttling shows in latency
CFS_PERIOD_MS = 100.0
THROTTLE_FROM = 0.8
#: how long a client waits for a name lookup that gets no answer (resolv.conf timeout, ms)
DNS_TIMEOUT_MS = 5000.0


def throttle_tail(usage: float, timeout_ms: float) -> tuple[float, float]:
    """(share of requests delayed, extra ms) for a container using ``usage`` x its CPU limit."""
    if usage <= THROTTLE_FROM:
        return (0.0, 0.0)
    share = min(0.95, 1.0 - THROTTLE_FROM / usage)
    return (share, min(0.5 * timeout_ms, CFS_PERIOD_MS * max(1.0, usage)))


@dataclass(frozen=True)
class ServiceStats:
    """Requests served by one service over a window: rate, error fraction, latency percentiles (ms)."""

    rps: float
    error_rate: float
    p50_ms: float
    p95_ms: float
    p99_ms: float


@dataclass
class OpStat:
    rate: float = 0.0
    err: float = 0.0
    m: float = 0.0
    s: float = 0.0
    e: float = 0.0
    kind: str = ""  # dominant failure kind: "intrinsic" or an edge kind
    msg: str = ""
    via: str = ""  # the callee whose failure dominates


@dataclass
class EdgeStat:
    """Calls from ``caller`` to ``callee`` as the caller sees them."""

    rate: float = 0.0
    err: float = 0.0
    kind: str = ""  # no_service | no_endpoints | refused | timeout | unreachable | auth | authz | tls | error
    msg: str = ""
    m: float = 0.0
    ops: tuple[str, ...] = ()


@dataclass
class Evaluation:
    ops: dict[tuple[str, str], OpStat]
    edges: dict[tuple[str, str], EdgeStat]
    services: dict[str, OpStat]
    throttled: dict[str, tuple[float, float]] = field(default_factory=dict)  # service -> (share delayed, extra ms)


def quantile(m: float, s: float, e: float, p: float) -> float:
    """The ``p`` quantile of the latency mixture (ms)."""
    if m <= 0:
        return 0.0
    if s <= 1e-9 or p <= 1.0 - s:
        q = p / (1.0 - s) if s < 1.0 else p
        return m * math.exp(_SIGMA * _ND.inv_cdf(min(max(q, 1e-6), 1 - 1e-6)))
    q = (p - (1.0 - s)) / s
    return (m + e) * math.exp(0.15 * _ND.inv_cdf(min(max(q, 1e-6), 1 - 1e-6)))


def _combine(s1: float, e1: float, s2: float, e2: float) -> tuple[float, float]:
    s = 1.0 - (1.0 - s1) * (1.0 - s2)
    return (s, (s1 * e1 + s2 * e2) / (s1 + s2)) if s > 1e-12 else (0.0, 0.0)


_ORDER_CACHE: dict[int, tuple[App, list[Operation]]] = {}


def op_order(app: App) -> list[Operation]:
    """Operations in post-order (callees before callers); cached per App object."""
    hit = _ORDER_CACHE.get(id(app))
    if hit is not None and hit[0] is app:
        return hit[1]
    order: list[Operation] = []
    seen: set[tuple[str, str]] = set()
    for root in app.operations.values():
        if root.key in seen:
            continue
        stack: list[tuple[Operation, int]] = [(root, 0)]
        seen.add(root.key)
        while stack:
            op, i = stack.pop()
            if i < len(op.calls):
                stack.append((op, i + 1))
                child = app.operations.get((op.calls[i].callee, op.calls[i].op))
                if child is not None and child.key not in seen:
                    seen.add(child.key)
                    stack.append((child, 0))
            else:
                order.append(op)
    if len(_ORDER_CACHE) > 64:
        _ORDER_CACHE.clear()
    _ORDER_CACHE[id(app)] = (app, order)
    return order


def _entry_rates(app: App, world: World | None) -> dict[tuple[str, str], float]:
    total = sum(w for _, _, w in app.workload) or 1.0
    rates = {(s, o): app.workload_rps * w / total for s, o, w in app.workload}
    if world is not None:
        if not world.source_ok:
            return {k: 0.0 for k in rates}
        for key, rps in world.extra_load.items():
            rates[key] = rates.get(key, 0.0) + rps
        if world.fx.flood_rps and ("load-generator", "index") in app.operations:
            rates[("load-generator", "index")] = rates.get(("load-generator", "index"), 0.0) + world.fx.flood_rps
    return rates


def evaluate(app: App, world: World | None, t: float) -> Evaluation:
    """Evaluate the model at simulated time ``t`` (chaos rules active then); ``world=None``: no faults."""
    order = op_order(app)
    rules = world.chaos_at(t) if world else ()
    timeout = app.timeout_ms
    rate: dict[tuple[str, str], float] = dict.fromkeys((o.key for o in order), 0.0)
    rate.update(_entry_rates(app, world))
    conn_ok: dict[str, float] = {}
    chaos: dict[str, tuple[float, float, float]] = {}
    for name in app.services:
        if world is None:
            conn_ok[name], chaos[name] = 1.0, (0.0, 0.0, 0.0)
        else:
            r = world.reach.get(name)
            conn_ok[name] = r.ok_frac if r is not None else 1.0
            chaos[name] = world.chaos_on(name, rules) if rules else (0.0, 0.0, 0.0)
    for op in reversed(order):  # callers first
        r = rate[op.key]
        if r <= 0:
            continue
        if world is not None and op.service in world.no_dns:
            continue  # no call leaves a service that cannot resolve its callees
        for c in op.calls:
            if world and (op.service, c.callee) in world.fx.unreachable:
                continue
            f, loss, _ = chaos[c.callee]
            k = (c.callee, c.op)
            denied = world.denied.get((op.service, c.callee), 0.0) if world is not None else 0.0
            if k in rate:
                rate[k] += r * c.count * conn_ok[c.callee] * (1.0 - f * loss) * (1.0 - denied)
    svc_rate: dict[str, float] = {}
    for (s, _), r in rate.items():
        svc_rate[s] = svc_rate.get(s, 0.0) + r
    ops: dict[tuple[str, str], OpStat] = {}
    edges: dict[tuple[str, str], EdgeStat] = {}
    throttle_by_svc: dict[str, tuple[float, float]] = {}
    for op in order:  # callees first
        svc = op.service
        sv = app.services[svc]
        err0, msg0 = world.fx.errors.get(op.key, (0.0, "")) if world else (0.0, "")
        mult = world.fx.lat_mult.get(svc, 1.0) if world else 1.0
        throttled = (0.0, 0.0)
        if world is not None and svc in world.reach and world.reach[svc].serving:
            rho = svc_rate.get(svc, 0.0) * sv.cpu_ms / 1000.0 / len(world.reach[svc].serving)
            if rho > 0.5:
                mult *= min(20.0, 1.0 + (rho - 0.5) * 6.0)
            limit = world.cpu_limit.get(svc)
            if limit:
                throttled = throttle_tail((rho + IDLE_CORES + world.fx.cpu.get(svc, 0.0)) / limit, timeout)
        m = op.self_ms * mult
        s, e = world.fx.slow.get(op.key, (0.0, 0.0)) if world else (0.0, 0.0)
        if throttled[0]:
            s, e = _combine(s, e, *throttled)
            throttle_by_svc[svc] = throttled
        f, _, d = chaos[svc]
        if f and d:
            s, e = _combine(s, e, f, d)
        ok = 1.0 - err0
        top = (err0, "intrinsic", msg0, "")
        for c in op.calls:
            es = _edge(app, world, op, c, ops, conn_ok, chaos, timeout)
            agg = edges.get((svc, c.callee))
            if agg is None:
                agg = edges[(svc, c.callee)] = EdgeStat()
            cr = rate[op.key] * c.count
            if agg.rate + cr > 0:
                agg.err = (agg.err * agg.rate + es.err * cr) / (agg.rate + cr)
                agg.m = (agg.m * agg.rate + es.m * cr) / (agg.rate + cr)
            agg.rate += cr
            if es.err > 0 and (not agg.kind or es.err >= agg.err):
                agg.kind, agg.msg = es.kind, es.msg
            if c.op not in agg.ops:
                agg.ops = agg.ops + (c.op,)
            if c.asynchronous:
                continue
            n = c.count
            if c.critical and es.err > 0:
                pf = 1.0 - (1.0 - es.err) ** n
                ok *= 1.0 - pf
                if pf > top[0]:
                    top = (pf, es.kind, es.msg, c.callee)
            m += n * es.m
            s2 = 1.0 - (1.0 - es.s) ** n if es.s else 0.0
            s, e = _combine(s, e, s2, es.e)
        err = 1.0 - ok
        ops[op.key] = OpStat(rate[op.key], err, m, s, e, top[1] if err > 1e-9 else "", top[2] if err > 1e-9 else "", top[3])
    services: dict[str, OpStat] = {}
    for (svc, _), st in ops.items():
        agg2 = services.setdefault(svc, OpStat())
        w = st.rate
        tot = agg2.rate + w
        if tot > 0:
            agg2.err = (agg2.err * agg2.rate + st.err * w) / tot
            agg2.m = (agg2.m * agg2.rate + st.m * w) / tot
            agg2.s = (agg2.s * agg2.rate + st.s * w) / tot
            agg2.e = (agg2.e * agg2.rate + st.e * w) / tot
        elif agg2.m == 0:
            agg2.m, agg2.s, agg2.e = st.m, st.s, st.e
        agg2.rate = tot
        if st.err > 0 and st.err * w >= agg2.err * (tot - w):
            agg2.kind, agg2.msg, agg2.via = st.kind, st.msg, st.via
    return Evaluation(ops, edges, services, throttle_by_svc)


def _edge(app: App, world: World | None, op: Operation, c: Call, ops: dict[tuple[str, str], OpStat],
          conn_ok: dict[str, float], chaos: dict[str, tuple[float, float, float]], timeout: float) -> OpStat:
    """The outcome of one call as the caller sees it (err, kind, msg, latency mixture)."""
    target = ops.get((c.callee, c.op)) or OpStat(m=0.5)
    if world is None:
        return OpStat(err=target.err, m=target.m + 0.3, s=target.s, e=target.e)
    if (op.service, c.callee) in world.fx.unreachable:
        return OpStat(err=1.0, kind="unreachable", msg=world.fx.unreachable[(op.service, c.callee)], m=2.0)
    reach = world.reach.get(c.callee)
    if op.service in world.no_dns and reach is not None:
        src = next((pv.ip for pv in world.pods.get(op.service, []) if pv.running), "10.244.1.2")
        port = 32768 + hash_port(op.service, c.callee)
        return OpStat(err=1.0, kind="dns", msg=f"read udp {src}:{port}->10.96.0.10:53: i/o timeout",
                      m=min(timeout, DNS_TIMEOUT_MS))
    parts: list[tuple[float, str, str]] = []
    if reach is not None:
        if not reach.exists or not reach.endpoints:
            return OpStat(err=1.0, kind=reach.fail_kind, msg="", m=1.0)
        if conn_ok[c.callee] < 1.0:
            parts.append((1.0 - conn_ok[c.callee], "refused", ""))
    f, loss, d = chaos[c.callee]
    s, e = target.s, target.e
    denied = world.denied.get((op.service, c.callee), 0.0)
    if denied:  # a NetworkPolicy drops the SYN: the client waits out its deadline
        parts.append((denied, "timeout", ""))
        s, e = _combine(s, e, denied, timeout)
    if f and loss:
        p_loss = f * (loss if loss >= 0.9 else loss * loss)
        parts.append((p_loss, "timeout", ""))
        s, e = _combine(s, e, p_loss, timeout)
        if loss < 0.9:  # retransmissions slow the calls that get through
            s, e = _combine(s, e, f * loss, 200.0 * loss / max(1e-3, 1.0 - loss))
    if f and d:
        if d >= timeout:
            parts.append((f, "timeout", ""))
            s, e = _combine(s, e, f, timeout)
        else:
            s, e = _combine(s, e, f, d)
    issue = world.db_issues.get((op.service, c.callee))
    if issue:
        parts.append((1.0, issue[0], issue[1]))
    if target.err:
        parts.append((target.err, "error", ""))
    ok = 1.0
    best = (0.0, "", "")
    for p, k, msg in parts:
        ok *= 1.0 - p
        if p > best[0]:
            best = (p, k, msg)
    return OpStat(err=1.0 - ok, kind=best[1], msg=best[2], m=target.m + 0.3, s=s, e=e, via=c.callee)


def hash_port(*parts: str) -> int:
    """A stable ephemeral-port offset for a client socket named by ``parts`` (0..28000)."""
    from aoi_gym.cluster.sim.appmodel.util import stable_hash

    return stable_hash(*parts) % 28000


def baseline(app: App) -> Evaluation:
    """The same app with every service healthy and no faults."""
    return evaluate(app, None, 0.0)


def stats_of(st: OpStat, rps_mult: float = 1.0, lat_mult: float = 1.0, extra_err: float = 0.0) -> ServiceStats:
    err = 1.0 - (1.0 - st.err) * (1.0 - extra_err) if st.rate > 0 else 0.0
    return ServiceStats(
        rps=float(st.rate * rps_mult),
        error_rate=float(err),
        p50_ms=float(quantile(st.m, st.s, st.e, 0.5) * lat_mult),
        p95_ms=float(quantile(st.m, st.s, st.e, 0.95) * lat_mult),
        p99_ms=float(quantile(st.m, st.s, st.e, 0.99) * lat_mult),
    )

