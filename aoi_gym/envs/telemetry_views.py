"""How get_metrics / get_traces look to an agent: compact inline tables plus AIOpsLab-style CSV exports.

AIOpsLab writes CSV files and returns only their paths; an LLM then needs a second call to read them.
Here the same exports exist (kept in the env's in-memory file store, read back with ``read_metrics`` /
``read_traces``), and the reply also carries a compact summary table so one call is enough.
"""

from __future__ import annotations

import datetime as _dt
from collections import defaultdict
import numpy as np

from aoi_gym.cluster.base import MetricSeries, Span

__all__ = ["LazyCsv", "metrics_view", "traces_view", "format_table", "csv_to_table"]

_CONTAINER_METRICS = {
    "container_cpu_usage_seconds_total": ("CPU(m)", "rate_milli"),
    "container_memory_working_set_bytes": ("MEM(Mi)", "last_mib"),
    "container_network_receive_bytes_total": ("RX(KB/s)", "rate_kb"),
    "container_network_transmit_bytes_total": ("TX(KB/s)", "rate_kb"),
    "container_cpu_cfs_throttled_periods_total": ("THROTTLED/s", "rate"),
    "kube_pod_container_status_restarts_total": ("RESTARTS", "last_int"),
}


def format_table(header: list[str], rows: list[list[str]]) -> str:
    """Left-aligned columns separated by three spaces, like kubectl's tables."""
    widths = [len(h) for h in header]
    for r in rows:
        for i, c in enumerate(r):
            widths[i] = max(widths[i], len(c))
    lines = ["   ".join(c.ljust(widths[i]) for i, c in enumerate(r)).rstrip() for r in [header, *rows]]
    return "\n".join(lines)


def _reduce(points: list[tuple[float, float]], how: str) -> float:
    if not points:
        return 0.0
    if how.startswith("rate"):
        if len(points) < 2:
            return 0.0
        (t0, v0), (t1, v1) = points[0], points[-1]
        r = max(0.0, (v1 - v0) / (t1 - t0)) if t1 > t0 else 0.0
        return r * 1000 if how == "rate_milli" else (r / 1024 if how == "rate_kb" else r)
    last = points[-1][1]
    return last / (1024 * 1024) if how == "last_mib" else last


def _fmt(v: float) -> str:
    if abs(v) >= 100 or v == int(v):
        return str(int(round(v)))
    return f"{v:.2f}" if abs(v) < 10 else f"{v:.1f}"


def _stamp(epoch: float) -> str:
    return _dt.datetime.fromtimestamp(int(epoch), tz=_dt.timezone.utc).strftime("%Y%m%d_%H%M%S")


class LazyCsv:
    """An exported CSV file whose text is built on first read (``str(export)``).

    Most get_metrics replies are never read back with read_metrics, and formatting every point was
    half the cost of the call. The rows it formats are fixed when the export is made.
    """

    __slots__ = ("_rows", "_text")

    def __init__(self, rows: list[tuple[str, MetricSeries]]) -> None:
        self._rows: list[tuple[str, MetricSeries]] | None = rows  # (cmdb_id, series), in export order
        self._text: str | None = None

    def __str__(self) -> str:
        if self._text is None:
            lines = ["timestamp,cmdb_id,kpi_name,value"]
            for cmdb, s in self._rows or ():
                lines += [f"{int(t)},{cmdb},{s.name},{round(v, 3)}" for t, v in s.points]
            self._text, self._rows = "\n".join(lines) + "\n", None
        return self._text


