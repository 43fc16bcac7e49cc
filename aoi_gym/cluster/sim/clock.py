"""The simulated wall clock's instants as text: RFC 3339 timestamps as the API server writes them.

``SimCluster.t`` counts seconds since :data:`EPOCH`; every timestamp an agent sees derives from it.
"""

from __future__ import annotations

import datetime as _dt
import functools

__all__ = ["EPOCH", "TIME_TEXT", "format_time", "time_text"]

# Simulated wall clock: t=0 is this instant (2026-01-05T09:00:00Z); times shown to agents derive from it.
EPOCH = 1767603600.0


def format_time(epoch_seconds: float) -> str:
    """RFC 3339 timestamp as the API server writes it (``2026-01-05T09:00:00Z``)."""
    text = TIME_TEXT.get(epoch_seconds)
    if text is None:
        text = time_text(epoch_seconds)
    return text


# epoch seconds (as given) -> text: a pure function's memo. Written ~24,000 times per synthetic(1000)
# build (every status write and event stamps the time) for a few hundred distinct instants, so a dict
# hit on the float itself replaces int() and the lru_cache call. Hot paths read it inline:
# ``TIME_TEXT.get(x) or time_text(x)``.
TIME_TEXT: dict[float, str] = {}


def time_text(epoch_seconds: float) -> str:
    """:func:`format_time` past its memo: formats ``epoch_seconds`` and remembers the text."""
    if len(TIME_TEXT) >= 8192:
        TIME_TEXT.clear()  # bounded; refilled by the instants in use
    text = TIME_TEXT[epoch_seconds] = _format_whole_seconds(int(epoch_seconds))
    return text


@functools.lru_cache(maxsize=4096)
def _format_whole_seconds(seconds: int) -> str:
    return _dt.datetime.fromtimestamp(seconds, tz=_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
