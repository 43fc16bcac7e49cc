"""Container start decisions: from the container's spec and the application state at start time.

Each start yields a :class:`ContainerPlan` for the kubelet and a start record for the model
(``code``, ``detail``) that logs and the request model read later. Codes: ``ok``, ``pause``, ``foreign``,
``image`` (pull fails), ``missing`` (no such binary), ``buggy``, ``auth``/``authz`` (MongoDB rejects the
service's credentials), ``nodb`` (its MongoDB is unreachable), ``dial`` (an env var names an unknown
host), ``oom`` (memory limit below the working set).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aoi_gym.apps.base import App, DbClient
from aoi_gym.cluster.sim.appmodel.identity import Process, identify
from aoi_gym.cluster.sim.appmodel.images import image_pull_error
from aoi_gym.cluster.sim.appmodel.mongo import check_client
from aoi_gym.cluster.sim.appmodel.util import label_of, parse_memory_mib, pod_ip
from aoi_gym.cluster.sim.runtime import ContainerPlan

if TYPE_CHECKING:
    from aoi_gym.cluster.sim.appmodel import AppModel

__all__ = ["StartDecision", "decide", "store_args", "store_has_live_pod", "resolve_host", "effective_db_client"]

_STORE_HINT = re.compile(r"MONGO|REDIS|VALKEY|KAFKA|MEMC|DATABASE|_DB|DB_|CACHE")
_ADDR_NAME = re.compile(r"(ADDR|ADDRESS|HOST|URI|URL)$")


@dataclass(frozen=True, init=False)
class StartDecision:
    plan: ContainerPlan
    code: str
    detail: str = ""

    def __init__(self, plan: ContainerPlan, code: str, detail: str = "") -> None:
        # the generated __init__ of a frozen dataclass sets each field through object.__setattr__
        # (one decision per container start); filling the instance dict is the same state
        d = self.__dict__
        d["plan"] = plan
        d["code"] = code
        d["detail"] = detail


def _start_key(ns: str, pod_name: Any, container_name: Any, t: float) -> int:
    """``stable_hash(ns, pod_name, container_name, t)`` written out: an f-string formats each part as
    str() does (empty format spec), and the text is hashed the same way."""
    h = hashlib.blake2b(f"{ns}\x1f{pod_name}\x1f{container_name}\x1f{t}".encode(), digest_size=8)
    return int.from_bytes(h.digest(), "little")


def _pods_of(cluster: Any, app: App, ns: str, svc: str) -> list[dict[str, Any]]:
    return [p for p in cluster.iter_objects("Pod", ns) if (p["metadata"].get("labels") or {}).get(app.label_key) == svc]


def store_args(cluster: Any, app: App, ns: str, store: str) -> list[str]:
    """Command-line args of ``store``'s mongod/redis (from a live pod, else its Deployment template)."""
    for p in _pods_of(cluster, app, ns, store):
        if not p["metadata"].get("deletionTimestamp"):
            c = p["spec"]["containers"][0]
            return [str(a) for a in (c.get("command") or [])[1:] + (c.get("args") or [])]
    dep = cluster.peek("Deployment", store, ns)
    if dep:
        c = dep["spec"]["template"]["spec"]["containers"][0]
        return [str(a) for a in (c.get("command") or [])[1:] + (c.get("args") or [])]
    return list(app.services[store].args) if store in app.services else []


def store_has_live_pod(cluster: Any, app: App, ns: str, store: str) -> bool:
    """Is ``store`` reachable by a client that retries while dialing: a Service and a scheduled, live pod."""
    if cluster.peek("Service", store, ns) is None:
        return False
    for p in _pods_of(cluster, app, ns, store):
        if p["metadata"].get("deletionTimestamp"):
            continue
        st = p.get("status")
        if not st or (p["spec"].get("nodeName") and st.get("phase") not in ("Failed", "Succeeded")):
            return True
    return False


def resolve_host(cluster: Any, ns: str, host: str) -> tuple[str, str] | None:
    """DNS as a pod sees it: ``geo``, ``geo.ns``, ``geo.ns.svc(.cluster.local)`` -> (namespace, service)."""
    h = host.rstrip(".")
    parts = h.split(".")
    if len(parts) == 1:
        target = (ns, parts[0])
    elif len(parts) == 2 or (len(parts) >= 3 and parts[2] == "svc" and (len(parts) == 3 or ".".join(parts[3:]) == "cluster.local")):
        target = (parts[1], parts[0])
    else:
        return None
    return target if cluster.peek("Service", target[1], target[0]) is not None else None


def _env_hosts(container: dict[str, Any]) -> list[tuple[str, str]]:
    out = []
    for e in container.get("env") or []:
        name, value = str(e.get("name", "")), e.get("value")
        if value is None or not _ADDR_NAME.search(name.upper()) or not _STORE_HINT.search(name.upper()):
            continue
        v = re.sub(r"^[a-z]+://", "", str(value)).split("@")[-1]
        host = re.split(r"[:/?]", v, maxsplit=1)[0]
        if host and not re.fullmatch(r"[0-9.]+", host):
            out.append((name, host))
    return out


def effective_db_client(cluster: Any, app: App, ns: str, proc: Process, container: dict[str, Any]) -> DbClient | None:
    """The service's MongoDB client, redirected if an env var points it at another MongoDB service."""
    client = proc.service.db if proc.service else None
    if client is None:
        return None
    for name, host in _env_hosts(container):
        if "MONGO" in name.upper():
            tgt = resolve_host(cluster, ns, host)
            if tgt and tgt[0] == ns and tgt[1] in app.services and app.services[tgt[1]].kind == "mongodb":
                return DbClient(tgt[1], client.db, client.user, client.password, client.collection)
    return client


