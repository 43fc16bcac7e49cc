"""``kubectl describe pod`` and the container/volume/pod-template sections other describers reuse."""

from __future__ import annotations

from typing import Any

from aoi_gym.shell.kubectl.describe.writer import Writer, describe_events, events_for, print_annotations, print_labels, string_or_none
from aoi_gym.shell.kubectl.printers.fmt import format_label_selector
from aoi_gym.shell.kubectl.timefmt import human_duration, parse_ts, rfc1123z

__all__ = ["describe_pod", "describe_containers", "describe_volumes", "describe_pod_template", "pod_qos", "print_tolerations"]


def _probe(p: dict[str, Any]) -> str:
    attrs = (f"delay={p.get('initialDelaySeconds', 0)}s timeout={p.get('timeoutSeconds', 1)}s "
             f"period={p.get('periodSeconds', 10)}s #success={p.get('successThreshold', 1)} #failure={p.get('failureThreshold', 3)}")
    if "exec" in p:
        return f"exec [{' '.join(str(x) for x in (p['exec'] or {}).get('command') or [])}] {attrs}"
    if "httpGet" in p:
        h = p["httpGet"] or {}
        host, port = h.get("host", ""), h.get("port", "")
        hostport = f"[{host}]:{port}" if ":" in str(host) else f"{host}:{port}"
        return f"http-get {str(h.get('scheme') or 'HTTP').lower()}://{hostport}{h.get('path', '')} {attrs}"
    if "tcpSocket" in p:
        t = p["tcpSocket"] or {}
        return f"tcp-socket {t.get('host', '')}:{t.get('port', '')} {attrs}"
    if "grpc" in p:
        g = p["grpc"] or {}
        return f"grpc <pod>:{g.get('port', 0)} {g.get('service', '')} {attrs}"
    return f"unknown {attrs}"


def _state(w: Writer, title: str, state: dict[str, Any]) -> None:
    if state.get("running") is not None:
        w.write(2, f"{title}:\tRunning\n")
        w.write(3, f"Started:\t{rfc1123z((state['running'] or {}).get('startedAt'))}\n")
    elif state.get("waiting") is not None:
        w.write(2, f"{title}:\tWaiting\n")
        if (state["waiting"] or {}).get("reason"):
            w.write(3, f"Reason:\t{state['waiting']['reason']}\n")
    elif state.get("terminated") is not None:
        t = state["terminated"] or {}
        w.write(2, f"{title}:\tTerminated\n")
        if t.get("reason"):
            w.write(3, f"Reason:\t{t['reason']}\n")
        if t.get("message"):
            w.write(3, f"Message:\t{t['message']}\n")
        w.write(3, f"Exit Code:\t{t.get('exitCode', 0)}\n")
        if (t.get("signal") or 0) > 0:
            w.write(3, f"Signal:\t{t['signal']}\n")
        w.write(3, f"Started:\t{rfc1123z(t.get('startedAt'))}\n")
        w.write(3, f"Finished:\t{rfc1123z(t.get('finishedAt'))}\n")
    else:
        w.write(2, f"{title}:\tWaiting\n")


def _resources(w: Writer, res: dict[str, Any] | None, level: int) -> None:
    res = res or {}
    if res.get("limits"):
        w.write(level, "Limits:\n")
        for k in sorted(res["limits"]):
            w.write(level + 1, f"{k}:\t{res['limits'][k]}\n")
    if res.get("requests"):
        w.write(level, "Requests:\n")
        for k in sorted(res["requests"]):
            w.write(level + 1, f"{k}:\t{res['requests'][k]}\n")


