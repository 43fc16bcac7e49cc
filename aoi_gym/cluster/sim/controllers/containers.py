"""The kubelet's per-container state machine.

A container record (a small dict kept in ``cluster.private``, never in the object) moves through:

``create`` (waiting ContainerCreating) -> ``run`` (running) -> ``dead`` (terminated) -> ``backoff``
(waiting CrashLoopBackOff) -> ``run`` ...; or ``create`` -> ``pullerr`` (waiting ErrImagePull) ->
``pullbo`` (waiting ImagePullBackOff) -> ``create``; ``cfg`` (waiting CreateContainerConfigError) until
the referenced ConfigMap/Secret key exists; ``done`` (terminated, not restarted).

Each record holds the :class:`~aoi_gym.cluster.sim.runtime.ContainerPlan` of its current instance
(asked from the application model once per start) and the time of its next change (``due``).
Crash-loop back-off is the kubelet's: the first restart is immediate, then 10s doubling to 300s,
reset after 10 minutes without a restart.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Callable

from aoi_gym.cluster.sim.controllers.common import emit, format_go_duration, stable_hash
from aoi_gym.cluster.sim.controllers.kubelet_memos import _container_id, _Facts, _probe_num, facts, stamp
from aoi_gym.cluster.sim.runtime import ContainerPlan

if TYPE_CHECKING:
    from aoi_gym.cluster.sim.cluster import SimCluster

__all__ = [
    "PAUSE_IMAGE",
    "normalize_image",
    "image_present",
    "new_record",
    "advance_record",
    "container_status",
    "config_error",
    "terminate",
    "restart_now",
]

#: the image Chaos Mesh's pod-failure swaps in: the container runs but serves nothing
PAUSE_IMAGE = "gcr.io/google-containers/pause:latest"
PULL_ERROR_SHOW_S = 2.0  # how long ErrImagePull shows before the kubelet enters ImagePullBackOff
MAX_BACKOFF_S = 300.0
BACKOFF_RESET_S = 600.0
_PROBE = ("initialDelaySeconds", "periodSeconds", "failureThreshold")


@functools.lru_cache(maxsize=4096)  # pure; asked for every container status written
def normalize_image(image: str) -> str:
    """``nginx:1.25`` -> ``docker.io/library/nginx:1.25`` (what containerd reports)."""
    name = image
    first = name.split("/", 1)[0]
    if "/" not in name or ("." not in first and ":" not in first and first != "localhost"):
        name = "docker.io/" + (name if "/" in name else "library/" + name)
    last = name.rsplit("/", 1)[-1]
    if "@" not in last and ":" not in last:
        name += ":latest"
    return name


@functools.lru_cache(maxsize=4096)
def _image_id(image: str) -> str:
    repo = normalize_image(image).split("@", 1)[0]
    last = repo.rsplit("/", 1)
    if ":" in last[-1]:
        repo = repo.rsplit(":", 1)[0]
    return f"{repo}@sha256:{stable_hash('image', image)}"


def _plan_list(p: ContainerPlan) -> list:
    return [p.image_ok, p.image_error, float(p.start_delay_s), p.exit_after_s, int(p.exit_code), p.exit_reason,
            p.ready, float(p.ready_delay_s), p.live, p.probe_message]


_IMAGE_OK, _IMAGE_ERR, _DELAY, _EXIT_AFTER, _CODE, _REASON, _READY, _READY_DELAY, _LIVE, _PROBE_MSG = range(10)


def _probe_port(port: Any, c_spec: dict[str, Any]) -> Any:
    """A probe's port with a named port resolved through the container's ports."""
    if isinstance(port, str) and not port.isdigit():
        for p in c_spec.get("ports") or ():
            if p.get("name") == port:
                return p.get("containerPort")
    return port


def _default_probe_message(probe: dict[str, Any], ip: str, c_spec: dict[str, Any]) -> str:
    """What the kubelet reports when nothing answers the probe."""
    if isinstance(probe.get("httpGet"), dict):
        g = probe["httpGet"]
        scheme = str(g.get("scheme", "HTTP")).lower()
        port = _probe_port(g.get("port"), c_spec)
        return f'Get "{scheme}://{ip}:{port}{g.get("path", "/")}": dial tcp {ip}:{port}: connect: connection refused'
    if isinstance(probe.get("tcpSocket"), dict):
        port = _probe_port(probe["tcpSocket"].get("port"), c_spec)
        return f"dial tcp {ip}:{port}: connect: connection refused"
    if isinstance(probe.get("grpc"), dict):
        return f'timeout: failed to connect service "{ip}:{probe["grpc"].get("port")}" within 1s'
    return "command terminated with non-zero exit code"


def ask_plan(cluster: "SimCluster", pod: dict[str, Any], c_spec: dict[str, Any]) -> list:
    """The application model's plan for a new instance of the container (pause image handled here)."""
    if c_spec.get("image") == PAUSE_IMAGE:
        return _plan_list(ContainerPlan(start_delay_s=0.5, ready=False, live=False))
    return _plan_list(cluster.app.container_plan(cluster, pod, c_spec))


