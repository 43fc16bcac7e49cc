"""``kubectl describe`` for Service, Endpoints, PVC, PV, ConfigMap, Secret, Namespace, ServiceAccount,
StorageClass and HorizontalPodAutoscaler."""

from __future__ import annotations

import base64
from typing import Any

from aoi_gym.shell.kubectl.describe.writer import Writer, describe_events, events_for, print_annotations, print_labels
from aoi_gym.shell.kubectl.printers.fmt import access_modes, format_labels, pvc_class
from aoi_gym.shell.kubectl.timefmt import human_duration, parse_ts, rfc1123z

__all__ = ["describe_service", "describe_endpoints", "describe_pvc", "describe_pv", "describe_configmap", "describe_secret",
           "describe_namespace", "describe_serviceaccount", "describe_storageclass", "describe_hpa"]


def _go_list(items: list | None) -> str:
    return "[" + " ".join(str(i) for i in items or []) + "]"


def _name_ns_labels(w: Writer, obj: dict[str, Any], namespaced: bool = True) -> None:
    meta = obj.get("metadata") or {}
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    if namespaced:
        w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    print_labels(w, "Labels", meta.get("labels"))
    print_annotations(w, "Annotations", meta.get("annotations"))


def _endpoints_for_port(ep: dict[str, Any] | None, port_name: str) -> str:
    subsets = (ep or {}).get("subsets") or []
    if not subsets:
        return "<none>"
    out, count, more = [], 0, False
    for ss in subsets:
        addrs = ss.get("addresses") or []
        ports = ss.get("ports") or []
        if not ports:
            count += len(addrs)
            for a in addrs:
                if len(out) == 3:
                    more = True
                    break
                out.append(a.get("ip", ""))
            continue
        for p in ports:
            if (p.get("name") or "") != (port_name or ""):
                continue
            count += len(addrs)
            for a in addrs:
                if len(out) == 3:
                    more = True
                    break
                out.append(f"{a.get('ip', '')}:{p.get('port', 0)}")
    s = ",".join(out)
    return f"{s} + {count - 3} more..." if more else s


def describe_service(cluster: Any, svc: dict[str, Any], now: float) -> str:
    meta, spec = svc.get("metadata") or {}, svc.get("spec") or {}
    try:
        ep = cluster.get("Endpoints", meta.get("name", ""), meta.get("namespace"))
    except Exception:  # noqa: BLE001
        ep = None
    w = Writer()
    _name_ns_labels(w, svc)
    w.write(0, f"Selector:\t{format_labels(spec.get('selector')) if spec.get('selector') else ''}\n")
    w.write(0, f"Type:\t{spec.get('type') or 'ClusterIP'}\n")
    if spec.get("ipFamilyPolicy"):
        w.write(0, f"IP Family Policy:\t{spec['ipFamilyPolicy']}\n")
    w.write(0, f"IP Families:\t{','.join(spec['ipFamilies'])}\n" if spec.get("ipFamilies") else "IP Families:\t<none>\n")
    w.write(0, f"IP:\t{spec.get('clusterIP', '')}\n")
    ips = spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP") else [])
    w.write(0, f"IPs:\t{','.join(ips) if ips else '<none>'}\n")
    if spec.get("externalIPs"):
        w.write(0, f"External IPs:\t{','.join(spec['externalIPs'])}\n")
    if spec.get("loadBalancerIP"):
        w.write(0, f"Desired LoadBalancer IP:\t{spec['loadBalancerIP']}\n")
    if spec.get("externalName"):
        w.write(0, f"External Name:\t{spec['externalName']}\n")
    ing = (((svc.get("status") or {}).get("loadBalancer")) or {}).get("ingress") or []
    if ing:
        w.write(0, f"LoadBalancer Ingress:\t{', '.join(i.get('ip') or i.get('hostname', '') for i in ing)}\n")
    for p in spec.get("ports") or []:
        name = p.get("name") or "<unset>"
        proto = p.get("protocol") or "TCP"
        w.write(0, f"Port:\t{name}\t{p.get('port', 0)}/{proto}\n")
        w.write(0, f"TargetPort:\t{p.get('targetPort', p.get('port', 0))}/{proto}\n")
        if p.get("nodePort"):
            w.write(0, f"NodePort:\t{name}\t{p['nodePort']}/{proto}\n")
        w.write(0, f"Endpoints:\t{_endpoints_for_port(ep, p.get('name', ''))}\n")
    w.write(0, f"Session Affinity:\t{spec.get('sessionAffinity', 'None')}\n")
    if spec.get("externalTrafficPolicy"):
        w.write(0, f"External Traffic Policy:\t{spec['externalTrafficPolicy']}\n")
    if spec.get("internalTrafficPolicy"):
        w.write(0, f"Internal Traffic Policy:\t{spec['internalTrafficPolicy']}\n")
    if spec.get("healthCheckNodePort"):
        w.write(0, f"HealthCheck NodePort:\t{spec['healthCheckNodePort']}\n")
    describe_events(w, events_for(cluster, svc), now)
    return w.text()


