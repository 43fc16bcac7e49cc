"""Helpers for the simulated-controller tests: a fake application model whose plans the test picks,
a kind-like cluster, and builders for Deployments/Services."""

from __future__ import annotations

from typing import Any, Callable

from aoi_gym.cluster.base import ExecResult
from aoi_gym.cluster.sim import SimCluster
from aoi_gym.cluster.sim.controllers import create_kind_nodes
from aoi_gym.cluster.sim.runtime import ContainerPlan
from aoi_gym.cluster.sim.store import ObjectStore


class FakeApp:
    """Application model returning the ContainerPlan registered for a container's image.

    ``plans`` maps an image to a ContainerPlan or to a callable ``(pod, container, n) -> ContainerPlan``
    (``n`` counts how often that image was asked for). ``cpu`` maps deployment name -> utilization.
    """

    def __init__(self) -> None:
        self.plans: dict[str, ContainerPlan | Callable[..., ContainerPlan]] = {}
        self.asked: dict[str, int] = {}
        self.cpu: dict[str, float] = {}

    def container_plan(self, cluster, pod, container):
        image = container.get("image", "")
        n = self.asked.get(image, 0)
        self.asked[image] = n + 1
        plan = self.plans.get(image, ContainerPlan(start_delay_s=1.0))
        return plan(pod, container, n) if callable(plan) else plan

    def cpu_utilization(self, cluster, namespace, name):
        return self.cpu.get(name)

    def logs(self, cluster, pod, container, previous, since_t):
        return []

    def exec(self, cluster, pod, container, argv, stdin):
        return ExecResult("", "", 0)

    def metrics(self, cluster, namespace, window_s):
        return []

    def traces(self, cluster, namespace, window_s):
        return []

    def snapshot(self):
        return (dict(self.asked), dict(self.cpu))

    def restore(self, snap):
        self.asked, self.cpu = dict(snap[0]), dict(snap[1])

    def digest_state(self):
        return ""


def make_cluster(seed: int = 0, workers: int = 2, kind_versions: bool = False) -> tuple[SimCluster, FakeApp]:
    app = FakeApp()
    c = SimCluster(seed=seed, app_model=app)
    if kind_versions:
        c.store = KindVersionStore()
    create_kind_nodes(c, workers=workers)
    c.advance(5)
    return c, app


def deployment(name: str, replicas: int = 1, image: str = "example/app:1.0", ns: str = "default", **container: Any) -> dict[str, Any]:
    c = {"name": name, "image": image, "ports": [{"containerPort": 8080, "name": "http"}], **container}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": ns, "labels": {"app": name}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [c]}},
        },
    }


def service(name: str, ns: str = "default", target: Any = 8080, selector: dict | None = None) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": ns},
        "spec": {"selector": selector or {"app": name}, "ports": [{"name": "http", "port": 80, "targetPort": target}]},
    }


def pods_of(c: SimCluster, app: str, ns: str = "default") -> list[dict[str, Any]]:
    return c.list("Pod", ns, label_selector=f"app={app}")


def cstate(pod: dict[str, Any], i: int = 0) -> dict[str, Any]:
    return pod["status"]["containerStatuses"][i]


def events(c: SimCluster, name: str | None = None, reason: str | None = None, ns: str = "default") -> list[dict[str, Any]]:
    out = []
    for e in c.list("Event", ns):
        if name is not None and e["involvedObject"]["name"] != name:
            continue
        if reason is not None and e["reason"] != reason:
            continue
        out.append(e)
    return out


class KindVersionStore(ObjectStore):
    """ObjectStore with per-kind change counters (``kind_version``), which the controllers use, when a
    store offers them, to skip passes whose watched kinds did not change."""

    def __init__(self) -> None:
        super().__init__()
        self._kv: dict[str, int] = {}

    def put(self, obj):
        out = super().put(obj)
        self._kv[obj["kind"]] = self._kv.get(obj["kind"], 0) + 1
        return out

    def remove(self, kind, name, namespace=None):
        out = super().remove(kind, name, namespace)
        if out is not None:
            self._kv[kind] = self._kv.get(kind, 0) + 1
        return out

    def kind_version(self, kind: str) -> int:
        return self._kv.get(kind, 0)

    def snapshot(self):
        return (super().snapshot(), dict(self._kv))

    def restore(self, snap):
        super().restore(snap[0])
        self._kv = dict(snap[1])
