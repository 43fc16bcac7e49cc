"""``kubectl describe TYPE [NAME_PREFIX]``, ``TYPE/NAME``, ``-l``, ``-A``."""

from __future__ import annotations

from aoi_gym.cluster.base import ApiError
from aoi_gym.shell.kubectl.describe import describe_object
from aoi_gym.shell.kubectl.errors import KubectlError
from aoi_gym.shell.kubectl.flags import Flag
from aoi_gym.shell.kubectl.invocation import SELECT_FLAGS, Invocation
from aoi_gym.shell.kubectl.resources import parse_resource_args
from aoi_gym.shell.kubectl.verbs.common import get_one, list_kind, no_resources_message

__all__ = ["run_describe"]

DESCRIBE_FLAGS = SELECT_FLAGS + [
    Flag("show-events", kind="bool", default=True),
    Flag("chunk-size", kind="int", default=500),
    Flag("filename", "f", "list"),
    Flag("recursive", "R", "bool", False),
]


def run_describe(inv: Invocation) -> int:
    p = inv.parse(DESCRIBE_FLAGS)
    if p["filename"]:
        raise KubectlError("error: -f is not supported for describe in this simulated cluster; name the resources instead")
    req = parse_resource_args(p.args, "describe")
    all_ns = bool(p["all-namespaces"])
    if req.has_names and p["selector"]:
        raise KubectlError("error: name cannot be provided when a selector is specified")
    now = inv.now()
    texts: list[str] = []
    errors: list[str] = []
    prefix_texts: list[str] = []
    listed_infos = []
    for info, name in req.items:
        if name is None:
            listed_infos.append(info)
            for o in list_kind(inv, info, all_ns, p["selector"], p["field-selector"]):
                texts.append(describe_object(inv.cluster, o, now))
            continue
        try:
            texts.append(describe_object(inv.cluster, get_one(inv, info, name), now))
        except ApiError as e:
            # like kubectl: with exactly TYPE NAME, fall back to describing every object whose name has that prefix
            matched = False
            if len(p.args) == 2 and "/" not in p.args[0]:
                for o in list_kind(inv, info, all_ns):
                    if o["metadata"]["name"].startswith(name):
                        prefix_texts.append(describe_object(inv.cluster, o, now) + "\n")
                        matched = True
            if not matched:
                errors.append(e.kubectl_message())
    out = "\n\n".join(texts) + "".join(prefix_texts)
    inv.print(out)
    if not texts and not prefix_texts and not errors and listed_infos:
        inv.warn(no_resources_message(inv, listed_infos, all_ns))
    if errors:
        inv.warn("".join(e + "\n" for e in errors))
        return 1
    return 0