def _env(w: Writer, c: dict[str, Any], pod: dict[str, Any] | None) -> None:
    if c.get("envFrom"):
        w.write(2, "Environment Variables from:\n")
        for e in c["envFrom"]:
            ref, src = (e.get("configMapRef"), "ConfigMap") if e.get("configMapRef") else (e.get("secretRef"), "Secret")
            ref = ref or {}
            opt = "true" if ref.get("optional") else "false"
            if e.get("prefix"):
                w.write(3, f"{ref.get('name', '')}\t{src} with prefix '{e['prefix']}'\tOptional: {opt}\n")
            else:
                w.write(3, f"{ref.get('name', '')}\t{src}\tOptional: {opt}\n")
    env = c.get("env") or []
    w.write(2, "Environment:" + ("\t<none>" if not env else "") + "\n")
    for e in env:
        vf = e.get("valueFrom")
        if vf is None:
            for i, s in enumerate(str(e.get("value", "")).split("\n")):
                w.write(3, f"{e.get('name', '')}:\t{s}\n" if i == 0 else f"\t{s}\n")
            continue
        if vf.get("fieldRef"):
            fr = vf["fieldRef"]
            val = _field_value(pod, fr.get("fieldPath", "")) if pod else ""
            w.write(3, f"{e.get('name', '')}:\t{val} ({fr.get('apiVersion', 'v1')}:{fr.get('fieldPath', '')})\n")
        elif vf.get("resourceFieldRef"):
            w.write(3, f"{e.get('name', '')}:\t ({vf['resourceFieldRef'].get('resource', '')})\n")
        elif vf.get("secretKeyRef"):
            r = vf["secretKeyRef"]
            w.write(3, f"{e.get('name', '')}:\t<set to the key '{r.get('key', '')}' in secret '{r.get('name', '')}'>\tOptional: {'true' if r.get('optional') else 'false'}\n")
        elif vf.get("configMapKeyRef"):
            r = vf["configMapKeyRef"]
            w.write(3, f"{e.get('name', '')}:\t<set to the key '{r.get('key', '')}' of config map '{r.get('name', '')}'>\tOptional: {'true' if r.get('optional') else 'false'}\n")


def _field_value(pod: dict[str, Any], path: str) -> str:
    cur: Any = pod
    for part in path.split("."):
        if not isinstance(cur, dict):
            return ""
        cur = cur.get(part)
    return "" if cur is None or isinstance(cur, (dict, list)) else str(cur)


def describe_containers(w: Writer, label: str, containers: list[dict], statuses: list[dict] | None,
                        pod: dict[str, Any] | None, space: str = "") -> None:
    by_name = {s.get("name"): s for s in statuses or []}
    w.write(0, f"{space}{label}:{' <none>' if not containers else ''}\n")
    indent = " " if space else ""
    for c in containers:
        st = by_name.get(c.get("name"))
        w.write(1, f"{indent}{c.get('name', '')}:\n")
        if st is not None:
            w.write(2, f"Container ID:\t{st.get('containerID', '')}\n")
        w.write(2, f"Image:\t{c.get('image', '')}\n")
        if st is not None:
            w.write(2, f"Image ID:\t{st.get('imageID', '')}\n")
        ports = [f"{p.get('containerPort', 0)}/{p.get('protocol') or 'TCP'}" for p in c.get("ports") or []]
        hports = [f"{p.get('hostPort', 0)}/{p.get('protocol') or 'TCP'}" for p in c.get("ports") or []]
        w.write(2, f"Ports:\t{', '.join(ports)}\n" if len(ports) > 1 else f"Port:\t{string_or_none(', '.join(ports))}\n")
        w.write(2, f"Host Ports:\t{', '.join(hports)}\n" if len(hports) > 1 else f"Host Port:\t{string_or_none(', '.join(hports))}\n")
        for key, title in (("command", "Command"), ("args", "Args")):
            if c.get(key):
                w.write(2, f"{title}:\n")
                for item in c[key]:
                    for s in str(item).split("\n"):
                        w.write(3, f"{s}\n")
        if st is not None:
            _state(w, "State", st.get("state") or {})
            if ((st.get("lastState") or {}).get("terminated")) is not None:
                _state(w, "Last State", st["lastState"])
            w.write(2, f"Ready:\t{'True' if st.get('ready') else 'False'}\n")
            w.write(2, f"Restart Count:\t{st.get('restartCount', 0)}\n")
        _resources(w, c.get("resources"), 2)
        for key, title in (("livenessProbe", "Liveness"), ("readinessProbe", "Readiness"), ("startupProbe", "Startup")):
            if c.get(key):
                w.write(2, f"{title}:\t{_probe(c[key])}\n")
        _env(w, c, pod)
        mounts = sorted(c.get("volumeMounts") or [], key=lambda m: m.get("mountPath", ""))
        w.write(2, "Mounts:" + ("\t<none>" if not mounts else "") + "\n")
        for m in mounts:
            flags = ["ro" if m.get("readOnly") else "rw"]
            if m.get("subPath"):
                flags.append(f'path="{m["subPath"]}"')
            w.write(3, f"{m.get('mountPath', '')} from {m.get('name', '')} ({','.join(flags)})\n")


