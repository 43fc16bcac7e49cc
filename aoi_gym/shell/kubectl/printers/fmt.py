"""Small formatting helpers shared by tables and describe (labels, selectors, ports, endpoints...)."""

from __future__ import annotations

from typing import Any

__all__ = [
    "format_labels",
    "selector_string",
    "format_label_selector",
    "access_modes",
    "format_endpoints",
    "service_ports",
    "service_external_ip",
    "cluster_ip",
    "container_cells",
    "node_roles",
    "pvc_class",
    "go_sprint",
]


def format_labels(labels: dict[str, str] | None) -> str:
    """labels.FormatLabels: ``a=b,c=d`` sorted by key, ``<none>`` when empty."""
    if not labels:
        return "<none>"
    return ",".join(f"{k}={labels[k]}" for k in sorted(labels))


def selector_string(sel: dict[str, Any] | None) -> str:
    """metav1.LabelSelectorAsSelector(...).String(): requirements sorted by key; ``""`` for none."""
    if not sel:
        return ""
    reqs: list[tuple[str, str]] = []
    for k, v in (sel.get("matchLabels") or {}).items():
        reqs.append((k, f"{k}={v}"))
    for e in sel.get("matchExpressions") or []:
        k, op, vals = e.get("key", ""), e.get("operator", ""), sorted(e.get("values") or [])
        if op == "In":
            reqs.append((k, f"{k} in ({','.join(vals)})"))
        elif op == "NotIn":
            reqs.append((k, f"{k} notin ({','.join(vals)})"))
        elif op == "Exists":
            reqs.append((k, k))
        elif op == "DoesNotExist":
            reqs.append((k, f"!{k}"))
    reqs.sort(key=lambda r: r[0])
    return ",".join(r[1] for r in reqs)


def format_label_selector(sel: dict[str, Any] | None) -> str:
    """metav1.FormatLabelSelector: like :func:`selector_string` but ``<none>`` when empty."""
    s = selector_string(sel)
    return s if s else "<none>"


_MODES = {"ReadWriteOnce": "RWO", "ReadOnlyMany": "ROX", "ReadWriteMany": "RWX", "ReadWriteOncePod": "RWOP"}


def access_modes(modes: list[str] | None) -> str:
    modes = modes or []
    return ",".join(_MODES[m] for m in ("ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod") if m in modes)


def format_endpoints(ep: dict[str, Any]) -> str:
    """The ENDPOINTS cell: ``10.244.0.5:80,10.244.0.6:80 + 3 more...`` or ``<none>``."""
    subsets = ep.get("subsets") or []
    if not subsets:
        return "<none>"
    out: list[str] = []
    more, count, maximum = False, 0, 3
    for ss in subsets:
        addrs = ss.get("addresses") or []
        ports = ss.get("ports") or []
        if not ports:
            count += len(addrs)
            for a in addrs:
                if len(out) == maximum:
                    more = True
                    break
                out.append(a.get("ip", ""))
            continue
        for p in ports:
            count += len(addrs)
            for a in addrs:
                if len(out) == maximum:
                    more = True
                    break
                ip = a.get("ip", "")
                host = f"[{ip}]" if ":" in ip else ip
                out.append(f"{host}:{p.get('port', 0)}")
    ret = ",".join(out)
    if more:
        return f"{ret} + {count - maximum} more..."
    return ret


def service_ports(ports: list[dict[str, Any]] | None) -> str:
    pieces = []
    for p in ports or []:
        proto = p.get("protocol") or "TCP"
        if p.get("nodePort"):
            pieces.append(f"{p.get('port', 0)}:{p['nodePort']}/{proto}")
        else:
            pieces.append(f"{p.get('port', 0)}/{proto}")
    return ",".join(pieces) or "<none>"


def cluster_ip(svc: dict[str, Any]) -> str:
    spec = svc.get("spec") or {}
    ips = spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP") else [])
    return ips[0] if ips else "<none>"


def service_external_ip(svc: dict[str, Any], wide: bool = True) -> str:
    spec = svc.get("spec") or {}
    typ = spec.get("type") or "ClusterIP"
    ext = spec.get("externalIPs") or []
    if typ in ("ClusterIP", "NodePort"):
        return ",".join(ext) if ext else "<none>"
    if typ == "LoadBalancer":
        ing = ((svc.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
        lb = []
        for i in ing:
            v = i.get("ip") or i.get("hostname")
            if v and v not in lb:
                lb.append(v)
        lbs = ",".join(lb)
        if not wide and len(lbs) > 16:
            lbs = lbs[:13] + "..."
        if ext:
            return ",".join((lbs.split(",") if lbs else []) + ext)
        return lbs or "<pending>"
    if typ == "ExternalName":
        return spec.get("externalName", "")
    return "<unknown>"


def container_cells(containers: list[dict[str, Any]] | None) -> tuple[str, str]:
    cs = containers or []
    return ",".join(c.get("name", "") for c in cs), ",".join(c.get("image", "") for c in cs)


def node_roles(node: dict[str, Any]) -> list[str]:
    roles = set()
    for k, v in ((node.get("metadata") or {}).get("labels") or {}).items():
        if k.startswith("node-role.kubernetes.io/"):
            r = k[len("node-role.kubernetes.io/"):]
            if r:
                roles.add(r)
        elif k == "kubernetes.io/role" and v:
            roles.add(v)
    return sorted(roles)


def pvc_class(obj: dict[str, Any]) -> str:
    ann = (obj.get("metadata") or {}).get("annotations") or {}
    if "volume.beta.kubernetes.io/storage-class" in ann:
        return ann["volume.beta.kubernetes.io/storage-class"]
    return (obj.get("spec") or {}).get("storageClassName") or ""


def go_sprint(v: Any) -> str:
    """Go's ``fmt.Sprint`` of a decoded JSON value (``map[a:b]``, ``[x y]``, ``<nil>``, ``true``)."""
    if v is None:
        return "<nil>"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 1e21 else repr(v)
    if isinstance(v, dict):
        return "map[" + " ".join(f"{k}:{go_sprint(v[k])}" for k in sorted(v)) + "]"
    if isinstance(v, list):
        return "[" + " ".join(go_sprint(x) for x in v) + "]"
    return str(v)
