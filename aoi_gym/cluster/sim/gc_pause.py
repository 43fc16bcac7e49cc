"""Holding off Python's cyclic garbage collector while the simulator reconciles (see :func:`gc_paused`)."""

from __future__ import annotations

import contextlib
import gc
from typing import Iterator

__all__ = ["gc_paused", "gc_resume"]


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Hold off Python's cyclic garbage collector while the simulator works, re-enabling it after.

    Reconciling allocates millions of dicts and lists that live on in the store, so the collector's
    young-generation passes kept re-scanning them: ~12% of a synthetic(1000) build. The simulator's
    objects form no reference cycles (a build leaves a few dozen cyclic objects at most), so nothing
    piles up meanwhile; what there is goes at the next collection once the collector is back on. Only a
    collector this call switched off is switched back on, so it is never left off.
    """
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if paused:
            gc_resume()


def gc_resume() -> None:
    """Switch the collector back on with what was allocated meanwhile counted as old.

    Re-enabled as is, the collector's first young-generation pass would walk every container the
    pause allocated (the whole store of a fresh build: ~55 ms of a synthetic(1000) build, twice) only
    to promote it. Those objects live on in the store, so they are moved straight to the oldest
    generation instead (freeze then unfreeze: two list splices); full collections still scan them, so
    any cycle among them is collected as usual, and ``gc.collect()`` still sees everything. Skipped
    when someone else holds frozen objects (unfreezing would release theirs).
    """
    if not gc.get_freeze_count():
        gc.freeze()
        gc.unfreeze()
    gc.enable()
