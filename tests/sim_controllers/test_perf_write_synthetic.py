"""synthetic's fast builders against the generic ones (same objects, same manifests)."""

from __future__ import annotations

import dataclasses
import pickle
import sys

import pytest

import aoi_gym.apps.synthetic  # noqa: F401  (the package exports the function under the module's name)
from aoi_gym.apps.base import Call, Operation, Service

S = sys.modules["aoi_gym.apps.synthetic"]


def test_fast_constructors_are_in_use():
    assert S._same_as_init() and S._service is not Service


@pytest.mark.parametrize("n,seed", [(2, 0), (40, 3), (300, 7)])
def test_objects_equal_the_dataclasses_own(n, seed):
    app = S.synthetic(n, seed=seed)
    for s in app.services.values():
        ref = Service(**{f.name: getattr(s, f.name) for f in dataclasses.fields(Service)})
        assert list(ref.__dict__.items()) == list(s.__dict__.items())
        assert ref == s and hash(ref) == hash(s) and pickle.dumps(ref) == pickle.dumps(s)
    for o in app.operations.values():
        ref = Operation(o.service, o.name, o.self_ms, tuple(Call(c.callee, c.op, c.count) for c in o.calls))
        assert ref == o and hash(ref) == hash(o) and pickle.dumps(ref) == pickle.dumps(o)


def test_building_and_rendering_leave_the_collector_as_found():
    import gc

    assert gc.isenabled()
    app = S.synthetic(30)
    app.manifests()
    assert gc.isenabled()
    gc.disable()
    try:
        S.synthetic(30).manifests()
        assert not gc.isenabled()  # a collector someone else switched off stays off
    finally:
        gc.enable()


def test_operations_are_keyed_by_their_key():
    app = S.synthetic(200, seed=4)
    assert all(k == o.key for k, o in app.operations.items())
    assert len(app.operations) == len(app.services)  # one operation per service and per store
