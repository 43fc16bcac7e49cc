"""Node verbs: ``cordon``, ``uncordon``, ``drain``, ``taint``, and ``top pods|nodes`` from the metrics series."""

from __future__ import annotations

from typing import Any

from aoi_gym.cluster.base import ApiError
from aoi_gym.shell.kubectl.describe.quantity import parse_quantity
from aoi_gym.shell.kubectl.errors import KubectlError
from aoi_gym.shell.kubectl.flags import Flag
from aoi_gym.shell.kubectl.invocation import DRY_RUN_FLAGS, Invocation, dry_run_mode, dry_suffix
from aoi_gym.shell.kubectl.resources import resolve_type
from aoi_gym.shell.kubectl.tabwriter import tabwrite
from aoi_gym.shell.kubectl.verbs.common import get_one

__all__ = ["run_cordon", "run_uncordon", "run_drain", "run_taint", "run_top"]

NODE_FLAGS = DRY_RUN_FLAGS + [Flag("selector", "l")]
DRAIN_FLAGS = NODE_FLAGS + [
    Flag("ignore-daemonsets", kind="bool", default=False), Flag("delete-emptydir-data", kind="bool", default=False),
    Flag("delete-local-data", kind="bool", default=False), Flag("force", kind="bool", default=False),
    Flag("grace-period", kind="int", default=-1), Flag("timeout", default="0s"), Flag("pod-selector"),
    Flag("disable-eviction", kind="bool", default=False), Flag("skip-wait-for-delete-timeout", kind="int", default=0),
    Flag("chunk-size", kind="int", default=500),
]


def _nodes(inv: Invocation, args: list[str], selector: str | None, verb: str) -> list[dict[str, Any]]:
    info = resolve_type("node")
    if selector:
        return inv.cluster.list("Node", label_selector=selector)
    if not args:
        raise KubectlError(f"error: USAGE: {verb} NODE [flags]\nSee 'kubectl {verb} -h' for help and examples")
    out = []
    for a in args:
        name = a.split("/", 1)[1] if a.startswith(("node/", "nodes/", "no/")) else a
        try:
            out.append(get_one(inv, info, name))
        except ApiError as e:
            raise KubectlError(e.kubectl_message()) from None
    return out


def _set_unschedulable(inv: Invocation, node: dict[str, Any], value: bool, mode: str) -> str:
    name = node["metadata"]["name"]
    word = "cordoned" if value else "uncordoned"
    if bool((node.get("spec") or {}).get("unschedulable")) == value:
        return f"node/{name} already {word}\n"
    inv.cluster.patch("Node", name, None, {"spec": {"unschedulable": True if value else None}}, "merge", dry_run=mode != "none")
    return f"node/{name} {word}{dry_suffix(mode)}\n"


def run_cordon(inv: Invocation) -> int:
    p = inv.parse(NODE_FLAGS)
    mode = dry_run_mode(p)
    for n in _nodes(inv, p.args, p["selector"], "cordon"):
        inv.print(_set_unschedulable(inv, n, True, mode))
    return 0


def run_uncordon(inv: Invocation) -> int:
    p = inv.parse(NODE_FLAGS)
    mode = dry_run_mode(p)
    for n in _nodes(inv, p.args, p["selector"], "uncordon"):
        inv.print(_set_unschedulable(inv, n, False, mode))
    return 0


