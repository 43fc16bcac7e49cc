"""The App abstraction: a microservice application's topology, its Kubernetes manifests and its install.

A topology is a set of :class:`Service` s (what listens where, what it runs, what it stores), a set of
:class:`Operation` s (what one request to a service does: its own work and the calls it makes), and a
workload mix (which entry operations clients call, how often). The application model of the simulated
cluster turns the topology plus the live cluster state into error rates, latencies, logs and traces.

Subclasses only declare data; :meth:`App.manifests` renders plain Kubernetes dicts the way the real
deployment tool (kubectl apply of the kompose files, or a Helm chart) would create them.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aoi_gym.cluster.sim.cluster import SimCluster

__all__ = ["Service", "Call", "Operation", "DbClient", "App", "Manifests", "complete_operations"]

Manifests = list[dict[str, Any]]


@dataclass(frozen=True)
class DbClient:
    """A service's MongoDB connection: which store, database and credentials it uses at start."""

    store: str
    db: str
    user: str = ""
    password: str = ""
    collection: str = "data"


@dataclass(frozen=True)
class Service:
    """One component of an application.

    ``kind`` is the role (``app``, ``frontend``, ``mongodb``, ``memcached``, ``redis``, ``kafka``, ``flagd``,
    ``loadgen``, ``infra``); ``protocol`` what its port speaks; ``style`` the log style of its process.
    ``port`` is the port the process listens on (and the Service port); ``extra_ports`` more (name, port).
    """

    name: str
    kind: str
    port: int | None
    protocol: str
    style: str
    image: str
    command: tuple[str, ...] = ()
    args: tuple[str, ...] = ()
    extra_ports: tuple[tuple[str, int], ...] = ()
    memory_mib: int = 24
    cpu_ms: float = 1.5
    db: DbClient | None = None
    http_paths: tuple[str, ...] = ("/",)
    description: str = ""
    env: tuple[tuple[str, str], ...] = ()
    language: str = ""

    @property
    def listen_ports(self) -> tuple[int, ...]:
        if not self.extra_ports:
            return (self.port,) if self.port else ()
        ports = tuple(p for _, p in self.extra_ports)
        return ((self.port,) + ports) if self.port else ports

    @property
    def is_store(self) -> bool:
        return self.kind in ("mongodb", "memcached", "redis", "kafka")


@dataclass(frozen=True)
class Call:
    """A call made while serving an operation: ``count`` calls per request (may be fractional).

    ``critical``: a failure of the call fails the caller's request. ``asynchronous``: fire and forget
    (adds load to the callee, never errors or latency to the caller).
    """

    callee: str
    op: str
    count: float = 1.0
    critical: bool = True
    asynchronous: bool = False


@dataclass(frozen=True)
class Operation:
    """What one request to ``service``'s operation ``name`` does: ``self_ms`` of own work, then calls."""

    service: str
    name: str
    self_ms: float
    calls: tuple[Call, ...] = ()

    @property
    def key(self) -> tuple[str, str]:
        return (self.service, self.name)


