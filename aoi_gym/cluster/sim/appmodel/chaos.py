"""Chaos Mesh NetworkChaos experiments, read from the store: which pods, what loss/delay, when.

An experiment acts from its creation time for ``spec.duration`` (forever if absent) unless paused
(annotation ``experiment.chaos-mesh.org/pause: "true"``) or deleted. ``mode: one`` picks one pod by a
hash of the experiment's uid, so the choice is stable for the experiment's life.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aoi_gym.cluster.selectors import match_labels
from aoi_gym.cluster.sim.appmodel.util import parse_duration_s, stable_hash

__all__ = ["NetRule", "network_rules"]


@dataclass(frozen=True)
class NetRule:
    name: str
    start_t: float
    end_t: float
    pods: frozenset[str]  # "namespace/name"
    loss: float  # probability a packet is dropped
    delay_ms: float

    def active(self, t: float) -> bool:
        return self.start_t <= t < self.end_t


def _percent(v: Any) -> float:
    try:
        return max(0.0, min(100.0, float(str(v).rstrip("%")))) / 100.0
    except ValueError:
        return 0.0


def _selected(cluster: Any, chaos: dict[str, Any]) -> list[dict[str, Any]]:
    spec = chaos.get("spec") or {}
    sel = spec.get("selector") or {}
    own_ns = chaos["metadata"].get("namespace", "default")
    pods: list[dict[str, Any]] = []
    explicit = sel.get("pods") or {}
    if explicit:
        for ns, names in explicit.items():
            pods += [p for p in (cluster.peek("Pod", n, ns) for n in names or []) if p is not None]
    else:
        labels = sel.get("labelSelectors") or {}
        for ns in sel.get("namespaces") or [own_ns]:
            for p in cluster.iter_objects("Pod", ns):
                if p["metadata"].get("deletionTimestamp"):
                    continue
                if not labels or match_labels({"matchLabels": labels}, p["metadata"].get("labels")):
                    pods.append(p)
    pods.sort(key=lambda p: (p["metadata"].get("namespace", ""), p["metadata"]["name"]))
    mode = spec.get("mode", "one")
    if not pods:
        return pods
    if mode == "one":
        return [pods[stable_hash(chaos["metadata"].get("uid", chaos["metadata"]["name"])) % len(pods)]]
    if mode == "fixed":
        try:
            return pods[: max(0, int(spec.get("value", 1)))]
        except ValueError:
            return pods[:1]
    if mode in ("fixed-percent", "random-max-percent"):
        return pods[: max(1, int(len(pods) * _percent(spec.get("value", 100))))]
    return pods


def network_rules(cluster: Any) -> list[NetRule]:
    """Every NetworkChaos in the cluster, as rules over pods (inactive ones included, with their times)."""
    rules: list[NetRule] = []
    for ch in cluster.iter_objects("NetworkChaos"):
        meta, spec = ch["metadata"], ch.get("spec") or {}
        if (meta.get("annotations") or {}).get("experiment.chaos-mesh.org/pause") == "true":
            continue
        start = cluster.parse_timestamp(meta.get("creationTimestamp"))
        dur = parse_duration_s(spec.get("duration"))
        end = float("inf") if dur is None else start + dur
        action = spec.get("action", "")
        loss, delay = 0.0, 0.0
        if action == "loss":
            loss = _percent((spec.get("loss") or {}).get("loss", 0))
        elif action == "partition":
            loss = 1.0
        elif action == "delay":
            d = spec.get("delay") or {}
            delay = 1000.0 * ((parse_duration_s(d.get("latency")) or 0.0) + (parse_duration_s(d.get("jitter")) or 0.0) / 2)
        else:
            continue
        pods = frozenset(f"{p['metadata'].get('namespace')}/{p['metadata']['name']}" for p in _selected(cluster, ch))
        rules.append(NetRule(meta["name"], start, end, pods, loss, delay))
    return rules