_NEW_RECORD = {
    "st": "create", "due": None, "n": 0, "init": False, "image": "",
    "plan": None, "start": None, "fin": None, "code": None, "reason": None, "msg": None, "cid": None,
    "last": None, "pulls": 0, "crash": 0, "lastrestart": None, "rprobe": 0, "pulled": False,
}


def new_record(cluster: "SimCluster", pod: dict[str, Any], c_spec: dict[str, Any], init: bool) -> dict[str, Any]:
    """A record for a container that has not started yet (waiting ContainerCreating)."""
    rec = _NEW_RECORD.copy()  # several times cheaper than building the 18 keys (same keys, same order)
    rec["init"] = init
    rec["image"] = c_spec.get("image", "")
    return rec


# ---------------------------------------------------------------------------------------------- config
def config_error(cluster: "SimCluster", pod: dict[str, Any], c_spec: dict[str, Any]) -> str | None:
    """CreateContainerConfigError message for a missing ConfigMap/Secret (or key) referenced by env."""
    ns = pod["metadata"]["namespace"]
    for e in c_spec.get("env") or ():
        vf = e.get("valueFrom") if isinstance(e, dict) else None
        if not isinstance(vf, dict):
            continue
        for ref_key, kind, label in (("configMapKeyRef", "ConfigMap", "configmap"), ("secretKeyRef", "Secret", "secret")):
            ref = vf.get(ref_key)
            if not isinstance(ref, dict) or ref.get("optional"):
                continue
            obj = cluster.peek(kind, ref.get("name", ""), ns)
            if obj is None:
                return f'{label} "{ref.get("name", "")}" not found'
            key = ref.get("key", "")
            if key not in (obj.get("data") or {}) and key not in (obj.get("binaryData") or {}) and key not in (obj.get("stringData") or {}):
                return f"couldn't find key {key} in {kind} {ns}/{ref.get('name', '')}"
    for ef in c_spec.get("envFrom") or ():
        if not isinstance(ef, dict):
            continue
        for ref_key, kind, label in (("configMapRef", "ConfigMap", "configmap"), ("secretRef", "Secret", "secret")):
            ref = ef.get(ref_key)
            if isinstance(ref, dict) and not ref.get("optional") and cluster.peek(kind, ref.get("name", ""), ns) is None:
                return f'{label} "{ref.get("name", "")}" not found'
    return None


# ---------------------------------------------------------------------------------------------- transitions
def _pod_ref(pod: dict[str, Any]) -> str:
    m = pod["metadata"]
    return f"{m['name']}_{m['namespace']}({m.get('uid', '')})"


def _field_path(rec: dict[str, Any], name: str) -> str:
    return f"spec.{'initContainers' if rec['init'] else 'containers'}{{{name}}}"


def _node_of(pod: dict[str, Any]) -> str:
    return pod["spec"].get("nodeName", "")


