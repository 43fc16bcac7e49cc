"""Round-5 per-visit helpers: the AppModel's start-table prune (from the store's pod keys) keeps exactly
what the scan of every pod kept; Process built by its own __init__ equals the dataclass it stands for."""

from __future__ import annotations

import dataclasses

import pytest

from aoi_gym.cluster.sim.appmodel.identity import Process
from benchmarks.bench_cluster import build_app


def test_prune_keeps_what_the_pod_scan_kept():
    c = build_app("hotel_reservation")
    model = c.app
    victim = next(iter(c.iter_objects("Pod")))
    meta = victim["metadata"]
    model._starts["gone-ns/gone-pod/c"] = ("u", 0.0, "ok", "", None, None)
    c.delete("Pod", meta["name"], meta["namespace"], grace_period=0)  # its RS makes a pod of another name
    c.advance(5)
    live = {f"{p['metadata'].get('namespace')}/{p['metadata']['name']}" for p in c.iter_objects("Pod")}
    want = {k: v for k, v in model._starts.items() if k.rsplit("/", 1)[0] in live}
    assert len(want) < len(model._starts)  # something to drop
    model._prune(c)
    assert model._starts == want and list(model._starts) == list(want)


def test_process_fields_eq_hash_and_frozen():
    a, b = Process("app", None, "geo", binary="geo"), Process("app", None, "geo", "geo")
    assert a == b and hash(a) == hash(b)
    assert Process("pause", None, None).binary == ""
    assert [f.name for f in dataclasses.fields(a)] == ["kind", "service", "labeled", "binary"]
    assert repr(a) == "Process(kind='app', service=None, labeled='geo', binary='geo')"
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.kind = "x"  # type: ignore[misc]
