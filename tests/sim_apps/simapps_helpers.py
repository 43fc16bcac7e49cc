"""Fixtures for the application/app-model tests.

``settle`` is a stand-in for the controllers (used when ``default_controllers()`` is empty, and for
precise unit tests): it creates one pod per Deployment (asking the app model for each container's
plan, as the kubelet does), derives the pod's status from the plan, and writes Endpoints.
"""

from __future__ import annotations

import itertools
from typing import Any, Callable

import pytest

from aoi_gym.apps import get_app
from aoi_gym.cluster.sim.cluster import SimCluster

_ips = itertools.count(2)


def _status(cluster: SimCluster, pod: dict[str, Any]) -> dict[str, Any]:
    n = next(_ips)
    ip = f"10.244.{n // 250 + 1}.{n % 250 + 2}"
    pod["status"] = {"phase": "Pending", "podIP": ip}  # the kubelet knows the IP before containers start
    statuses, all_ready = [], True
    for c in pod["spec"]["containers"]:
        plan = cluster.app.container_plan(cluster, pod, c)
        st: dict[str, Any] = {"name": c["name"], "image": c["image"], "restartCount": 0, "ready": False}
        if not plan.image_ok:
            st["state"] = {"waiting": {"reason": "ErrImagePull", "message": plan.image_error}}
        elif plan.exit_after_s is not None:
            st["state"] = {"waiting": {"reason": "CrashLoopBackOff"}}
            st["lastState"] = {"terminated": {"reason": plan.exit_reason, "exitCode": plan.exit_code}}
            st["restartCount"] = 1
        else:
            st["state"] = {"running": {"startedAt": cluster.timestamp()}}
            st["ready"] = plan.ready
        all_ready &= st["ready"]
        statuses.append(st)
    return {
        "phase": "Running",
        "podIP": ip,
        "conditions": [{"type": "Ready", "status": "True" if all_ready else "False"}],
        "containerStatuses": statuses,
    }


def settle(cluster: SimCluster, namespace: str, only: list[str] | None = None) -> None:
    """(Re)create the pods of every Deployment (or of ``only``) and rewrite all Endpoints.

    Like the real controllers, all pods exist (scheduled) before any container starts.
    """
    created = []
    for dep in cluster.list("Deployment", namespace):
        name = dep["metadata"]["name"]
        if only is not None and name not in only:
            continue
        sel = dep["spec"]["selector"]["matchLabels"]
        for p in cluster.list("Pod", namespace):
            if all((p["metadata"].get("labels") or {}).get(k) == v for k, v in sel.items()):
                cluster.delete("Pod", p["metadata"]["name"], namespace, grace_period=0)
        for i in range(dep["spec"].get("replicas", 1)):
            tmpl = dep["spec"]["template"]
            pod = {"apiVersion": "v1", "kind": "Pod",
                   "metadata": {"name": f"{name}-{cluster.random_suffix(10)}", "namespace": namespace,
                                "labels": dict(tmpl["metadata"]["labels"])},
                   "spec": dict(tmpl["spec"], nodeName="kind-worker")}
            created.append(cluster.create(pod))
    for pod in created:
        pod["status"] = _status(cluster, pod)
        cluster.update_status(pod)
    write_endpoints(cluster, namespace)


def write_endpoints(cluster: SimCluster, namespace: str) -> None:
    for svc in cluster.list("Service", namespace):
        sel = svc["spec"].get("selector") or {}
        addrs = [{"ip": p["status"]["podIP"], "targetRef": {"kind": "Pod", "name": p["metadata"]["name"]}}
                 for p in cluster.list("Pod", namespace)
                 if sel and all((p["metadata"].get("labels") or {}).get(k) == v for k, v in sel.items())
                 and any(c["type"] == "Ready" and c["status"] == "True" for c in p["status"]["conditions"])]
        ep = {"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": svc["metadata"]["name"], "namespace": namespace},
              "subsets": [{"addresses": addrs, "ports": [{"port": p.get("targetPort"), "protocol": "TCP"} for p in svc["spec"]["ports"]]}] if addrs else []}
        try:
            cluster.delete("Endpoints", svc["metadata"]["name"], namespace)
        except Exception:
            pass
        cluster.create(ep)


def pod_of(cluster: SimCluster, namespace: str, label: str, svc: str) -> dict[str, Any]:
    pods = cluster.list("Pod", namespace, label_selector=f"{label}={svc}")
    assert pods, f"no pod for {svc}"
    return pods[0]


@pytest.fixture
def bare_cluster() -> Callable[..., SimCluster]:
    """A SimCluster without controllers, whose pods the ``settle`` helper manages."""
    return lambda seed=0: SimCluster(seed=seed, controllers=[])


@pytest.fixture
def installed() -> Callable[..., tuple[SimCluster, Any]]:
    """``installed(name, seed=0, **kw)`` -> (cluster, app) with the app installed and settled by ``settle``."""

    def make(name: str, seed: int = 0, **kw: Any):
        cluster = SimCluster(seed=seed, controllers=[])
        app = get_app(name, **kw)
        app.install(cluster)
        settle(cluster, app.namespace)
        return cluster, app

    return make


@pytest.fixture
def helpers():
    class H:
        settle = staticmethod(settle)
        write_endpoints = staticmethod(write_endpoints)
        pod_of = staticmethod(pod_of)

    return H
