"""``kubectl scale``, ``patch``, ``label`` and ``annotate``."""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from aoi_gym.cluster.base import ApiError
from aoi_gym.shell.kubectl.errors import KubectlError
from aoi_gym.shell.kubectl.flags import Flag
from aoi_gym.shell.kubectl.invocation import DRY_RUN_FLAGS, OUTPUT_FLAGS, Invocation, dry_run_mode, dry_suffix
from aoi_gym.shell.kubectl.verbs.targets import fetch_targets, live_equal, ref, split_targets

__all__ = ["run_scale", "run_patch", "run_label", "run_annotate", "parse_patch"]

_SCALABLE = {"Deployment", "ReplicaSet", "StatefulSet", "ReplicationController"}


def _finish(inv: Invocation, errors: list[str]) -> int:
    if errors:
        inv.warn("".join(e + "\n" for e in errors))
        return 1
    return 0


def run_scale(inv: Invocation) -> int:
    p = inv.parse([Flag("replicas", kind="int", default=-1), Flag("current-replicas", kind="int", default=-1),
                   Flag("resource-version"), Flag("selector", "l"), Flag("all", kind="bool", default=False),
                   Flag("timeout", default="0s"), Flag("filename", "f", "list"), Flag("output", "o")] + DRY_RUN_FLAGS)
    if p["replicas"] < 0:
        raise KubectlError("error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0")
    mode = dry_run_mode(p)
    items, rest = split_targets(p.args, "scale")
    if rest:
        raise KubectlError(f"error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form")
    targets, errors = fetch_targets(inv, items, p["selector"], p["all"])
    for info, obj in targets:
        if info.kind not in _SCALABLE:
            errors.append(f'error: no scaler has been implemented for {{"{info.group}" "{info.kind}"}}')
            continue
        cur = (obj.get("spec") or {}).get("replicas", 1)
        if p["current-replicas"] >= 0 and p["current-replicas"] != cur:
            errors.append(f"error: Expected replicas to be {p['current-replicas']}, was {cur}")
            continue
        try:
            inv.cluster.patch(info.kind, obj["metadata"]["name"], inv.namespace if info.namespaced else None,
                              {"spec": {"replicas": p["replicas"]}}, "merge", dry_run=mode != "none")
        except ApiError as e:
            errors.append(e.kubectl_message())
            continue
        inv.print(f"{ref(info, obj)} scaled{dry_suffix(mode)}\n")
    return _finish(inv, errors)


def _go_yaml_error(e: yaml.YAMLError) -> str:
    """PyYAML's error worded as go-yaml (which kubectl uses) words it: ``yaml: line N: <problem>``."""
    problem = getattr(e, "problem", None) or str(e).splitlines()[0]
    mark = getattr(e, "problem_mark", None)
    for pyyaml, go in (("expected ',' or '}'", "did not find expected ',' or '}'"),
                       ("expected ',' or ']'", "did not find expected ',' or ']'"),
                       ("expected '<document start>'", "did not find expected <document start>"),
                       ("mapping values are not allowed here", "mapping values are not allowed in this context")):
        if problem.startswith(pyyaml):
            problem = go
            break
    return f"yaml: line {mark.line + 1}: {problem}" if mark is not None else f"yaml: {problem}"


def parse_patch(text: str) -> Any:
    """A patch given with -p: JSON or YAML, with kubectl's error for anything else."""
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        val = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise KubectlError(f'error: unable to parse "{text}": {_go_yaml_error(e)}') from None
    if not isinstance(val, (dict, list)):
        raise KubectlError(f'error: unable to parse "{text}": json: cannot unmarshal {type(val).__name__} into Go value of type map[string]interface {{}}')
    return val


