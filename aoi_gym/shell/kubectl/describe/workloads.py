"""``kubectl describe`` for Deployment, ReplicaSet, StatefulSet, DaemonSet and Job."""

from __future__ import annotations

from typing import Any

from aoi_gym.shell.kubectl.describe.pods import describe_pod_template
from aoi_gym.shell.kubectl.describe.writer import Writer, describe_events, events_for, print_annotations, print_labels
from aoi_gym.shell.kubectl.printers.fmt import format_label_selector, format_labels, selector_string
from aoi_gym.shell.kubectl.timefmt import human_duration, parse_ts, rfc1123z

__all__ = ["describe_deployment", "describe_replicaset", "describe_statefulset", "describe_daemonset", "describe_job",
           "owned_by", "pods_status_counts"]


def owned_by(obj: dict[str, Any], owner: dict[str, Any]) -> bool:
    """Whether ``obj``'s controller reference points at ``owner`` (by uid, or by kind and name)."""
    om = owner.get("metadata") or {}
    for ref in (obj.get("metadata") or {}).get("ownerReferences") or []:
        if not ref.get("controller", True):
            continue
        if ref.get("uid") and om.get("uid") and ref.get("uid") == om.get("uid"):
            return True
        if ref.get("kind") == owner.get("kind") and ref.get("name") == om.get("name"):
            return True
    return False


def pods_status_counts(cluster: Any, owner: dict[str, Any]) -> tuple[int, int, int, int]:
    """(running, waiting, succeeded, failed) pods controlled by ``owner`` (kubectl's getPodStatusForController)."""
    meta = owner.get("metadata") or {}
    sel = selector_string((owner.get("spec") or {}).get("selector"))
    try:
        pods = cluster.list("Pod", namespace=meta.get("namespace"), label_selector=sel or None)
    except Exception:  # noqa: BLE001
        pods = []
    counts = {"Running": 0, "Pending": 0, "Succeeded": 0, "Failed": 0}
    for p in pods:
        if owned_by(p, owner):
            phase = (p.get("status") or {}).get("phase")
            if phase in counts:
                counts[phase] += 1
    return counts["Running"], counts["Pending"], counts["Succeeded"], counts["Failed"]


def _header(w: Writer, obj: dict[str, Any], creation: bool = False) -> None:
    meta = obj.get("metadata") or {}
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    if creation:
        w.write(0, f"CreationTimestamp:\t{rfc1123z(meta.get('creationTimestamp'))}\n")


def _conditions(w: Writer, conds: list[dict] | None) -> None:
    if conds:
        w.write(0, "Conditions:\n  Type\tStatus\tReason\n")
        w.write(1, "----\t------\t------\n")
        for c in conds:
            w.write(1, f"{c.get('type', '')} \t{c.get('status', '')}\t{c.get('reason', '')}\n")


def _template_without_hash(t: dict[str, Any] | None) -> Any:
    t = dict(t or {})
    meta = dict(t.get("metadata") or {})
    labels = {k: v for k, v in (meta.get("labels") or {}).items() if k != "pod-template-hash"}
    meta["labels"] = labels
    t["metadata"] = meta
    return t


def _rs_list(rss: list[dict]) -> str:
    parts = [f"{r['metadata']['name']} ({(r.get('status') or {}).get('replicas', 0)}/{(r.get('spec') or {}).get('replicas', 1)} replicas created)" for r in rss]
    return ", ".join(parts) or "<none>"


