"""Median cost of the applications and the application model.

Run: ``python benchmarks/bench_apps.py [runs]`` (default 20 runs of the installs, 100 of the rest).

Rows: install HotelReservation into a fresh SimCluster (with kind nodes) and settle 60 s (goal <= 10 ms;
most of it is controller work); build the synthetic app with 100/300/1000 services (goal: linear,
1000 well under 1 s); request_stats, metrics (5 min window), traces, and one pod's logs on a settled
HotelReservation; snapshot + restore with the app installed.
"""

from __future__ import annotations

import sys

from aoi_gym.apps import get_app
from aoi_gym.cluster.sim.cluster import SimCluster
from aoi_gym.cluster.sim.controllers import create_kind_nodes

try:
    from benchmarks.common import median_ms, report
except ImportError:  # run as a script from the benchmarks folder
    from common import median_ms, report  # type: ignore[no-redef]


def _install_hotel() -> SimCluster:
    c = SimCluster(seed=1)
    create_kind_nodes(c)
    get_app("hotel_reservation").install(c)
    c.advance(60)
    return c


def main(runs: int = 20) -> None:
    rows = [("install HotelReservation + settle 60 s", median_ms(_install_hotel, runs=runs, warmup=1), "ms (goal <= 10)")]
    for n in (100, 300, 1000):
        rows.append((f"build synthetic({n})", median_ms(lambda n=n: get_app("synthetic", n_services=n, seed=0), runs=runs, warmup=1),
                     "ms (linear; 1000 well under 1 s)"))
    c = _install_hotel()
    ns = "test-hotel-reservation"
    pod = c.list("Pod", ns, label_selector="io.kompose.service=frontend")[0]["metadata"]["name"]
    many = runs * 5
    rows += [
        ("request_stats (5 min)", median_ms(lambda: c.app.request_stats(c, ns, 300), runs=many), "ms"),
        ("metrics (5 min, step 15 s)", median_ms(lambda: c.metrics(ns, 300), runs=many), "ms"),
        ("traces (5 min, <= 200 spans)", median_ms(lambda: c.traces(ns, 300), runs=many), "ms"),
        ("logs of frontend", median_ms(lambda: c.logs(pod, ns), runs=many), "ms"),
        ("snapshot + restore", median_ms(lambda: c.restore(c.snapshot()), runs=many), "ms"),
    ]
    report("Applications and application model (median)", rows)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