def _ev(cluster, pod, rec, name, reason, message, type="Normal", times=1) -> None:
    """``emit`` of one container's event (failures, back-off, probes; a start's own events go through
    :func:`_emitter`)."""
    emit(cluster, pod, reason, message, type=type, component="kubelet", host=_node_of(pod),
         field_path=_field_path(rec, name), times=times)


def image_present(cluster: "SimCluster", pod: dict[str, Any], image: str) -> bool:
    """Whether the pod's node already has ``image``: pulled there before, or preloaded (the node's
    ``status.images``, as kind preloads its system images)."""
    node = _node_of(pod)
    if image in cluster.private.get("images", {}).get(node, ()):
        return True
    obj = cluster.peek("Node", node)
    if obj is None:
        return False
    full = normalize_image(image)
    names = _preloaded(obj)
    if names is not None:
        return full in names
    for entry in (obj.get("status") or {}).get("images") or ():  # a malformed list: as it comes
        if full in (entry.get("names") or ()):
            return True
    return False


# id(node) -> (node, the image names its status.images list); a pure memo of immutable (stored) nodes,
# each entry holding its node so that the id is not reused while the entry lives
_PRELOADED: dict[int, tuple[dict[str, Any], Any]] = {}


def _preloaded(node: dict[str, Any]) -> frozenset[str] | None:
    """Every name in the node's ``status.images`` (None when an entry or name is not what a node lists)."""
    hit = _PRELOADED.get(id(node))
    if hit is not None and hit[0] is node:
        return hit[1]
    try:
        found: frozenset[str] | None = frozenset(
            n for entry in (node.get("status") or {}).get("images") or () for n in entry.get("names") or ())
    except (AttributeError, TypeError):
        found = None
    if len(_PRELOADED) > 1024:
        _PRELOADED.clear()
    _PRELOADED[id(node)] = (node, found)
    return found


@functools.lru_cache(maxsize=4096)
def _pull_figures(image: str) -> tuple[float, int]:
    """(seconds, bytes) a pull of ``image`` reports: fixed per image."""
    secs = 0.4 + int(stable_hash("pull", image, n=6), 16) % 4000 / 1000.0
    size = 5_000_000 + int(stable_hash("size", image, n=8), 16) % 200_000_000
    return secs, size


def _quiet(reason: str, message: str) -> None:
    """The emitter of a namespace that takes no events."""


def _emitter(cluster: "SimCluster", pod: dict[str, Any], rec: dict[str, Any], name: str) -> Callable[[str, str], None]:
    """``lambda reason, message: _ev(cluster, pod, rec, name, reason, message)`` for the Normal events
    of one start, with the namespace check, host and field path worked out once for them all (the
    events of a start put nothing but Events)."""
    record = getattr(cluster, "_record_event", None)
    if record is None:
        return lambda reason, message: _ev(cluster, pod, rec, name, reason, message)
    ns = pod["metadata"].get("namespace") or "default"
    ns_obj = cluster.store.peek("Namespace", ns)
    if ns_obj is None or "deletionTimestamp" in ns_obj["metadata"]:
        return _quiet
    field_path, host = _field_path(rec, name), _node_of(pod)

    def ev(reason: str, message: str) -> None:
        record(pod, ns, reason, message, "Normal", "kubelet", host, field_path)

    return ev


def _pull_events(cluster: "SimCluster", pod: dict[str, Any], rec: dict[str, Any], c_spec: dict[str, Any], restart: bool,
                 f: _Facts, ev: Callable[[str, str], None]) -> None:
    image = c_spec.get("image", "")
    images = cluster.private.setdefault("images", {}).setdefault(_node_of(pod), [])
    if f.policy != "Always" and (restart or image_present(cluster, pod, image)):
        ev("Pulled", f'Container image "{image}" already present on machine')
        return
    secs, size = _pull_figures(image)
    ev("Pulling", f'Pulling image "{image}"')
    ev("Pulled", f'Successfully pulled image "{image}" in {secs:.3f}s ({secs:.3f}s including waiting). Image size: {size} bytes.')
    if image not in images:
        images.append(image)


