"""``-o custom-columns=HEADER:.path,...``: one column per JSONPath, values joined by commas."""

from __future__ import annotations

from typing import Any

from aoi_gym.shell.kubectl.errors import KubectlError
from aoi_gym.shell.kubectl.printers.fmt import go_sprint
from aoi_gym.shell.kubectl.printers.jsonpath import find
from aoi_gym.shell.kubectl.tabwriter import tabwrite

__all__ = ["parse_spec", "render_custom_columns"]


def parse_spec(spec: str) -> list[tuple[str, str]]:
    if not spec:
        raise KubectlError("error: custom-columns format specified but no custom columns given")
    cols = []
    for part in spec.split(","):
        header, sep, path = part.partition(":")
        if not sep:
            raise KubectlError(f"error: unexpected custom-columns spec: {part}, expected <header>:<json-path-expr>")
        cols.append((header, path))
    return cols


def render_custom_columns(spec: str, objs: list[dict[str, Any]], no_headers: bool = False) -> str:
    cols = parse_spec(spec)
    lines = [] if no_headers else ["\t".join(h for h, _ in cols)]
    for o in objs:
        cells = []
        for _, path in cols:
            vals = find(path, o)
            cells.append(",".join(go_sprint(v) for v in vals) if vals else "<none>")
        lines.append("\t".join(cells))
    return tabwrite("\n".join(lines) + "\n", 6, 3)