def run_patch(inv: Invocation) -> int:
    p = inv.parse(OUTPUT_FLAGS + DRY_RUN_FLAGS + [Flag("patch", "p"), Flag("type", default="strategic"), Flag("patch-file"),
                  Flag("filename", "f", "list"), Flag("local", kind="bool", default=False), Flag("subresource"),
                  Flag("field-manager", default="kubectl-patch"), Flag("record", kind="bool", default=False)])
    if p["patch-file"]:
        raise KubectlError("error: --patch-file is not supported in this simulated cluster (no files); pass the patch with -p")
    if not p["patch"]:
        raise KubectlError("error: must specify --patch or --patch-file containing the contents of the patch")
    if p["type"] not in ("json", "merge", "strategic"):
        raise KubectlError(f'error: --type must be one of [json merge strategic], not "{p["type"]}"')
    mode = dry_run_mode(p)
    patch = parse_patch(p["patch"])
    items, rest = split_targets(p.args, "patch")
    if rest or any(n is None for _, n in items):
        raise KubectlError("error: resource(s) were provided, but no name was specified")
    targets, errors = fetch_targets(inv, items)
    for info, obj in targets:
        name = obj["metadata"]["name"]
        try:
            new = inv.cluster.patch(info.kind, name, inv.namespace if info.namespaced else None, patch, p["type"],
                                    dry_run=mode != "none")
        except ApiError as e:
            errors.append(e.kubectl_message())
            continue
        if p["output"]:
            from aoi_gym.shell.kubectl.verbs.get import parse_output, print_generic

            fmt, arg = parse_output(p["output"])
            print_generic(inv, fmt, arg, [new], True)
            continue
        note = " (no change)" if live_equal(obj, new) else ""
        inv.print(f"{ref(info, obj)} patched{note}{dry_suffix(mode)}\n")
    return _finish(inv, errors)


_KEY = re.compile(r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")


def _parse_pairs(pairs: list[str], what: str) -> tuple[dict[str, str], list[str]]:
    add: dict[str, str] = {}
    remove: list[str] = []
    for pair in pairs:
        if "=" in pair:
            k, _, v = pair.partition("=")
            if not _KEY.match(k) or (what == "label" and len(v) > 63):
                raise KubectlError(f"error: invalid {what} spec: {pair}")
            add[k] = v
        elif pair.endswith("-"):
            remove.append(pair[:-1])
        else:
            raise KubectlError(f"error: at least one {what} update is required")
    for k in remove:
        if k in add:
            raise KubectlError(f"error: can not both modify and remove the following {what}(s) in the same command: {k}")
    return add, remove


def _run_meta(inv: Invocation, field: str, what: str) -> int:
    p = inv.parse(OUTPUT_FLAGS + DRY_RUN_FLAGS + [Flag("overwrite", kind="bool", default=False), Flag("all", kind="bool", default=False),
                  Flag("selector", "l"), Flag("list", kind="bool", default=False), Flag("local", kind="bool", default=False),
                  Flag("resource-version"), Flag("filename", "f", "list"), Flag("all-namespaces", "A", "bool", False),
                  Flag("field-selector"), Flag("field-manager")])
    mode = dry_run_mode(p)
    items, pairs = split_targets(p.args, what)
    add, remove = _parse_pairs(pairs, what)
    if not add and not remove and not p["list"]:
        raise KubectlError(f"error: at least one {what} update is required")
    targets, errors = fetch_targets(inv, items, p["selector"], p["all"], p["all-namespaces"])
    for info, obj in targets:
        cur = dict((obj.get("metadata") or {}).get(field) or {})
        if p["list"]:
            inv.print("".join(f"{k}={cur[k]}\n" for k in sorted(cur)))
            continue
        if not p["overwrite"]:
            clash = [k for k, v in add.items() if k in cur and cur[k] != v]
            if clash:
                if what == "label":
                    k = clash[0]
                    raise KubectlError(f"error: '{k}' already has a value ({cur[k]}), and --overwrite is false")
                detail = ", ".join(f"'{k}' already has a value ({cur[k]})" for k in clash)
                raise KubectlError(f"error: --overwrite is false but found the following declared annotation(s): {detail}")
        new = dict(cur)
        new.update(add)
        for k in remove:
            new.pop(k, None)
        if new == cur:
            msg = "not labeled" if what == "label" else "annotated"
        else:
            shorter = len(json.dumps(new)) < len(json.dumps(cur))
            done = "labeled" if what == "label" else "annotated"
            msg = "unlabeled" if (shorter and not p["overwrite"] and what == "label") else done
            patch = {"metadata": {field: {**{k: v for k, v in add.items()}, **{k: None for k in remove if k in cur}}}}
            try:
                inv.cluster.patch(info.kind, obj["metadata"]["name"], obj["metadata"].get("namespace") if info.namespaced else None,
                                  patch, "merge", dry_run=mode != "none")
            except ApiError as e:
                errors.append(e.kubectl_message())
                continue
        inv.print(f"{ref(info, obj)} {msg}{dry_suffix(mode)}\n")
    return _finish(inv, errors)


def run_label(inv: Invocation) -> int:
    return _run_meta(inv, "labels", "label")


def run_annotate(inv: Invocation) -> int:
    return _run_meta(inv, "annotations", "annotation")
