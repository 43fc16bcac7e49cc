"""The simulator's shared write paths after their performance work: the uid draw, events, the store's
put and change log, the collector pause, and the rendering kind_workers hands to install. Each must give
exactly what the plain form gives."""

from __future__ import annotations

import copy
import gc
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aoi_gym.apps import get_app
from aoi_gym.cluster.sim.cluster import SimCluster
from aoi_gym.cluster.sim.controllers import create_kind_nodes
from aoi_gym.cluster.sim.controllers.common import emit
from aoi_gym.cluster.sim.store import ObjectStore
from aoi_gym.cluster.sim.uid_draw import _pcg64_layout_ok, uid_hex_source


# ---------------------------------------------------------------------------------------------- uids
def test_the_pcg64_shortcut_is_in_use_here():
    assert _pcg64_layout_ok()


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), steps=st.lists(st.sampled_from(["uid", "u32", "int", "float", "restore"]), max_size=60))
def test_uid_draws_are_rng_bytes_16(seed, steps):
    """Interleaved with other draws (lone 32-bit ones leave a kept half) and state restores."""
    a, b = np.random.default_rng(seed), np.random.default_rng(seed)
    draw = uid_hex_source(a)
    saved = None
    for s in steps + ["uid"]:
        if s == "uid":
            assert draw() == b.bytes(16).hex()
        elif s == "u32":
            ca, cb = a.bit_generator.ctypes, b.bit_generator.ctypes
            assert ca.next_uint32(ca.state) == cb.next_uint32(cb.state)
        elif s == "int":
            assert a.integers(0, 27, size=3).tolist() == b.integers(0, 27, size=3).tolist()
        elif s == "float":
            assert a.random() == b.random()
        elif saved is None:
            saved = b.bit_generator.state
        else:
            a.bit_generator.state = b.bit_generator.state = saved
        assert a.bit_generator.state == b.bit_generator.state


def test_new_uid_is_uuid4_shaped_from_rng_bytes():
    c, twin = SimCluster(seed=5), np.random.default_rng(5)
    for _ in range(50):
        h = twin.bytes(16).hex()
        assert c.new_uid() == f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"
    assert c.rng.bit_generator.state == twin.bit_generator.state


def test_other_bit_generators_take_the_plain_draw():
    a, b = np.random.Generator(np.random.Philox(3)), np.random.Generator(np.random.Philox(3))
    draw = uid_hex_source(a)
    assert [draw() for _ in range(5)] == [b.bytes(16).hex() for _ in range(5)]


# ---------------------------------------------------------------------------------------------- events
def _cluster() -> SimCluster:
    c = SimCluster(seed=3)
    c.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ns"}})
    c.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "namespace": "ns"}, "data": {}})
    return c


def test_a_repeated_event_bumps_count_and_leaves_the_old_version_alone():
    c = _cluster()
    cm = c.peek("ConfigMap", "cm", "ns")
    emit(c, cm, "Pulled", "hello", host="node-1", field_path="spec.containers{x}")
    (first,) = c.list("Event", "ns", readonly=True)
    before = json.dumps(first)
    c.advance(5)
    emit(c, cm, "Pulled", "hello", host="node-1", field_path="spec.containers{x}", times=2)
    (ev,) = c.list("Event", "ns", readonly=True)
    assert json.dumps(first) == before  # the stored version it replaced was not modified
    assert ev["count"] == 3 and ev["lastTimestamp"] == c.timestamp() and ev["firstTimestamp"] == first["firstTimestamp"]
    assert list(ev) == list(first) and list(ev["metadata"]) == list(first["metadata"])
    assert {k: v for k, v in ev.items() if k not in ("count", "lastTimestamp", "metadata")} == \
        {k: v for k, v in first.items() if k not in ("count", "lastTimestamp", "metadata")}
    assert ev["involvedObject"] == {"apiVersion": "v1", "kind": "ConfigMap", "name": "cm", "namespace": "ns",
                                    "uid": cm["metadata"]["uid"], "fieldPath": "spec.containers{x}"}
    assert ev["source"] == {"component": "kubelet", "host": "node-1"}


