"""Name suffixes drawn through the bit generator are numpy's ``integers`` draws: the same names and the same
generator state, interleaved with the other draws the simulator makes (uids, floats, other lengths)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from aoi_gym.cluster.sim import suffix_draw
from aoi_gym.cluster.sim.cluster import SimCluster


def test_the_self_check_passes_on_this_numpy():
    assert suffix_draw._check()


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**64 - 1), draws=st.lists(st.sampled_from(["suffix", "suffix3", "suffix10", "uid", "float"]), max_size=80))
def test_random_suffix_is_numpys_draw(seed, draws):
    a, b = SimCluster(seed=seed), SimCluster(seed=seed)
    for d in draws:
        if d.startswith("suffix"):
            n = int(d[6:] or 5)
            assert a.random_suffix(n) == suffix_draw.numpy_suffix(b.rng, n)
        elif d == "uid":
            assert a.new_uid() == b.new_uid()
        else:
            assert a.rng.random() == b.rng.random()
    assert a.rng.bit_generator.state == b.rng.bit_generator.state


def test_falls_back_to_numpy_when_the_check_fails(monkeypatch):
    monkeypatch.setattr(suffix_draw, "_SAME_AS_NUMPY", [False])
    a, b = SimCluster(seed=3), SimCluster(seed=3)
    assert [a.random_suffix() for _ in range(20)] == [suffix_draw.numpy_suffix(b.rng) for _ in range(20)]
    assert a.rng.bit_generator.state == b.rng.bit_generator.state
