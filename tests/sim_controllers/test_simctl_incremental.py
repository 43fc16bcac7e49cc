"""The store's change tracking (resourceVersion on removal, kind_version, changed_since, derived caches),
SimCluster.batch(), and the controllers' incremental passes: with change tracking the controllers sync only
what changed, and the outcome must be exactly what full passes over every object give."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from simctl_helpers import deployment, make_cluster, service
from test_simctl_determinism import _fresh, apply, observe, op

from aoi_gym.apps import install_app
from aoi_gym.cluster.sim.cluster import SimCluster
from aoi_gym.cluster.sim.controllers import create_kind_nodes
from aoi_gym.cluster.sim.controllers.common import index_by_owner, owner_index
from aoi_gym.cluster.sim.store import ObjectStore


class FullPassStore(ObjectStore):
    """An ObjectStore that hides its change tracking, so every controller pass looks at every object."""

    kind_version = None
    changed_since = None
    derived = None
    version_excluding = None
    incremental = None


def _cm(name: str, ns: str = "default") -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": ns}, "data": {"k": "v"}}


def _dump(c: SimCluster) -> str:
    objs = sorted((o for k in c.store.kinds() for o in c.store.iter(k)),
                  key=lambda o: (o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"]))
    return json.dumps([objs, c.t, str(c.rng.bit_generator.state), c.store.resource_version], sort_keys=True, default=str)


# ---------------------------------------------------------------------------------------------- store
def test_remove_bumps_resource_version_and_kind_version():
    s = ObjectStore()
    s.put(_cm("a"))
    s.put(_cm("b"))
    rv, kv = s.resource_version, s.kind_version("ConfigMap")
    assert s.remove("ConfigMap", "a", "default") is not None
    assert s.resource_version == rv + 1 and s.kind_version("ConfigMap") == kv + 1
    assert s.remove("ConfigMap", "a", "default") is None  # nothing removed: nothing bumped
    assert s.resource_version == rv + 1 and s.count() == 1
    assert s.kind_version("Pod") == 0


def test_changed_since_reports_puts_and_removals_and_follows_restore():
    s = ObjectStore()
    s.put(_cm("a"))
    mark = s.resource_version
    snap = s.snapshot()
    s.put(_cm("b"))
    s.remove("ConfigMap", "a", "default")
    changes = s.changed_since("ConfigMap", mark)
    assert [(k, o is None) for k, o in changes] == [(("default", "a"), True), (("default", "b"), False)]
    assert s.changed_since("ConfigMap", s.resource_version) == []
    s.restore(snap)
    assert s.changed_since("ConfigMap", mark) == [] and s.count() == 1
    assert s.kind_version("ConfigMap") == 1


def test_derived_cache_follows_changes_and_restore():
    s = ObjectStore()
    s.put(_cm("a"))
    calls = []

    def names():
        calls.append(1)
        return sorted(o["metadata"]["name"] for o in s.iter("ConfigMap"))

    snap = s.snapshot()
    assert s.derived("names", ("ConfigMap",), names) == ["a"]
    assert s.derived("names", ("ConfigMap",), names) == ["a"] and len(calls) == 1
    s.put({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "x", "namespace": "default"}})
    assert s.derived("names", ("ConfigMap",), names) == ["a"] and len(calls) == 1  # other kinds do not matter
    s.put(_cm("b"))
    assert s.derived("names", ("ConfigMap",), names) == ["a", "b"]
    s.restore(snap)
    s.put(_cm("c"))  # same kind version as when "b" was added, different content
    assert s.derived("names", ("ConfigMap",), names) == ["a", "c"]


def test_namespace_reads_follow_changes():
    s = ObjectStore()
    s.put(_cm("a", "x"))
    assert [o["metadata"]["name"] for o in s.iter("ConfigMap", "x")] == ["a"]
    s.put(_cm("b", "x"))
    s.put(_cm("c", "y"))
    assert [o["metadata"]["name"] for o in s.iter("ConfigMap", "x")] == ["a", "b"]
    s.remove("ConfigMap", "a", "x")
    assert [o["metadata"]["name"] for o in s.list_view("ConfigMap", "x")] == ["b"]


# ---------------------------------------------------------------------------------------------- batch
def test_batch_defers_reconcile_to_the_outermost_exit():
    c, _ = make_cluster(1)
    with c.batch():
        with c.batch():
            c.create(deployment("web", replicas=2))
        assert c.list("ReplicaSet", "default") == []  # nothing reconciled inside the batch
        c.create(service("web"))
    assert len(c.list("ReplicaSet", "default")) == 1
    assert c.peek("Endpoints", "web", "default") is not None


def test_batch_forbids_advance_and_leaves_failed_blocks_unreconciled():
    c, _ = make_cluster(2)
    with pytest.raises(RuntimeError, match="batch"):
        with c.batch():
            c.advance(1)
    with pytest.raises(ValueError):
        with c.batch():
            c.create(deployment("api"))
            raise ValueError("boom")
    assert c.list("ReplicaSet", "default") == []
    c.reconcile()
    assert len(c.list("ReplicaSet", "default")) == 1


# ---------------------------------------------------------------------------------------------- incremental = full
extra_op = st.one_of(
    op,
    st.tuples(st.just("relabel"), st.integers(0, 20), st.integers(0, 1)),
    st.tuples(st.just("deldeploy"), st.integers(0, 3), st.integers(0, 0)),
    st.tuples(st.just("delsvc"), st.integers(0, 3), st.integers(0, 0)),
)


def _apply_extra(c: SimCluster, ops) -> None:
    for kind, a, b in ops:
        if kind == "relabel":
            pods = c.list("Pod", "default")
            if pods:
                name = pods[a % len(pods)]["metadata"]["name"]
                c.patch("Pod", name, "default", {"metadata": {"labels": {"app": None if b else "elsewhere"}}}, "merge")
        elif kind == "deldeploy" and c.peek("Deployment", f"d{a}", "default") is not None:
            c.delete("Deployment", f"d{a}", "default")  # its ReplicaSets and pods go through the GC
            if c.peek("Service", f"d{a}", "default") is not None:
                c.delete("Service", f"d{a}", "default")  # so that a later "deploy" can create both again
        elif kind == "delsvc" and c.peek("Service", f"d{a}", "default") is not None:
            c.delete("Service", f"d{a}", "default")
        elif kind == "deploy" and c.peek("Deployment", f"d{a}", "default") is None and c.peek("Service", f"d{a}", "default") is not None:
            c.create(deployment(f"d{a}", replicas=b, readinessProbe={"tcpSocket": {"port": 8080}}))
        else:
            apply(c, [(kind, a, b)])


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**16), ops=st.lists(extra_op, max_size=14))
def test_incremental_passes_equal_full_passes(seed, ops):
    inc = _fresh(seed)
    full = _fresh(seed)
    # swap in a store without change tracking, same contents and history (every pass is then a full one)
    store = FullPassStore()
    store.restore(full.store.snapshot())
    full.store = store
    for c in (inc, full):
        _apply_extra(c, ops)
        c.advance(30)
    assert observe(inc) == observe(full)
    assert _dump(inc) == _dump(full)
    for kind in ("Pod", "ReplicaSet"):  # the incrementally kept owner index matches a fresh one, order included
        assert owner_index(inc, kind) == index_by_owner(inc.iter_objects(kind))


def test_incremental_equals_full_on_an_application_with_snapshots():
    def run(store_cls):
        c = SimCluster(seed=11)
        c.store = store_cls()
        create_kind_nodes(c)
        install_app(c, "hotel_reservation")
        c.advance(60)
        snap = c.snapshot()
        ns = "test-hotel-reservation"
        pod = c.list("Pod", ns, label_selector="io.kompose.service=geo")[0]["metadata"]["name"]
        c.patch("Pod", pod, ns, {"metadata": {"labels": {"io.kompose.service": None}}}, "merge")
        c.delete("Deployment", "rate", ns)
        c.patch("Deployment", "search", ns, {"spec": {"replicas": 2}})
        c.advance(90)
        out = [_dump(c)]
        c.restore(snap)
        c.delete("Service", "profile", ns)
        c.advance(20)
        return out + [_dump(c)]

    assert run(ObjectStore) == run(FullPassStore)
