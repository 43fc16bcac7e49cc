"""date: the simulated cluster clock (``ctx.cluster.now()``), with ``+FORMAT``, ``-u``, ``-I``,
``-R`` and ``-d @EPOCH`` / ``-d ISO``."""

from __future__ import annotations

import datetime as dt
import re

from aoi_gym.shell.context import ProgramResult, ShellContext
from aoi_gym.shell.programs import register


CLOCK_START = 1767603600.0  # 2026-01-05T09:00:00Z, where the simulated clock starts


def cluster_now(ctx: ShellContext) -> float:
    """The simulated cluster's clock in seconds since the epoch (what ``date``, awk's ``systime()`` and
    jq's ``now`` read); the clock's start for a context without a cluster."""
    try:
        return float(ctx.cluster.now())
    except Exception:
        return CLOCK_START


@register("date")
def date(argv: list[str], stdin: str, ctx: ShellContext) -> ProgramResult:
    moment = dt.datetime.fromtimestamp(cluster_now(ctx), tz=dt.timezone.utc)
    fmt = "%a %b %e %H:%M:%S %Z %Y"
    args = argv[1:]
    i = 0
    while i < len(args):
        a = args[i]
        if a.startswith("+"):
            fmt = a[1:]
        elif a in ("-u", "--utc", "--universal"):
            pass
        elif a in ("-I", "--iso-8601") or a.startswith(("-I", "--iso-8601=")):
            unit = a.split("=", 1)[1] if "=" in a else a[2:]
            fmt = {"": "%Y-%m-%d", "date": "%Y-%m-%d", "seconds": "%Y-%m-%dT%H:%M:%S+00:00",
                   "minutes": "%Y-%m-%dT%H:%M+00:00", "hours": "%Y-%m-%dT%H+00:00"}.get(unit, "%Y-%m-%d")
        elif a in ("-R", "--rfc-email"):
            fmt = "%a, %d %b %Y %H:%M:%S +0000"
        elif a in ("-d", "--date") or a.startswith("--date="):
            value = a.split("=", 1)[1] if "=" in a else (args[i + 1] if i + 1 < len(args) else "")
            i += 0 if "=" in a else 1
            parsed = _parse(value, moment)
            if parsed is None:
                return ProgramResult(stderr=f"date: invalid date '{value}'\n", code=1)
            moment = parsed
        else:
            return ProgramResult(stderr=f"date: invalid date '{a}'\n", code=1)
        i += 1
    text = fmt.replace("%e", f"{moment.day:2d}").replace("%s", str(int(moment.timestamp()))).replace("%N", "000000000")
    text = text.replace("%Z", "UTC").replace("%z", "+0000")
    return ProgramResult(stdout=moment.strftime(text) + "\n")


def _parse(value: str, now: dt.datetime) -> dt.datetime | None:
    value = value.strip()
    if value.startswith("@") and re.fullmatch(r"@-?\d+(\.\d+)?", value):
        return dt.datetime.fromtimestamp(float(value[1:]), tz=dt.timezone.utc)
    if value in ("now", ""):
        return now
    m = re.fullmatch(r"(-?\d+)\s*(second|minute|hour|day)s?\s*(ago)?", value)
    if m:
        n = int(m.group(1)) * (-1 if m.group(3) else 1)
        return now + dt.timedelta(**{m.group(2) + "s": n})
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)
