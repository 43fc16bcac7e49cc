"""A read-only view of one namespace for the request model, built from the store at query time.

For each service of the topology: does its Service exist, which endpoints are ready, which of them run
a process that accepts on the Service's targetPort (a targetPort of 9999 while the server listens on
9090 refuses every connection). Plus per-request MongoDB credential/TLS problems, flagd flags, the
NetworkChaos rules that touch the namespace's pods, the CPU limits of serving pods (CFS throttling),
the NetworkPolicies between callers and callees, whether callers can resolve names (CoreDNS), and
extra load from in-cluster load generators (``ghz``/``wrk2`` pods aimed at a service).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aoi_gym.apps.base import App
from aoi_gym.cluster.sim.appmodel.chaos import NetRule, network_rules
from aoi_gym.cluster.sim.appmodel.flags import FlagEffects, flag_effects, read_flags
from aoi_gym.cluster.sim.appmodel.identity import Process, container_spec, identify
from aoi_gym.cluster.sim.appmodel.loadgen import load_of
from aoi_gym.cluster.sim.appmodel.mongo import check_client
from aoi_gym.cluster.sim.appmodel.netpolicy import allowed, can_resolve, dns_up, has_policies
from aoi_gym.cluster.sim.appmodel.plans import effective_db_client
from aoi_gym.cluster.sim.appmodel.util import (cluster_ip, label_of, main_container_status, parse_cpu_cores, pod_ip, pod_ready,
                                               pod_serving_phase)

if TYPE_CHECKING:
    from aoi_gym.cluster.sim.appmodel import AppModel

__all__ = ["PodView", "Reach", "World"]


@dataclass
class PodView:
    name: str
    ip: str
    pod: dict[str, Any]
    process: Process
    code: str  # start record code of the current container instance
    running: bool
    ready: bool
    started_t: float

    @property
    def healthy_process(self) -> bool:
        return self.running and self.code == "ok" and self.process.kind == "app"

    def accepts(self, port: int | None) -> bool:
        return self.healthy_process and port in self.process.listen


@dataclass
class Reach:
    """How a client connecting to ``service`` through its Service fares."""

    exists: bool
    ip: str = ""
    port: int | None = None
    target_port: int | None = None
    endpoints: list[PodView] = field(default_factory=list)
    serving: list[PodView] = field(default_factory=list)

    @property
    def ok_frac(self) -> float:
        return len(self.serving) / len(self.endpoints) if self.endpoints else 0.0

    @property
    def fail_kind(self) -> str:
        if not self.exists:
            return "no_service"
        if not self.endpoints:
            return "no_endpoints"
        return "refused" if len(self.serving) < len(self.endpoints) else ""


class World:
    """The namespace as the request model sees it at the current simulated time."""

    def __init__(self, model: "AppModel", cluster: Any, app: App, ns: str) -> None:
        self.app, self.ns, self.cluster, self.t = app, ns, cluster, cluster.t
        #: chaos rule names -> Evaluation, filled by ``AppModel.evaluations``
        self.evaluations: dict[tuple[str, ...], Any] = {}
        self.pods: dict[str, list[PodView]] = {}
        by_ip: dict[str, PodView] = {}
        self.extra_load: dict[tuple[str, str], float] = {}  # (service, op) -> rps from in-cluster load generators
        for p in cluster.iter_objects("Pod", ns):
            svc = label_of(p, app.label_key)
            if svc is None or svc not in app.services:
                for key, rps in load_of(cluster, app, ns, p).items():
                    self.extra_load[key] = self.extra_load.get(key, 0.0) + rps
                continue
            cname = app.container_name(svc)
            spec = container_spec(p, cname) or (p["spec"]["containers"][0] if p["spec"].get("containers") else {})
            cs = main_container_status(p, spec.get("name", cname))
            running = pod_serving_phase(p) and (cs is None or "running" in (cs.get("state") or {}))
            rec = model.start_record(ns, p["metadata"]["name"], spec.get("name", cname), p["metadata"].get("uid"))
            proc = identify(app, p, spec)
            code = rec[2] if rec else ("ok" if proc.kind == "app" else proc.kind)
            started = rec[1] if rec else cluster.parse_timestamp(p["metadata"].get("creationTimestamp"))
            pv = PodView(p["metadata"]["name"], pod_ip(p), p, proc, code, running, pod_ready(p), started)
            self.pods.setdefault(svc, []).append(pv)
            by_ip[pv.ip] = pv
        self.by_ip = by_ip
        self.reach: dict[str, Reach] = {name: self._reach(name, by_ip) for name, s in app.services.items() if s.port}
        self.fx: FlagEffects = flag_effects(self._flags(cluster))
        self.rules: list[NetRule] = [r for r in network_rules(cluster) if any(k.startswith(ns + "/") for k in r.pods)]
        self.db_issues: dict[tuple[str, str], tuple[str, str]] = self._db_issues(model)
        src = app.workload_source
        self.source_ok = src is None or any(pv.healthy_process for pv in self.pods.get(src, []))
        self.cpu_limit: dict[str, float] = self._cpu_limits()
        self.no_dns: set[str] = self._unresolving()
        self.denied: dict[tuple[str, str], float] = self._denied() if has_policies(cluster, ns) else {}

    def _cpu_limits(self) -> dict[str, float]:
        """Service -> the smallest CPU limit (cores) among its serving pods' main containers."""
        out: dict[str, float] = {}
        for name, r in self.reach.items():
            for pv in r.serving:
                c = container_spec(pv.pod, self.app.container_name(name)) or {}
                lim = parse_cpu_cores(((c.get("resources") or {}).get("limits") or {}).get("cpu"))
                if lim is not None and lim > 0:
                    out[name] = min(out.get(name, lim), lim)
        return out

    def _representative(self, service: str) -> PodView | None:
        return next((pv for pv in self.pods.get(service, []) if pv.healthy_process), None)

    def _unresolving(self) -> set[str]:
        """Services whose pods cannot resolve Service names (CoreDNS down, or DNS egress denied)."""
        up = dns_up(self.cluster)
        if up and not has_policies(self.cluster, self.ns):
            return set()
        out = set()
        for name in self.app.services:
            pv = self._representative(name)
            if pv is not None and (not up or not can_resolve(self.cluster, pv.pod)):
                out.add(name)
        return out

    def _denied(self) -> dict[tuple[str, str], float]:
        """(caller, callee) -> fraction of the callee's serving pods a NetworkPolicy keeps the caller from."""
        out: dict[tuple[str, str], float] = {}
        pairs = sorted({(op.service, c.callee) for op in self.app.operations.values() for c in op.calls})
        for caller, callee in pairs:
            src, reach = self._representative(caller), self.reach.get(callee)
            if src is None or reach is None or not reach.serving:
                continue
            blocked = sum(1 for pv in reach.serving if not allowed(self.cluster, src.pod, pv.pod, reach.target_port))
            if blocked:
                out[(caller, callee)] = blocked / len(reach.serving)
        return out

    def _flags(self, cluster: Any) -> dict[str, Any] | None:
        if "flagd" not in self.app.services:
            return None
        r = self._reach("flagd", self.by_ip) if "flagd" in self.app.services else None
        if r is None or not r.serving:
            return None  # clients fall back to the flags' defaults (off)
        return read_flags(cluster, self.ns)

    def _reach(self, name: str, by_ip: dict[str, PodView]) -> Reach:
        svc_obj = self.cluster.peek("Service", name, self.ns)
        topo = self.app.services[name]
        if svc_obj is None:
            return Reach(False)
        ports = (svc_obj.get("spec") or {}).get("ports") or []
        entry = next((p for p in ports if p.get("port") == topo.port), None)
        reach = Reach(True, cluster_ip(svc_obj), topo.port)
        if entry is None:
            return reach  # the client's port is not on the Service: nothing answers
        ep = self.cluster.peek("Endpoints", name, self.ns)
        if ep is not None:
            ips = [a.get("ip") for s in ep.get("subsets") or [] for a in s.get("addresses") or []]
            endpoints = [by_ip[ip] for ip in ips if ip in by_ip]
        else:
            sel = (svc_obj.get("spec") or {}).get("selector") or {}
            endpoints = [pv for pvs in self.pods.values() for pv in pvs
                         if sel and all((pv.pod["metadata"].get("labels") or {}).get(k) == v for k, v in sel.items())
                         and pv.ready]
        reach.endpoints = endpoints
        tp = entry.get("targetPort", entry.get("port"))
        for pv in endpoints:
            port = tp
            if isinstance(tp, str) and not tp.isdigit():
                c = container_spec(pv.pod, self.app.container_name(pv.process.labeled or name)) or {}
                port = next((p.get("containerPort") for p in c.get("ports") or [] if p.get("name") == tp), None)
            port = int(port) if port is not None else None
            reach.target_port = port
            if pv.accepts(port):
                reach.serving.append(pv)
        return reach

    def store_args(self, store: str) -> list[str]:
        """Command-line args of ``store`` (from a live pod, else its Deployment template)."""
        for pv in self.pods.get(store, []):
            if not pv.pod["metadata"].get("deletionTimestamp"):
                c = pv.pod["spec"]["containers"][0]
                return [str(a) for a in (c.get("command") or [])[1:] + (c.get("args") or [])]
        dep = self.cluster.peek("Deployment", store, self.ns)
        c = dep["spec"]["template"]["spec"]["containers"][0] if dep else {}
        return [str(a) for a in (c.get("command") or [])[1:] + (c.get("args") or [])] if dep else list(self.app.services[store].args)

    def _db_issues(self, model: "AppModel") -> dict[tuple[str, str], tuple[str, str]]:
        """Per-request failures of running clients against their stores (auth state now, TLS required)."""
        out: dict[tuple[str, str], tuple[str, str]] = {}
        tls_stores = set()
        for name, s in self.app.services.items():
            if s.kind == "mongodb":
                args = self.store_args(name)
                if "--tlsMode" in args and args[args.index("--tlsMode") + 1:][:1] == ["requireTLS"]:
                    tls_stores.add(name)
        for op in self.app.operations.values():
            for c in op.calls:
                if c.callee in tls_stores:
                    out[(op.service, c.callee)] = ("tls", "No suitable servers found (`serverSelectionTryOnce` set): "
                                                   f"[connection closed calling hello on '{c.callee}:27017']")
        for name, pvs in self.pods.items():
            svc = self.app.services[name]
            if svc.db is None or not pvs:
                continue
            pv = pvs[0]
            client = effective_db_client(self.cluster, self.app, self.ns, pv.process,
                                         container_spec(pv.pod, self.app.container_name(name)) or {})
            if client is None:
                continue
            auth = "--auth" in self.store_args(client.store)
            bad = check_client(model.mongo_state(self.ns, client.store), client, auth)
            if bad:
                out[(name, client.store)] = bad
        return out

    def chaos_at(self, t: float) -> tuple[NetRule, ...]:
        return tuple(r for r in self.rules if r.active(t))

    def chaos_on(self, service: str, rules: tuple[NetRule, ...]) -> tuple[float, float, float]:
        """(fraction of ``service``'s serving pods hit, loss, delay ms) under the active ``rules``."""
        pvs = self.reach[service].serving if service in self.reach else [pv for pv in self.pods.get(service, []) if pv.running]
        if not pvs or not rules:
            return (0.0, 0.0, 0.0)
        hit, loss, delay = 0, 0.0, 0.0
        for pv in pvs:
            key = f"{self.ns}/{pv.name}"
            mine = [r for r in rules if key in r.pods]
            if mine:
                hit += 1
                loss = max(loss, max(r.loss for r in mine))
                delay = max(delay, sum(r.delay_ms for r in mine))
        return (hit / len(pvs), loss, delay)
