"""``kubectl set image|env|resources`` on workloads (and pods for image)."""

from __future__ import annotations

from typing import Any

from aoi_gym.cluster.base import ApiError
from aoi_gym.cluster.patch import json_copy
from aoi_gym.shell.kubectl.errors import KubectlError
from aoi_gym.shell.kubectl.flags import Flag
from aoi_gym.shell.kubectl.invocation import DRY_RUN_FLAGS, Invocation, dry_run_mode, dry_suffix
from aoi_gym.shell.kubectl.verbs.targets import fetch_targets, ref, split_targets

__all__ = ["run_set"]

SET_FLAGS = DRY_RUN_FLAGS + [
    Flag("container", "c", default="*"), Flag("limits"), Flag("requests"),
    Flag("list", kind="bool", default=False), Flag("all", kind="bool", default=False), Flag("selector", "l"),
    Flag("local", kind="bool", default=False), Flag("output", "o"), Flag("record", kind="bool", default=False),
    Flag("env", "e", "list"), Flag("from"), Flag("keys", kind="list"), Flag("overwrite", kind="bool", default=True),
    Flag("resolve", kind="bool", default=False), Flag("prefix"), Flag("filename", "f", "list"),
    Flag("field-manager"),
]


def _pod_spec(obj: dict[str, Any]) -> dict[str, Any]:
    if obj.get("kind") == "Pod":
        return obj.setdefault("spec", {})
    return obj.setdefault("spec", {}).setdefault("template", {}).setdefault("spec", {})


def _containers(spec: dict[str, Any], name: str) -> list[dict[str, Any]]:
    cs = (spec.get("initContainers") or []) + (spec.get("containers") or [])
    return cs if name == "*" else [c for c in cs if c.get("name") == name]


def _set_image(obj: dict[str, Any], pairs: list[str]) -> None:
    spec = _pod_spec(obj)
    for pair in pairs:
        name, eq, image = pair.partition("=")
        if not eq or not image:
            raise KubectlError(f"error: expected image specification, got {pair}")
        found = _containers(spec, name)
        if not found:
            raise KubectlError(f'error: unable to find container named "{name}"')
        for c in found:
            c["image"] = image


def _set_env(obj: dict[str, Any], pairs: list[str], container: str) -> None:
    spec = _pod_spec(obj)
    found = [c for c in spec.get("containers") or [] if container in ("*", c.get("name"))]
    if not found:
        raise KubectlError(f'error: unable to find container named "{container}"')
    for c in found:
        env = c.setdefault("env", [])
        for pair in pairs:
            if pair.endswith("-") and "=" not in pair:
                c["env"] = env = [e for e in env if e.get("name") != pair[:-1]]
                continue
            k, eq, v = pair.partition("=")
            if not eq:
                raise KubectlError(f"error: {pair} is not a valid key=value pair")
            for e in env:
                if e.get("name") == k:
                    e.pop("valueFrom", None)
                    e["value"] = v
                    break
            else:
                env.append({"name": k, "value": v})
        if not c["env"]:
            c.pop("env")


def _parse_resources(text: str | None) -> dict[str, str]:
    out = {}
    for part in (text or "").split(","):
        if not part:
            continue
        k, eq, v = part.partition("=")
        if not eq or k not in ("cpu", "memory", "ephemeral-storage") and not k.startswith("hugepages-"):
            raise KubectlError(f"error: invalid resource specification: {part}")
        out[k] = v
    return out


def run_set(inv: Invocation) -> int:
    p = inv.parse(SET_FLAGS, verb="set")
    if not p.args or p.args[0] not in ("image", "env", "resources", "selector", "serviceaccount", "subject"):
        raise KubectlError("error: Unexpected args: " + " ".join(p.args) + "\nSee 'kubectl set -h' for help and examples"
                           if p.args else "error: Required subcommand not specified: kubectl set (image|env|resources)")
    sub = p.args[0]
    if sub not in ("image", "env", "resources"):
        raise KubectlError(f"error: kubectl set {sub} is not supported in this simulated cluster; use kubectl patch")
    mode = dry_run_mode(p)
    items, rest = split_targets(p.args[1:], f"set {sub}")
    if sub == "env":
        rest = rest + list(p["env"])
    targets, errors = fetch_targets(inv, items, p["selector"], p["all"])
    limits, requests = _parse_resources(p["limits"]), _parse_resources(p["requests"])
    if sub == "image" and not rest:
        raise KubectlError("error: at least one image update is required")
    if sub == "resources" and not limits and not requests:
        raise KubectlError("error: you must specify an update to requests or limits (in the form of --requests/--limits)")
    msg = {"image": "image updated", "env": "env updated", "resources": "resource requirements updated"}[sub]
    for info, obj in targets:
        if info.kind not in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "Pod"):
            errors.append(f"error: {ref(info, obj)} is not a workload with a pod template")
            continue
        new = json_copy(obj)
        if sub == "image":
            _set_image(new, rest)
        elif sub == "env":
            if p["list"]:
                for c in _pod_spec(new).get("containers") or []:
                    inv.print(f"# {ref(info, obj)}, container {c.get('name')}\n" + "".join(
                        f"{e.get('name')}={e.get('value', '')}\n" for e in c.get("env") or []))
                continue
            _set_env(new, rest, p["container"])
        else:
            found = _containers(_pod_spec(new), p["container"]) if p["container"] != "*" else _pod_spec(new).get("containers") or []
            if not found:
                raise KubectlError(f'error: unable to find container named "{p["container"]}"')
            for c in found:
                res = c.setdefault("resources", {})
                if limits:
                    res.setdefault("limits", {}).update(limits)
                if requests:
                    res.setdefault("requests", {}).update(requests)
        new.pop("status", None)
        try:
            result = inv.cluster.replace(new, dry_run=mode != "none")
        except ApiError as e:
            errors.append(e.kubectl_message())
            continue
        if p["output"]:  # -o yaml/json/name prints the updated object instead of the message
            from aoi_gym.shell.kubectl.verbs.get import parse_output, print_generic

            fmt, arg = parse_output(p["output"])
            print_generic(inv, fmt, arg, [result], True)
            continue
        inv.print(f"{ref(info, obj)} {msg}{dry_suffix(mode)}\n")
    if errors:
        inv.warn("".join(e + "\n" for e in errors))
        return 1
    return 0
