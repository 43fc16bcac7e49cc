"""The start key of ``plans.decide`` written out equals ``stable_hash`` of the same parts; StartDecision
built by its own __init__ equals the dataclass it stands for."""

from __future__ import annotations

import dataclasses

import pytest

from aoi_gym.cluster.sim.appmodel.plans import StartDecision, _start_key
from aoi_gym.cluster.sim.appmodel.util import stable_hash
from aoi_gym.cluster.sim.runtime import ContainerPlan


@pytest.mark.parametrize("t", [0.0, -0.0, 1.0, 1.1, 1.2000000000000002, 60.0, 1e16, 123456.789, 3, 0.1 + 0.2])
@pytest.mark.parametrize("name", ["web", None, "", "a\x1fb"])
def test_start_key_equals_stable_hash(t, name):
    assert _start_key("default", "web-7d4b9c-abcde", name, t) == stable_hash("default", "web-7d4b9c-abcde", name, t)


def test_start_decision_fields_eq_hash_and_frozen():
    plan = ContainerPlan(start_delay_s=1.3)
    a, b = StartDecision(plan, "ok"), StartDecision(plan, "ok", "")
    assert a == b and hash(a) == hash(b)
    assert (a.plan, a.code, a.detail) == (plan, "ok", "")
    assert StartDecision(plan, "oom", "64Mi").detail == "64Mi"
    assert [f.name for f in dataclasses.fields(a)] == ["plan", "code", "detail"]
    assert repr(a) == f"StartDecision(plan={plan!r}, code='ok', detail='')"
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.code = "x"  # type: ignore[misc]
