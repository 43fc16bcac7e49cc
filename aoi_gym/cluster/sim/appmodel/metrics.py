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
    series: dict[tuple[str, tuple], MetricSeries] = {}

    def add(name: str, labels: dict[str, str], t: float, v: float) -> None:
        key = (name, tuple(sorted(labels.items())))
        s = series.get(key)
        if s is None:
            s = series[key] = MetricSeries(name, dict(labels), [])
        s.points.append((EPOCH_OFFSET + t, round(float(v), 6)))

    pods = sorted((pv for pvs in world.pods.values() for pv in pvs), key=lambda pv: pv.name)
    totals: dict[str, list[float]] = {}
    for k, (t, ev) in enumerate(zip(ts, evs)):
        rng = read_rng(seed, ns, int(t // STEP_S), "metrics")
        noise = rng.normal(0.0, 1.0, size=(len(pods) + len(ev.services) + 1, 4))
        for i, pv in enumerate(pods):
            svc_name = pv.process.labeled or ""
            container = app.container_name(svc_name)
            labels = {"namespace": ns, "pod": pv.name, "container": container, "service": svc_name}
            cs = main_container_status(pv.pod, container) or {}
            add("kube_pod_container_status_restarts_total", labels, t, cs.get("restartCount", 0))
            if not pv.running or t < pv.started_t or pv.process.service is None:
                continue
            svc = pv.process.service
            share = max(1, len(world.reach[svc_name].serving)) if svc_name in world.reach else 1
            st = ev.services.get(svc_name)
            served = st.rate / share if st is not None and pv.healthy_process and (
                svc_name not in world.reach or pv in world.reach[svc_name].serving) else 0.0
            cores = max(0.0, 0.002 + served * svc.cpu_ms / 1000.0 + world.fx.cpu.get(svc_name, 0.0)) * (1 + 0.05 * noise[i, 0])
            up = t - pv.started_t
            acc = totals.setdefault(pv.name, [0.0, 0.0, 0.0, 0.0])
            if k == 0:
                acc[0], acc[1], acc[2] = cores * max(0.0, up - STEP_S), served * 800 * max(0.0, up - STEP_S), served * 1400 * max(0.0, up - STEP_S)
            acc[0] += cores * min(STEP_S, up)
            acc[1] += served * 800 * min(STEP_S, up) * (1 + 0.03 * noise[i, 1])
            acc[2] += served * 1400 * min(STEP_S, up) * (1 + 0.03 * noise[i, 2])
            limit = parse_cpu_cores(((_spec(pv.pod, container).get("resources") or {}).get("limits") or {}).get("cpu"))
            if limit and cores > 0.8 * limit:
                acc[3] += 150.0 * min(1.0, (cores - 0.8 * limit) / (0.2 * limit))
            mem = (svc.memory_mib + world.fx.memory_mib.get(svc_name, 0.0) * min(1.0, up / 300.0)) * (1 + 0.1 * min(1.0, up / 600.0))
            add("container_cpu_usage_seconds_total", labels, t, acc[0])
            add("container_memory_working_set_bytes", labels, t, mem * _MIB * (1 + 0.01 * noise[i, 3]))
            add("container_network_receive_bytes_total", labels, t, acc[1])
            add("container_network_transmit_bytes_total", labels, t, acc[2])
            add("container_cpu_cfs_throttled_periods_total", labels, t, acc[3])
        for j, (name, st) in enumerate(sorted(ev.services.items())):
            if app.services[name].kind not in ("app", "frontend"):
                continue
            labels = {"namespace": ns, "service": name}
            bg = model.background_error(ns, app, name)
            err = 1.0 - (1.0 - st.err) * (1.0 - bg)
            acc = totals.setdefault("svc/" + name, [0.0, 0.0])
            rate = st.rate * (1 + 0.05 * noise[len(pods) + j, 0])
            acc[0] += rate * (1 - err) * STEP_S
            acc[1] += rate * err * STEP_S
            add("http_server_requests_total", dict(labels, code="200"), t, acc[0])
            add("http_server_requests_total", dict(labels, code="500"), t, acc[1])
            for q in (0.5, 0.95, 0.99):
                add("http_server_request_duration_seconds", dict(labels, quantile=str(q)), t,
                    quantile(st.m, st.s, st.e, q) / 1000.0 * (1 + 0.06 * abs(noise[len(pods) + j, 1])))
        if world.fx.kafka_lag_rate and "kafka" in app.services:
            flagd = world.pods.get("flagd", [])
            since = max((pv.started_t for pv in flagd), default=ts[0])
            for group in ("accounting", "fraud-detection"):
                add("kafka_consumergroup_lag", {"namespace": ns, "consumergroup": group, "topic": "orders"}, t,
                    max(0.0, t - since) * world.fx.kafka_lag_rate * 0.5)
    return list(series.values())


def _spec(pod: dict[str, Any], container: str) -> dict[str, Any]:
    for c in pod.get("spec", {}).get("containers", []) or []:
        if c.get("name") == container:
            return c
    return {}