def _start(cluster: "SimCluster", pod: dict[str, Any], rec: dict[str, Any], c_spec: dict[str, Any], at: float, restart: bool) -> None:
    """Start the instance described by rec['plan'] at ``at`` (or fail its image pull)."""
    plan = rec["plan"]
    f = facts(c_spec)
    name, image = c_spec["name"], c_spec.get("image", "")
    if not plan[_IMAGE_OK] and (f.policy == "Always" or not image_present(cluster, pod, image)):
        err = plan[_IMAGE_ERR] or (
            f'rpc error: code = NotFound desc = failed to pull and unpack image "{normalize_image(image)}": failed to '
            f'resolve reference "{normalize_image(image)}": {normalize_image(image)}: not found'
        )
        rec.update(st="pullerr", msg=err, pulls=rec["pulls"] + 1, due=at + PULL_ERROR_SHOW_S)
        _ev(cluster, pod, rec, name, "Pulling", f'Pulling image "{image}"')
        _ev(cluster, pod, rec, name, "Failed", f'Failed to pull image "{image}": {err}', "Warning")
        _ev(cluster, pod, rec, name, "Failed", "Error: ErrImagePull", "Warning")
        return
    ev = _emitter(cluster, pod, rec, name)
    _pull_events(cluster, pod, rec, c_spec, restart or rec["pulled"], f, ev)
    rec["pulled"] = True
    err = config_error(cluster, pod, c_spec) if f.env_refs else None
    if err is not None:
        rec.update(st="cfg", msg=err, due=None)
        _ev(cluster, pod, rec, name, "Failed", f"Error: {err}", "Warning")
        return
    # (what rec.update(st=..., cid=...) did, key by key: every key exists already, so the order stays)
    rec["st"] = "run"
    rec["start"] = at
    rec["fin"] = rec["code"] = rec["reason"] = rec["msg"] = None
    rec["pulls"] = rec["rprobe"] = 0
    rec["image"] = image
    rec["cid"] = _container_id(pod["metadata"].get("uid"), name, rec["n"], at)
    ev("Created", f"Created container {name}")
    ev("Started", f"Started container {name}")
    rec["due"] = _next_run_event(rec, f, at)


def _ready_at(rec: dict[str, Any], f: _Facts) -> float | None:
    """When the running instance becomes ready (None: never)."""
    if rec["init"]:
        return None
    if f.ready_probe is None:
        return rec["start"]
    plan = rec["plan"]
    if not plan[_READY]:
        return None
    return rec["start"] + max(plan[_READY_DELAY], f.ready_delay)


def _kill_at(rec: dict[str, Any], f: _Facts) -> float | None:
    if f.live_probe is None or rec["plan"][_LIVE] or rec["init"]:
        return None
    return rec["start"] + f.live_delay + f.live_span


def _exit_at(rec: dict[str, Any]) -> float | None:
    after = rec["plan"][_EXIT_AFTER]
    if after is None:
        return rec["start"] + 1.0 if rec["init"] else None  # an init container that does not say finishes at once
    return rec["start"] + float(after)


def _next_run_event(rec: dict[str, Any], f: _Facts, now: float) -> float | None:
    """The earliest of exit, liveness kill (both from ``now`` on) and becoming ready (after ``now``)."""
    best = _exit_at(rec)
    if best is not None and best < now:
        best = None
    kill_at = _kill_at(rec, f)
    if kill_at is not None and kill_at >= now and (best is None or kill_at < best):
        best = kill_at
    ready_at = _ready_at(rec, f)
    if ready_at is not None and ready_at > now and (best is None or ready_at < best):
        best = ready_at
    return best


def _terminated(rec: dict[str, Any]) -> dict[str, Any]:
    return {
        "containerID": rec["cid"],
        "exitCode": rec["code"],
        "finishedAt": rec["fin_ts"],
        "reason": rec["reason"],
        "startedAt": rec["start_ts"],
    }