def run_drain(inv: Invocation) -> int:
    p = inv.parse(DRAIN_FLAGS)
    mode = dry_run_mode(p)
    code = 0
    for node in _nodes(inv, p.args, p["selector"], "drain"):
        name = node["metadata"]["name"]
        inv.print(_set_unschedulable(inv, node, True, mode))
        pods = [q for q in inv.cluster.list("Pod", label_selector=p["pod-selector"] or None)
                if (q.get("spec") or {}).get("nodeName") == name and (q.get("status") or {}).get("phase") not in ("Succeeded", "Failed")]
        daemon, unmanaged, local, evict = [], [], [], []
        for q in pods:
            ref = f"{q['metadata'].get('namespace', '')}/{q['metadata']['name']}"
            owner = next((o for o in q["metadata"].get("ownerReferences") or [] if o.get("controller")), None)
            if owner and owner.get("kind") == "DaemonSet":
                daemon.append(ref)
                continue
            if owner is None and not p["force"]:
                unmanaged.append(ref)
            if any("emptyDir" in v for v in (q.get("spec") or {}).get("volumes") or []) and not (p["delete-emptydir-data"] or p["delete-local-data"]):
                local.append(ref)
            evict.append(q)
        problems = []
        if daemon and not p["ignore-daemonsets"]:
            problems.append(f"cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): {', '.join(daemon)}")
        if unmanaged:
            problems.append(f"cannot delete Pods that declare no controller (use --force to override): {', '.join(unmanaged)}")
        if local:
            problems.append(f"cannot delete Pods with local storage (use --delete-emptydir-data to override): {', '.join(local)}")
        if problems:
            inv.warn(f"error: unable to drain node \"{name}\" due to error: {', '.join(problems)}, continuing command...\n"
                     f"There are pending nodes to be drained:\n {name}\n" + "".join(pr + "\n" for pr in problems))
            code = 1
            continue
        if daemon:
            inv.warn(f"Warning: ignoring DaemonSet-managed Pods: {', '.join(daemon)}\n")
        if unmanaged == [] and p["force"]:
            bare = [f"{q['metadata'].get('namespace', '')}/{q['metadata']['name']}" for q in evict
                    if not any(o.get("controller") for o in q["metadata"].get("ownerReferences") or [])]
            if bare:
                inv.warn(f"Warning: deleting Pods that declare no controller: {', '.join(bare)}\n")
        for q in evict:
            inv.warn(f"evicting pod {q['metadata'].get('namespace', '')}/{q['metadata']['name']}\n")
        for q in evict:
            try:
                inv.cluster.delete("Pod", q["metadata"]["name"], q["metadata"].get("namespace"),
                                   grace_period=None if p["grace-period"] < 0 else p["grace-period"], dry_run=mode != "none")
            except ApiError as e:
                inv.warn(e.kubectl_message() + "\n")
                code = 1
                continue
            inv.print(f"pod/{q['metadata']['name']} evicted\n")
        inv.print(f"node/{name} drained{dry_suffix(mode)}\n")
    return code


def run_taint(inv: Invocation) -> int:
    p = inv.parse(NODE_FLAGS + [Flag("overwrite", kind="bool", default=False), Flag("all", kind="bool", default=False)])
    mode = dry_run_mode(p)
    args = [a for a in p.args if a not in ("node", "nodes", "no")]
    if len(args) < 2:
        raise KubectlError("error: at least one taint update is required")
    node = _nodes(inv, args[:1], None, "taint")[0]
    taints = list((node.get("spec") or {}).get("taints") or [])
    removed = False
    for spec in args[1:]:
        if spec.endswith("-"):
            key = spec[:-1].split(":")[0].split("=")[0]
            eff = spec[:-1].split(":")[1] if ":" in spec[:-1] else None
            before = len(taints)
            taints = [t for t in taints if not (t.get("key") == key and (eff is None or t.get("effect") == eff))]
            if len(taints) == before:
                raise KubectlError(f"error: taint \"{spec[:-1]}\" not found")
            removed = True
            continue
        kv, _, effect = spec.partition(":")
        key, _, value = kv.partition("=")
        if effect not in ("NoSchedule", "PreferNoSchedule", "NoExecute"):
            raise KubectlError(f"error: invalid taint effect: {effect}, unsupported taint effect")
        existing = next((t for t in taints if t.get("key") == key and t.get("effect") == effect), None)
        if existing and not p["overwrite"]:
            raise KubectlError(f"error: node {node['metadata']['name']} already has {key} taint(s) with same effect(s) and --overwrite is false")
        taints = [t for t in taints if t is not existing] + [{"key": key, "effect": effect, **({"value": value} if value else {})}]
    inv.cluster.patch("Node", node["metadata"]["name"], None, {"spec": {"taints": taints or None}}, "merge", dry_run=mode != "none")
    inv.print(f"node/{node['metadata']['name']} {'untainted' if removed and len(args) == 2 else 'tainted'}{dry_suffix(mode)}\n")
    return 0


def _rate(points: list[tuple[float, float]]) -> float:
    if len(points) < 2 or points[-1][0] <= points[0][0]:
        return 0.0
    return max(points[-1][1] - points[0][1], 0.0) / (points[-1][0] - points[0][0])


def _usage(inv: Invocation, namespaces: list[str]) -> dict[tuple[str, str], dict[str, list[float]]]:
    """(namespace, pod) -> container -> [cpu cores, memory bytes]."""
    out: dict[tuple[str, str], dict[str, list[float]]] = {}
    for ns in namespaces:
        for s in inv.cluster.metrics(ns, 60):
            pod, cont = s.labels.get("pod"), s.labels.get("container") or ""
            if not pod or cont == "POD" or not s.points:
                continue
            slot = out.setdefault((s.labels.get("namespace", ns), pod), {}).setdefault(cont, [0.0, 0.0])
            if s.name == "container_cpu_usage_seconds_total":
                slot[0] += _rate(s.points)
            elif s.name == "container_memory_working_set_bytes":
                slot[1] += s.points[-1][1]
    return out


def _cpu(c: float) -> str:
    return f"{int(c * 1000)}m"


