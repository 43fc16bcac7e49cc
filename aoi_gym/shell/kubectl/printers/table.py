"""Human-readable tables (``kubectl get`` without ``-o`` or with ``-o wide``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aoi_gym.cluster.kinds import KindInfo
from aoi_gym.shell.kubectl.printers.columns import columns_for
from aoi_gym.shell.kubectl.printers.fmt import format_labels
from aoi_gym.shell.kubectl.resources import group_kind
from aoi_gym.shell.kubectl.tabwriter import tabwrite

__all__ = ["TableOptions", "render_table"]


@dataclass
class TableOptions:
    wide: bool = False
    with_namespace: bool = False
    with_kind: bool = False
    show_labels: bool = False
    label_columns: list[str] = field(default_factory=list)
    no_headers: bool = False


def _clean(cell: str) -> str:
    # a tab or newline inside a cell would break the tabwriter's columns
    return cell.replace("\t", " ").replace("\n", " ") if ("\t" in cell or "\n" in cell) else cell


def render_table(objs: list[dict[str, Any]], info: KindInfo, now: float, opts: TableOptions) -> str:
    """One table (header + rows) for objects of one kind, aligned like kubectl's tabwriter."""
    cols = columns_for(info.kind)
    n_default = len(cols.headers)
    headers = list(cols.headers) + (list(cols.wide) if opts.wide else [])
    order = cols.order if (opts.wide and cols.order) else None
    if order:
        headers = [headers[i] for i in order]
    label_heads = [c.split("/")[-1].upper() for c in opts.label_columns]
    lines: list[str] = []
    if not opts.no_headers:
        h = (["NAMESPACE"] if opts.with_namespace else []) + headers + label_heads + (["LABELS"] if opts.show_labels else [])
        lines.append("\t".join(h))
    prefix = group_kind(info) + "/" if opts.with_kind else ""
    name_col = 0 if info.kind != "Event" else None
    for o in objs:
        cells = cols.row(o, now)
        cells = cells[: len(headers)] if opts.wide else cells[:n_default]
        if order:
            cells = [cells[i] for i in order]
        if prefix and name_col is not None:
            cells[0] = prefix + cells[0]
        meta = o.get("metadata") or {}
        labels = meta.get("labels") or {}
        row = ([meta.get("namespace", "")] if opts.with_namespace else []) + cells
        row += [labels.get(c, "") for c in opts.label_columns]
        if opts.show_labels:
            row.append(format_labels(labels))
        lines.append("\t".join(_clean(c) for c in row))
    return tabwrite("\n".join(lines) + "\n", 6, 3)
