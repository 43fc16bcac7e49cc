"""``kubectl apply -f -``, ``create -f -`` / ``create namespace|configmap|secret generic|deployment|serviceaccount``,
``replace -f -`` and ``run``. Manifests come from stdin (the simulated shell has no files)."""

from __future__ import annotations

import base64
import json
from typing import Any

from aoi_gym.cluster.base import ApiError, NotFound
from aoi_gym.cluster.patch import json_copy, strategic_merge_patch
from aoi_gym.shell.kubectl.errors import KubectlError
from aoi_gym.shell.kubectl.flags import Flag
from aoi_gym.shell.kubectl.invocation import DRY_RUN_FLAGS, OUTPUT_FLAGS, Invocation, dry_run_mode, dry_suffix
from aoi_gym.shell.kubectl.resources import kind_ref, resolve_type
from aoi_gym.shell.kubectl.verbs.manifests import read_manifests
from aoi_gym.shell.kubectl.verbs.targets import live_equal

__all__ = ["run_apply", "run_create", "run_replace", "run_run"]

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
FILE_FLAGS = OUTPUT_FLAGS + DRY_RUN_FLAGS + [
    Flag("filename", "f", "list"), Flag("recursive", "R", "bool", False), Flag("validate", default="strict", optional="strict"),
    Flag("force", kind="bool", default=False), Flag("prune", kind="bool", default=False), Flag("selector", "l"),
    Flag("server-side", kind="bool", default=False), Flag("field-manager"), Flag("force-conflicts", kind="bool", default=False),
    Flag("overwrite", kind="bool", default=True), Flag("wait", kind="bool", default=False), Flag("timeout", default="0s"),
    Flag("save-config", kind="bool", default=False), Flag("edit", kind="bool", default=False), Flag("raw"), Flag("kustomize", "k"),
    Flag("record", kind="bool", default=False), Flag("grace-period", kind="int", default=-1), Flag("cascade", default="background"),
    Flag("all", kind="bool", default=False),
]


def _docs(inv: Invocation, p) -> list[dict[str, Any]]:
    files = p["filename"]
    if not files:
        raise KubectlError("error: must specify one of -f and -k")
    if files != ["-"]:
        raise KubectlError(f'error: the path "{files[0]}" does not exist (this simulated shell has no files; pipe the manifest to "-f -")')
    return read_manifests(inv.stdin)


def _namespace_for(inv: Invocation, doc: dict[str, Any]) -> str | None:
    info = resolve_type(doc["kind"])
    if not info.namespaced:
        return None
    ns = (doc.get("metadata") or {}).get("namespace")
    if ns and inv.namespace_given and ns != inv.namespace:
        raise KubectlError(f'error: the namespace from the provided object "{ns}" does not match the namespace '
                           f'"{inv.namespace}". You must pass \'--namespace={ns}\' to perform this operation.')
    return ns or inv.namespace


def _prune_removed(live: Any, last: Any, config: Any) -> Any:
    """Remove from ``live`` the map keys that were in the last applied config but are gone from the new one."""
    if not (isinstance(live, dict) and isinstance(last, dict) and isinstance(config, dict)):
        return live
    for k in list(last):
        if k not in config:
            live.pop(k, None)
        elif k in live:
            live[k] = _prune_removed(live[k], last[k], config[k])
    return live


def run_apply(inv: Invocation) -> int:
    p = inv.parse(FILE_FLAGS)
    mode = dry_run_mode(p)
    errors: list[str] = []
    for doc in _docs(inv, p):
        info = resolve_type(doc["kind"])
        doc = json_copy(doc)
        meta = doc.setdefault("metadata", {})
        ns = _namespace_for(inv, doc)
        if ns:
            meta["namespace"] = ns
        name = meta.get("name")
        if not name:
            errors.append("error: error when retrieving current configuration: resource name may not be empty")
            continue
        config = {k: v for k, v in doc.items() if k != "status"}
        applied = json.dumps(config, sort_keys=True, separators=(",", ":")) + "\n"
        try:
            live = inv.cluster.get(info.kind, name, ns)
        except NotFound:
            live = None
        except ApiError as e:
            errors.append(e.kubectl_message())
            continue
        try:
            if live is None:
                new = json_copy(config)
                new["metadata"].setdefault("annotations", {})[LAST_APPLIED] = applied
                inv.cluster.create(new, dry_run=mode != "none")
                inv.print(f"{kind_ref(info, name)} created{dry_suffix(mode)}\n")
                continue
            last_raw = ((live.get("metadata") or {}).get("annotations") or {}).get(LAST_APPLIED)
            try:
                last = json.loads(last_raw) if last_raw else {}
            except ValueError:
                last = {}
            new = strategic_merge_patch(json_copy(live), config)
            new = _prune_removed(new, last, config)
            new.setdefault("metadata", {}).setdefault("annotations", {})[LAST_APPLIED] = applied
            if live_equal(new, live):
                inv.print(f"{kind_ref(info, name)} unchanged{dry_suffix(mode)}\n")
                continue
            new.pop("status", None)
            inv.cluster.replace(new, dry_run=mode != "none")
            inv.print(f"{kind_ref(info, name)} configured{dry_suffix(mode)}\n")
        except ApiError as e:
            errors.append(e.kubectl_message())
    if errors:
        inv.warn("".join(e + "\n" for e in errors))
        return 1
    return 0


