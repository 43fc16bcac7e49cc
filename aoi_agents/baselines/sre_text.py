"""Reading what kubectl and the telemetry APIs print, the way an SRE's eyes would: tables, ages, owners.

Pure text functions used by the scripted expert; they read observation text only.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

__all__ = ["parse_table", "PodRow", "parse_pods", "owner_of", "recent_restart", "parse_json", "sh", "parse_env_listing"]

_AGO = re.compile(r"\((\d+)([smhd])\d*[smh]? ago\)")


def sh(command: str) -> str:
    """The env action that runs ``command`` with exec_shell."""
    return "```\nexec_shell(" + repr(command) + ")\n```"


def parse_table(text: str) -> list[dict[str, str]]:
    """Rows of a kubectl-style table as dicts keyed by the header's column names (columns are cut at
    the header's column starts, so cells with spaces such as ``4 (15s ago)`` stay whole)."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines or not lines[0].lstrip().startswith(("NAME", "NAMESPACE", "SERVICE", "POD")):
        return []
    header = lines[0]
    starts = [m.start() for m in re.finditer(r"\S+", header)]
    names = header.split()
    rows = []
    for ln in lines[1:]:
        if ln.startswith("["):
            continue
        cells = [ln[a:b].strip() if i < len(starts) - 1 else ln[a:].strip()
                 for i, (a, b) in enumerate(zip(starts, starts[1:] + [len(ln)]))]
        rows.append(dict(zip(names, cells)))
    return rows


@dataclass(frozen=True)
class PodRow:
    name: str
    ready: str
    status: str
    restarts: str

    @property
    def ready_ok(self) -> bool:
        a, _, b = self.ready.partition("/")
        return a == b and a != "0"

    @property
    def severity(self) -> int:
        """0 = healthy; higher = look at it first (Pending, then config/image errors, then not ready,
        then crash loops, then a recent restart of a pod that runs again)."""
        if self.status == "Pending":
            return 5
        if self.status not in ("Running", "Completed", "CrashLoopBackOff", "Error"):
            return 4
        if self.status == "Running" and not self.ready_ok and not recent_restart(self.restarts):
            return 3
        if self.status in ("CrashLoopBackOff", "Error") or not self.ready_ok:
            return 2
        return 1 if recent_restart(self.restarts) else 0


def recent_restart(restarts: str, within_s: int = 600) -> bool:
    """True when a RESTARTS cell such as ``3 (34s ago)`` shows a restart in the last ``within_s``."""
    m = _AGO.search(restarts or "")
    if not m:
        return False
    n, unit = int(m.group(1)), m.group(2)
    return n * {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit] <= within_s


def parse_pods(text: str) -> list[PodRow]:
    return [PodRow(r.get("NAME", ""), r.get("READY", ""), r.get("STATUS", ""), r.get("RESTARTS", "")) for r in parse_table(text)]


def owner_of(pod: str, deployments: list[str]) -> str:
    """The Deployment a pod belongs to, by the ``<deployment>-<rs hash>-<suffix>`` naming."""
    best = ""
    for d in deployments:
        if pod.startswith(d + "-") and len(d) > len(best):
            best = d
    return best or pod.rsplit("-", 2)[0]


def parse_json(text: str) -> Any:
    """The first JSON document in an observation (None if there is none)."""
    start = min((i for i in (text.find("{"), text.find("[")) if i >= 0), default=-1)
    if start < 0:
        return None
    try:
        return json.JSONDecoder().raw_decode(text[start:])[0]
    except ValueError:
        return None


def parse_env_listing(text: str) -> dict[str, dict[str, str]]:
    """``deployment<TAB>NAME=value NAME=value`` lines -> {deployment: {NAME: value}}."""
    out: dict[str, dict[str, str]] = {}
    for ln in text.splitlines():
        name, sep, rest = ln.partition("\t")
        if not sep:
            continue
        out[name.strip()] = dict(kv.split("=", 1) for kv in rest.split() if "=" in kv)
    return out
