"""Pod name suffixes for the ReplicaSet controller: ``cluster.random_suffix(5)`` without numpy's per-call cost.

``random_suffix`` draws ``rng.integers(0, 27, size=5)``: for a range below 2**32 numpy's Generator takes one
``next_uint32`` per index and maps it with Lemire's multiply-and-reject method
(``buffered_bounded_lemire_uint32`` in numpy's distributions). Doing the same through the bit generator's
ctypes entry point (as ``SimCluster.new_uid`` does for its draws) gives the same suffix and leaves the
generator in the same state, in a few microseconds instead of ~20 (one suffix per pod a ReplicaSet makes).
A self-check against numpy at first use falls back to ``cluster.random_suffix`` should the two ever differ.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from aoi_gym.cluster.sim.cluster import SUFFIX_ALPHABET

if TYPE_CHECKING:
    from aoi_gym.cluster.sim.cluster import SimCluster

__all__ = ["pod_suffix"]

_N = len(SUFFIX_ALPHABET)
# below this, a scaled draw's low word marks a biased value that numpy draws again
_THRESHOLD = (0xFFFFFFFF - (_N - 1)) % _N
_SAME_AS_NUMPY: list[bool] = []  # [] until checked, then [True] or [False] (a fact about numpy, not the simulation)


def _lemire_suffix(bit_generator, n: int) -> str:
    ct = bit_generator.ctypes
    nxt, state = ct.next_uint32, ct.state
    out = []
    for _ in range(n):
        m = nxt(state) * _N
        if (m & 0xFFFFFFFF) < _N:
            while (m & 0xFFFFFFFF) < _THRESHOLD:
                m = nxt(state) * _N
        out.append(SUFFIX_ALPHABET[m >> 32])
    return "".join(out)


def _check() -> bool:
    """Whether :func:`_lemire_suffix` reproduces numpy's draws (and leaves the same state behind)."""
    for seed in (0, 1, 12345):
        a, b = np.random.default_rng(seed), np.random.default_rng(seed)
        for _ in range(200):
            want = "".join(SUFFIX_ALPHABET[i] for i in a.integers(0, _N, size=5))
            if _lemire_suffix(b.bit_generator, 5) != want:
                return False
            a.random(), b.random()  # interleaved 64-bit draws (buffered half-words in between)
        if a.bit_generator.state != b.bit_generator.state:
            return False
    return True


def pod_suffix(cluster: "SimCluster", n: int = 5) -> str:
    """``cluster.random_suffix(n)``: the same string and the same generator state afterwards."""
    if not _SAME_AS_NUMPY:
        _SAME_AS_NUMPY.append(_check())
    if not _SAME_AS_NUMPY[0]:
        return cluster.random_suffix(n)
    return _lemire_suffix(cluster.rng.bit_generator, n)
