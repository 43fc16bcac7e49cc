"""Properties: telemetry reads are pure and deterministic; snapshot/restore reproduces telemetry."""

from __future__ import annotations

import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aoi_gym.apps import get_app
from aoi_gym.cluster.sim.cluster import SimCluster

sys.path.insert(0, str(Path(__file__).parent))
from simapps_helpers import settle  # noqa: E402

APPS = ["hotel_reservation", "social_network", "astronomy_shop"]
_CACHE: dict = {}


def _cluster(name: str, seed: int) -> SimCluster:
    c = SimCluster(seed=seed, controllers=[])
    app = get_app(name)
    app.install(c)
    settle(c, app.namespace)
    c.advance(90)
    return c


def _telemetry(c: SimCluster, ns: str, window: float) -> tuple:
    pods = sorted(p["metadata"]["name"] for p in c.list("Pod", ns))
    logs = tuple(c.logs(p, ns) for p in pods[:6])
    metrics = tuple((s.name, tuple(sorted(s.labels.items())), tuple(s.points)) for s in c.metrics(ns, window))
    traces = tuple(c.traces(ns, window))
    stats = tuple(sorted(c.app.request_stats(c, ns, window).items()))
    return logs, metrics, traces, stats


def _base(name: str, seed: int) -> tuple:
    key = (name, seed)
    if key not in _CACHE:
        c = _cluster(name, seed)
        _CACHE[key] = (c, c.snapshot())
    return _CACHE[key]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(APPS), window=st.floats(min_value=1.0, max_value=600.0), seed=st.integers(0, 2))
def test_telemetry_reads_do_not_change_digest_or_rng(name, window, seed):
    c, snap = _base(name, seed)
    c.restore(snap)
    ns = get_app(name).namespace
    d0, rng0 = c.digest(), c.rng.bit_generator.state
    first = _telemetry(c, ns, window)
    assert c.digest() == d0 and c.rng.bit_generator.state == rng0
    assert _telemetry(c, ns, window) == first


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(APPS), seed=st.integers(0, 1000))
def test_same_seed_same_telemetry(name, seed):
    ns = get_app(name).namespace
    a, b = _cluster(name, seed), _cluster(name, seed)
    assert _telemetry(a, ns, 300) == _telemetry(b, ns, 300)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(APPS), advance=st.floats(min_value=0.0, max_value=300.0), seed=st.integers(0, 2))
def test_restore_snapshot_gives_identical_later_telemetry(name, advance, seed):
    c, snap = _base(name, seed)
    c.restore(snap)
    ns = get_app(name).namespace
    pod = sorted(p["metadata"]["name"] for p in c.list("Pod", ns))[0]
    c.exec(pod, ns, ["echo", "hi"])
    mid = c.snapshot()
    c.advance(advance)
    later = _telemetry(c, ns, 120)
    c.restore(mid)
    c.advance(advance)
    assert _telemetry(c, ns, 120) == later


def test_different_seeds_give_different_noise():
    a, b = _cluster("hotel_reservation", 1), _cluster("hotel_reservation", 2)
    ns = "test-hotel-reservation"
    assert c_stats(a, ns) != c_stats(b, ns)


def c_stats(c: SimCluster, ns: str) -> dict:
    return {k: round(v.rps, 6) for k, v in c.app.request_stats(c, ns, 120).items()}
