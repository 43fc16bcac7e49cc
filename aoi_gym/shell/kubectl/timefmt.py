"""Time helpers with kubectl's formats: HumanDuration ages, RFC 3339 parsing, RFC 1123Z, Go durations."""

from __future__ import annotations

import datetime as _dt
import re

__all__ = ["human_duration", "parse_ts", "age", "rfc1123z", "parse_go_duration", "rfc3339"]

_UTC = _dt.timezone.utc


def human_duration(seconds: float) -> str:
    """k8s.io/apimachinery ``duration.HumanDuration``: ``45s``, ``5m12s``, ``3h``, ``2d3h``, ``<invalid>``."""
    s = int(seconds)
    if s < -1:
        return "<invalid>"
    if s < 0:
        return "0s"
    if s < 120:
        return f"{s}s"
    minutes = s // 60
    if minutes < 10:
        sec = s % 60
        return f"{minutes}m" if sec == 0 else f"{minutes}m{sec}s"
    if minutes < 180:
        return f"{minutes}m"
    hours = s // 3600
    if hours < 8:
        m = minutes % 60
        return f"{hours}h" if m == 0 else f"{hours}h{m}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        h = hours % 24
        return f"{hours // 24}d" if h == 0 else f"{hours // 24}d{h}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        dy = (hours // 24) % 365
        return f"{hours // 24 // 365}y" if dy == 0 else f"{hours // 24 // 365}y{dy}d"
    return f"{hours // 24 // 365}y"


_TS_CACHE: dict[str, float | None] = {}


def parse_ts(ts: object) -> float | None:
    """RFC 3339 timestamp (``2026-01-05T09:00:00Z``, fractional seconds allowed) -> epoch seconds, or None."""
    if not isinstance(ts, str) or not ts:
        return None
    hit = _TS_CACHE.get(ts, False)
    if hit is not False:
        return hit  # type: ignore[return-value]
    val: float | None
    try:
        s = ts[:-1] + "+00:00" if ts.endswith("Z") else ts
        val = _dt.datetime.fromisoformat(s).timestamp()
    except ValueError:
        val = None
    if len(_TS_CACHE) < 100000:
        _TS_CACHE[ts] = val
    return val


def age(ts: object, now: float) -> str:
    """kubectl's translateTimestampSince: ``<unknown>`` for a missing timestamp."""
    t = parse_ts(ts)
    if t is None:
        return "<unknown>"
    return human_duration(now - t)


def rfc1123z(ts: object) -> str:
    """Go ``time.RFC1123Z`` (``Mon, 05 Jan 2026 09:00:00 +0000``) of an RFC 3339 timestamp."""
    t = parse_ts(ts)
    if t is None:
        t = 0.0 if ts in (None, "") else 0.0
    d = _dt.datetime.fromtimestamp(t, tz=_UTC)
    return d.strftime("%a, %d %b %Y %H:%M:%S +0000")


def rfc3339(epoch: float) -> str:
    return _dt.datetime.fromtimestamp(int(epoch), tz=_UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


_GO_DUR = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_UNIT = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_go_duration(text: str) -> float:
    """Go ``time.ParseDuration`` (``5m``, ``1h30m``, ``90s``) -> seconds; raises ValueError like Go's message."""
    s = text.strip()
    if s in ("0",):
        return 0.0
    pos, total = 0, 0.0
    while pos < len(s):
        m = _GO_DUR.match(s, pos)
        if not m:
            break
        total += float(m.group(1)) * _UNIT[m.group(2)]
        pos = m.end()
    if pos != len(s) or not s:
        raise ValueError(f'time: invalid duration "{text}"')
    return total
