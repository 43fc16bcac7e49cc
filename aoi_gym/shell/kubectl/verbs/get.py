"""``kubectl get``: tables, -o wide/yaml/json/name/jsonpath/custom-columns, --sort-by, selectors."""

from __future__ import annotations

from typing import Any

from aoi_gym.shell.kubectl.errors import KubectlError
from aoi_gym.shell.kubectl.flags import Flag, Parsed
from aoi_gym.shell.kubectl.invocation import OUTPUT_FLAGS, SELECT_FLAGS, Invocation
from aoi_gym.shell.kubectl.printers.custom_columns import render_custom_columns
from aoi_gym.shell.kubectl.printers.jsonpath import find, render
from aoi_gym.shell.kubectl.printers.structured import as_list, name_of, strip_for_output, to_json, to_yaml
from aoi_gym.shell.kubectl.printers.table import TableOptions, render_table
from aoi_gym.shell.kubectl.resources import parse_resource_args
from aoi_gym.shell.kubectl.verbs.common import fetch, no_resources_message

__all__ = ["run_get", "GET_FLAGS", "parse_output", "print_generic"]

GET_FLAGS = OUTPUT_FLAGS + SELECT_FLAGS + [
    Flag("watch", "w", "bool", False),
    Flag("watch-only", kind="bool", default=False),
    Flag("output-watch-events", kind="bool", default=False),
    Flag("chunk-size", kind="int", default=500),
    Flag("ignore-not-found", kind="bool", default=False),
    Flag("raw"),
    Flag("filename", "f", "list"),
    Flag("recursive", "R", "bool", False),
    Flag("subresource"),
    Flag("server-print", kind="bool", default=True),
]

_FORMATS = ("custom-columns", "custom-columns-file", "go-template", "go-template-file", "json", "jsonpath",
            "jsonpath-as-json", "jsonpath-file", "name", "template", "templatefile", "wide", "yaml")


def parse_output(value: str | None) -> tuple[str, str]:
    """Split ``-o`` into (format, argument); raises kubectl's errors for unknown or unsupported formats."""
    if not value:
        return "", ""
    fmt, _, arg = value.partition("=")
    if fmt not in _FORMATS:
        raise KubectlError(
            f'error: unable to match a printer suitable for the output format "{value}", allowed formats are: '
            + ",".join(_FORMATS)
        )
    if fmt in ("go-template", "go-template-file", "template", "templatefile"):
        raise KubectlError("error: go-template output is not supported in this simulated cluster; use -o jsonpath=... or -o json instead")
    if fmt in ("jsonpath-file", "custom-columns-file"):
        raise KubectlError(f"error: -o {fmt} is not supported in this simulated cluster (no files); pass the template inline")
    if fmt in ("jsonpath", "jsonpath-as-json") and not arg:
        raise KubectlError("error: template format specified but no template given")
    return fmt, arg


def _sort(objs: list[dict], expr: str) -> list[dict]:
    def key(o: dict) -> tuple:
        vals = find(expr, o)
        if not vals:
            return (0, 0, "")
        v = vals[0]
        if isinstance(v, bool):
            return (1, int(v), "")
        if isinstance(v, (int, float)):
            return (1, v, "")
        return (2, 0, v if isinstance(v, str) else str(v))

    return sorted(objs, key=key)


def print_generic(inv: Invocation, fmt: str, arg: str, objs: list[dict], single: bool, no_headers: bool = False) -> None:
    """Print ``objs`` in a non-table format; ``single`` prints one object instead of a List."""
    objs = [strip_for_output(o) for o in objs]
    data: Any = objs[0] if single and len(objs) == 1 else as_list(objs)
    if fmt == "json":
        inv.print(to_json(data) + "\n")
    elif fmt == "yaml":
        inv.print(to_yaml(data))
    elif fmt == "name":
        inv.print("".join(name_of(o) + "\n" for o in objs))
    elif fmt in ("jsonpath", "jsonpath-as-json"):
        inv.print(render(arg, data, as_json=fmt == "jsonpath-as-json"))
    elif fmt == "custom-columns":
        inv.print(render_custom_columns(arg, objs, no_headers))


def run_get(inv: Invocation) -> int:
    p: Parsed = inv.parse(GET_FLAGS)
    if p["watch"] or p["watch-only"]:
        raise KubectlError(
            "error: --watch is not supported in this simulated cluster (time only moves between agent steps); "
            "run the command again to see changes"
        )
    if p["filename"]:
        raise KubectlError("error: -f is not supported for get in this simulated cluster; name the resources instead")
    fmt, arg = parse_output(p["output"])
    req = parse_resource_args(p.args, "get")
    all_ns = bool(p["all-namespaces"])
    groups, errors = fetch(inv, req, all_ns, p["selector"], p["field-selector"])
    if p["ignore-not-found"]:
        errors = [e for e in errors if "(NotFound)" not in e]
    if p["sort-by"]:
        groups = [(info, _sort(objs, p["sort-by"])) for info, objs in groups]
    total = sum(len(objs) for _, objs in groups)
    if fmt not in ("", "wide"):
        single = req.has_names and len(req.items) == 1
        if total or not single:
            print_generic(inv, fmt, arg, [o for _, objs in groups for o in objs], single, p["no-headers"])
    else:
        label_cols = [c for v in p["label-columns"] for c in v.split(",") if c]
        tables = []
        for info, objs in groups:
            if not objs:
                continue
            opts = TableOptions(
                wide=fmt == "wide",
                with_namespace=all_ns and info.namespaced,
                with_kind=req.multiple_types or p["show-kind"],
                show_labels=p["show-labels"],
                label_columns=label_cols,
                no_headers=p["no-headers"],
            )
            tables.append(render_table(objs, info, inv.now(), opts))
        inv.print(("" if p["no-headers"] else "\n").join(tables))
        if total == 0 and not errors and not p["ignore-not-found"]:
            inv.warn(no_resources_message(inv, [i for i, _ in groups], all_ns))
    if errors:
        inv.warn("".join(e + "\n" for e in errors))
        return 1
    return 0