def test_emit_and_record_event_store_the_same_event():
    a, b = _cluster(), _cluster()
    for c, record in ((a, lambda c, o: emit(c, o, "Created", "made it", component="x")),
                      (b, lambda c, o: c.record_event(o, "Created", "made it", component="x"))):
        record(c, c.peek("ConfigMap", "cm", "ns"))
    assert a.list("Event", "ns") == b.list("Event", "ns")
    assert a.rng.bit_generator.state == b.rng.bit_generator.state


def test_no_event_into_a_missing_or_terminating_namespace():
    c = _cluster()
    ghost = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "nowhere", "uid": "u"}}
    c.record_event(ghost, "X", "y")
    emit(c, ghost, "X", "y")
    assert c.list("Event", None) == []


# ---------------------------------------------------------------------------------------------- store
def test_put_and_changed_since():
    s = ObjectStore()
    for name in ("a", "b", "c"):
        s.put({"kind": "ConfigMap", "metadata": {"name": name, "namespace": "ns", "uid": name}})
    rv = s.resource_version
    assert s.changed_since("ConfigMap", rv) == [] and s.changed_since("Pod", 0) == []
    s.put({"kind": "ConfigMap", "metadata": {"name": "a", "namespace": "ns", "uid": "a"}, "data": {"k": "1"}})
    s.remove("ConfigMap", "b", "ns")
    assert s.changed_since("ConfigMap", rv) == [(("ns", "b"), None), (("ns", "a"), s.peek("ConfigMap", "a", "ns"))]
    assert [k for k, _ in s.changed_since("ConfigMap", 0)] == [("ns", "b"), ("ns", "a"), ("ns", "c")]
    assert s.uid_changes == 0
    s.put({"kind": "ConfigMap", "metadata": {"name": "a", "namespace": "ns", "uid": "other"}})
    assert s.uid_changes == 1 and s.count() == 2 and s.kind_version("ConfigMap") == 6


def test_put_drops_the_cached_hash_of_what_it_replaces():
    s = ObjectStore()
    s.put({"kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"k": "1"}})
    before = dict(s.digest_parts())
    s.put({"kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"k": "2"}})
    assert dict(s.digest_parts()) != before
    s.remove("ConfigMap", "a")
    s.put({"kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"k": "1"}})
    assert dict(s.digest_parts()) == before


# ---------------------------------------------------------------------------------------------- collector
@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_comes_back_as_it_was(enabled):
    c = _cluster()
    (gc.enable if enabled else gc.disable)()
    try:
        c.advance(10)
        assert gc.isenabled() is enabled
        with c.batch():
            assert not gc.isenabled()
            c.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "ns"}})
        assert gc.isenabled() is enabled
        with pytest.raises(RuntimeError), c.batch():
            raise RuntimeError("boom")
        assert gc.isenabled() is enabled
    finally:
        gc.enable()


# ---------------------------------------------------------------------------------------------- install
def _store_dump(c: SimCluster) -> str:
    return json.dumps([[k, list(c.store.bucket(k).items())] for k in c.store.kinds()])


@pytest.mark.parametrize("name", ["hotel_reservation", "astronomy_shop"])
def test_install_after_kind_workers_stores_what_a_fresh_rendering_gives(name):
    def build(size_first: bool) -> SimCluster:
        app = get_app(name)
        workers = app.kind_workers() if size_first else 2
        c = SimCluster(seed=4)
        create_kind_nodes(c, workers=workers)
        app.install(c)
        return c

    assert _store_dump(build(True)) == _store_dump(build(False))


def test_the_rendering_is_handed_over_once_and_never_to_a_copy():
    app = get_app("hotel_reservation")
    app.kind_workers()
    handed = app.__dict__["_rendered_for_install"][1]
    twin = copy.copy(app)
    assert twin._manifests_to_install(None) is not handed
    assert app._manifests_to_install(None) is handed
    assert app._manifests_to_install(None) is not handed  # a second install renders anew
    app.kind_workers()
    handed = app.__dict__["_rendered_for_install"][1]
    assert app._manifests_to_install({"x": 1}) is not handed  # values given: rendered for them