def terminate(cluster: "SimCluster", pod: dict[str, Any], rec: dict[str, Any], c_spec: dict[str, Any], at: float, code: int, reason: str) -> None:
    """The running instance exits at ``at``; schedule the restart per restartPolicy and back-off."""
    rec.update(st="dead", fin=at, code=int(code), reason=reason, fin_ts=cluster.timestamp(at), start_ts=cluster.timestamp(rec["start"]))
    policy = pod["spec"].get("restartPolicy", "Always")
    if rec["init"]:
        restart = code != 0 and policy != "Never"
    else:
        restart = policy == "Always" or (policy == "OnFailure" and code != 0)
    if not restart:
        rec.update(st="done", due=None)
        return
    if rec["lastrestart"] is not None and at - rec["lastrestart"] >= BACKOFF_RESET_S:
        rec["crash"] = 0
    rec["crash"] += 1
    delay = 0.0 if rec["crash"] == 1 else min(10.0 * 2 ** (rec["crash"] - 2), MAX_BACKOFF_S)
    if delay <= 0:
        restart_now(cluster, pod, rec, c_spec, at)
        return
    name = c_spec["name"]
    rec.update(st="backoff", due=at + delay,
               msg=f"back-off {format_go_duration(delay)} restarting failed container={name} pod={_pod_ref(pod)}")
    _ev(cluster, pod, rec, name, "BackOff", f"Back-off restarting failed container {name} in pod {_pod_ref(pod)}", "Warning")


def restart_now(cluster: "SimCluster", pod: dict[str, Any], rec: dict[str, Any], c_spec: dict[str, Any], at: float) -> None:
    """Start a new instance of a terminated container (restartCount + 1) with a fresh plan."""
    if rec["fin"] is not None:
        rec["last"] = _terminated(rec)
    rec["n"] += 1
    rec["lastrestart"] = at
    rec["plan"] = ask_plan(cluster, pod, c_spec)
    _start(cluster, pod, rec, c_spec, at, restart=True)


