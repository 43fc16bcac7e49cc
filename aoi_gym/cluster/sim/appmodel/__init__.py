"""The application model: what runs inside the simulated containers (implements ``runtime.AppModel``).

State it keeps that Kubernetes does not show (small, JSON, snapshot-able): per namespace the installed
app (name, build arguments, a noise seed), MongoDB users/roles per instance, Redis/Valkey keys per
instance; plus start records of container instances (what each start decided, for logs and the
request model). Flags are read from the flagd ConfigMap, chaos from NetworkChaos objects, health
from pods/Endpoints/Services: never cached.

Public entry points besides the protocol: ``register_app`` (called by ``App.install``),
``request_stats`` / ``healthy_baseline`` (mitigation oracles), ``cpu_utilization`` (HPA),
``mongo_state`` / ``kv_state`` (read app state), ``app_for`` (the App installed in a namespace).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np

from aoi_gym.apps import app_for_namespace, get_app
from aoi_gym.apps.base import App
from aoi_gym.cluster.base import ExecResult, MetricSeries, Span
from aoi_gym.cluster.sim.appmodel.kv import initial_kv
from aoi_gym.cluster.sim.appmodel.mongo import initial_state
from aoi_gym.cluster.sim.appmodel.plans import decide
from aoi_gym.cluster.sim.appmodel.requests import Evaluation, ServiceStats, baseline, evaluate, stats_of
from aoi_gym.cluster.sim.appmodel.util import parse_cpu_cores, read_rng, stable_hash
from aoi_gym.cluster.sim.appmodel.world import World
from aoi_gym.cluster.sim.runtime import ContainerPlan

__all__ = ["AppModel", "ServiceStats", "STEP_S"]

STEP_S = 15.0  # Prometheus scrape step


class AppModel:
    """The default application model of :class:`~aoi_gym.cluster.sim.cluster.SimCluster`."""

    def __init__(self) -> None:
        self._state: dict[str, Any] = {"apps": {}, "mongo": {}, "kv": {}}
        self._starts: dict[str, tuple] = {}  # "ns/pod/container" -> (uid, t_start, code, detail, exit_t, prev)
        self._apps: dict[str, App] = {}
        self._prune_at = 256
        #: bumped by every change of the state above (and by restore): keys the World cache
        self._version = 0
        # namespace -> (cache key, App, World); invisible: rebuilt whenever the store, this model's
        # state or the clock moved (see ``world``)
        self._worlds: dict[str, tuple[tuple, App, World]] = {}
        # namespace -> (App, its healthy Evaluation): a pure function of the App, asked at every env reset
        self._baselines: dict[str, tuple[App, Evaluation]] = {}
        #: scale of background noise in telemetry (1.0 realistic, 0.0 none): benign log lines, benign
        #: error rates, jitter of metrics and stats. Configuration, not state: not in snapshots/digests.
        self.noise = 1.0

    # ------------------------------------------------------------------ apps and state
    def register_app(self, cluster: Any, app: App) -> None:
        """Record that ``app`` is installed in ``app.namespace`` and initialise its stores' state."""
        ns = app.namespace
        self._version += 1
        kwargs = {k: app.params[k] for k in ("n_services", "seed") if k in app.params}
        if app.name == "synthetic" and ns != "synthetic":
            kwargs["namespace"] = ns
        seed = int(cluster.rng.integers(0, 2**31 - 1))
        self._state["apps"][ns] = {"name": app.name, "kwargs": kwargs, "seed": seed}
        self._apps[ns] = app
        self._state["mongo"][ns] = {n: initial_state(app, n, "--auth" in s.args)
                                    for n, s in app.services.items() if s.kind == "mongodb"}
        self._state["kv"][ns] = {n: initial_kv(n) for n, s in app.services.items() if s.kind == "redis"}

    def app_for(self, cluster: Any, ns: str) -> App | None:
        """The App installed in ``ns`` (registered, or AIOpsLab's default for that namespace), or None."""
        entry = self._state["apps"].get(ns)
        cached = self._apps.get(ns)
        if entry is not None:
            if cached is None or cached.name != entry["name"]:
                cached = self._apps[ns] = get_app(entry["name"], **entry["kwargs"])
            return cached
        if cached is None:
            app = app_for_namespace(ns)
            if app is None:
                return None
            cached = self._apps[ns] = app
        return cached

    def seed_of(self, ns: str) -> int:
        entry = self._state["apps"].get(ns)
        return int(entry["seed"]) if entry else stable_hash("default-seed", ns) % (2**31)

    def mongo_state(self, ns: str, store: str, create: bool = False) -> dict[str, Any]:
        """Users of MongoDB instance ``store`` (``create``: store a fresh state for writing if none)."""
        if create:
            self._version += 1  # the caller is about to write
        cur = self._state["mongo"].get(ns, {}).get(store)
        if cur is not None:
            return cur
        app = self._apps.get(ns)
        fresh = initial_state(app, store, "--auth" in app.services[store].args) if app and store in app.services else {"users": {}}
        if create:
            self._state["mongo"].setdefault(ns, {})[store] = fresh
        return fresh

    def kv_state(self, ns: str, store: str, create: bool = False) -> dict[str, str]:
        if create:
            self._version += 1  # the caller is about to write
        cur = self._state["kv"].get(ns, {}).get(store)
        if cur is not None:
            return cur
        fresh = initial_kv(store)
        if create:
            self._state["kv"].setdefault(ns, {})[store] = fresh
        return fresh

    # ------------------------------------------------------------------ container starts
    def container_plan(self, cluster: Any, pod: dict, container: dict) -> ContainerPlan:
        ns = pod["metadata"].get("namespace", "default")
        app = self.app_for(cluster, ns)
        d = decide(self, cluster, app, pod, container)
        key = f"{ns}/{pod['metadata']['name']}/{container.get('name')}"
        uid = pod["metadata"].get("uid")
        old = self._starts.get(key)
        prev = old[:5] + (None,) if old is not None and old[0] == uid and old[2] != "image" else None
        t0 = cluster.t + d.plan.start_delay_s
        exit_t = None if d.plan.exit_after_s is None else t0 + d.plan.exit_after_s
        self._starts[key] = (uid, t0, d.code, d.detail, exit_t, prev)
        self._version += 1
        if len(self._starts) > self._prune_at:
            self._prune(cluster)
        return d.plan

    def _prune(self, cluster: Any) -> None:
        store = getattr(cluster, "store", None)
        bucket = store.bucket("Pod") if hasattr(store, "bucket") else None
        if bucket is not None:
            # the store's (namespace, name) keys are the pods' own: joined without a look into each pod
            live = {ns + "/" + name for ns, name in bucket}
        else:
            live = {f"{p['metadata'].get('namespace')}/{p['metadata']['name']}" for p in cluster.iter_objects("Pod")}
        self._starts = {k: v for k, v in self._starts.items() if k.rsplit("/", 1)[0] in live}
        self._prune_at = max(256, 2 * len(self._starts))
        self._version += 1

    def start_record(self, ns: str, pod: str, container: str, uid: str | None = None) -> tuple | None:
        """(uid, t_start, code, detail, exit_t, prev) of the container's current instance, or None."""
        rec = self._starts.get(f"{ns}/{pod}/{container}")
        if rec is None or (uid is not None and rec[0] != uid):
            return None
        return rec

    # ------------------------------------------------------------------ the request model
    def world(self, cluster: Any, ns: str) -> tuple[App, World] | None:
        """The App in ``ns`` and the World now (shared until anything it reads changes: do not modify)."""
        app = self.app_for(cluster, ns)
        if app is None or cluster.peek("Namespace", ns) is None:
            return None
        store = getattr(cluster, "store", None)
        if store is None:
            return app, World(self, cluster, app, ns)
        key = (id(cluster), store.epoch, store.resource_version, self._version, cluster.t)
        hit = self._worlds.get(ns)
        if hit is not None and hit[0] == key and hit[1] is app and hit[2].cluster is cluster:
            return app, hit[2]
        world = World(self, cluster, app, ns)
        self._worlds[ns] = (key, app, world)
        return app, world

    def steps(self, cluster: Any, ns: str, window_s: float) -> list[float]:
        """Scrape times (simulated ``t``) in the window ending now, never before the namespace existed."""
        nso = cluster.peek("Namespace", ns)
        born = cluster.parse_timestamp(nso["metadata"].get("creationTimestamp")) if nso else cluster.t
        start = max(born, cluster.t - max(0.0, float(window_s)))
        k0, k1 = int(start // STEP_S) + 1, int(cluster.t // STEP_S)
        ts = [k * STEP_S for k in range(k0, k1 + 1)]
        return ts or [cluster.t]

    def evaluations(self, app: App, world: World, ts: list[float]) -> list[Evaluation]:
        """One evaluation per time, shared between times with the same active chaos rules (the only way
        ``evaluate`` depends on the time) and kept with the world. Shared: do not modify them."""
        memo: dict[tuple[str, ...], Evaluation] = world.evaluations
        out = []
        for t in ts:
            key = tuple(r.name for r in world.chaos_at(t))
            if key not in memo:
                memo[key] = evaluate(app, world, t)
            out.append(memo[key])
        return out

    def background_error(self, ns: str, app: App, svc: str) -> float:
        """A small benign error rate some services always have (red herrings), fixed per seed."""
        if app.services[svc].kind not in ("app", "frontend"):
            return 0.0
        u = stable_hash(self.seed_of(ns), ns, svc, "bg")
        return min(1.0, (0.002 + (u % 7) / 1000.0) * self.noise) if u % 4 == 0 else 0.0

    def request_stats(self, cluster: Any, namespace: str, window_s: float = 300.0) -> dict[str, ServiceStats]:
        """Per service: rps, error_rate, p50/p95/p99 ms averaged over the window (noise included)."""
        got = self.world(cluster, namespace)
        if got is None:
            return {}
        app, world = got
        ts = self.steps(cluster, namespace, window_s)
        evs = self.evaluations(app, world, ts)
        seed = self.seed_of(namespace)
        names = sorted(app.services)
        bg = np.array([self.background_error(namespace, app, n) for n in names])
        base: dict[int, np.ndarray] = {}  # per distinct evaluation: rows rps, err, p50, p95, p99
        rps_sum, err_sum, lat_sum = np.zeros(len(names)), np.zeros(len(names)), np.zeros((3, len(names)))
        for t, ev in zip(ts, evs):
            arr = base.get(id(ev))
            if arr is None:
                cols = [stats_of(ev.services[n]) if n in ev.services else ServiceStats(0.0, 0.0, 0.0, 0.0, 0.0) for n in names]
                arr = base[id(ev)] = np.array([[x.rps, x.error_rate, x.p50_ms, x.p95_ms, x.p99_ms] for x in cols]).T
            jit = read_rng(seed, namespace, int(t // STEP_S), "stats").normal(0.0, 1.0, size=(2, len(names)))
            jit = jit * self.noise
            rps = arr[0] * (1.0 + 0.05 * jit[0])
            err = np.where(arr[0] > 0, 1.0 - (1.0 - arr[1]) * (1.0 - bg), 0.0)
            rps_sum += rps
            err_sum += err * rps
            lat_sum += arr[2:5] * np.maximum(0.7, 1.0 + 0.06 * jit[1])
        k = len(ts)
        return {
            n: ServiceStats(float(rps_sum[i] / k), float(err_sum[i] / rps_sum[i]) if rps_sum[i] > 0 else 0.0,
                            float(lat_sum[0, i] / k), float(lat_sum[1, i] / k), float(lat_sum[2, i] / k))
            for i, n in enumerate(names) if n in evs[0].services
        }

    def healthy_baseline(self, cluster: Any, namespace: str) -> dict[str, ServiceStats]:
        """What ``request_stats`` would report for the same app with no fault (no noise)."""
        app = self.app_for(cluster, namespace)
        if app is None:
            return {}
        hit = self._baselines.get(namespace)
        if hit is None or hit[0] is not app:
            hit = self._baselines[namespace] = (app, baseline(app))
        ev = hit[1]
        return {n: stats_of(st, extra_err=self.background_error(namespace, app, n)) for n, st in ev.services.items()}

    def cpu_utilization(self, cluster: Any, namespace: str, deployment: str) -> float | None:
        """Mean CPU use of the deployment's pods in percent of their CPU request (None if unknown), as the
        HPA controller reads it (``averageUtilization``)."""
        dep = cluster.peek("Deployment", deployment, namespace)
        got = self.world(cluster, namespace)
        if dep is None or got is None:
            return None
        app, world = got
        tmpl = dep["spec"]["template"]
        svc = (tmpl["metadata"].get("labels") or {}).get(app.label_key, deployment)
        containers = tmpl["spec"].get("containers") or []
        req = parse_cpu_cores(((containers[0].get("resources") or {}).get("requests") or {}).get("cpu")) if containers else None
        if not req or svc not in app.services:
            return None
        pods = [pv for pv in world.pods.get(svc, []) if pv.healthy_process]
        if not pods:
            return None
        ev = self.evaluations(app, world, [cluster.t])[0]
        st = ev.services.get(svc)
        rps = st.rate if st else 0.0
        cores = rps * app.services[svc].cpu_ms / 1000.0 / len(pods) + 0.002 + world.fx.cpu.get(svc, 0.0)
        limit = parse_cpu_cores(((containers[0].get("resources") or {}).get("limits") or {}).get("cpu"))
        if limit:
            cores = min(cores, limit)  # usage never exceeds the CFS quota
        return 100.0 * cores / req

    # ------------------------------------------------------------------ inside containers
    def logs(self, cluster: Any, pod: dict, container: str, previous: bool, since_t: float | None) -> list[tuple[float, str]]:
        from aoi_gym.cluster.sim.appmodel.logs import container_logs

        return container_logs(self, cluster, pod, container, previous, since_t)

    def exec(self, cluster: Any, pod: dict, container: str, argv: list[str], stdin: str | None) -> ExecResult:
        from aoi_gym.cluster.sim.appmodel.shell import run_exec

        try:
            return run_exec(self, cluster, pod, container, argv, stdin)
        finally:
            self._version += 1  # a command may have changed application state

    def metrics(self, cluster: Any, namespace: str, window_s: float) -> list[MetricSeries]:
        from aoi_gym.cluster.sim.appmodel.metrics import namespace_metrics

        return namespace_metrics(self, cluster, namespace, window_s)

    def traces(self, cluster: Any, namespace: str, window_s: float) -> list[Span]:
        from aoi_gym.cluster.sim.appmodel.traces import namespace_traces

        return namespace_traces(self, cluster, namespace, window_s)

    # ------------------------------------------------------------------ snapshot / digest
    def snapshot(self) -> Any:
        return (json.loads(json.dumps(self._state)), dict(self._starts), self._prune_at)

    def restore(self, snap: Any) -> None:
        state, starts, prune_at = snap
        self._state = json.loads(json.dumps(state))
        self._starts = dict(starts)
        self._prune_at = prune_at
        self._version += 1
        self._worlds = {}

    def digest_state(self) -> str:
        """Hash of the application state an action can change (DB users, cache keys, installed apps).

        The per-install noise seed is left out: a namespace deleted and installed again draws a new one,
        yet its application state equals a fresh install's."""
        apps = {ns: {k: v for k, v in entry.items() if k != "seed"} for ns, entry in self._state["apps"].items()}
        data = json.dumps({**self._state, "apps": apps}, sort_keys=True, separators=(",", ":"))
        return hashlib.blake2b(data.encode(), digest_size=16).hexdigest()
