"""Median cost of the simulated cluster's controllers on a kind-like cluster with 40 Deployments.

Run: ``python benchmarks/bench_controllers.py [runs]`` (default 20 runs of the setup, 500 of the rest).

Rows: create 40 Deployments + Services and settle (all pods Running); one reconcile with nothing
changed (goal: well under a few ms); one idle simulated hour; snapshot; restore; scale one Deployment
from 1 to 3 and settle.
"""

from __future__ import annotations

import sys

from aoi_gym.cluster.sim.cluster import SimCluster
from aoi_gym.cluster.sim.runtime import QuietAppModel
from aoi_gym.cluster.sim.controllers import create_kind_nodes

try:
    from benchmarks.common import median_ms, report
except ImportError:  # run as a script from the benchmarks folder
    from common import median_ms, report  # type: ignore[no-redef]


def _manifests(i: int) -> tuple[dict, dict]:
    name = f"svc{i}"
    labels = {"app": name}
    deploy = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": "default", "labels": labels},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": {"containers": [{
                "name": name, "image": f"example/{name}:1.0", "ports": [{"containerPort": 8080}],
                "readinessProbe": {"tcpSocket": {"port": 8080}},
                "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}}}]}},
        },
    }
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": "default"},
           "spec": {"selector": labels, "ports": [{"port": 80, "targetPort": 8080}]}}
    return deploy, svc


def build(n: int = 40) -> SimCluster:
    c = SimCluster(seed=0, app_model=QuietAppModel())
    create_kind_nodes(c)
    for i in range(n):
        for obj in _manifests(i):
            c.create(obj)
    c.advance(30)
    return c


def main(runs: int = 20) -> None:
    setup_ms = median_ms(build, runs=runs, warmup=0)
    c = build()
    running = sum(1 for p in c.list("Pod", "default") if p["status"]["phase"] == "Running")
    assert running == 40, running
    snap = c.snapshot()

    def scale_and_settle() -> None:
        c.restore(snap)
        c.patch("Deployment", "svc3", "default", {"spec": {"replicas": 3}})
        c.advance(10)

    def restore_only() -> None:
        c.restore(snap)

    rows = [
        ("create 40 deployments+services, settle", setup_ms, "ms"),
        ("reconcile, nothing changed", median_ms(c.reconcile, runs=500), "ms (goal: well under a few ms)"),
        ("advance 1 h, nothing due", median_ms(lambda: c.advance(3600), runs=100), "ms"),
        ("snapshot", median_ms(c.snapshot, runs=200), "ms"),
        ("restore", median_ms(restore_only, runs=200), "ms"),
        ("restore + scale 1->3 + settle 10 s", median_ms(scale_and_settle, runs=50), "ms"),
    ]
    report(f"Simulated controllers ({c.store.count()} objects, medians)", rows)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