def _emit_probe_failures(cluster, pod, rec, c_spec, f: _Facts, upto: float) -> None:
    """Unhealthy events for readiness probe failures of the running instance up to ``upto``."""
    probe = f.ready_probe
    if probe is None or rec["st"] != "run" or rec["init"]:
        return
    first = rec["start"] + f.ready_delay
    ready_at = _ready_at(rec, f)
    end = upto if ready_at is None else min(upto, ready_at - 1e-9)
    if end < first:
        return
    n = int((end - first) // max(f.ready_period, 1.0)) + 1
    if n > rec["rprobe"]:
        msg = rec["plan"][_PROBE_MSG] or _default_probe_message(probe, (pod.get("status") or {}).get("podIP", ""), c_spec)
        _ev(cluster, pod, rec, c_spec["name"], "Unhealthy", f"Readiness probe failed: {msg}", "Warning", times=n - rec["rprobe"])
        rec["rprobe"] = n


def advance_record(cluster: "SimCluster", pod: dict[str, Any], rec: dict[str, Any], c_spec: dict[str, Any]) -> None:
    """Apply every transition of the container due up to ``cluster.t``."""
    t = cluster.t
    f = facts(c_spec)
    if rec["st"] == "cfg":
        err = config_error(cluster, pod, c_spec)
        if err is None:
            _start(cluster, pod, rec, c_spec, t, restart=True)
        elif err != rec["msg"]:
            rec["msg"] = err
            _ev(cluster, pod, rec, c_spec["name"], "Failed", f"Error: {err}", "Warning")
    for _ in range(1000):
        st = rec["st"]
        if st == "run" and f.ready_probe is not None:
            _emit_probe_failures(cluster, pod, rec, c_spec, f, min(t, rec["due"]) if rec["due"] is not None else t)
        due = rec["due"]
        if due is None or due > t:
            return
        if st == "create":
            _start(cluster, pod, rec, c_spec, due, restart=False)
        elif st == "pullerr":
            delay = min(10.0 * 2 ** (rec["pulls"] - 1), MAX_BACKOFF_S)
            rec.update(st="pullbo", due=due - PULL_ERROR_SHOW_S + delay, msg=f'Back-off pulling image "{c_spec.get("image", "")}"')
            _ev(cluster, pod, rec, c_spec["name"], "BackOff", f'Back-off pulling image "{c_spec.get("image", "")}"')
            _ev(cluster, pod, rec, c_spec["name"], "Failed", "Error: ImagePullBackOff", "Warning")
        elif st == "pullbo":
            rec["plan"] = ask_plan(cluster, pod, c_spec)
            if rec["plan"][_IMAGE_OK]:
                rec.update(st="create", due=due + rec["plan"][_DELAY], msg=None)
            else:
                _start(cluster, pod, rec, c_spec, due, restart=False)
        elif st == "backoff":
            restart_now(cluster, pod, rec, c_spec, due)
        elif st == "run":
            exit_at, kill_at = _exit_at(rec), _kill_at(rec, f)
            if exit_at is not None and exit_at <= due and (kill_at is None or exit_at <= kill_at):
                plan = rec["plan"]
                code, reason = (plan[_CODE], plan[_REASON]) if plan[_EXIT_AFTER] is not None else (0, "Completed")
                if reason == "Completed":
                    code = 0
                elif reason == "OOMKilled" and code == 1:
                    code = 137
                terminate(cluster, pod, rec, c_spec, exit_at, code, reason)
            elif kill_at is not None and kill_at <= due:
                probe = f.live_probe or {}
                msg = rec["plan"][_PROBE_MSG] or _default_probe_message(probe, (pod.get("status") or {}).get("podIP", ""), c_spec)
                name = c_spec["name"]
                _ev(cluster, pod, rec, name, "Unhealthy", f"Liveness probe failed: {msg}", "Warning", times=int(_probe_num(probe, "failureThreshold")))
                _ev(cluster, pod, rec, name, "Killing", f"Container {name} failed liveness probe, will be restarted")
                terminate(cluster, pod, rec, c_spec, kill_at, 137, "Error")
            else:
                rec["due"] = _next_run_event(rec, f, due)
        else:
            rec["due"] = None
    rec["due"] = None  # pragma: no cover - guard against a runaway loop


# ---------------------------------------------------------------------------------------------- status
_WAITING_REASON = {"create": "ContainerCreating", "pullerr": "ErrImagePull", "pullbo": "ImagePullBackOff",
                   "backoff": "CrashLoopBackOff", "cfg": "CreateContainerConfigError"}


def container_status(cluster: "SimCluster", rec: dict[str, Any], c_spec: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """(the API's containerStatus entry, ready) for a record at ``cluster.t``."""
    st = rec["st"]
    ready = False
    if st == "run":
        state = {"running": {"startedAt": stamp(cluster, rec["start"])}}
        ra = _ready_at(rec, facts(c_spec))
        ready = ra is not None and ra <= cluster.t
    elif st == "dead" or st == "done":
        state = {"terminated": _terminated(rec)}
    else:
        waiting: dict[str, Any] = {"reason": _WAITING_REASON[st]}
        if rec["msg"]:
            waiting["message"] = rec["msg"]
        state = {"waiting": waiting}
    if st == "backoff":  # the instance that just died is the last state while the kubelet waits
        last_state = {"terminated": _terminated(rec)}
    else:
        last = rec["last"]
        last_state = {"terminated": dict(last)} if last else {}
    # whole literals: a dict that grows past five keys is resized
    cid = rec["cid"]
    if cid is not None:  # pulled: containerd's names
        image = rec["image"] or c_spec.get("image", "")
        return {"containerID": cid, "image": normalize_image(image), "imageID": _image_id(image), "lastState": last_state,
                "name": c_spec["name"], "ready": ready, "restartCount": rec["n"], "started": st == "run",
                "state": state}, ready
    return {"image": c_spec.get("image", ""), "imageID": "", "lastState": last_state, "name": c_spec["name"],
            "ready": ready, "restartCount": rec["n"], "started": st == "run", "state": state}, ready