def _mem(b: float) -> str:
    return f"{int(b) // (1024 * 1024)}Mi"


def _top_table(rows: list[list[str]], headers: list[str], no_headers: bool) -> str:
    lines = ([] if no_headers else ["".join(h + "\t" for h in headers)]) + ["".join(c + "\t" for c in r) for r in rows]
    return tabwrite("\n".join(lines) + "\n", 6, 3)


def run_top(inv: Invocation) -> int:
    p = inv.parse([Flag("all-namespaces", "A", "bool", False), Flag("selector", "l"), Flag("field-selector"),
                   Flag("containers", kind="bool", default=False), Flag("sort-by"), Flag("no-headers", kind="bool", default=False),
                   Flag("use-protocol-buffers", kind="bool", default=True), Flag("sum", kind="bool", default=False),
                   Flag("show-capacity", kind="bool", default=False)], verb="top")
    if not p.args or p.args[0] not in ("pod", "pods", "po", "node", "nodes", "no"):
        raise KubectlError("error: Required resource not specified.\nUse one of: pod, node" if not p.args
                           else f'error: unknown command "{p.args[0]}" for "kubectl top"')
    what, names = p.args[0], p.args[1:]
    if what in ("node", "nodes", "no"):
        namespaces = [n["metadata"]["name"] for n in inv.cluster.list("Namespace")]
    else:
        namespaces = [n["metadata"]["name"] for n in inv.cluster.list("Namespace")] if p["all-namespaces"] else [inv.namespace]
    usage = _usage(inv, namespaces)
    if not usage:
        raise KubectlError("error: Metrics API not available")
    if what in ("pod", "pods", "po"):
        pods = inv.cluster.list("Pod", namespace=None if p["all-namespaces"] else inv.namespace,
                                label_selector=p["selector"] or None, field_selector=p["field-selector"] or None)
        pods = [q for q in pods if (q["metadata"].get("namespace", ""), q["metadata"]["name"]) in usage]
        if names:
            pods = [q for q in pods if q["metadata"]["name"] in names]
            if not pods:
                raise KubectlError(f'error: pods "{names[0]}" not found' if names else "error: metrics not available yet")
        if not pods:
            inv.warn(f"No resources found in {inv.namespace} namespace.\n" if not p["all-namespaces"] else "No resources found\n")
            return 0
        entries = []
        for q in pods:
            key = (q["metadata"].get("namespace", ""), q["metadata"]["name"])
            conts = usage[key]
            cpu, mem = sum(v[0] for v in conts.values()), sum(v[1] for v in conts.values())
            entries.append((key, conts, cpu, mem))
        if p["sort-by"] == "cpu":
            entries.sort(key=lambda e: -e[2])
        elif p["sort-by"] == "memory":
            entries.sort(key=lambda e: -e[3])
        rows = []
        for (ns, name), conts, cpu, mem in entries:
            prefix = [ns] if p["all-namespaces"] else []
            if p["containers"]:
                for cname in sorted(conts):
                    rows.append(prefix + [name, cname, _cpu(conts[cname][0]), _mem(conts[cname][1])])
            else:
                rows.append(prefix + [name, _cpu(cpu), _mem(mem)])
        headers = (["NAMESPACE"] if p["all-namespaces"] else []) + (["POD", "NAME"] if p["containers"] else ["NAME"]) + ["CPU(cores)", "MEMORY(bytes)"]
        inv.print(_top_table(rows, headers, p["no-headers"]))
        return 0
    nodes = inv.cluster.list("Node", label_selector=p["selector"] or None)
    if names:
        nodes = [n for n in nodes if n["metadata"]["name"] in names]
    pods = inv.cluster.list("Pod")
    per_node: dict[str, list[float]] = {}
    for q in pods:
        node = (q.get("spec") or {}).get("nodeName")
        conts = usage.get((q["metadata"].get("namespace", ""), q["metadata"]["name"]))
        if node and conts:
            slot = per_node.setdefault(node, [0.0, 0.0])
            slot[0] += sum(v[0] for v in conts.values())
            slot[1] += sum(v[1] for v in conts.values())
    rows = []
    for n in nodes:
        alloc = (n.get("status") or {}).get("allocatable") or {}
        cpu, mem = per_node.get(n["metadata"]["name"], [0.0, 0.0])
        a_cpu, a_mem = float(parse_quantity(alloc.get("cpu", 0))), float(parse_quantity(alloc.get("memory", 0)))
        rows.append([n["metadata"]["name"], _cpu(cpu), f"{int(cpu / a_cpu * 100) if a_cpu else 0}%", _mem(mem),
                     f"{int(mem / a_mem * 100) if a_mem else 0}%"])
    inv.print(_top_table(rows, ["NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)"], p["no-headers"]))
    return 0
