"""Table columns per kind, as kubectl 1.31's printers (pkg/printers/internalversion) define them.

Each entry gives the default headers, the extra ``-o wide`` headers, and a row function returning
all cells (default then wide) for one object at simulated time ``now``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from aoi_gym.shell.kubectl.printers.fmt import (
    access_modes,
    cluster_ip,
    container_cells,
    format_endpoints,
    format_label_selector,
    format_labels,
    node_roles,
    pvc_class,
    selector_string,
    service_external_ip,
    service_ports,
)
from aoi_gym.shell.kubectl.printers.podstatus import pod_ready_status_restarts
from aoi_gym.shell.kubectl.timefmt import age, human_duration, parse_ts

__all__ = ["Columns", "columns_for"]

Row = Callable[[dict, float], list[str]]


@dataclass(frozen=True)
class Columns:
    """``headers`` shown by default and ``wide`` extra ones; ``row`` returns default cells then wide cells.

    ``order`` (optional) maps the -o wide layout to indexes of the row's cells, for kinds whose wide
    columns sit between default ones (events).
    """

    headers: tuple[str, ...]
    wide: tuple[str, ...]
    row: Row
    order: tuple[int, ...] | None = None


def _meta(o: dict) -> dict:
    return o.get("metadata") or {}


def _spec(o: dict) -> dict:
    return o.get("spec") or {}


def _status(o: dict) -> dict:
    return o.get("status") or {}


def _age(o: dict, now: float) -> str:
    return age(_meta(o).get("creationTimestamp"), now)


def _pod(o: dict, now: float) -> list[str]:
    ready, status, restarts = pod_ready_status_restarts(o, now)
    st, sp = _status(o), _spec(o)
    ips = st.get("podIPs") or []
    ip = ips[0].get("ip") if ips else st.get("podIP")
    gates = sp.get("readinessGates") or []
    gates_s = "<none>"
    if gates:
        conds = {c.get("type"): c.get("status") for c in st.get("conditions") or []}
        gates_s = f"{sum(1 for g in gates if conds.get(g.get('conditionType')) == 'True')}/{len(gates)}"
    return [_meta(o).get("name", ""), ready, status, restarts, _age(o, now), ip or "<none>",
            sp.get("nodeName") or "<none>", st.get("nominatedNodeName") or "<none>", gates_s]


def _deploy(o: dict, now: float) -> list[str]:
    sp, st = _spec(o), _status(o)
    names, images = container_cells(((sp.get("template") or {}).get("spec") or {}).get("containers"))
    return [_meta(o).get("name", ""), f"{st.get('readyReplicas', 0)}/{sp.get('replicas', 1)}",
            str(st.get("updatedReplicas", 0)), str(st.get("availableReplicas", 0)), _age(o, now),
            names, images, selector_string(sp.get("selector"))]


def _rs(o: dict, now: float) -> list[str]:
    sp, st = _spec(o), _status(o)
    names, images = container_cells(((sp.get("template") or {}).get("spec") or {}).get("containers"))
    return [_meta(o).get("name", ""), str(sp.get("replicas", 1)), str(st.get("replicas", 0)),
            str(st.get("readyReplicas", 0)), _age(o, now), names, images, format_label_selector(sp.get("selector"))]


def _sts(o: dict, now: float) -> list[str]:
    sp, st = _spec(o), _status(o)
    names, images = container_cells(((sp.get("template") or {}).get("spec") or {}).get("containers"))
    return [_meta(o).get("name", ""), f"{st.get('readyReplicas', 0)}/{sp.get('replicas', 1)}", _age(o, now), names, images]


def _ds(o: dict, now: float) -> list[str]:
    sp, st = _spec(o), _status(o)
    tspec = (sp.get("template") or {}).get("spec") or {}
    names, images = container_cells(tspec.get("containers"))
    return [_meta(o).get("name", ""), str(st.get("desiredNumberScheduled", 0)), str(st.get("currentNumberScheduled", 0)),
            str(st.get("numberReady", 0)), str(st.get("updatedNumberScheduled", 0)), str(st.get("numberAvailable", 0)),
            format_labels(tspec.get("nodeSelector")), _age(o, now), names, images,
            format_label_selector(sp.get("selector"))]


def _cond_true(conds: list | None, typ: str) -> bool:
    for c in conds or []:
        if c.get("type") == typ:
            return c.get("status") == "True"
    return False


def _job(o: dict, now: float) -> list[str]:
    sp, st = _spec(o), _status(o)
    succeeded = st.get("succeeded", 0)
    if sp.get("completions") is not None:
        completions = f"{succeeded}/{sp['completions']}"
    else:
        par = sp.get("parallelism") or 0
        completions = f"{succeeded}/1 of {par}" if par > 1 else f"{succeeded}/1"
    start, end = parse_ts(st.get("startTime")), parse_ts(st.get("completionTime"))
    dur = "" if start is None else human_duration((end if end is not None else now) - start)
    conds = st.get("conditions")
    if _cond_true(conds, "Complete"):
        status = "Complete"
    elif _cond_true(conds, "Failed"):
        status = "Failed"
    elif _meta(o).get("deletionTimestamp"):
        status = "Terminating"
    elif _cond_true(conds, "Suspended"):
        status = "Suspended"
    elif _cond_true(conds, "FailureTarget"):
        status = "FailureTarget"
    else:
        status = "Running"
    names, images = container_cells(((sp.get("template") or {}).get("spec") or {}).get("containers"))
    return [_meta(o).get("name", ""), status, completions, dur, _age(o, now), names, images,
            format_label_selector(sp.get("selector"))]


def _svc(o: dict, now: float) -> list[str]:
    sp = _spec(o)
    return [_meta(o).get("name", ""), sp.get("type") or "ClusterIP", cluster_ip(o), service_external_ip(o),
            service_ports(sp.get("ports")), _age(o, now), format_labels(sp.get("selector"))]


def _ep(o: dict, now: float) -> list[str]:
    return [_meta(o).get("name", ""), format_endpoints(o), _age(o, now)]


def _node(o: dict, now: float) -> list[str]:
    sp, st = _spec(o), _status(o)
    status = []
    for c in st.get("conditions") or []:
        if c.get("type") == "Ready":
            status = ["Ready" if c.get("status") == "True" else "NotReady"]
    if not status:
        status = ["Unknown"]
    if sp.get("unschedulable"):
        status.append("SchedulingDisabled")
    info = st.get("nodeInfo") or {}
    addrs = st.get("addresses") or []
    internal = next((a.get("address") for a in addrs if a.get("type") == "InternalIP"), "<none>")
    external = next((a.get("address") for a in addrs if a.get("type") == "ExternalIP"), "<none>")
    return [_meta(o).get("name", ""), ",".join(status), ",".join(node_roles(o)) or "<none>", _age(o, now),
            info.get("kubeletVersion", ""), internal, external, info.get("osImage") or "<unknown>",
            info.get("kernelVersion") or "<unknown>", info.get("containerRuntimeVersion") or "<unknown>"]


def _event(o: dict, now: float) -> list[str]:
    first = age(o.get("firstTimestamp"), now) if o.get("firstTimestamp") else age(o.get("eventTime"), now)
    last = age(o.get("lastTimestamp"), now) if o.get("lastTimestamp") else first
    count = o.get("count") or 0
    if o.get("series"):
        last = age(o["series"].get("lastObservedTime"), now)
        count = o["series"].get("count", count)
    elif not count:
        count = 1
    inv = o.get("involvedObject") or {}
    kind = (inv.get("kind") or "").lower()
    target = f"{kind}/{inv['name']}" if inv.get("name") else kind
    src = o.get("source") or {}
    comp = src.get("component") or o.get("reportingComponent") or o.get("reportingController") or ""
    host = src.get("host") or o.get("reportingInstance") or ""
    source = f"{comp}, {host}" if host else comp
    return [last, o.get("type", ""), o.get("reason", ""), target, (o.get("message") or "").strip(),
            inv.get("fieldPath", ""), source, first, str(count), _meta(o).get("name", "")]


def _ns(o: dict, now: float) -> list[str]:
    return [_meta(o).get("name", ""), _status(o).get("phase", "Active"), _age(o, now)]


def _cm(o: dict, now: float) -> list[str]:
    return [_meta(o).get("name", ""), str(len(o.get("data") or {}) + len(o.get("binaryData") or {})), _age(o, now)]


def _secret(o: dict, now: float) -> list[str]:
    return [_meta(o).get("name", ""), o.get("type") or "Opaque", str(len(o.get("data") or {})), _age(o, now)]


def _sa(o: dict, now: float) -> list[str]:
    return [_meta(o).get("name", ""), str(len(o.get("secrets") or [])), _age(o, now)]


def _pv(o: dict, now: float) -> list[str]:
    sp, st = _spec(o), _status(o)
    claim = sp.get("claimRef")
    claim_s = f"{claim.get('namespace', '')}/{claim.get('name', '')}" if claim else ""
    phase = "Terminating" if _meta(o).get("deletionTimestamp") else st.get("phase", "")
    return [_meta(o).get("name", ""), (sp.get("capacity") or {}).get("storage", "0"), access_modes(sp.get("accessModes")),
            sp.get("persistentVolumeReclaimPolicy", ""), phase, claim_s, pvc_class(o),
            sp.get("volumeAttributesClassName") or "<unset>", st.get("reason", ""), _age(o, now),
            sp.get("volumeMode") or "<unset>"]


def _pvc(o: dict, now: float) -> list[str]:
    sp, st = _spec(o), _status(o)
    phase = "Terminating" if _meta(o).get("deletionTimestamp") else st.get("phase", "")
    cap, modes = "", ""
    if sp.get("volumeName"):
        modes = access_modes(st.get("accessModes"))
        cap = (st.get("capacity") or {}).get("storage", "")
    return [_meta(o).get("name", ""), phase, sp.get("volumeName", ""), cap, modes, pvc_class(o),
            sp.get("volumeAttributesClassName") or "<unset>", _age(o, now), sp.get("volumeMode") or "<unset>"]


def _sc(o: dict, now: float) -> list[str]:
    ann = _meta(o).get("annotations") or {}
    name = _meta(o).get("name", "")
    if ann.get("storageclass.kubernetes.io/is-default-class") == "true" or ann.get(
        "storageclass.beta.kubernetes.io/is-default-class"
    ) == "true":
        name += " (default)"
    return [name, o.get("provisioner", ""), o.get("reclaimPolicy") or "Delete",
            o.get("volumeBindingMode") or "Immediate", "true" if o.get("allowVolumeExpansion") else "false", _age(o, now)]


def _hpa_targets(o: dict) -> str:
    specs = _spec(o).get("metrics") or []
    if not specs:
        return "<none>"
    cur = _status(o).get("currentMetrics") or []
    out = []
    for i, m in enumerate(specs):
        typ = m.get("type")
        if typ in ("Resource", "ContainerResource"):
            r = m.get("resource") or m.get("containerResource") or {}
            tgt = r.get("target") or {}
            key = "resource" if typ == "Resource" else "containerResource"
            cst = (cur[i].get(key) or {}).get("current") or {} if i < len(cur) else {}
            if tgt.get("averageValue") is not None:
                current = str(cst.get("averageValue", "<unknown>"))
                out.append(f"{r.get('name', '')}: {current}/{tgt['averageValue']}")
            else:
                current = f"{cst['averageUtilization']}%" if cst.get("averageUtilization") is not None else "<unknown>"
                target = f"{tgt['averageUtilization']}%" if tgt.get("averageUtilization") is not None else "<auto>"
                out.append(f"{r.get('name', '')}: {current}/{target}")
        else:
            out.append("<unknown type>")
    if len(out) > 2:
        return ", ".join(out[:2]) + f" + {len(out) - 2} more..."
    return ", ".join(out)


def _hpa(o: dict, now: float) -> list[str]:
    sp, st = _spec(o), _status(o)
    ref = sp.get("scaleTargetRef") or {}
    mn = sp.get("minReplicas")
    return [_meta(o).get("name", ""), f"{ref.get('kind', '')}/{ref.get('name', '')}", _hpa_targets(o),
            "<unset>" if mn is None else str(mn), str(sp.get("maxReplicas", 0)), str(st.get("currentReplicas", 0)),
            _age(o, now)]


def _netpol(o: dict, now: float) -> list[str]:
    return [_meta(o).get("name", ""), format_label_selector(_spec(o).get("podSelector")), _age(o, now)]


def _binding(o: dict, now: float) -> list[str]:
    ref = o.get("roleRef") or {}
    users, groups, sas = [], [], []
    for s in o.get("subjects") or []:
        if s.get("kind") == "User":
            users.append(s.get("name", ""))
        elif s.get("kind") == "Group":
            groups.append(s.get("name", ""))
        elif s.get("kind") == "ServiceAccount":
            sas.append(f"{s.get('namespace', '')}/{s.get('name', '')}")
    return [_meta(o).get("name", ""), f"{ref.get('kind', '')}/{ref.get('name', '')}", _age(o, now),
            ", ".join(users), ", ".join(groups), ", ".join(sas)]


def _created_at(o: dict, now: float) -> list[str]:
    return [_meta(o).get("name", ""), _meta(o).get("creationTimestamp", "")]


def _name_age(o: dict, now: float) -> list[str]:
    return [_meta(o).get("name", ""), _age(o, now)]


_TABLE: dict[str, Columns] = {
    "Pod": Columns(("NAME", "READY", "STATUS", "RESTARTS", "AGE"), ("IP", "NODE", "NOMINATED NODE", "READINESS GATES"), _pod),
    "Deployment": Columns(("NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"), ("CONTAINERS", "IMAGES", "SELECTOR"), _deploy),
    "ReplicaSet": Columns(("NAME", "DESIRED", "CURRENT", "READY", "AGE"), ("CONTAINERS", "IMAGES", "SELECTOR"), _rs),
    "StatefulSet": Columns(("NAME", "READY", "AGE"), ("CONTAINERS", "IMAGES"), _sts),
    "DaemonSet": Columns(("NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE"),
                         ("CONTAINERS", "IMAGES", "SELECTOR"), _ds),
    "Job": Columns(("NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"), ("CONTAINERS", "IMAGES", "SELECTOR"), _job),
    "Service": Columns(("NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"), ("SELECTOR",), _svc),
    "Endpoints": Columns(("NAME", "ENDPOINTS", "AGE"), (), _ep),
    "Node": Columns(("NAME", "STATUS", "ROLES", "AGE", "VERSION"),
                    ("INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"), _node),
    "Event": Columns(("LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"),
                     ("SUBOBJECT", "SOURCE", "FIRST SEEN", "COUNT", "NAME"), _event, (0, 1, 2, 3, 5, 6, 4, 7, 8, 9)),
    "Namespace": Columns(("NAME", "STATUS", "AGE"), (), _ns),
    "ConfigMap": Columns(("NAME", "DATA", "AGE"), (), _cm),
    "Secret": Columns(("NAME", "TYPE", "DATA", "AGE"), (), _secret),
    "ServiceAccount": Columns(("NAME", "SECRETS", "AGE"), (), _sa),
    "PersistentVolume": Columns(("NAME", "CAPACITY", "ACCESS MODES", "RECLAIM POLICY", "STATUS", "CLAIM", "STORAGECLASS",
                                 "VOLUMEATTRIBUTESCLASS", "REASON", "AGE"), ("VOLUMEMODE",), _pv),
    "PersistentVolumeClaim": Columns(("NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS MODES", "STORAGECLASS",
                                      "VOLUMEATTRIBUTESCLASS", "AGE"), ("VOLUMEMODE",), _pvc),
    "StorageClass": Columns(("NAME", "PROVISIONER", "RECLAIMPOLICY", "VOLUMEBINDINGMODE", "ALLOWVOLUMEEXPANSION", "AGE"), (), _sc),
    "HorizontalPodAutoscaler": Columns(("NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"), (), _hpa),
    "NetworkPolicy": Columns(("NAME", "POD-SELECTOR", "AGE"), (), _netpol),
    "RoleBinding": Columns(("NAME", "ROLE", "AGE"), ("USERS", "GROUPS", "SERVICEACCOUNTS"), _binding),
    "ClusterRoleBinding": Columns(("NAME", "ROLE", "AGE"), ("USERS", "GROUPS", "SERVICEACCOUNTS"), _binding),
    "Role": Columns(("NAME", "CREATED AT"), (), _created_at),
    "ClusterRole": Columns(("NAME", "CREATED AT"), (), _created_at),
    "CustomResourceDefinition": Columns(("NAME", "CREATED AT"), (), _created_at),
}
_DEFAULT = Columns(("NAME", "AGE"), (), _name_age)


def columns_for(kind: str) -> Columns:
    """The table layout for ``kind`` (NAME/AGE for kinds without a dedicated printer, like custom resources)."""
    return _TABLE.get(kind, _DEFAULT)
