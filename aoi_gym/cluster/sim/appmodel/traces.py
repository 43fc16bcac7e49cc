"""Jaeger-shaped spans sampled from the request model (at most ``MAX_SPANS`` per query).

Each trace starts at an entry operation drawn from the workload mix at a time drawn from the window,
and walks the call graph: a call either fails before reaching the callee (connection refused, no
endpoints, DNS, timeout, rejected credentials: one error span on the caller's side) or reaches the
callee, whose own span may fail because of its own calls or its own fault; failures of critical
calls mark the caller's span as failed too. Durations follow the latency model (timeouts take the
caller's timeout). Ids and choices come from a stream seeded by (seed, namespace, now), so a query is
a pure read.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from aoi_gym.apps.base import App
from aoi_gym.cluster.base import Span
from aoi_gym.cluster.sim.appmodel.requests import Evaluation
from aoi_gym.cluster.sim.appmodel.util import EPOCH_OFFSET, hex_id, read_rng

if TYPE_CHECKING:
    from aoi_gym.cluster.sim.appmodel import AppModel

__all__ = ["namespace_traces", "MAX_SPANS"]

MAX_SPANS = 200
_CONN_KINDS = ("refused", "no_endpoints", "no_service", "dns", "timeout", "unreachable", "auth", "authz", "tls")
_GRPC_CODE = {"refused": "Unavailable", "no_endpoints": "Unavailable", "no_service": "Unavailable", "unreachable": "Unavailable",
              "dns": "Unavailable",
              "timeout": "DeadlineExceeded", "auth": "Unknown", "authz": "Unknown", "tls": "Unknown", "error": "Unknown"}


def _status(protocol: str, error: bool, kind: str) -> str:
    if protocol == "http":
        return ("504" if kind == "timeout" else ("503" if kind in _CONN_KINDS else "500")) if error else "200"
    if protocol in ("grpc", "thrift"):
        return _GRPC_CODE.get(kind, "Unknown") if error else "OK"
    return "Unknown"


class _Builder:
    def __init__(self, app: App, world: Any, ev: Evaluation, rng: np.random.Generator, trace_id: str, t: float):
        self.app, self.world, self.ev, self.rng, self.trace_id = app, world, ev, rng, trace_id
        self.spans: list[Span] = []
        self.t = t  # simulated time the trace starts
        self.t0_us = int((EPOCH_OFFSET + t) * 1e6)

    def new_id(self) -> str:
        return hex_id(16, self.trace_id, len(self.spans))

    def op_span(self, service: str, op: str, parent: str | None, start_us: int) -> tuple[bool, int, str]:
        """Emit the server span of ``service``'s ``op`` and its subtree; returns (error, duration_us, kind)."""
        sid = self.new_id()
        idx = len(self.spans)
        self.spans.append(Span(self.trace_id, sid, parent, service, op, start_us, 0))
        o = self.app.operations.get((service, op))
        own_p = self.world.fx.errors.get((service, op), (0.0, ""))[0] if self.world is not None else 0.0
        err = bool(self.rng.random() < own_p)
        kind = "error" if err else ""
        base = (o.self_ms if o else 0.5) * (self.world.fx.lat_mult.get(service, 1.0) if self.world is not None else 1.0)
        slow_s, slow_e = (self.world.fx.slow.get((service, op), (0.0, 0.0)) if self.world is not None else (0.0, 0.0))
        dur_ms = max(0.05, base * math.exp(0.35 * self.rng.normal()))
        if slow_s and self.rng.random() < slow_s:
            dur_ms += slow_e
        thr_s, thr_e = self.ev.throttled.get(service, (0.0, 0.0))
        if thr_s and self.rng.random() < thr_s:  # waited for CFS quota
            dur_ms += thr_e * float(self.rng.uniform(0.6, 1.2))
        cursor = start_us + int(dur_ms * 500)
        for c in (o.calls if o else ()):
            n = int(c.count) + (1 if self.rng.random() < c.count - int(c.count) else 0)
            for _ in range(n):
                if len(self.spans) >= MAX_SPANS:
                    break
                ok, d_us, ckind = self.call(service, c, sid, cursor)
                if not c.asynchronous:
                    cursor += d_us
                    if not ok and c.critical:
                        err, kind = True, kind or "error"
        total = max(cursor - start_us, int(dur_ms * 1000))
        proto = self.app.services[service].protocol
        self.spans[idx] = Span(self.trace_id, sid, parent, service, op, start_us, total, err, _status(proto, err, kind))
        return err, total, kind

    def call(self, caller: str, c: Any, parent: str, start_us: int) -> tuple[bool, int, str]:
        edge = self.ev.edges.get((caller, c.callee))
        callee = self.app.services[c.callee]
        conn_fail = edge is not None and edge.kind in _CONN_KINDS and self.rng.random() < edge.err
        if callee.is_store or callee.kind == "flagd" or conn_fail:
            # a client span in the caller: stores are not traced themselves; failed connects never reach the callee
            failed = conn_fail or (edge is not None and edge.err > 0 and self.rng.random() < edge.err)
            kind = edge.kind if failed and edge is not None else ""
            ms = self.app.timeout_ms if kind == "timeout" else (edge.m if kind == "dns" else 1.0) if failed else (max(0.05, (edge.m if edge else 0.5) * math.exp(0.3 * self.rng.normal())))
            sid = self.new_id()
            self.spans.append(Span(self.trace_id, sid, parent, caller, f"{c.op} {c.callee}" if callee.is_store else c.op,
                                   start_us, int(ms * 1000), failed, _status(callee.protocol, failed, kind)))
            return not failed, int(ms * 1000), kind
        f, loss, delay = self.world.chaos_on(c.callee, self.world.chaos_at((start_us - self.t0_us) / 1e6 + self.t)) if self.world else (0, 0, 0)
        extra = int(delay * 1000) if f and self.rng.random() < f else 0
        err, dur, kind = self.op_span(c.callee, c.op, parent, start_us + extra // 2)
        return not err, dur + extra, kind


def namespace_traces(model: "AppModel", cluster: Any, ns: str, window_s: float) -> list[Span]:
    """Sampled traces of the window (whole traces, at most ``MAX_SPANS`` spans), oldest first."""
    got = model.world(cluster, ns)
    if got is None:
        return []
    app, world = got
    ts = model.steps(cluster, ns, window_s)
    evs = model.evaluations(app, world, ts)
    rng = read_rng(model.seed_of(ns), ns, round(cluster.t, 3), round(float(window_s), 3), "traces")
    weights = np.array([w for _, _, w in app.workload], dtype=float)
    if not world.source_ok or weights.sum() <= 0:
        return []
    weights /= weights.sum()
    spans: list[Span] = []
    for i in range(60):
        k = int(rng.integers(0, len(ts)))
        t = ts[k] - float(rng.uniform(0.0, min(15.0, max(0.0, ts[k] - ts[0]) or 15.0)))
        svc, op, _ = app.workload[int(rng.choice(len(weights), p=weights))]
        trace_id = hex_id(32, model.seed_of(ns), ns, cluster.t, i)
        b = _Builder(app, world, evs[k], rng, trace_id, t)
        b.op_span(svc, op, None, b.t0_us)
        if len(spans) + len(b.spans) > MAX_SPANS:
            break
        spans += b.spans
    spans.sort(key=lambda s: (s.start_us, s.trace_id))
    return spans
