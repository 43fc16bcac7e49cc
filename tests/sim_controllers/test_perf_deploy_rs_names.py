"""``rs_names.pod_suffix`` is ``SimCluster.random_suffix(5)`` drawn without numpy's per-call cost: the same
names and the same generator state, interleaved with the other draws the controllers make."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from aoi_gym.cluster.sim.cluster import SimCluster
from aoi_gym.cluster.sim.controllers import rs_names


def test_matches_numpy_check_passes():
    assert rs_names._check()


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), draws=st.lists(st.sampled_from(["suffix", "uid", "float", "suffix3"]), max_size=60))
def test_pod_suffix_is_random_suffix(seed, draws):
    a, b = SimCluster(seed=seed), SimCluster(seed=seed)
    for d in draws:
        if d == "suffix":
            assert rs_names.pod_suffix(a) == b.random_suffix(5)
        elif d == "suffix3":
            assert rs_names.pod_suffix(a, 3) == b.random_suffix(3)
        elif d == "uid":
            assert a.new_uid() == b.new_uid()
        else:
            assert a.rng.random() == b.rng.random()
    assert a.rng.bit_generator.state == b.rng.bit_generator.state


def test_falls_back_to_random_suffix_when_numpy_differs(monkeypatch):
    monkeypatch.setattr(rs_names, "_SAME_AS_NUMPY", [False])
    a, b = SimCluster(seed=5), SimCluster(seed=5)
    assert rs_names.pod_suffix(a) == b.random_suffix(5)
