"""TextObservation: a ``gymnasium.spaces.Text`` whose values survive AsyncVectorEnv's shared memory.

Gymnasium's shared-memory reader for ``Text`` decodes the buffer once, when the vector env is built,
into an immutable tuple, so every later reset/step returns that stale tuple (Gymnasium issue #1164).
This subclass registers its own reader (singledispatch, Gymnasium's extension point for spaces) that
returns a live view of the buffer; ``AsyncVectorEnv`` deep-copies observations before handing them
out, and the view's deep copy is a plain tuple of the current strings.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from gymnasium import spaces
from gymnasium.vector.utils.shared_memory import read_from_shared_memory

__all__ = ["TextObservation"]


class TextObservation(spaces.Text):
    """A Text space for observations; identical to ``Text`` except in AsyncVectorEnv's shared memory."""


class _SharedTextView(Sequence):
    """The n strings currently in a shared buffer, decoded on access."""

    def __init__(self, space: TextObservation, shared_memory: Any, n: int) -> None:
        self._rows = np.frombuffer(shared_memory.get_obj(), dtype=np.int32).reshape((n, space.max_length))
        # index -> byte of the character; the padding index (len(charset)) maps to nothing
        codes = [ord(c) for c in space.character_list]
        if max(codes, default=0) >= 256:
            self._lut = None
            self._chars = space.character_list
        else:
            self._lut = np.array(codes + [0], dtype=np.uint8)
        self._n_chars = len(space.character_list)

    def _decode(self, row: np.ndarray) -> str:
        row = row[row < self._n_chars]
        if self._lut is None:
            return "".join(self._chars[v] for v in row)
        return self._lut[row].tobytes().decode("latin-1")

    def __len__(self) -> int:
        return self._rows.shape[0]

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return tuple(self._decode(r) for r in self._rows[i])
        return self._decode(self._rows[i])

    def __deepcopy__(self, memo: dict) -> tuple[str, ...]:
        return tuple(self)

    def __eq__(self, other: object) -> bool:
        return tuple(self) == (tuple(other) if isinstance(other, Sequence) else other)

    def __repr__(self) -> str:
        return repr(tuple(self))


@read_from_shared_memory.register(TextObservation)
def _read_text_observation(space: TextObservation, shared_memory: Any, n: int = 1) -> _SharedTextView:
    return _SharedTextView(space, shared_memory, n)
