"""``kubectl describe node``: conditions, capacity, the non-terminated pods and allocated resources."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from aoi_gym.shell.kubectl.describe.quantity import format_bytes, format_cpu, parse_quantity
from aoi_gym.shell.kubectl.describe.writer import Writer, describe_events, events_for, print_annotations, print_labels
from aoi_gym.shell.kubectl.printers.fmt import node_roles
from aoi_gym.shell.kubectl.timefmt import age, rfc1123z

__all__ = ["describe_node"]


def _pod_totals(pod: dict[str, Any]) -> dict[str, tuple[Fraction, Fraction]]:
    out: dict[str, list[Fraction]] = {}
    for c in (pod.get("spec") or {}).get("containers") or []:
        res = c.get("resources") or {}
        lim, req = res.get("limits") or {}, res.get("requests") or {}
        for k in set(lim) | set(req):
            r = parse_quantity(req.get(k, lim.get(k)))
            cur = out.setdefault(k, [Fraction(0), Fraction(0)])
            cur[0] += r
            cur[1] += parse_quantity(lim.get(k, 0))
    return {k: (v[0], v[1]) for k, v in out.items()}


def _fmt(resource: str, v: Fraction) -> str:
    return format_cpu(v) if resource == "cpu" else format_bytes(v)


def _pct(v: Fraction, total: Fraction) -> int:
    return int(v / total * 100) if total else 0


def describe_node(cluster: Any, node: dict[str, Any], now: float) -> str:
    meta, spec, st = node.get("metadata") or {}, node.get("spec") or {}, node.get("status") or {}
    name = meta.get("name", "")
    w = Writer()
    w.write(0, f"Name:\t{name}\n")
    w.write(0, f"Roles:\t{','.join(node_roles(node)) or '<none>'}\n")
    print_labels(w, "Labels", meta.get("labels"))
    print_annotations(w, "Annotations", meta.get("annotations"))
    w.write(0, f"CreationTimestamp:\t{rfc1123z(meta.get('creationTimestamp'))}\n")
    taints = sorted(spec.get("taints") or [], key=lambda t: f"{t.get('effect', '')},{t.get('key', '')}")
    w.write(0, "Taints:\t")
    if not taints:
        w.line("<none>")
    for i, t in enumerate(taints):
        s = t.get("key", "") + (f"={t['value']}" if t.get("value") else "") + f":{t.get('effect', '')}"
        w.write(0, ("\t" if i else "") + s + "\n")
    w.write(0, f"Unschedulable:\t{'true' if spec.get('unschedulable') else 'false'}\n")
    conds = st.get("conditions") or []
    ready = next((c for c in conds if c.get("type") == "Ready"), {})
    w.write(0, "Lease:\n")
    w.write(1, f"HolderIdentity:\t{name}\n")
    w.write(1, "AcquireTime:\t<unset>\n")
    w.write(1, f"RenewTime:\t{rfc1123z(ready.get('lastHeartbeatTime')) if ready.get('lastHeartbeatTime') else '<unset>'}\n")
    if conds:
        w.write(0, "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n")
        w.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n")
        for c in conds:
            w.write(1, f"{c.get('type', '')} \t{c.get('status', '')} \t{rfc1123z(c.get('lastHeartbeatTime'))} \t"
                       f"{rfc1123z(c.get('lastTransitionTime'))} \t{c.get('reason', '')} \t{c.get('message', '')}\n")
    w.write(0, "Addresses:\n")
    for a in st.get("addresses") or []:
        w.write(1, f"{a.get('type', '')}:\t{a.get('address', '')}\n")
    for title, key in (("Capacity", "capacity"), ("Allocatable", "allocatable")):
        if st.get(key):
            w.write(0, f"{title}:\n")
            for r in sorted(st[key]):
                w.write(0, f"  {r}:\t{st[key][r]}\n")
    info = st.get("nodeInfo") or {}
    w.write(0, "System Info:\n")
    for label, k in (("Machine ID", "machineID"), ("System UUID", "systemUUID"), ("Boot ID", "bootID"),
                     ("Kernel Version", "kernelVersion"), ("OS Image", "osImage"), ("Operating System", "operatingSystem"),
                     ("Architecture", "architecture"), ("Container Runtime Version", "containerRuntimeVersion"),
                     ("Kubelet Version", "kubeletVersion"), ("Kube-Proxy Version", "kubeProxyVersion")):
        w.write(0, f"  {label}:\t{info.get(k, '')}\n")
    if spec.get("podCIDR"):
        w.write(0, f"PodCIDR:\t{spec['podCIDR']}\n")
    if spec.get("podCIDRs"):
        w.write(0, f"PodCIDRs:\t{','.join(spec['podCIDRs'])}\n")
    if spec.get("providerID"):
        w.write(0, f"ProviderID:\t{spec['providerID']}\n")
    try:
        pods = [p for p in cluster.list("Pod") if (p.get("spec") or {}).get("nodeName") == name
                and (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")]
    except Exception:  # noqa: BLE001
        pods = []
    alloc = st.get("allocatable") or st.get("capacity") or {}
    a_cpu, a_mem = parse_quantity(alloc.get("cpu", 0)), parse_quantity(alloc.get("memory", 0))
    a_eph = parse_quantity(alloc.get("ephemeral-storage", 0))
    w.write(0, f"Non-terminated Pods:\t({len(pods)} in total)\n")
    w.write(1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n")
    w.write(1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n")
    totals: dict[str, list[Fraction]] = {}
    for p in pods:
        t = _pod_totals(p)
        for k, (r, lim) in t.items():
            cur = totals.setdefault(k, [Fraction(0), Fraction(0)])
            cur[0] += r
            cur[1] += lim
        cr, cl = t.get("cpu", (Fraction(0), Fraction(0)))
        mr, ml = t.get("memory", (Fraction(0), Fraction(0)))
        w.write(1, f"{p['metadata'].get('namespace', '')}\t{p['metadata']['name']}\t\t{format_cpu(cr)} ({_pct(cr, a_cpu)}%)\t"
                   f"{format_cpu(cl)} ({_pct(cl, a_cpu)}%)\t{format_bytes(mr)} ({_pct(mr, a_mem)}%)\t"
                   f"{format_bytes(ml)} ({_pct(ml, a_mem)}%)\t{age(p['metadata'].get('creationTimestamp'), now)}\n")
    w.write(0, "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n")
    w.write(1, "Resource\tRequests\tLimits\n")
    w.write(1, "--------\t--------\t------\n")
    for r, total in (("cpu", a_cpu), ("memory", a_mem), ("ephemeral-storage", a_eph)):
        req, lim = totals.get(r, [Fraction(0), Fraction(0)])
        w.write(1, f"{r}\t{_fmt(r, req)} ({_pct(req, total)}%)\t{_fmt(r, lim)} ({_pct(lim, total)}%)\n")
    for r in sorted(k for k in alloc if k.startswith("hugepages-")):
        req, lim = totals.get(r, [Fraction(0), Fraction(0)])
        total = parse_quantity(alloc[r])
        w.write(1, f"{r}\t{format_bytes(req)} ({_pct(req, total)}%)\t{format_bytes(lim)} ({_pct(lim, total)}%)\n")
    describe_events(w, events_for(cluster, node), now)
    return w.text()