def metrics_view(series: list[MetricSeries], namespace: str, now_epoch: float, duration_min: int, max_rows: int = 60) -> tuple[str, dict[str, LazyCsv]]:
    """Return (inline text, exported files {path: csv, built when ``str()`` reads it}) for a get_metrics
    call. The caller must not change ``series`` afterwards: the exports read it."""
    export_dir = f"metrics_output/metric_{_stamp(now_epoch)}"
    files: dict[str, list[tuple[str, MetricSeries]]] = defaultdict(list)
    per_pod: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    other: dict[str, list[tuple[str, float, float, float]]] = defaultdict(list)
    for s in series:
        pod = s.labels.get("pod", "")
        cmdb = f"{s.labels.get('instance', s.labels.get('node', 'node'))}.{pod or s.labels.get('service', '')}"
        group = "container" if s.name.startswith(("container_", "kube_pod")) else "service"
        if s.points:
            files[f"{export_dir}/{group}/kpi_{s.name}.csv"].append((cmdb, s))
        if s.name in _CONTAINER_METRICS and pod:
            col, how = _CONTAINER_METRICS[s.name]
            key = (pod, s.labels.get("container", ""))
            per_pod[key][col] = per_pod[key].get(col, 0.0) + _reduce(s.points, how)
        elif s.points:
            vals = np.array([v for _, v in s.points], dtype=float)
            label = ",".join(f"{k}={v}" for k, v in sorted(s.labels.items()) if k not in ("namespace", "instance"))
            other[s.name].append((label, float(vals.mean()), float(vals.max()), float(vals[-1])))
    parts = [f"Metrics for namespace {namespace}, last {duration_min} min (simulated), step 15s."]
    if per_pod:
        cols = [c for c, _ in _CONTAINER_METRICS.values() if any(c in d for d in per_pod.values())]
        rows = [[p, c] + [_fmt(d.get(col, 0.0)) for col in cols] for (p, c), d in sorted(per_pod.items())]
        parts.append(format_table(["POD", "CONTAINER", *cols], rows[:max_rows]))
        if len(rows) > max_rows:
            parts.append(f"... {len(rows) - max_rows} more rows in the export")
    for name in sorted(other):
        rows = [[lbl, _fmt(m), _fmt(mx), _fmt(last)] for lbl, m, mx, last in sorted(other[name])]
        parts.append(f"{name}:\n" + format_table(["SERIES", "MEAN", "MAX", "LAST"], rows[:max_rows]))
    if len(parts) == 1:
        parts.append("No metrics were reported for this namespace.")
    exported = {p: LazyCsv(rows) for p, rows in files.items()}
    if exported:
        listing = "\n".join(f"  {p}" for p in sorted(exported))
        parts.append(f"Full export: {export_dir}/ (read a file with read_metrics(path)):\n{listing}")
    return "\n\n".join(parts), exported


def _pct(vals: list[int], q: float) -> float:
    return float(np.percentile(np.asarray(vals, dtype=float), q)) if vals else 0.0


def traces_view(spans: list[Span], namespace: str, now_epoch: float, duration_min: int, max_rows: int = 40) -> tuple[str, dict[str, str]]:
    """Return (inline text, exported files {path: csv}) for a get_traces call."""
    path = f"trace_output/traces_{int(now_epoch)}.csv"
    lines = ["trace_id,span_id,parent_span,service_name,operation_name,start_time,duration,has_error,response"]
    groups: dict[tuple[str, str], list[Span]] = defaultdict(list)
    for s in spans:
        lines.append(
            f"{s.trace_id},{s.span_id},{s.parent_span_id or 'ROOT'},{s.service},{s.operation},"
            f"{s.start_us},{s.duration_us},{s.error},{s.status_code}"
        )
        groups[(s.service, s.operation)].append(s)
    head = f"Traces for namespace {namespace}, last {duration_min} min (simulated): {len(spans)} spans sampled."
    if not spans:
        return head + "\nNo traces were found.", {path: "\n".join(lines) + "\n"}
    rows = []
    for (svc, op), ss in sorted(groups.items()):
        d = [s.duration_us for s in ss]
        errs = sum(1 for s in ss if s.error)
        rows.append([svc, op, str(len(ss)), str(errs), f"{_pct(d, 50) / 1000:.1f}", f"{_pct(d, 99) / 1000:.1f}"])
    text = head + "\n\n" + format_table(["SERVICE", "OPERATION", "SPANS", "ERRORS", "P50(ms)", "P99(ms)"], rows[:max_rows])
    if len(rows) > max_rows:
        text += f"\n... {len(rows) - max_rows} more operations in the export"
    errors = [s for s in spans if s.error][:5]
    if errors:
        text += "\n\nSample error spans:\n" + "\n".join(
            f"  trace {s.trace_id[:16]} {s.service} {s.operation} {s.duration_us / 1000:.1f}ms status={s.status_code}"
            for s in errors
        )
    text += f"\n\nFull export: {path} (read it with read_traces(path))"
    return text, {path: "\n".join(lines) + "\n"}


def csv_to_table(csv_text: str, max_rows: int = 400) -> str:
    """Render an exported CSV as an aligned table (what AIOpsLab's read_* return)."""
    rows = [r.split(",") for r in csv_text.strip().splitlines()]
    if not rows:
        return ""
    body = rows[1:]
    text = format_table(rows[0], body[:max_rows])
    if len(body) > max_rows:
        text += f"\n... {len(body) - max_rows} more rows"
    return text

