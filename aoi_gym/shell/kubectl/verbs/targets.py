"""Resolving mutating verbs' targets (``TYPE NAME...``, ``TYPE/NAME...``, ``-l``, ``--all``) and printing results."""

from __future__ import annotations

from typing import Any

from aoi_gym.cluster.base import ApiError
from aoi_gym.cluster.kinds import KindInfo
from aoi_gym.shell.kubectl.errors import KubectlError
from aoi_gym.shell.kubectl.invocation import Invocation
from aoi_gym.shell.kubectl.resources import kind_ref, resolve_type
from aoi_gym.shell.kubectl.verbs.common import get_one, list_kind

__all__ = ["split_targets", "fetch_targets", "ref", "live_equal"]


def split_targets(args: list[str], verb: str) -> tuple[list[tuple[KindInfo, str | None]], list[str]]:
    """Leading resource args -> (kind, name) pairs, plus the remaining args (``k=v`` pairs, container=image...)."""
    if not args:
        raise KubectlError(f"error: You must provide one or more resources by argument or filename.\n"
                           f"Example resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n"
                           f"   '<resource> <name>'\n   '<resource>'")
    if "/" in args[0]:
        items, i = [], 0
        while i < len(args) and "/" in args[i] and "=" not in args[i]:
            t, _, n = args[i].partition("/")
            items.append((resolve_type(t), n))
            i += 1
        return items, args[i:]
    info = resolve_type(args[0])
    names, i = [], 1
    while i < len(args) and "=" not in args[i] and not args[i].endswith("-") and "/" not in args[i]:
        names.append(args[i])
        i += 1
    return ([(info, n) for n in names] or [(info, None)]), args[i:]


def fetch_targets(inv: Invocation, items: list[tuple[KindInfo, str | None]], selector: str | None = None,
                  all_objs: bool = False, all_ns: bool = False) -> tuple[list[tuple[KindInfo, dict]], list[str]]:
    out: list[tuple[KindInfo, dict]] = []
    errors: list[str] = []
    for info, name in items:
        if name is None:
            if not selector and not all_objs:
                raise KubectlError("error: resource(s) were provided, but no name was specified")
            out.extend((info, o) for o in list_kind(inv, info, all_ns, selector))
            continue
        try:
            out.append((info, get_one(inv, info, name)))
        except ApiError as e:
            errors.append(e.kubectl_message())
    return out, errors


def ref(info: KindInfo, obj: dict[str, Any]) -> str:
    return kind_ref(info, obj["metadata"]["name"])


def _strip(o: Any) -> Any:
    if isinstance(o, dict):
        meta = o.get("metadata")
        o = {k: v for k, v in o.items() if k != "status"}
        if isinstance(meta, dict):
            o["metadata"] = {k: v for k, v in meta.items() if k not in ("resourceVersion", "generation", "managedFields")}
    return o


def live_equal(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether two versions of an object differ only in status and bookkeeping."""
    return _strip(a) == _strip(b)