def run_replace(inv: Invocation) -> int:
    p = inv.parse(FILE_FLAGS)
    mode = dry_run_mode(p)
    errors = []
    for doc in _docs(inv, p):
        info = resolve_type(doc["kind"])
        doc = json_copy(doc)
        ns = _namespace_for(inv, doc)
        if ns:
            doc["metadata"]["namespace"] = ns
        try:
            inv.cluster.replace(doc, dry_run=mode != "none")
            inv.print(f"{kind_ref(info, doc['metadata'].get('name', ''))} replaced{dry_suffix(mode)}\n")
        except ApiError as e:
            errors.append(e.kubectl_message())
    if errors:
        inv.warn("".join(e + "\n" for e in errors))
        return 1
    return 0


def _client_side(inv: Invocation, obj: dict[str, Any]) -> dict[str, Any]:
    """What ``--dry-run=client`` prints for a generated object: never sent to the server, so no uid or
    timestamps (``creationTimestamp: null``), and a namespace only when ``-n`` was given."""
    obj = json_copy(obj)
    meta = obj["metadata"]
    if not inv.namespace_given:
        meta.pop("namespace", None)
    obj["metadata"] = {"creationTimestamp": None, **meta}
    template = (obj.get("spec") or {}).get("template")
    if isinstance(template, dict):
        template["metadata"] = {"creationTimestamp": None, **(template.get("metadata") or {})}
    if obj["kind"] in ("Deployment", "Pod", "Namespace"):
        obj["status"] = {}
    elif obj["kind"] == "Service":
        obj["status"] = {"loadBalancer": {}}
    elif obj["kind"] == "HorizontalPodAutoscaler":
        obj["status"] = {"currentReplicas": 0, "desiredReplicas": 0}
    return obj


def _create_one(inv: Invocation, obj: dict[str, Any], mode: str, output: str | None, generated: bool = False,
                done: str = "created") -> None:
    info = resolve_type(obj["kind"])
    if mode == "client" and generated:  # kubectl builds it locally and never calls the API server
        created = _client_side(inv, obj)
    else:
        created = inv.cluster.create(obj, dry_run=mode != "none")
    if output:
        from aoi_gym.shell.kubectl.verbs.get import parse_output, print_generic

        fmt, arg = parse_output(output)
        print_generic(inv, fmt, arg, [created], True)
        return
    inv.print(f"{kind_ref(info, obj['metadata']['name'])} {done}{dry_suffix(mode)}\n")


def _literals(values: list[str]) -> dict[str, str]:
    out = {}
    for v in values:
        k, eq, val = v.partition("=")
        if not eq or not k:
            raise KubectlError(f'error: invalid literal source {v}, expected key=value')
        out[k] = val
    return out