def describe_deployment(cluster: Any, d: dict[str, Any], now: float) -> str:
    meta, spec, st = d.get("metadata") or {}, d.get("spec") or {}, d.get("status") or {}
    w = Writer()
    _header(w, d, creation=True)
    print_labels(w, "Labels", meta.get("labels"))
    print_annotations(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Selector:\t{selector_string(spec.get('selector'))}\n")
    w.write(0, f"Replicas:\t{spec.get('replicas', 1)} desired | {st.get('updatedReplicas', 0)} updated | {st.get('replicas', 0)} total | "
               f"{st.get('availableReplicas', 0)} available | {st.get('unavailableReplicas', 0)} unavailable\n")
    strategy = spec.get("strategy") or {"type": "RollingUpdate"}
    w.write(0, f"StrategyType:\t{strategy.get('type', 'RollingUpdate')}\n")
    w.write(0, f"MinReadySeconds:\t{spec.get('minReadySeconds', 0)}\n")
    if strategy.get("type", "RollingUpdate") == "RollingUpdate":
        ru = strategy.get("rollingUpdate") or {}
        w.write(0, f"RollingUpdateStrategy:\t{ru.get('maxUnavailable', '25%')} max unavailable, {ru.get('maxSurge', '25%')} max surge\n")
    describe_pod_template(w, spec.get("template"))
    _conditions(w, st.get("conditions"))
    try:
        rss = [r for r in cluster.list("ReplicaSet", namespace=meta.get("namespace")) if owned_by(r, d)]
    except Exception:  # noqa: BLE001
        rss = []
    want = _template_without_hash(spec.get("template"))
    new = [r for r in rss if _template_without_hash((r.get("spec") or {}).get("template")) == want][:1]
    old = [r for r in rss if r not in new]
    if rss:
        w.write(0, f"OldReplicaSets:\t{_rs_list(old)}\n")
        w.write(0, f"NewReplicaSet:\t{_rs_list(new)}\n")
    describe_events(w, events_for(cluster, d), now)
    return w.text()


def describe_replicaset(cluster: Any, rs: dict[str, Any], now: float) -> str:
    meta, spec, st = rs.get("metadata") or {}, rs.get("spec") or {}, rs.get("status") or {}
    w = Writer()
    _header(w, rs)
    w.write(0, f"Selector:\t{format_label_selector(spec.get('selector'))}\n")
    print_labels(w, "Labels", meta.get("labels"))
    print_annotations(w, "Annotations", meta.get("annotations"))
    ctrl = next((o for o in meta.get("ownerReferences") or [] if o.get("controller")), None)
    if ctrl:
        w.write(0, f"Controlled By:\t{ctrl.get('kind', '')}/{ctrl.get('name', '')}\n")
    w.write(0, f"Replicas:\t{st.get('replicas', 0)} current / {spec.get('replicas', 1)} desired\n")
    r, wt, s, f = pods_status_counts(cluster, rs)
    w.write(0, "Pods Status:\t")
    w.write(0, f"{r} Running / {wt} Waiting / {s} Succeeded / {f} Failed\n")
    describe_pod_template(w, spec.get("template"))
    _conditions(w, st.get("conditions"))
    describe_events(w, events_for(cluster, rs), now)
    return w.text()


def describe_statefulset(cluster: Any, sts: dict[str, Any], now: float) -> str:
    meta, spec, st = sts.get("metadata") or {}, sts.get("spec") or {}, sts.get("status") or {}
    w = Writer()
    _header(w, sts, creation=True)
    w.write(0, f"Selector:\t{selector_string(spec.get('selector'))}\n")
    print_labels(w, "Labels", meta.get("labels"))
    print_annotations(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Replicas:\t{spec.get('replicas', 1)} desired | {st.get('replicas', 0)} total\n")
    us = spec.get("updateStrategy") or {"type": "RollingUpdate"}
    w.write(0, f"Update Strategy:\t{us.get('type', 'RollingUpdate')}\n")
    ru = us.get("rollingUpdate") or {}
    if ru.get("partition") is not None:
        w.write(1, f"Partition:\t{ru['partition']}\n")
    r, wt, s, f = pods_status_counts(cluster, sts)
    w.write(0, f"Pods Status:\t{r} Running / {wt} Waiting / {s} Succeeded / {f} Failed\n")
    describe_pod_template(w, spec.get("template"))
    vcts = spec.get("volumeClaimTemplates") or []
    if not vcts:
        w.write(0, "Volume Claims:\t<none>\n")
    else:
        w.write(0, "Volume Claims:\n")
        for pvc in vcts:
            pm, ps = pvc.get("metadata") or {}, pvc.get("spec") or {}
            w.write(1, f"Name:\t{pm.get('name', '')}\n")
            w.write(1, f"StorageClass:\t{ps.get('storageClassName', '')}\n")
            print_labels(w, "Labels", pm.get("labels"), initial="  ")
            print_labels(w, "Annotations", pm.get("annotations"), initial="  ")
            cap = ((ps.get("resources") or {}).get("requests") or {}).get("storage", "<default>")
            w.write(1, f"Capacity:\t{cap}\n")
            w.write(1, f"Access Modes:\t[{' '.join(ps.get('accessModes') or [])}]\n")
    describe_events(w, events_for(cluster, sts), now)
    return w.text()


def describe_daemonset(cluster: Any, ds: dict[str, Any], now: float) -> str:
    meta, spec, st = ds.get("metadata") or {}, ds.get("spec") or {}, ds.get("status") or {}
    w = Writer()
    _header(w, ds)
    w.write(0, f"Selector:\t{selector_string(spec.get('selector'))}\n")
    node_sel = ((spec.get("template") or {}).get("spec") or {}).get("nodeSelector")
    w.write(0, f"Node-Selector:\t{format_labels(node_sel)}\n")
    print_labels(w, "Labels", meta.get("labels"))
    print_annotations(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Desired Number of Nodes Scheduled: {st.get('desiredNumberScheduled', 0)}\n")
    w.write(0, f"Current Number of Nodes Scheduled: {st.get('currentNumberScheduled', 0)}\n")
    w.write(0, f"Number of Nodes Scheduled with Up-to-date Pods: {st.get('updatedNumberScheduled', 0)}\n")
    w.write(0, f"Number of Nodes Scheduled with Available Pods: {st.get('numberAvailable', 0)}\n")
    w.write(0, f"Number of Nodes Misscheduled: {st.get('numberMisscheduled', 0)}\n")
    r, wt, s, f = pods_status_counts(cluster, ds)
    w.write(0, f"Pods Status:\t{r} Running / {wt} Waiting / {s} Succeeded / {f} Failed\n")
    describe_pod_template(w, spec.get("template"))
    describe_events(w, events_for(cluster, ds), now)
    return w.text()


def describe_job(cluster: Any, job: dict[str, Any], now: float) -> str:
    meta, spec, st = job.get("metadata") or {}, job.get("spec") or {}, job.get("status") or {}
    w = Writer()
    _header(w, job)
    w.write(0, f"Selector:\t{selector_string(spec.get('selector'))}\n")
    print_labels(w, "Labels", meta.get("labels"))
    print_annotations(w, "Annotations", meta.get("annotations"))
    if spec.get("parallelism") is not None:
        w.write(0, f"Parallelism:\t{spec['parallelism']}\n")
    w.write(0, f"Completions:\t{spec['completions']}\n" if spec.get("completions") is not None else "Completions:\t<unset>\n")
    if spec.get("completionMode"):
        w.write(0, f"Completion Mode:\t{spec['completionMode']}\n")
    if spec.get("suspend") is not None:
        w.write(0, f"Suspend:\t{'true' if spec['suspend'] else 'false'}\n")
    if spec.get("backoffLimit") is not None:
        w.write(0, f"Backoff Limit:\t{spec['backoffLimit']}\n")
    if st.get("startTime"):
        w.write(0, f"Start Time:\t{rfc1123z(st['startTime'])}\n")
    if st.get("completionTime"):
        w.write(0, f"Completed At:\t{rfc1123z(st['completionTime'])}\n")
    s0, s1 = parse_ts(st.get("startTime")), parse_ts(st.get("completionTime"))
    if s0 is not None and s1 is not None:
        w.write(0, f"Duration:\t{human_duration(s1 - s0)}\n")
    if st.get("ready") is None:
        w.write(0, f"Pods Statuses:\t{st.get('active', 0)} Active / {st.get('succeeded', 0)} Succeeded / {st.get('failed', 0)} Failed\n")
    else:
        w.write(0, f"Pods Statuses:\t{st.get('active', 0)} Active ({st['ready']} Ready) / {st.get('succeeded', 0)} Succeeded / {st.get('failed', 0)} Failed\n")
    describe_pod_template(w, spec.get("template"))
    describe_events(w, events_for(cluster, job), now)
    return w.text()
