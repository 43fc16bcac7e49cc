"""Cluster networking the request model honours beyond Services: NetworkPolicy and cluster DNS.

NetworkPolicy (``networking.k8s.io/v1``) as the API documents it:

* a pod is *isolated* for ingress when a policy of its namespace selects it (``podSelector``; ``{}``
  selects every pod) and lists ``Ingress`` in ``policyTypes`` (absent: ``Ingress``, plus ``Egress`` when
  the policy has egress rules); likewise for egress;
* an isolated pod accepts a connection only if a selecting policy has a rule whose peers match the
  other end (no ``from``/``to``: anyone; ``podSelector``: pods of the policy's namespace;
  ``namespaceSelector``: pods of the matching namespaces, narrowed by a ``podSelector`` in the same
  peer; ``ipBlock``: the pod IP inside ``cidr`` and outside ``except``) and whose ``ports`` match the
  destination port (none: every port; a number, a ``port``..``endPort`` range or a named container
  port; protocol TCP unless given);
* a connection needs the source's egress and the destination's ingress to allow it. Denied packets
  are dropped, not refused, so clients time out.

Cluster DNS: service names resolve while the ``kube-dns`` Service of ``kube-system`` has ready
endpoints (CoreDNS pods), and the querying pod's egress allows UDP 53 to one of them. A cluster that
models no ``kube-dns`` Service (hand-made test clusters) resolves as if CoreDNS ran.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Iterable

from aoi_gym.cluster.selectors import match_labels
from aoi_gym.cluster.sim.appmodel.util import pod_ip, pod_ready

__all__ = ["DNS_IP", "has_policies", "allowed", "dns_up", "dns_pods", "can_resolve"]

DNS_IP = "10.96.0.10"


def _selects(selector: dict[str, Any] | None, labels: dict[str, str] | None) -> bool:
    """A LabelSelector as NetworkPolicy reads it: an empty selector matches everything."""
    if not selector or not (selector.get("matchLabels") or selector.get("matchExpressions")):
        return True
    return match_labels(selector, labels or {})


def _types(spec: dict[str, Any]) -> list[str]:
    types = spec.get("policyTypes")
    if types:
        return list(types)
    return ["Ingress"] + (["Egress"] if spec.get("egress") else [])


def has_policies(cluster: Any, namespace: str) -> bool:
    """Is there any NetworkPolicy in ``namespace`` (the fast path when there is none)."""
    return next(iter(cluster.iter_objects("NetworkPolicy", namespace)), None) is not None


def _selecting(cluster: Any, pod: dict[str, Any], direction: str) -> list[dict[str, Any]]:
    ns = pod["metadata"].get("namespace", "default")
    labels = pod["metadata"].get("labels") or {}
    return [p for p in cluster.iter_objects("NetworkPolicy", ns)
            if direction in _types(p.get("spec") or {}) and _selects((p.get("spec") or {}).get("podSelector"), labels)]


def _ns_labels(cluster: Any, ns: str) -> dict[str, str]:
    obj = cluster.peek("Namespace", ns)
    labels = dict((obj or {}).get("metadata", {}).get("labels") or {})
    labels.setdefault("kubernetes.io/metadata.name", ns)
    return labels


def _peer_matches(cluster: Any, peer: dict[str, Any], policy_ns: str, other: dict[str, Any]) -> bool:
    if "ipBlock" in peer:
        block = peer["ipBlock"] or {}
        try:
            ip = ipaddress.ip_address(pod_ip(other))
            if ip not in ipaddress.ip_network(block.get("cidr", ""), strict=False):
                return False
            return not any(ip in ipaddress.ip_network(x, strict=False) for x in block.get("except") or [])
        except ValueError:
            return False
    other_ns = other["metadata"].get("namespace", "default")
    if "namespaceSelector" in peer:
        if not _selects(peer.get("namespaceSelector"), _ns_labels(cluster, other_ns)):
            return False
    elif other_ns != policy_ns:
        return False
    if "podSelector" in peer:
        return _selects(peer.get("podSelector"), other["metadata"].get("labels") or {})
    return "namespaceSelector" in peer


def _named_port(pod: dict[str, Any], name: str) -> int | None:
    for c in (pod.get("spec") or {}).get("containers") or []:
        for p in c.get("ports") or []:
            if p.get("name") == name:
                return p.get("containerPort")
    return None


def _port_matches(entries: Iterable[dict[str, Any]] | None, port: int | None, protocol: str, dst: dict[str, Any]) -> bool:
    entries = list(entries or [])
    if not entries:
        return True
    for e in entries:
        if (e.get("protocol") or "TCP") != protocol:
            continue
        want = e.get("port")
        if want is None:
            return True
        if isinstance(want, str) and not want.isdigit():
            want = _named_port(dst, want)
        try:
            lo = int(want)
        except (TypeError, ValueError):
            continue
        hi = int(e.get("endPort") or lo)
        if port is not None and lo <= port <= hi:
            return True
    return False


def _direction_allows(cluster: Any, pod: dict[str, Any], other: dict[str, Any], direction: str,
                      port: int | None, protocol: str, dst: dict[str, Any]) -> bool:
    pols = _selecting(cluster, pod, direction)
    if not pols:
        return True  # not isolated in this direction
    key, peers_key = ("ingress", "from") if direction == "Ingress" else ("egress", "to")
    for pol in pols:
        ns = pol["metadata"].get("namespace", "default")
        for rule in (pol.get("spec") or {}).get(key) or []:
            peers = rule.get(peers_key)
            if peers and not any(_peer_matches(cluster, p or {}, ns, other) for p in peers):
                continue
            if _port_matches(rule.get("ports"), port, protocol, dst):
                return True
    return False


def allowed(cluster: Any, src: dict[str, Any], dst: dict[str, Any], port: int | None, protocol: str = "TCP") -> bool:
    """May pod ``src`` open a connection to pod ``dst`` on ``port`` (the pod's port, after the Service)?"""
    return (_direction_allows(cluster, src, dst, "Egress", port, protocol, dst)
            and _direction_allows(cluster, dst, src, "Ingress", port, protocol, dst))


def dns_pods(cluster: Any) -> list[dict[str, Any]]:
    """Ready CoreDNS pods (``k8s-app=kube-dns`` in kube-system)."""
    return [p for p in cluster.iter_objects("Pod", "kube-system")
            if (p["metadata"].get("labels") or {}).get("k8s-app") == "kube-dns" and pod_ready(p)]


def dns_up(cluster: Any) -> bool:
    """Does the cluster DNS Service answer at all (ready endpoints behind ``kube-system/kube-dns``)?"""
    svc = cluster.peek("Service", "kube-dns", "kube-system")
    if svc is None:
        modelled = [p for p in cluster.iter_objects("Pod", "kube-system")
                    if (p["metadata"].get("labels") or {}).get("k8s-app") == "kube-dns"]
        return not modelled or any(pod_ready(p) for p in modelled)
    ep = cluster.peek("Endpoints", "kube-dns", "kube-system")
    if ep is not None:
        return any(s.get("addresses") for s in ep.get("subsets") or [])
    return bool(dns_pods(cluster))


def can_resolve(cluster: Any, pod: dict[str, Any] | None) -> bool:
    """Can ``pod`` resolve service names: DNS is up and its egress reaches a CoreDNS pod on UDP 53."""
    if not dns_up(cluster):
        return False
    if pod is None or cluster.peek("Service", "kube-dns", "kube-system") is None:
        return True
    if not has_policies(cluster, pod["metadata"].get("namespace", "default")):
        return True
    servers = dns_pods(cluster)
    return not servers or any(allowed(cluster, pod, d, 53, "UDP") for d in servers)
