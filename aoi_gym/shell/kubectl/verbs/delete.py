"""``kubectl delete TYPE NAME... | TYPE/NAME... | -l | --all | -f -`` with --grace-period/--force/--now."""

from __future__ import annotations

from aoi_gym.cluster.base import ApiError
from aoi_gym.shell.kubectl.errors import KubectlError
from aoi_gym.shell.kubectl.flags import Flag
from aoi_gym.shell.kubectl.invocation import DRY_RUN_FLAGS, Invocation, dry_run_mode, dry_suffix
from aoi_gym.shell.kubectl.resources import group_kind, resolve_type
from aoi_gym.shell.kubectl.verbs.manifests import read_manifests
from aoi_gym.shell.kubectl.verbs.targets import fetch_targets, split_targets

__all__ = ["run_delete"]

DELETE_FLAGS = DRY_RUN_FLAGS + [
    Flag("grace-period", kind="int", default=-1), Flag("force", kind="bool", default=False), Flag("now", kind="bool", default=False),
    Flag("wait", kind="bool", default=True), Flag("cascade", default="background", optional="background"),
    Flag("ignore-not-found", kind="bool", default=False), Flag("all", kind="bool", default=False), Flag("selector", "l"),
    Flag("field-selector"), Flag("all-namespaces", "A", "bool", False), Flag("filename", "f", "list"), Flag("recursive", "R", "bool", False),
    Flag("timeout", default="0s"), Flag("output", "o"), Flag("interactive", "i", "bool", False), Flag("raw"), Flag("kustomize", "k"),
]


def run_delete(inv: Invocation) -> int:
    p = inv.parse(DELETE_FLAGS)
    mode = dry_run_mode(p)
    grace = p["grace-period"]
    if p["now"]:
        if grace >= 0:
            raise KubectlError("error: --now and --grace-period cannot be specified together")
        grace = 1
    if grace == 0 and not p["force"]:
        grace = 1  # kubectl turns --grace-period=0 into 1 unless --force is given
    if p["force"] and grace < 0:
        grace = 0
    if p["filename"]:
        if p["filename"] != ["-"]:
            raise KubectlError(f'error: the path "{p["filename"][0]}" does not exist')
        targets_spec = []
        for doc in read_manifests(inv.stdin):
            info = resolve_type(doc.get("kind", ""))
            name = (doc.get("metadata") or {}).get("name")
            if name:
                targets_spec.append((info, name))
        items = targets_spec
    else:
        if not p.args:
            raise KubectlError("error: You must provide one or more resources by argument or filename.\n"
                               "Example resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n"
                               "   '<resource> <name>'\n   '<resource>'")
        items, rest = split_targets(p.args, "delete")
        if rest:
            raise KubectlError("error: there is no need to specify a resource type as a separate argument when passing "
                               "arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of "
                               "'kubectl get resource resource/<resource_name>'")
    if p["all"] and any(n is not None for _, n in items):
        raise KubectlError("error: name cannot be provided when --all is specified")
    targets, errors = fetch_targets(inv, items, p["selector"], p["all"], p["all-namespaces"])
    if p["ignore-not-found"]:
        errors = [e for e in errors if "(NotFound)" not in e]
    if grace == 0 and p["force"] and targets and mode == "none":
        inv.warn("Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. "
                 "The resource may continue to run on the cluster indefinitely.\n")
    for info, obj in targets:
        name = obj["metadata"]["name"]
        ns = obj["metadata"].get("namespace") if info.namespaced else None
        try:
            inv.cluster.delete(info.kind, name, ns, grace_period=None if grace < 0 else grace, dry_run=mode != "none")
        except ApiError as e:
            if not (p["ignore-not-found"] and e.reason == "NotFound"):
                errors.append(e.kubectl_message())
            continue
        verb = "force deleted" if (grace == 0 and p["force"]) else "deleted"
        inv.print(f'{group_kind(info)} "{name}" {verb}{dry_suffix(mode)}\n')
    if not targets and not errors and (p["all"] or p["selector"]) and not p["ignore-not-found"]:
        ns_note = "" if p["all-namespaces"] else f" in {inv.namespace} namespace"
        inv.warn(f"No resources found{ns_note}\n")
    if errors:
        inv.warn("".join(e + "\n" for e in errors))
        return 1
    return 0
