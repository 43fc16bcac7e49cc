"""Random name suffixes (a ReplicaSet's or DaemonSet's pod names, ``generateName``): ``n`` characters of
:data:`SUFFIX_ALPHABET` drawn as ``rng.integers(0, 27, size=n)``, without numpy's per-call cost.

For a range below 2**32 numpy's Generator takes one ``next_uint32`` per index and maps it with Lemire's
multiply-and-reject method (``buffered_bounded_lemire_uint32`` in numpy's distributions). Doing the same
through the bit generator's ctypes entry point (as :mod:`uid_draw` does for uids) gives the same suffix
and leaves the generator in the same state, in a few microseconds instead of ~20. A self-check against
numpy at first use falls back to numpy's own draw should the two ever differ.
"""

from __future__ import annotations

import numpy as np

__all__ = ["SUFFIX_ALPHABET", "random_suffix", "numpy_suffix"]

# Kubernetes' SafeEncodeString alphabet (no vowels, no confusable digits): used for pod-name suffixes.
SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
_N = len(SUFFIX_ALPHABET)
# below this, a scaled draw's low word marks a biased value that numpy draws again
_THRESHOLD = (0xFFFFFFFF - (_N - 1)) % _N
_SAME_AS_NUMPY: list[bool] = []  # [] until checked, then [True] or [False] (a fact about numpy, not the simulation)


def numpy_suffix(rng: np.random.Generator, n: int = 5) -> str:
    """The reference draw: numpy's ``integers`` mapped onto the alphabet."""
    return "".join(SUFFIX_ALPHABET[i] for i in rng.integers(0, _N, size=n))


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
            if _lemire_suffix(b.bit_generator, 5) != numpy_suffix(a, 5):
                return False
            a.random(), b.random()  # interleaved 64-bit draws (buffered half-words in between)
        if a.bit_generator.state != b.bit_generator.state:
            return False
    return True


def random_suffix(rng: np.random.Generator, n: int = 5) -> str:
    """``numpy_suffix(rng, n)``: the same string and the same generator state afterwards, faster."""
    if not _SAME_AS_NUMPY:
        _SAME_AS_NUMPY.append(_check())
    if not _SAME_AS_NUMPY[0]:
        return numpy_suffix(rng, n)
    return _lemire_suffix(rng.bit_generator, n)