@dataclass
class App:
    """An application: topology + manifests + install. Built by the per-app modules; see ``aoi_gym.apps``.

    Fields other helpers rely on: ``name`` (registry key), ``namespace``, ``label_key`` (pods of service
    ``s`` carry ``{label_key: s}``), ``services`` (name -> :class:`Service`), ``container_name(s)``.
    """

    name: str
    title: str
    namespace: str
    label_key: str
    description: str
    services: dict[str, Service]
    operations: dict[tuple[str, str], Operation]
    workload: list[tuple[str, str, float]]  # (entry service, operation, weight)
    workload_rps: float
    supported_operations: list[str]
    workload_source: str | None = None  # a service generating the load (None: an external client)
    container_names: dict[str, str] = field(default_factory=dict)
    binaries: dict[str, str] = field(default_factory=dict)  # binary/command name -> service it implements
    extra_images: frozenset[str] = frozenset()
    helm_release: str | None = None
    helm_chart: str = ""
    helm_version: str = ""
    timeout_ms: float = 10000.0
    params: dict[str, Any] = field(default_factory=dict)
    renderer: Any = None  # callable(app, values) -> Manifests

    # ------------------------------------------------------------------ naming
    def container_name(self, service: str) -> str:
        """Name of the main container of ``service``'s pods (e.g. ``hotel-reserv-geo``)."""
        return self.container_names.get(service, service)

    def selector(self, service: str) -> str:
        """Label selector string of ``service``'s pods (``io.kompose.service=geo``)."""
        return f"{self.label_key}={service}"

    def service_of_binary(self, binary: str) -> str | None:
        return self.binaries.get(binary.rsplit("/", 1)[-1])

    @property
    def known_images(self) -> frozenset[str]:
        """Images the application's real registries serve (its own images plus extras such as buggy builds)."""
        return frozenset(s.image for s in self.services.values()) | self.extra_images

    @property
    def app_services(self) -> list[str]:
        """Names of the services that run application code (not stores or infrastructure)."""
        return [s.name for s in self.services.values() if s.kind in ("app", "frontend")]

    # ------------------------------------------------------------------ rendering / install
    def manifests(self, values: dict[str, Any] | None = None) -> Manifests:
        """The objects the real deployment creates (plain dicts, namespaced to ``self.namespace``)."""
        return self.renderer(self, values or {})

    def render_values(self, values: dict[str, Any]) -> Manifests:
        """Render the manifests for Helm ``values`` (nested dict, e.g. from ``--set a.b=c``)."""
        if self.helm_release is None:
            raise ValueError(f"{self.name} is not deployed with Helm; it has no values to render")
        return self.manifests(values)

    def summary(self) -> str:
        """The service description an agent's task prompt starts with."""
        ops = "\n".join(f"  - {o}" for o in self.supported_operations)
        return (
            f"Service Name: {self.title}\nNamespace: {self.namespace}\nDescription: {self.description}\n"
            f"Supported Operations:\n{ops}"
        )

    def kind_workers(self, pods_per_worker: int = 100) -> int:
        """Worker nodes a kind cluster needs to run every pod of the app: a node admits 110 pods and
        kube-system's DaemonSets take some, so ``pods_per_worker`` each; at least 2 (AIOpsLab's kind
        setup). The three real applications fit on 2; ``synthetic(1000)`` needs 13."""
        manifests = self.manifests()
        pods = sum(int((o.get("spec") or {}).get("replicas", 1) or 0) for o in manifests
                   if o["kind"] in ("Deployment", "StatefulSet"))
        # A cluster is sized just before the app is installed: the next install(values=None) takes these
        # freshly rendered (and only read) objects over instead of rendering them again. Keyed by this
        # object's id, so that a copy of the App never takes over (and stores) the same dicts.
        self.__dict__["_rendered_for_install"] = (id(self), manifests)
        return max(2, -(-pods // pods_per_worker))

    def _manifests_to_install(self, values: dict[str, Any] | None) -> Manifests:
        """Fresh manifests for :meth:`install`: the ones :meth:`kind_workers` rendered last, if any
        (each is handed over once), else a new rendering."""
        handed = self.__dict__.pop("_rendered_for_install", None)
        if handed is not None and handed[0] == id(self) and not values:
            return handed[1]
        return self.manifests(values)

    def _install_rank(self, obj: dict[str, Any]) -> int:
        """Config and storage first, then Services, then stores, then the services that dial them."""
        kind = obj["kind"]
        if kind != "Deployment":
            return {"ConfigMap": 0, "Secret": 0, "PersistentVolume": 1, "PersistentVolumeClaim": 2, "Service": 3}.get(kind, 6)
        svc = self.services.get(obj["metadata"]["name"])
        return 4 if svc is not None and svc.is_store or (svc is not None and svc.kind in ("flagd", "infra")) else 5

    def install(self, cluster: "SimCluster | Any", values: dict[str, Any] | None = None) -> None:
        """Create the namespace and every object; register the app with a simulated cluster's model.

        The caller then advances time (``cluster.advance(...)``) so that the pods start.
        """
        from aoi_gym.apps.helm import release_secret

        cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": self.namespace}})
        register = getattr(getattr(cluster, "app", None), "register_app", None)
        if register is not None:
            register(cluster, self)
        # Like `kubectl apply -f dir/`: every object exists before the controllers act. On SimCluster the
        # batch defers reconciling to one pass at the end (a create otherwise reconciles the whole cluster).
        batch = getattr(cluster, "batch", None)
        # the rendered objects are fresh and dropped after this: a simulated cluster stores them uncopied
        create = getattr(cluster, "create_owned", None) or cluster.create
        with batch() if batch is not None else contextlib.nullcontext():
            for obj in sorted(self._manifests_to_install(values), key=self._install_rank):
                if obj["kind"] == "PersistentVolume":
                    try:
                        cluster.get("PersistentVolume", obj["metadata"]["name"])
                        continue  # static PVs are cluster-scoped and outlive the namespace
                    except Exception:
                        pass
                create(obj)
            if self.helm_release:
                cluster.create(release_secret(self, values or {}, revision=1))


_STORE_OP_MS = {"mongodb": 0.9, "memcached": 0.15, "redis": 0.2, "kafka": 0.5, "flagd": 0.3}


def complete_operations(services: dict[str, Service], ops: list[Operation]) -> dict[tuple[str, str], Operation]:
    """Index ``ops`` by key, adding a leaf operation for every call into a store that declares none."""
    out = {o.key: o for o in ops}
    for o in ops:
        for c in o.calls:
            if (c.callee, c.op) not in out:
                kind = services[c.callee].kind
                out[(c.callee, c.op)] = Operation(c.callee, c.op, _STORE_OP_MS.get(kind, 0.5))
    return out
