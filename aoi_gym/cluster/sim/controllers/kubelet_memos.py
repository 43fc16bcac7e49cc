"""Pure helpers and memos of the kubelet's container state machine (:mod:`.containers`): the facts it
reads from a container spec (pull policy, probe numbers, env references), worked out once per spec
object, the container id hash, and simulated timestamps. No simulation state: every memo is a pure
function's, keyed by value or by a stored (never modified) object it holds."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aoi_gym.cluster.sim.controllers.common import stable_hash

if TYPE_CHECKING:
    from aoi_gym.cluster.sim.cluster import SimCluster

# simulated time -> cluster.timestamp(t), which depends on t alone (EPOCH is fixed): a pure memo; the
# kubelet stamps every status it writes with the pass's time and each running container's start
_STAMPS: dict[float, str] = {}


def stamp(cluster: "SimCluster", t: float) -> str:
    """``cluster.timestamp(t)``, memoized."""
    text = _STAMPS.get(t)
    if text is None:
        text = cluster.timestamp(t)
        if len(_STAMPS) > 4096:
            _STAMPS.clear()
        _STAMPS[t] = text
    return text


def _probe(c_spec: dict[str, Any], kind: str) -> dict[str, Any] | None:
    p = c_spec.get(kind)
    return p if isinstance(p, dict) else None


def _probe_num(probe: dict[str, Any], key: str) -> float:
    default = {"initialDelaySeconds": 0, "periodSeconds": 10, "failureThreshold": 3}[key]
    try:
        return float(probe.get(key, default))
    except (TypeError, ValueError):
        return float(default)


class _Facts:
    """What the state machine reads from a container spec, worked out once per spec object (a start
    asks for the policy and the probes' numbers several times)."""

    __slots__ = ("spec", "policy", "ready_probe", "ready_delay", "ready_period", "live_probe", "live_delay",
                 "live_span", "env_refs")

    def __init__(self, c_spec: dict[str, Any]) -> None:
        self.spec = c_spec  # held, so that id(c_spec) is not reused while the memo entry lives
        self.policy = _policy(c_spec)
        rp = self.ready_probe = _probe(c_spec, "readinessProbe")
        if rp is not None:
            self.ready_delay = _probe_num(rp, "initialDelaySeconds")
            self.ready_period = _probe_num(rp, "periodSeconds")
        lp = self.live_probe = _probe(c_spec, "livenessProbe")
        if lp is not None:
            self.live_delay = _probe_num(lp, "initialDelaySeconds")
            self.live_span = _probe_num(lp, "periodSeconds") * _probe_num(lp, "failureThreshold")
        # config_error can only find something when an env entry refers to a ConfigMap/Secret
        refs = bool(c_spec.get("envFrom"))
        if not refs:
            for e in c_spec.get("env") or ():
                if isinstance(e, dict) and isinstance(e.get("valueFrom"), dict):
                    refs = True
                    break
        self.env_refs = refs


# id(container spec) -> its facts; a pure memo of immutable (stored) specs, each entry holding its spec
_FACTS: dict[int, _Facts] = {}


def facts(c_spec: dict[str, Any]) -> _Facts:
    """The :class:`_Facts` of a container spec (which, like every stored object, is never modified)."""
    f = _FACTS.get(id(c_spec))
    if f is None or f.spec is not c_spec:
        if len(_FACTS) > 16384:
            _FACTS.clear()
        f = _FACTS[id(c_spec)] = _Facts(c_spec)
    return f


def _policy(c_spec: dict[str, Any]) -> str:
    image = c_spec.get("image", "")
    return c_spec.get("imagePullPolicy") or ("Always" if image.endswith(":latest") or ":" not in image.rsplit("/", 1)[-1] else "IfNotPresent")


def _container_id(uid: Any, name: str, n: int, at: float) -> str:
    """The container's id: ``"containerd://"`` and a stable hash of the instance (pod, name, restart, start)."""
    return "containerd://" + stable_hash(uid, name, n, at)