def _volume_source(w: Writer, v: dict[str, Any]) -> None:
    if v.get("hostPath") is not None:
        h = v["hostPath"] or {}
        w.write(2, f"Type:\tHostPath (bare host directory volume)\n    Path:\t{h.get('path', '')}\n    HostPathType:\t{h.get('type') or '<none>'}\n")
    elif v.get("emptyDir") is not None:
        e = v["emptyDir"] or {}
        w.write(2, f"Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n    Medium:\t{e.get('medium', '')}\n    SizeLimit:\t{e.get('sizeLimit') or '<unset>'}\n")
    elif v.get("secret") is not None:
        s = v["secret"] or {}
        w.write(2, f"Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t{s.get('secretName', '')}\n    Optional:\t{'true' if s.get('optional') else 'false'}\n")
    elif v.get("configMap") is not None:
        s = v["configMap"] or {}
        w.write(2, f"Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t{s.get('name', '')}\n    Optional:\t{'true' if s.get('optional') else 'false'}\n")
    elif v.get("persistentVolumeClaim") is not None:
        s = v["persistentVolumeClaim"] or {}
        w.write(2, f"Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n    ClaimName:\t{s.get('claimName', '')}\n    ReadOnly:\t{'true' if s.get('readOnly') else 'false'}\n")
    elif v.get("projected") is not None:
        w.write(2, "Type:\tProjected (a volume that contains injected data from multiple sources)\n")
        for src in (v["projected"] or {}).get("sources") or []:
            if src.get("secret") is not None:
                w.write(2, f"SecretName:\t{src['secret'].get('name', '')}\n    Optional:\t{'true' if src['secret'].get('optional') else 'false'}\n")
            elif src.get("downwardAPI") is not None:
                w.write(2, "DownwardAPI:\ttrue\n")
            elif src.get("configMap") is not None:
                w.write(2, f"ConfigMapName:\t{src['configMap'].get('name', '')}\n    Optional:\t{'true' if src['configMap'].get('optional') else 'false'}\n")
            elif src.get("serviceAccountToken") is not None:
                w.write(2, f"TokenExpirationSeconds:\t{src['serviceAccountToken'].get('expirationSeconds', 3607)}\n")
    elif v.get("downwardAPI") is not None:
        w.write(2, "Type:\tDownwardAPI (a volume populated by information about the pod)\n    Items:\n")
        for it in (v["downwardAPI"] or {}).get("items") or []:
            if it.get("fieldRef"):
                w.write(3, f"{it['fieldRef'].get('fieldPath', '')} -> {it.get('path', '')}\n")
    else:
        w.write(1, "<unknown>\n")


def describe_volumes(w: Writer, volumes: list[dict] | None, space: str = "") -> None:
    if not volumes:
        w.write(0, f"{space}Volumes:\t<none>\n")
        return
    w.write(0, f"{space}Volumes:\n")
    indent = " " if space else ""
    for v in volumes:
        w.write(1, f"{indent}{v.get('name', '')}:\n")
        _volume_source(w, v)


def print_tolerations(w: Writer, title: str, tolerations: list[dict] | None, initial: str = "") -> None:
    w.write(0, f"{initial}{title}:\t")
    if not tolerations:
        w.line("<none>")
        return
    for i, t in enumerate(sorted(tolerations, key=lambda t: t.get("key", ""))):
        if i:
            w.write(0, initial + "\t")
        s = t.get("key", "")
        if t.get("value"):
            s += f"={t['value']}"
        if t.get("effect"):
            s += f":{t['effect']}"
        if t.get("operator") == "Exists" and not t.get("value"):
            s += " op=Exists" if (t.get("key") or t.get("effect")) else "op=Exists"
        if t.get("tolerationSeconds") is not None:
            s += f" for {t['tolerationSeconds']}s"
        w.write(0, s + "\n")


def pod_qos(pod: dict[str, Any]) -> str:
    if (pod.get("status") or {}).get("qosClass"):
        return pod["status"]["qosClass"]
    containers = ((pod.get("spec") or {}).get("containers") or []) + ((pod.get("spec") or {}).get("initContainers") or [])
    any_set, guaranteed = False, True
    for c in containers:
        r = c.get("resources") or {}
        lim, req = r.get("limits") or {}, r.get("requests") or {}
        if any(k in ("cpu", "memory") for k in list(lim) + list(req)):
            any_set = True
        for k in ("cpu", "memory"):
            if k not in lim or str(req.get(k, lim[k])) != str(lim[k]):
                guaranteed = False
    if not any_set:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"


