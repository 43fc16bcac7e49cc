"""The collector after a simulator pause: objects allocated meanwhile are moved to the oldest generation
(not left for a young pass to walk), yet cycles among them are still collected and someone else's frozen
objects stay frozen."""

from __future__ import annotations

import gc
import weakref

from aoi_gym.cluster.sim.cluster import SimCluster


class _Node:
    pass


def _cluster() -> SimCluster:
    c = SimCluster(seed=3)
    c.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ns"}})
    return c


def test_a_cycle_made_during_a_batch_is_still_collected():
    c = _cluster()
    with c.batch():
        a, b = _Node(), _Node()
        a.other, b.other = b, a  # a cycle allocated while the collector is paused
        ref = weakref.ref(a)
        c.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "ns"}})
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0  # nothing left frozen: every object is visible to the collector
    del a, b
    assert ref() is not None  # a cycle: only the collector frees it
    gc.collect()
    assert ref() is None


def test_objects_frozen_by_someone_else_stay_frozen():
    c = _cluster()
    a, b = _Node(), _Node()
    a.other, b.other = b, a
    ref = weakref.ref(a)
    gc.freeze()  # e.g. a pre-fork server's freeze: the cycle must stay out of the collector's reach
    try:
        del a, b
        c.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "y", "namespace": "ns"}})
        c.advance(5)
        assert gc.isenabled()
        gc.collect()
        assert ref() is not None
    finally:
        gc.unfreeze()
    gc.collect()
    assert ref() is None


def test_young_generation_is_empty_after_a_pause():
    c = _cluster()
    with c.batch():
        for i in range(50):
            c.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"c{i}", "namespace": "ns"}})
    assert gc.get_count()[0] < 50  # what the batch allocated was not left in generation 0
