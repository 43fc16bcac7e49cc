"""jq's date builtins (UTC, as jq computes them): ``fromdate``, ``todate``, ``fromdateiso8601``,
``todateiso8601``, ``gmtime``, ``mktime``, ``strftime(f)`` and ``strptime(f)``.

``kubectl get pods -o json | jq '.items[].metadata.creationTimestamp | fromdate'`` gives seconds since
the epoch; ``now`` is the simulated cluster's clock (the caller passes it), so ``now - fromdate`` is a
pod's age in simulated seconds.
"""

from __future__ import annotations

import calendar
import datetime as dt
import time

from aoi_gym.shell.tools.jq import JqError

__all__ = ["DATE_FUNCTIONS", "DATE_FUNCTIONS_1"]

_ISO = "%Y-%m-%dT%H:%M:%SZ"


def _broken_down(v) -> list:
    """Seconds since the epoch -> jq's broken-down time [year, month 0-11, day, h, m, s, weekday, yearday]."""
    if isinstance(v, list):
        return v
    if not isinstance(v, (int, float)) or isinstance(v, bool):
        raise JqError("gmtime() requires a number")
    t = dt.datetime.fromtimestamp(int(v // 1), tz=dt.timezone.utc)
    seconds = t.second + (v - int(v // 1))
    return [t.year, t.month - 1, t.day, t.hour, t.minute, seconds if seconds % 1 else t.second,
            (t.weekday() + 1) % 7, t.timetuple().tm_yday - 1]


def _mktime(v) -> int:
    if not isinstance(v, list) or len(v) < 6 or not all(isinstance(x, (int, float)) for x in v[:6]):
        raise JqError("mktime requires array of 6 numbers")
    year, month, day, hour, minute, second = (int(x) for x in v[:6])
    return calendar.timegm((year, month + 1, day, hour, minute, second, 0, 0, 0))


def _strftime(v, fmt) -> str:
    if not isinstance(fmt, str):
        raise JqError("strftime/1 requires a string format")
    parts = _broken_down(v) if not isinstance(v, list) else v
    if not isinstance(parts, list) or len(parts) < 6:
        raise JqError("strftime/1 requires parsed datetime inputs")
    t = dt.datetime(int(parts[0]), int(parts[1]) + 1, int(parts[2]), int(parts[3]), int(parts[4]), int(parts[5]))
    return t.strftime(fmt)


def _strptime(v, fmt) -> list:
    if not isinstance(v, str):
        raise JqError("strptime/1 requires string inputs and arguments")
    try:
        parsed = time.strptime(v.replace("Z", "+0000") if fmt.endswith("%z") else v, fmt)
    except ValueError:
        raise JqError(f'date "{v}" does not match format "{fmt}"') from None
    return _broken_down(calendar.timegm(parsed))


def _fromdate(v) -> int:
    if not isinstance(v, str):
        raise JqError("strptime/1 requires string inputs and arguments")
    return _mktime(_strptime(v, _ISO))


DATE_FUNCTIONS = {
    "fromdateiso8601": _fromdate,
    "fromdate": _fromdate,
    "todateiso8601": lambda v: _strftime(v, _ISO),
    "todate": lambda v: _strftime(v, _ISO),
    "gmtime": _broken_down,
    "localtime": _broken_down,  # the simulated cluster's nodes run in UTC
    "mktime": _mktime,
}
DATE_FUNCTIONS_1 = {"strftime": _strftime, "strflocaltime": _strftime, "strptime": _strptime}
