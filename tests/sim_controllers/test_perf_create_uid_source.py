"""``uid_source`` (the draw SimCluster.new_uid and events use): the uid text of ``rng.bytes(16)``, with
the generator left exactly as that leaves it, on the PCG64 shortcut and on the plain path."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from aoi_gym.cluster.sim.uid_draw import uid_source


def _uid(h: str) -> str:
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), steps=st.lists(st.sampled_from(["uid", "u32", "float"]), max_size=40))
def test_uid_source_is_rng_bytes_16_as_uid_text(seed, steps):
    a, b = np.random.default_rng(seed), np.random.default_rng(seed)
    draw = uid_source(a)
    for s in steps + ["uid"]:
        if s == "uid":
            assert draw() == _uid(b.bytes(16).hex())
        elif s == "u32":  # a lone 32-bit draw leaves a kept half: the next uid takes the four-call path
            ca, cb = a.bit_generator.ctypes, b.bit_generator.ctypes
            assert ca.next_uint32(ca.state) == cb.next_uint32(cb.state)
        else:
            assert a.random() == b.random()
        assert a.bit_generator.state == b.bit_generator.state


def test_uid_source_on_another_bit_generator():
    a, b = np.random.Generator(np.random.Philox(3)), np.random.Generator(np.random.Philox(3))
    draw = uid_source(a)
    assert [draw() for _ in range(5)] == [_uid(b.bytes(16).hex()) for _ in range(5)]
    assert repr(a.bit_generator.state) == repr(b.bit_generator.state)  # (Philox's state holds arrays)
