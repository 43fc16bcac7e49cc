"""kubectl describe's PrefixWriter (levels of two spaces over a Go tabwriter) and its shared helpers."""

from __future__ import annotations

from typing import Any

from aoi_gym.shell.kubectl.tabwriter import tabwrite
from aoi_gym.shell.kubectl.timefmt import age, parse_ts

__all__ = ["Writer", "print_labels", "print_annotations", "describe_events", "events_for", "string_or_none"]

_SKIP_ANNOTATIONS = {"kubectl.kubernetes.io/last-applied-configuration"}
_MAX_ANNOTATION = 140


class Writer:
    """``w.write(level, text)`` like kubectl's PrefixWriter; ``flush()`` ends the current tab blocks."""

    def __init__(self) -> None:
        self._done: list[str] = []
        self._buf: list[str] = []

    def write(self, level: int, text: str) -> None:
        self._buf.append("  " * level + text)

    def line(self, text: str = "") -> None:
        """PrefixWriter.WriteLine: the text and a newline, no indent."""
        self._buf.append(text + "\n")

    def flush(self) -> None:
        if self._buf:
            self._done.append(tabwrite("".join(self._buf), 0, 2))
            self._buf = []

    def text(self) -> str:
        self.flush()
        return "".join(self._done)


def string_or_none(s: Any) -> str:
    return str(s) if s else "<none>"


def print_labels(w: Writer, title: str, labels: dict[str, str] | None, initial: str = "", inner: str = "\t") -> None:
    w.write(0, f"{initial}{title}:{inner}")
    if not labels:
        w.line("<none>")
        return
    for i, k in enumerate(sorted(labels)):
        if i:
            w.write(0, initial + inner)
        w.write(0, f"{k}={labels[k]}\n")


def print_annotations(w: Writer, title: str, annotations: dict[str, str] | None) -> None:
    w.write(0, f"{title}:\t")
    keys = sorted(k for k in (annotations or {}) if k not in _SKIP_ANNOTATIONS)
    if not keys:
        w.line("<none>")
        return
    for i, k in enumerate(keys):
        if i:
            w.write(0, "\t")
        value = str(annotations[k]).removesuffix("\n")  # type: ignore[index]
        if len(value) + len(k) + 2 > _MAX_ANNOTATION or "\n" in value:
            w.write(0, f"{k}:\n")
            for s in value.split("\n"):
                s = s[: _MAX_ANNOTATION - 2] + "..." if len(s) > _MAX_ANNOTATION - 2 else s
                w.write(0, f"\t  {s}\n")
        else:
            w.write(0, f"{k}: {value}\n")


def events_for(cluster: Any, obj: dict[str, Any], match_kind: bool = True) -> list[dict[str, Any]]:
    """Events whose involvedObject is ``obj`` (kubectl's searchEvents), oldest last-seen first."""
    meta = obj.get("metadata") or {}
    ns = meta.get("namespace")
    try:
        evs = cluster.list("Event", namespace=ns) if ns else cluster.list("Event")
    except Exception:  # noqa: BLE001 - a backend without events describes without them
        return []
    out = []
    for e in evs:
        inv = e.get("involvedObject") or {}
        if inv.get("name") != meta.get("name"):
            continue
        if ns and inv.get("namespace", ns) != ns:
            continue
        if match_kind and inv.get("kind") and inv.get("kind") != obj.get("kind"):
            continue
        if inv.get("uid") and meta.get("uid") and inv.get("uid") != meta.get("uid"):
            continue
        out.append(e)
    out.sort(key=lambda e: parse_ts(e.get("lastTimestamp") or e.get("eventTime") or e.get("firstTimestamp")) or 0.0)
    return out


def describe_events(w: Writer, events: list[dict[str, Any]], now: float) -> None:
    if not events:
        w.write(0, "Events:\t<none>\n")
        return
    w.flush()
    w.write(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n")
    w.write(1, "----\t------\t----\t----\t-------\n")
    for e in events:
        first = age(e.get("eventTime"), now) if e.get("eventTime") else age(e.get("firstTimestamp"), now)
        series = e.get("series")
        if series:
            interval = f"{age(series.get('lastObservedTime'), now)} (x{series.get('count', 0)} over {first})"
        elif (e.get("count") or 0) > 1:
            interval = f"{age(e.get('lastTimestamp'), now)} (x{e['count']} over {first})"
        else:
            interval = first
        src = (e.get("source") or {}).get("component") or e.get("reportingComponent") or e.get("reportingController") or ""
        w.write(1, f"{e.get('type', '')}\t{e.get('reason', '')}\t{interval}\t{src}\t{(e.get('message') or '').strip()}\n")
