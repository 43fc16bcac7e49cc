"""Prometheus-named series for a namespace, every 15 s over a window, computed lazily from the model.

Per container (labels namespace/pod/container/service): ``container_cpu_usage_seconds_total``,
``container_memory_working_set_bytes``, ``container_network_receive_bytes_total``,
``container_network_transmit_bytes_total``, ``container_cpu_cfs_throttled_periods_total``,
``kube_pod_container_status_restarts_total``. Per service: ``http_server_requests_total{code}`` and
``http_server_request_duration_seconds{quantile}``; Astronomy Shop adds ``kafka_consumergroup_lag``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aoi_gym.cluster.base import MetricSeries
from aoi_gym.cluster.sim.appmodel.requests import quantile
from aoi_gym.cluster.sim.appmodel.util import EPOCH_OFFSET, main_container_status, parse_cpu_cores, read_rng

if TYPE_CHECKING:
    from aoi_gym.cluster.sim.appmodel import AppModel

__all__ = ["namespace_metrics"]

_MIB = 1024.0 * 1024.0


def namespace_metrics(model: "AppModel", cluster: Any, ns: str, window_s: float) -> list[MetricSeries]:
    from aoi_gym.cluster.sim.appmodel import STEP_S

    got = model.world(cluster, ns)
    if got is None:
        return []
    app, world = got
    ts = model.steps(cluster, ns, window_s)
    evs = model.evaluations(app, world, ts)
    seed = model.seed_of(ns)
    out: list[MetricSeries] = []

    def new(name: str, labels: dict[str, str]) -> list[tuple[float, float]]:
        s = MetricSeries(name, labels, [])
        out.append(s)
        return s.points

    pods = sorted((pv for pvs in world.pods.values() for pv in pvs), key=lambda pv: pv.name)
    per_pod = []
    for pv in pods:
        svc_name = pv.process.labeled or ""
        container = app.container_name(svc_name)
        labels = {"namespace": ns, "pod": pv.name, "container": container, "service": svc_name}
        cs = main_container_status(pv.pod, container) or {}
        restarts = new("kube_pod_container_status_restarts_total", labels)
        restarts += [(EPOCH_OFFSET + t, float(cs.get("restartCount", 0))) for t in ts]
        if not pv.running or pv.process.service is None:
            continue
        limit = parse_cpu_cores(((_spec(pv.pod, container).get("resources") or {}).get("limits") or {}).get("cpu"))
        serving = svc_name not in world.reach or pv in world.reach[svc_name].serving
        share = max(1, len(world.reach[svc_name].serving)) if svc_name in world.reach else 1
        pts = [new(n, dict(labels)) for n in _CONTAINER_SERIES]
        per_pod.append((pv, svc_name, limit, serving and pv.healthy_process, share, pts))
    svc_rows = []
    for name in sorted(app.services):
        if app.services[name].kind in ("app", "frontend"):
            labels = {"namespace": ns, "service": name}
            pts = [new("http_server_requests_total", dict(labels, code="200")),
                   new("http_server_requests_total", dict(labels, code="500"))]
            pts += [new("http_server_request_duration_seconds", dict(labels, quantile=str(q))) for q in (0.5, 0.95, 0.99)]
            svc_rows.append((name, model.background_error(ns, app, name), pts, [0.0, 0.0]))
    lag = []
    if world.fx.kafka_lag_rate and "kafka" in app.services:
        since = max((pv.started_t for pv in world.pods.get("flagd", [])), default=ts[0])
        lag = [(new("kafka_consumergroup_lag", {"namespace": ns, "consumergroup": g, "topic": "orders"}), since)
               for g in ("accounting", "fraud-detection")]
    acc = [[0.0, 0.0, 0.0, 0.0] for _ in per_pod]
    q_memo: dict[tuple[int, str], list[float]] = {}
    for k, (t, ev) in enumerate(zip(ts, evs)):
        ts_abs = EPOCH_OFFSET + t
        noise = read_rng(seed, ns, int(t // STEP_S), "metrics").normal(0.0, model.noise, size=(len(per_pod) + len(svc_rows) + 1, 4)).tolist()
        for i, (pv, svc_name, limit, serving, share, pts) in enumerate(per_pod):
            if t < pv.started_t:
                continue
            svc = pv.process.service
            st = ev.services.get(svc_name)
            served = st.rate / share if st is not None and serving else 0.0
            cores = max(0.0, 0.002 + served * svc.cpu_ms / 1000.0 + world.fx.cpu.get(svc_name, 0.0)) * (1 + 0.05 * noise[i][0])
            throttled = 0.0  # CFS: 150 periods of 100 ms per scrape step; those that hit the quota are counted
            if limit and cores > 0.8 * limit:
                throttled = 150.0 * min(1.0, (cores - 0.8 * limit) / (0.2 * limit))
                cores = min(cores, limit)  # the quota caps what the container can use
            up = t - pv.started_t
            a = acc[i]
            if k == 0:
                back = max(0.0, up - STEP_S)
                a[0], a[1], a[2], a[3] = cores * back, served * 800 * back, served * 1400 * back, throttled * back / STEP_S
            dt = min(STEP_S, up)
            a[0] += cores * dt
            a[1] += served * 800 * dt * (1 + 0.03 * noise[i][1])
            a[2] += served * 1400 * dt * (1 + 0.03 * noise[i][2])
            a[3] += throttled * dt / STEP_S
            mem = (svc.memory_mib + world.fx.memory_mib.get(svc_name, 0.0) * min(1.0, up / 300.0)) * (1 + 0.1 * min(1.0, up / 600.0))
            pts[0].append((ts_abs, round(a[0], 6)))
            pts[1].append((ts_abs, round(mem * _MIB * (1 + 0.01 * noise[i][3]), 1)))
            pts[2].append((ts_abs, round(a[1], 1)))
            pts[3].append((ts_abs, round(a[2], 1)))
            pts[4].append((ts_abs, a[3]))
        for j, (name, bg, pts, tot) in enumerate(svc_rows):
            st = ev.services.get(name)
            if st is None:
                continue
            err = 1.0 - (1.0 - st.err) * (1.0 - bg)
            rate = st.rate * (1 + 0.05 * noise[len(per_pod) + j][0])
            tot[0] += rate * (1 - err) * STEP_S
            tot[1] += rate * err * STEP_S
            pts[0].append((ts_abs, round(tot[0], 3)))
            pts[1].append((ts_abs, round(tot[1], 3)))
            jit = 1 + 0.06 * abs(noise[len(per_pod) + j][1])
            qs = q_memo.get((id(ev), name))
            if qs is None:
                qs = q_memo[(id(ev), name)] = [quantile(st.m, st.s, st.e, q) / 1000.0 for q in (0.5, 0.95, 0.99)]
            for qv, p in zip(qs, pts[2:]):
                p.append((ts_abs, round(qv * jit, 6)))
        for p, since in lag:
            p.append((ts_abs, max(0.0, t - since) * world.fx.kafka_lag_rate * 0.5))
    return out


_CONTAINER_SERIES = ("container_cpu_usage_seconds_total", "container_memory_working_set_bytes",
                     "container_network_receive_bytes_total", "container_network_transmit_bytes_total",
                     "container_cpu_cfs_throttled_periods_total")


def _spec(pod: dict[str, Any], container: str) -> dict[str, Any]:
    for c in pod.get("spec", {}).get("containers", []) or []:
        if c.get("name") == container:
            return c
    return {}