def run_create(inv: Invocation) -> int:
    extra = [Flag("from-literal", kind="list"), Flag("from-file", kind="list"), Flag("from-env-file", kind="list"),
             Flag("image", kind="list"), Flag("replicas", "r", "int", 1), Flag("port", kind="int", default=-1),
             Flag("type"), Flag("append-hash", kind="bool", default=False)]
    p = inv.parse(FILE_FLAGS + extra)
    mode = dry_run_mode(p)
    if p["filename"]:
        errors = []
        for doc in _docs(inv, p):
            doc = json_copy(doc)
            ns = _namespace_for(inv, doc)
            if ns:
                doc["metadata"]["namespace"] = ns
            try:
                _create_one(inv, doc, mode, p["output"])
            except ApiError as e:
                errors.append(e.kubectl_message())
        if errors:
            inv.warn("".join(e + "\n" for e in errors))
            return 1
        return 0
    if not p.args:
        raise KubectlError("error: must specify one of -f and -k")
    sub, args = p.args[0], p.args[1:]
    if sub == "secret" and args[:1] == ["generic"]:
        sub, args = "secret generic", args[1:]
    if not args:
        raise KubectlError(f"error: exactly one NAME is required, got 0\nSee 'kubectl create {sub} -h' for help and examples")
    name = args[0]
    if p["from-file"] or p["from-env-file"]:
        raise KubectlError("error: --from-file is not supported in this simulated cluster (no files); use --from-literal")
    meta = {"name": name}
    if sub in ("namespace", "ns"):
        obj = {"apiVersion": "v1", "kind": "Namespace", "metadata": meta, "spec": {}, "status": {"phase": "Active"}}
    elif sub in ("configmap", "cm"):
        meta["namespace"] = inv.namespace
        obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": _literals(p["from-literal"])}
    elif sub == "secret generic":
        meta["namespace"] = inv.namespace
        data = {k: base64.b64encode(v.encode()).decode() for k, v in _literals(p["from-literal"]).items()}
        obj = {"apiVersion": "v1", "kind": "Secret", "metadata": meta, "type": p["type"] or "Opaque", "data": data}
    elif sub in ("serviceaccount", "sa"):
        meta["namespace"] = inv.namespace
        obj = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta}
    elif sub in ("deployment", "deploy"):
        if not p["image"]:
            raise KubectlError("error: required flag(s) \"image\" not set")
        meta.update(namespace=inv.namespace, labels={"app": name})
        containers = []
        for img in p["image"]:
            base = img.split("/")[-1].split(":")[0].split("@")[0]
            c = {"name": base, "image": img, "resources": {}}
            if p["port"] >= 0:
                c["ports"] = [{"containerPort": p["port"]}]
            containers.append(c)
        obj = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta,
               "spec": {"replicas": p["replicas"], "selector": {"matchLabels": {"app": name}},
                        "strategy": {}, "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": containers}}}}
    else:
        raise KubectlError(f"error: kubectl create {sub} is not supported in this simulated cluster; pipe a manifest to 'kubectl create -f -'")
    try:
        _create_one(inv, obj, mode, p["output"], generated=True)
    except ApiError as e:
        raise KubectlError(e.kubectl_message()) from None
    return 0


def run_run(inv: Invocation) -> int:
    p = inv.parse(OUTPUT_FLAGS + DRY_RUN_FLAGS + [
        Flag("image"), Flag("restart", default="Always"), Flag("labels"), Flag("env", kind="list"), Flag("port"),
        Flag("command", kind="bool", default=False), Flag("rm", kind="bool", default=False), Flag("stdin", "i", "bool", False),
        Flag("tty", "t", "bool", False), Flag("attach", kind="bool", default=False), Flag("image-pull-policy"),
        Flag("annotations", kind="list"), Flag("overrides"), Flag("quiet", "q", "bool", False), Flag("expose", kind="bool", default=False),
        Flag("serviceaccount"), Flag("pod-running-timeout", default="1m0s"), Flag("privileged", kind="bool", default=False)])
    if not p.args:
        raise KubectlError("error: NAME is required for run\nSee 'kubectl run -h' for help and examples")
    if not p["image"]:
        raise KubectlError("error: required flag(s) \"image\" not set")
    if p["rm"] or p["stdin"] or p["tty"] or p["attach"]:
        raise KubectlError("error: interactive pods (--rm, -i, -t, --attach) are not supported in this simulated cluster; "
                           "create the pod and then use 'kubectl exec' or 'kubectl logs'")
    name = p.args[0]
    labels = {"run": name}
    if p["labels"]:
        labels = _literals(p["labels"].split(","))
    container: dict[str, Any] = {"name": name, "image": p["image"], "resources": {}}
    rest = (p.args[1:] or []) + (p.dash_args or [])
    if rest:
        container["command" if p["command"] else "args"] = rest
    if p["env"]:
        container["env"] = [{"name": k, "value": v} for k, v in _literals(p["env"]).items()]
    if p["port"]:
        container["ports"] = [{"containerPort": int(p["port"])}]
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": inv.namespace, "labels": labels},
           "spec": {"containers": [container], "restartPolicy": p["restart"], "dnsPolicy": "ClusterFirst"}}
    mode = dry_run_mode(p)
    try:
        _create_one(inv, pod, mode, p["output"], generated=True)
    except ApiError as e:
        raise KubectlError(e.kubectl_message()) from None
    return 0