def describe_endpoints(cluster: Any, ep: dict[str, Any], now: float) -> str:
    w = Writer()
    _name_ns_labels(w, ep)
    w.write(0, "Subsets:\n")
    for ss in ep.get("subsets") or []:
        addrs = ",".join(a.get("ip", "") for a in ss.get("addresses") or []) or "<none>"
        nready = ",".join(a.get("ip", "") for a in ss.get("notReadyAddresses") or []) or "<none>"
        w.write(1, f"Addresses:\t{addrs}\n")
        w.write(1, f"NotReadyAddresses:\t{nready}\n")
        if ss.get("ports"):
            w.write(1, "Ports:\n")
            w.write(2, "Name\tPort\tProtocol\n")
            w.write(2, "----\t----\t--------\n")
            for p in ss["ports"]:
                w.write(2, f"{p.get('name') or '<unset>'}\t{p.get('port', 0)}\t{p.get('protocol') or 'TCP'}\n")
        w.write(0, "\n")
    describe_events(w, events_for(cluster, ep), now)
    return w.text()


def describe_pvc(cluster: Any, pvc: dict[str, Any], now: float) -> str:
    meta, spec, st = pvc.get("metadata") or {}, pvc.get("spec") or {}, pvc.get("status") or {}
    w = Writer()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, f"StorageClass:\t{pvc_class(pvc)}\n")
    if meta.get("deletionTimestamp"):
        dt = parse_ts(meta["deletionTimestamp"]) or now
        w.write(0, f"Status:\tTerminating (lasts {human_duration(now - dt)})\n")
    else:
        w.write(0, f"Status:\t{st.get('phase', '')}\n")
    w.write(0, f"Volume:\t{spec.get('volumeName', '')}\n")
    print_labels(w, "Labels", meta.get("labels"))
    print_annotations(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Finalizers:\t{_go_list(meta.get('finalizers'))}\n")
    cap, modes = "", ""
    if spec.get("volumeName"):
        modes = access_modes(st.get("accessModes"))
        cap = (st.get("capacity") or {}).get("storage", "")
    w.write(0, f"Capacity:\t{cap}\n")
    w.write(0, f"Access Modes:\t{modes}\n")
    if spec.get("volumeMode"):
        w.write(0, f"VolumeMode:\t{spec['volumeMode']}\n")
    try:
        pods = cluster.list("Pod", namespace=meta.get("namespace"))
    except Exception:  # noqa: BLE001
        pods = []
    users = sorted(p["metadata"]["name"] for p in pods if any(
        (v.get("persistentVolumeClaim") or {}).get("claimName") == meta.get("name") for v in (p.get("spec") or {}).get("volumes") or []))
    w.write(0, "Used By:\t")
    if not users:
        w.line("<none>")
    for i, u in enumerate(users):
        w.write(0, ("\t" if i else "") + u + "\n")
    describe_events(w, events_for(cluster, pvc), now)
    return w.text()


def describe_pv(cluster: Any, pv: dict[str, Any], now: float) -> str:
    meta, spec, st = pv.get("metadata") or {}, pv.get("spec") or {}, pv.get("status") or {}
    w = Writer()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    print_labels(w, "Labels", meta.get("labels"))
    print_annotations(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Finalizers:\t{_go_list(meta.get('finalizers'))}\n")
    w.write(0, f"StorageClass:\t{pvc_class(pv)}\n")
    if meta.get("deletionTimestamp"):
        dt = parse_ts(meta["deletionTimestamp"]) or now
        w.write(0, f"Status:\tTerminating (lasts {human_duration(now - dt)})\n")
    else:
        w.write(0, f"Status:\t{st.get('phase', '')}\n")
    claim = spec.get("claimRef")
    w.write(0, f"Claim:\t{claim.get('namespace', '') + '/' + claim.get('name', '') if claim else ''}\n")
    w.write(0, f"Reclaim Policy:\t{spec.get('persistentVolumeReclaimPolicy', '')}\n")
    w.write(0, f"Access Modes:\t{access_modes(spec.get('accessModes'))}\n")
    if spec.get("volumeMode"):
        w.write(0, f"VolumeMode:\t{spec['volumeMode']}\n")
    w.write(0, f"Capacity:\t{(spec.get('capacity') or {}).get('storage', '0')}\n")
    w.write(0, "Node Affinity:\t")
    w.line("<none>")
    w.write(0, f"Message:\t{st.get('message', '')}\n")
    w.write(0, "Source:\n")
    if spec.get("hostPath") is not None:
        h = spec["hostPath"] or {}
        w.write(2, f"Type:\tHostPath (bare host directory volume)\n    Path:\t{h.get('path', '')}\n    HostPathType:\t{h.get('type') or '<none>'}\n")
    elif spec.get("local") is not None:
        w.write(2, f"Type:\tLocalVolume (a persistent volume backed by local storage on a node)\n    Path:\t{spec['local'].get('path', '')}\n")
    else:
        w.write(1, "<unknown>\n")
    describe_events(w, events_for(cluster, pv), now)
    return w.text()


def describe_configmap(cluster: Any, cm: dict[str, Any], now: float) -> str:
    w = Writer()
    _name_ns_labels(w, cm)
    w.write(0, "\nData\n====\n")
    for k in sorted(cm.get("data") or {}):
        w.write(0, f"{k}:\n----\n")
        w.write(0, f"{cm['data'][k]}\n")
        w.write(0, "\n")
    w.write(0, "\nBinaryData\n====\n")
    for k in sorted(cm.get("binaryData") or {}):
        w.write(0, f"{k}: {len(base64.b64decode(cm['binaryData'][k] or ''))} bytes\n")
    w.write(0, "\n")
    describe_events(w, events_for(cluster, cm), now)
    return w.text()


def describe_secret(cluster: Any, secret: dict[str, Any], now: float) -> str:
    w = Writer()
    _name_ns_labels(w, secret)
    w.write(0, f"\nType:\t{secret.get('type', 'Opaque')}\n")
    w.write(0, "\nData\n====\n")
    data = secret.get("data") or {}
    for k in sorted(data):
        try:
            raw = base64.b64decode(data[k] or "")
        except (ValueError, TypeError):
            raw = str(data[k]).encode()
        if k == "token" and secret.get("type") == "kubernetes.io/service-account-token":
            w.write(0, f"{k}:\t{raw.decode(errors='replace')}\n")
        else:
            w.write(0, f"{k}:\t{len(raw)} bytes\n")
    return w.text()


def describe_namespace(cluster: Any, ns: dict[str, Any], now: float) -> str:
    meta = ns.get("metadata") or {}
    w = Writer()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    print_labels(w, "Labels", meta.get("labels"))
    print_annotations(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Status:\t{(ns.get('status') or {}).get('phase', 'Active')}\n")
    w.write(0, "\nNo resource quota.\n")
    w.write(0, "\nNo LimitRange resource.\n")
    return w.text()


def describe_serviceaccount(cluster: Any, sa: dict[str, Any], now: float) -> str:
    w = Writer()
    _name_ns_labels(w, sa)
    groups = {
        "Image pull secrets:": [s.get("name", "") for s in sa.get("imagePullSecrets") or []],
        "Mountable secrets: ": [s.get("name", "") for s in sa.get("secrets") or []],
        "Tokens:            ": [],
    }
    for header in sorted(groups):
        names = groups[header]
        if not names:
            w.write(0, f"{header}\t<none>\n")
        for i, n in enumerate(names):
            w.write(0, f"{header if i == 0 else ' ' * 19}\t{n}\n")
    describe_events(w, events_for(cluster, sa), now)
    return w.text()


def describe_storageclass(cluster: Any, sc: dict[str, Any], now: float) -> str:
    meta = sc.get("metadata") or {}
    ann = meta.get("annotations") or {}
    default = ann.get("storageclass.kubernetes.io/is-default-class") == "true" or ann.get("storageclass.beta.kubernetes.io/is-default-class") == "true"
    w = Writer()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"IsDefaultClass:\t{'Yes' if default else 'No'}\n")
    w.write(0, f"Annotations:\t{','.join(f'{k}={ann[k]}' for k in sorted(ann))}\n")
    w.write(0, f"Provisioner:\t{sc.get('provisioner', '')}\n")
    params = sc.get("parameters") or {}
    w.write(0, f"Parameters:\t{','.join(f'{k}={params[k]}' for k in sorted(params)) or '<none>'}\n")
    ave = sc.get("allowVolumeExpansion")
    w.write(0, f"AllowVolumeExpansion:\t{'<unset>' if ave is None else ('True' if ave else 'False')}\n")
    w.write(0, "MountOptions:\t<none>\n" if not sc.get("mountOptions") else "MountOptions:\n")
    for o in sc.get("mountOptions") or []:
        w.write(1, f"{o}\n")
    if sc.get("reclaimPolicy"):
        w.write(0, f"ReclaimPolicy:\t{sc['reclaimPolicy']}\n")
    if sc.get("volumeBindingMode"):
        w.write(0, f"VolumeBindingMode:\t{sc['volumeBindingMode']}\n")
    describe_events(w, events_for(cluster, sc), now)
    return w.text()


def describe_hpa(cluster: Any, hpa: dict[str, Any], now: float) -> str:
    meta, spec, st = hpa.get("metadata") or {}, hpa.get("spec") or {}, hpa.get("status") or {}
    w = Writer()
    _name_ns_labels(w, hpa)
    w.write(0, f"CreationTimestamp:\t{rfc1123z(meta.get('creationTimestamp'))}\n")
    ref = spec.get("scaleTargetRef") or {}
    w.write(0, f"Reference:\t{ref.get('kind', '')}/{ref.get('name', '')}\n")
    w.write(0, "Metrics:\t( current / target )\n")
    cur = st.get("currentMetrics") or []
    for i, m in enumerate(spec.get("metrics") or []):
        if m.get("type") == "Resource":
            r = m.get("resource") or {}
            tgt = r.get("target") or {}
            c = ((cur[i].get("resource") or {}).get("current") or {}) if i < len(cur) else {}
            w.write(1, f"resource {r.get('name', '')} on pods")
            if tgt.get("averageValue") is not None:
                w.write(0, f":\t{c.get('averageValue', '<unknown>')} / {tgt['averageValue']}\n")
            else:
                cu = f"{c['averageUtilization']}% ({c.get('averageValue', '0')})" if c.get("averageUtilization") is not None else "<unknown>"
                tu = f"{tgt['averageUtilization']}%" if tgt.get("averageUtilization") is not None else "<auto>"
                w.write(1, f"(as a percentage of request):\t{cu} / {tu}\n")
        else:
            w.write(1, f"<unknown metric type \"{m.get('type', '')}\">\n")
    mn = spec.get("minReplicas")
    w.write(0, f"Min replicas:\t{'<unset>' if mn is None else mn}\n")
    w.write(0, f"Max replicas:\t{spec.get('maxReplicas', 0)}\n")
    w.write(0, f"{ref.get('kind', '')} pods:\t")
    w.write(0, f"{st.get('currentReplicas', 0)} current / {st.get('desiredReplicas', 0)} desired\n")
    if st.get("conditions"):
        w.write(0, "Conditions:\n")
        w.write(1, "Type\tStatus\tReason\tMessage\n")
        w.write(1, "----\t------\t------\t-------\n")
        for c in st["conditions"]:
            w.write(1, f"{c.get('type', '')}\t{c.get('status', '')}\t{c.get('reason', '')}\t{c.get('message', '')}\n")
    describe_events(w, events_for(cluster, hpa), now)
    return w.text()