def _probe(proc: Process, container: dict[str, Any], probe: dict[str, Any] | None, ip: str) -> str | None:
    """None if the probe passes against this process, else the kubelet's failure text."""
    if not probe:
        return None
    named = {p.get("name"): p.get("containerPort") for p in container.get("ports") or [] if p.get("name")}

    def port_of(v: Any) -> int | None:
        if isinstance(v, int):
            return v
        if isinstance(v, str) and v.isdigit():
            return int(v)
        return named.get(v)

    listen = proc.listen
    if "httpGet" in probe:
        hg = probe["httpGet"]
        port, path = port_of(hg.get("port")), hg.get("path", "/")
        url = f'{hg.get("scheme", "HTTP").lower()}://{ip}:{port}{path}'
        if port not in listen:
            return f'Get "{url}": dial tcp {ip}:{port}: connect: connection refused'
        if proc.service and proc.service.protocol != "http":
            return f'Get "{url}": net/http: HTTP/1.x transport connection broken: malformed HTTP response "\\x00\\x00\\x06\\x04"'
        paths = proc.service.http_paths if proc.service else ()
        if path not in paths and not any(path.startswith(p.rstrip("/") + "/") for p in paths if p != "/"):
            return "HTTP probe failed with statuscode: 404"
        return None
    if "tcpSocket" in probe:
        port = port_of(probe["tcpSocket"].get("port"))
        return None if port in listen else f"dial tcp {ip}:{port}: connect: connection refused"
    if "grpc" in probe:
        port = port_of(probe["grpc"].get("port"))
        return None if port in listen else f'timeout: failed to connect service "{ip}:{port}" within 1s'
    return None  # exec probes: the command exists in every image we model


def decide(model: "AppModel", cluster: Any, app: App | None, pod: dict[str, Any], container: dict[str, Any]) -> StartDecision:
    """Decide how this start of ``container`` goes (see module doc)."""
    ns = pod["metadata"].get("namespace", "default")
    key = _start_key(ns, pod["metadata"]["name"], container.get("name"), cluster.t)
    start_delay = 1.0 + (key % 10) / 10.0
    image = container.get("image") or ""
    own = app.services.get(label_of(pod, app.label_key)) if app else None
    if own is not None and image == own.image and image.strip():
        err = None  # the pod's own service image: in known_images, always pullable (skips that O(services) set)
    else:
        err = image_pull_error(image, app.known_images if app else frozenset())
    if err:
        return StartDecision(ContainerPlan(image_ok=False, image_error=err), "image", err)
    proc = identify(app, pod, container)
    if proc.kind == "foreign":
        return StartDecision(ContainerPlan(start_delay_s=start_delay), proc.kind)
    if proc.kind == "pause":  # runs, listens on nothing: every probe fails
        ip = pod_ip(pod)
        r = _probe(proc, container, container.get("readinessProbe"), ip)
        lv = _probe(proc, container, container.get("livenessProbe"), ip)
        return StartDecision(ContainerPlan(start_delay_s=start_delay, ready=r is None, live=lv is None,
                                           probe_message=r or lv or ""), "pause")
    assert app is not None and proc.service is not None
    if proc.kind == "missing":
        msg = f'exec: "{proc.binary}": executable file not found in $PATH'
        return StartDecision(ContainerPlan(start_delay_s=start_delay, exit_after_s=0.0, exit_code=128,
                                           exit_reason="StartError"), "missing", msg)
    limit = parse_memory_mib(((container.get("resources") or {}).get("limits") or {}).get("memory"))
    if limit is not None and limit < proc.service.memory_mib:
        return StartDecision(ContainerPlan(start_delay_s=start_delay, exit_after_s=2.0 + key % 4, exit_code=137,
                                           exit_reason="OOMKilled"), "oom", f"{limit:.0f}Mi")
    if proc.kind == "buggy":
        return StartDecision(ContainerPlan(start_delay_s=start_delay, exit_after_s=1.5, exit_code=2), "buggy")
    for name, host in _env_hosts(container):
        if resolve_host(cluster, ns, host) is None:
            return StartDecision(ContainerPlan(start_delay_s=start_delay, exit_after_s=1.0, exit_code=1), "dial",
                                 f"dial tcp: lookup {host} on 10.96.0.10:53: no such host")
    client = effective_db_client(cluster, app, ns, proc, container)
    if client is not None:
        if not store_has_live_pod(cluster, app, ns, client.store):
            return StartDecision(ContainerPlan(start_delay_s=start_delay, exit_after_s=10.0, exit_code=2), "nodb",
                                 "no reachable servers")
        auth = "--auth" in store_args(cluster, app, ns, client.store)
        bad = check_client(model.mongo_state(ns, client.store), client, auth)
        if bad:
            return StartDecision(ContainerPlan(start_delay_s=start_delay, exit_after_s=0.8, exit_code=2), bad[0],
                                 f"{client.store}|{bad[1]}")
    ready_probe, live_probe = container.get("readinessProbe"), container.get("livenessProbe")
    if ready_probe or live_probe:  # (no probe passes or fails without one: the IP is for its message)
        ip = pod_ip(pod)
        ready_err = _probe(proc, container, ready_probe, ip)
        live_err = _probe(proc, container, live_probe, ip)
    else:
        ready_err = live_err = None
    plan = ContainerPlan(
        start_delay_s=start_delay,
        ready=ready_err is None,
        live=live_err is None,
        probe_message=ready_err or live_err or "",
        ready_delay_s=float((ready_probe or {}).get("initialDelaySeconds", 0)),
    )
    return StartDecision(plan, "ok" if proc.kind == "app" else proc.kind)