def describe_pod_template(w: Writer, template: dict[str, Any] | None) -> None:
    w.write(0, "Pod Template:\n")
    if template is None:
        w.write(1, "<unset>")
        return
    meta, spec = template.get("metadata") or {}, template.get("spec") or {}
    print_labels(w, "  Labels", meta.get("labels"))
    if meta.get("annotations"):
        print_annotations(w, "  Annotations", meta["annotations"])
    if spec.get("serviceAccountName"):
        w.write(1, f"Service Account:\t{spec['serviceAccountName']}\n")
    if spec.get("initContainers"):
        describe_containers(w, "Init Containers", spec["initContainers"], None, None, "  ")
    describe_containers(w, "Containers", spec.get("containers") or [], None, None, "  ")
    describe_volumes(w, spec.get("volumes"), "  ")
    if spec.get("priorityClassName"):
        w.write(1, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    print_labels(w, "  Node-Selectors", spec.get("nodeSelector"))
    print_tolerations(w, "  Tolerations", spec.get("tolerations"))


def describe_pod(cluster: Any, pod: dict[str, Any], now: float) -> str:
    meta, spec, st = pod.get("metadata") or {}, pod.get("spec") or {}, pod.get("status") or {}
    w = Writer()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    if spec.get("priority") is not None:
        w.write(0, f"Priority:\t{spec['priority']}\n")
    if spec.get("priorityClassName"):
        w.write(0, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    if spec.get("runtimeClassName"):
        w.write(0, f"Runtime Class Name:\t{spec['runtimeClassName']}\n")
    if spec.get("serviceAccountName"):
        w.write(0, f"Service Account:\t{spec['serviceAccountName']}\n")
    w.write(0, f"Node:\t{spec['nodeName'] + '/' + st.get('hostIP', '')}\n" if spec.get("nodeName") else "Node:\t<none>\n")
    if st.get("startTime"):
        w.write(0, f"Start Time:\t{rfc1123z(st['startTime'])}\n")
    print_labels(w, "Labels", meta.get("labels"))
    print_annotations(w, "Annotations", meta.get("annotations"))
    phase = st.get("phase", "")
    if meta.get("deletionTimestamp") and phase not in ("Failed", "Succeeded"):
        dt = parse_ts(meta["deletionTimestamp"])
        w.write(0, f"Status:\tTerminating (lasts {human_duration(now - dt) if dt is not None else '<unknown>'})\n")
        w.write(0, f"Termination Grace Period:\t{meta.get('deletionGracePeriodSeconds', 30)}s\n")
    else:
        w.write(0, f"Status:\t{phase}\n")
    if st.get("reason"):
        w.write(0, f"Reason:\t{st['reason']}\n")
    if st.get("message"):
        w.write(0, f"Message:\t{st['message']}\n")
    w.write(0, f"IP:\t{st.get('podIP', '')}\n")
    ips = st.get("podIPs") or ([{"ip": st["podIP"]}] if st.get("podIP") else [])
    if not ips:
        w.write(0, "IPs:\t<none>\n")
    else:
        w.write(0, "IPs:\n")
        for ip in ips:
            w.write(1, f"IP:\t{ip.get('ip', '')}\n")
    ctrl = next((o for o in meta.get("ownerReferences") or [] if o.get("controller")), None)
    if ctrl:
        w.write(0, f"Controlled By:\t{ctrl.get('kind', '')}/{ctrl.get('name', '')}\n")
    if st.get("nominatedNodeName"):
        w.write(0, f"NominatedNodeName:\t{st['nominatedNodeName']}\n")
    if spec.get("initContainers"):
        describe_containers(w, "Init Containers", spec["initContainers"], st.get("initContainerStatuses"), pod)
    describe_containers(w, "Containers", spec.get("containers") or [], st.get("containerStatuses"), pod)
    if spec.get("readinessGates"):
        w.write(0, "Readiness Gates:\n  Type\tStatus\n")
        conds = {c.get("type"): c.get("status") for c in st.get("conditions") or []}
        for g in spec["readinessGates"]:
            w.write(1, f"{g.get('conditionType', '')} \t{conds.get(g.get('conditionType'), '<none>')} \n")
    if st.get("conditions"):
        w.write(0, "Conditions:\n  Type\tStatus\n")
        for c in st["conditions"]:
            w.write(1, f"{c.get('type', '')} \t{c.get('status', '')} \n")
    describe_volumes(w, spec.get("volumes"))
    w.write(0, f"QoS Class:\t{pod_qos(pod)}\n")
    print_labels(w, "Node-Selectors", spec.get("nodeSelector"))
    print_tolerations(w, "Tolerations", spec.get("tolerations"))
    for tsc in sorted(spec.get("topologySpreadConstraints") or [], key=lambda t: t.get("topologyKey", "")):
        sel = f" for selector {format_label_selector(tsc['labelSelector'])}" if tsc.get("labelSelector") else ""
        w.write(0, f"Topology Spread Constraints:\t{tsc.get('topologyKey', '')}:{tsc.get('whenUnsatisfiable', '')} when max skew {tsc.get('maxSkew', 1)} is exceeded{sel}\n")
    describe_events(w, events_for(cluster, pod, match_kind=False), now)
    return w.text()
