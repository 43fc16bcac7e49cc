"""A container's filesystem and environment as ``cat``/``ls``/``env`` see them.

Files come from mounted ConfigMaps and Secrets (keys as files, ``subPath`` and ``items`` honoured,
Secret data decoded), files baked into the app's images (HotelReservation's ``config.json``), and the
usual kubelet-provided files (``/etc/hostname``, ``/etc/hosts``, ``/etc/resolv.conf``, the service
account token directory). The environment holds the spec's env (values and ConfigMap/Secret refs),
the service links Kubernetes injects, and the image's PATH/HOSTNAME.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from aoi_gym.apps.base import App
from aoi_gym.cluster.sim.appmodel.identity import Process
from aoi_gym.cluster.sim.appmodel.util import cluster_ip, pod_ip

__all__ = ["container_files", "container_env", "list_dir"]


def _volume_files(cluster: Any, ns: str, vol: dict[str, Any]) -> dict[str, str] | None:
    """key -> content of a ConfigMap/Secret volume (None if the source is missing)."""
    if "configMap" in vol:
        src = cluster.peek("ConfigMap", vol["configMap"].get("name", ""), ns)
        if src is None:
            return None
        data = dict(src.get("data") or {})
        items = vol["configMap"].get("items")
    elif "secret" in vol:
        src = cluster.peek("Secret", vol["secret"].get("secretName", ""), ns)
        if src is None:
            return None
        data = {}
        for k, v in (src.get("data") or {}).items():
            try:
                data[k] = base64.b64decode(v).decode("utf-8", "replace")
            except (binascii.Error, ValueError):
                data[k] = ""
        data.update(src.get("stringData") or {})
        items = vol["secret"].get("items")
    else:
        return None
    if items:
        return {it.get("path", it["key"]): data[it["key"]] for it in items if it.get("key") in data}
    return data


def container_files(cluster: Any, app: App | None, pod: dict[str, Any], container: dict[str, Any], proc: Process) -> dict[str, str]:
    """Absolute path -> content of every file we model in the container."""
    ns = pod["metadata"].get("namespace", "default")
    name = pod["metadata"]["name"]
    files: dict[str, str] = {
        "/etc/hostname": name + "\n",
        "/etc/hosts": f"127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n{pod_ip(pod)}\t{name}\n",
        "/etc/resolv.conf": f"search {ns}.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n",
        "/var/run/secrets/kubernetes.io/serviceaccount/namespace": ns,
        "/var/run/secrets/kubernetes.io/serviceaccount/token": "eyJhbGciOiJSUzI1NiIsImtpZCI6InNpbSJ9.simulated.token",
        "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt": "-----BEGIN CERTIFICATE-----\n(simulated)\n-----END CERTIFICATE-----\n",
    }
    if app is not None and proc.service is not None:
        baked = app.params.get("files") or {}
        for key in (f"style:{proc.service.style}", proc.service.name):
            files.update(baked.get(key, {}))
    vols = {v.get("name"): v for v in pod.get("spec", {}).get("volumes") or []}
    for m in container.get("volumeMounts") or []:
        vol = vols.get(m.get("name"))
        if vol is None:
            continue
        content = _volume_files(cluster, ns, vol)
        if content is None:
            continue
        mount = m.get("mountPath", "").rstrip("/")
        if m.get("subPath"):
            if m["subPath"] in content:
                files[mount] = content[m["subPath"]]
            continue
        for k, v in content.items():
            files[f"{mount}/{k}"] = v
    return files


def list_dir(files: dict[str, str], path: str) -> list[str] | None:
    """Names directly under ``path`` (None if nothing lives there)."""
    base = path.rstrip("/") + "/" if path != "/" else "/"
    names = set()
    for p in files:
        if p.startswith(base):
            names.add(p[len(base):].split("/", 1)[0])
    if not names and path.rstrip("/") in ("/", "/tmp", "/data", "/data/db", "/root", "/usr", "/bin", "/etc", "/var"):
        return []
    return sorted(names) if names else None


def container_env(cluster: Any, pod: dict[str, Any], container: dict[str, Any]) -> list[tuple[str, str]]:
    """The process environment (``env`` prints these in this order)."""
    ns = pod["metadata"].get("namespace", "default")
    env: dict[str, str] = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                           "HOSTNAME": pod["metadata"]["name"]}
    for e in container.get("env") or []:
        n = e.get("name")
        if not n:
            continue
        if "value" in e:
            env[n] = str(e["value"])
            continue
        ref = e.get("valueFrom") or {}
        if "configMapKeyRef" in ref:
            src = cluster.peek("ConfigMap", ref["configMapKeyRef"].get("name", ""), ns)
            val = (src or {}).get("data", {}).get(ref["configMapKeyRef"].get("key"))
        elif "secretKeyRef" in ref:
            src = cluster.peek("Secret", ref["secretKeyRef"].get("name", ""), ns)
            raw = (src or {}).get("data", {}).get(ref["secretKeyRef"].get("key"))
            val = base64.b64decode(raw).decode("utf-8", "replace") if raw else None
        elif "fieldRef" in ref:
            path = ref["fieldRef"].get("fieldPath", "")
            val = {"metadata.name": pod["metadata"]["name"], "metadata.namespace": ns, "status.podIP": pod_ip(pod),
                   "spec.nodeName": pod["spec"].get("nodeName", "")}.get(path, "")
        else:
            val = ""
        if val is not None:
            env[n] = str(val)
    if pod.get("spec", {}).get("enableServiceLinks", True):
        for svc in cluster.iter_objects("Service", ns):
            key = svc["metadata"]["name"].upper().replace("-", "_")
            ports = (svc.get("spec") or {}).get("ports") or []
            if not ports:
                continue
            ip = cluster_ip(svc)
            env.setdefault(f"{key}_SERVICE_HOST", ip)
            env.setdefault(f"{key}_SERVICE_PORT", str(ports[0].get("port")))
    env.update({"KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443", "HOME": "/root"})
    return list(env.items())
