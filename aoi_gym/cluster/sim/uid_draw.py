"""The 16 random bytes of a simulated uid, drawn fast from the cluster's numpy ``Generator``.

``rng.bytes(16)`` costs ~17 us; hundreds of uids are drawn per build (thousands for large apps). The
draw here gives the same bytes and leaves the generator in the same state as ``rng.bytes(16)``: four
``next_uint32`` calls of the bit generator (little-endian), through its C entry points.

For PCG64 (what ``np.random.default_rng`` uses) a ``next_uint32`` hands out the two halves of one 64-bit
output, keeping the upper half in ``has_uint32``/``uinteger`` of the bit generator's C state. With no
half kept, four of them are two 64-bit outputs plus the last upper half kept as ``uinteger`` (the flag
ends cleared), which takes two C calls instead of four. That shortcut reads and writes those two fields
in place, so it is used only once a scratch PCG64 has shown that the fields lie where expected and the
shortcut gives exactly the bytes and the state of four ``next_uint32`` calls; otherwise (another bit
generator, another layout) the four calls are made.
"""

from __future__ import annotations

import ctypes
import functools
import struct
from typing import Any, Callable

import numpy as np

__all__ = ["uid_hex_source", "uid_source"]

_pack_4u32 = struct.Struct("<4I").pack
_pack_2u64 = struct.Struct("<2Q").pack
_PTR = ctypes.sizeof(ctypes.c_void_p)


def _flags(bit_generator: Any) -> tuple[Any, Any]:
    """Views of PCG64's ``has_uint32`` (int) and ``uinteger`` (uint32), after its state pointer."""
    addr = bit_generator.ctypes.state_address
    return ctypes.c_int.from_address(addr + _PTR), ctypes.c_uint32.from_address(addr + _PTR + 4)


def _four_calls(ct: Any) -> bytes:
    nxt, state = ct.next_uint32, ct.state
    return _pack_4u32(nxt(state), nxt(state), nxt(state), nxt(state))


@functools.lru_cache(maxsize=1)
def _pcg64_layout_ok() -> bool:
    """Whether the two-call shortcut matches four ``next_uint32`` calls on this numpy (checked once on
    scratch generators: the flags' places, the bytes, and the full state afterwards)."""
    try:
        a, b = np.random.PCG64(20260105), np.random.PCG64(20260105)
        has, keep = _flags(a)
        cta, ctb = a.ctypes, b.ctypes
        for _ in range(3):
            # from a cleared flag: the shortcut on a, four calls on b
            if has.value != 0 or a.state["has_uint32"] != 0:
                return False
            x, y = cta.next_uint64(cta.state), cta.next_uint64(cta.state)
            keep.value = y >> 32
            if _pack_2u64(x, y) != _four_calls(ctb) or a.state != b.state:
                return False
            # a lone next_uint32 keeps a half: the flag must show it
            cta.next_uint32(cta.state), ctb.next_uint32(ctb.state)
            if has.value != 1 or keep.value != a.state["uinteger"] or a.state != b.state:
                return False
            # four calls with a kept half, one more to clear it
            if _four_calls(cta) != _four_calls(ctb):
                return False
            cta.next_uint32(cta.state), ctb.next_uint32(ctb.state)
            if a.state != b.state:
                return False
        return True
    except Exception:  # no ctypes state, another layout: use the four calls
        return False


def uid_hex_source(rng: np.random.Generator) -> Callable[[], str]:
    """A function returning the hex of the next 16 bytes ``rng.bytes(16)`` would give (and advancing
    ``rng`` exactly as that would). It holds ``rng``; make a new one for another generator."""
    return _source(rng, as_uid=False)


def uid_source(rng: np.random.Generator) -> Callable[[], str]:
    """Like :func:`uid_hex_source`, formatted as a uid (``8-4-4-4-12`` hex, version 4 and variant nibbles
    set) in the same call (~14,000 uids are drawn per synthetic(1000) build: a second call level per uid
    cost ~1% of it)."""
    return _source(rng, as_uid=True)


def _source(rng: np.random.Generator, as_uid: bool) -> Callable[[], str]:
    bg = rng.bit_generator
    ct = bg.ctypes
    if type(bg) is not np.random.PCG64 or not _pcg64_layout_ok():
        def slow() -> str:
            h = _four_calls(ct).hex()
            return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}" if as_uid else h

        return slow
    has, keep = _flags(bg)
    n64, n32, state = ct.next_uint64, ct.next_uint32, ct.state

    def draw(_bg: Any = bg) -> str:  # (holds the bit generator whose memory the flag views read)
        if has.value:
            h = _pack_4u32(n32(state), n32(state), n32(state), n32(state)).hex()
        else:
            lo, hi = n64(state), n64(state)
            keep.value = hi >> 32
            h = _pack_2u64(lo, hi).hex()
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}" if as_uid else h

    return draw
