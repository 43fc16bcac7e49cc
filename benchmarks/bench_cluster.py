"""Median cost of the simulated cluster itself: build, reset, reads through kubectl, snapshot, scale.

Run: ``PYTHONPATH=. python benchmarks/bench_cluster.py [runs]`` (default 20 runs of the builds; the
cheap rows run 10x as often).

Rows (goals from the performance issue):
* HotelReservation: new SimCluster + kind nodes + install + settle 60 s (goal <= 10 ms), and the reset an
  env does instead (restore a snapshot of the settled install);
* a pod listing: ``Cluster.list`` (copies), ``list(readonly=True)`` (shared), and
  ``kubectl get pods -n test-hotel-reservation`` (goal <= 1 ms); ``kubectl describe pod``, ``kubectl logs --tail=50``;
* snapshot + restore (goal <= 5 ms);
* 40 Deployments + Services created one by one and settled (the controller benchmark's setup);
* synthetic apps of 100/300/1000 services: build + install + settle 60 s, and the cost per service
  (goal: 1000 services <= 1 s, growing no worse than linearly).
"""

from __future__ import annotations

import shlex
import sys

from aoi_gym.apps import get_app
from aoi_gym.cluster.sim.cluster import SimCluster
from aoi_gym.cluster.sim.controllers import create_kind_nodes
from aoi_gym.shell.context import ShellContext
from aoi_gym.shell.kubectl import run_kubectl

try:
    from benchmarks.common import median_ms, report
    from benchmarks.bench_controllers import build as build_40_deployments
except ImportError:  # run as a script from the benchmarks folder
    from common import median_ms, report  # type: ignore[no-redef]
    from bench_controllers import build as build_40_deployments  # type: ignore[no-redef]

NS = "test-hotel-reservation"


def build_app(name: str = "hotel_reservation", seed: int = 1, **kwargs) -> SimCluster:
    """A settled cluster: kind nodes (as many workers as the app needs), the app installed, 60 simulated seconds."""
    app = get_app(name, **kwargs)
    c = SimCluster(seed=seed)
    create_kind_nodes(c, workers=app.kind_workers())  # synthetic(1000) needs 13 workers, not kind's 2
    app.install(c)
    c.advance(60)
    return c


def _kubectl(c: SimCluster, line: str):
    ctx = ShellContext(cluster=c, namespace="default")
    argv = shlex.split(line)
    return lambda: run_kubectl(argv, "", ctx)


def _readonly_list_ms(c: SimCluster, runs: int) -> float:
    """Median of ``list(readonly=True)``; NaN for a cluster without the keyword (older versions)."""
    try:
        c.list("Pod", NS, readonly=True)
    except TypeError:
        return float("nan")
    return median_ms(lambda: c.list("Pod", NS, readonly=True), runs=runs)


def main(runs: int = 20) -> None:
    many = runs * 10
    c = build_app()
    snap = c.snapshot()
    pod = c.list("Pod", NS, label_selector="io.kompose.service=frontend")[0]["metadata"]["name"]
    res = _kubectl(c, f"kubectl get pods -n {NS}")()
    assert res.code == 0 and pod in res.stdout, res.stderr
    rows = [
        ("HotelReservation: new cluster + install + settle 60 s", median_ms(build_app, runs=runs, warmup=1), "ms (goal <= 10)"),
        ("HotelReservation: reset by restore(snapshot)", median_ms(lambda: c.restore(snap), runs=many), "ms"),
        ("Cluster.list Pod (30 pods, copies)", median_ms(lambda: c.list("Pod", NS), runs=many), "ms"),
        ("Cluster.list Pod readonly=True", _readonly_list_ms(c, many), "ms"),
        (f"kubectl get pods -n {NS}", median_ms(_kubectl(c, f"kubectl get pods -n {NS}"), runs=many), "ms (goal <= 1)"),
        ("kubectl describe pod <frontend>", median_ms(_kubectl(c, f"kubectl describe pod {pod} -n {NS}"), runs=many), "ms"),
        ("kubectl logs <frontend> --tail=50", median_ms(_kubectl(c, f"kubectl logs {pod} -n {NS} --tail=50"), runs=many), "ms"),
        ("snapshot + restore", median_ms(lambda: c.restore(c.snapshot()), runs=many), "ms (goal <= 5)"),
        ("40 Deployments + Services, created one by one, settle", median_ms(build_40_deployments, runs=max(3, runs // 2), warmup=1), "ms"),
    ]
    for n in (100, 300, 1000):
        ms = median_ms(lambda n=n: build_app("synthetic", seed=0, n_services=n), runs=max(3, runs // (n // 100)), warmup=1)
        rows.append((f"synthetic({n}): build + install + settle 60 s", ms, f"ms ({ms / n:.3f} ms/service; goal 1000 <= 1 s)"))
    report(f"Simulated cluster (medians; HotelReservation has {c.store.count()} objects)", rows)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
