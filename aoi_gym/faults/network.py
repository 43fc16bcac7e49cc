"""Service-discovery and network faults.

* ``service_selector_mismatch``: a Service's selector gets a value no pod carries (a relabelling gone
  wrong); its endpoints empty out and every caller gets connection errors, while all pods look healthy.
* ``network_policy_deny``: a NetworkPolicy selecting a dependency's pods allows ingress from nothing, so
  its callers time out.
* ``coredns_scaled_zero``: ``kube-system/coredns`` scaled to zero; new connections cannot resolve names.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from aoi_gym.faults import ops
from aoi_gym.faults.base import Fault, register
from aoi_gym.faults.resources import _HOTEL_APP, _SOCIAL_APP
from aoi_gym.faults.scale import ScaleToZero

__all__ = ["ServiceSelectorMismatch", "NetworkPolicyDeny", "CorednsScaledZero"]


def _selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


@register
class ServiceSelectorMismatch(Fault):
    family = "service_selector_mismatch"
    apps = ("hotel_reservation", "social_network")
    system_level, fault_type = "Virtualization", "Operation Error"
    settle_s = 20.0
    param_choices = {"hotel_reservation": {"target": _HOTEL_APP}, "social_network": {"target": _SOCIAL_APP}}
    oracle = "the Service's selector matches the service's running pods (non-empty endpoints)"

    def _inject(self, cluster: Any, rng: np.random.Generator) -> None:
        key = ops.label_key(self.app)
        suffix = str(rng.choice(["-v2", "-svc", "-app"]))

        def change(svc: dict) -> None:
            self.saved["selector"] = dict(svc["spec"].get("selector") or {})
            sel = dict(self.saved["selector"])
            sel[key] = sel.get(key, self.params["target"]) + suffix
            svc["spec"]["selector"] = sel

        ops.update(cluster, "Service", self.params["target"], self.namespace, change)

    def _recover(self, cluster: Any) -> None:
        def change(svc: dict) -> None:
            svc["spec"]["selector"] = dict(self.saved.get("selector") or {})

        ops.update(cluster, "Service", self.params["target"], self.namespace, change)

    def condition_problems(self, cluster: Any) -> list[str]:
        target = self.params["target"]
        svc = ops.find(cluster, "Service", target, self.namespace)
        if svc is None:
            return self.missing_target("service")
        sel = svc["spec"].get("selector") or {}
        pods = [p for p in ops.pods_of(cluster, self.app, self.namespace, target)
                if _selects(sel, p["metadata"].get("labels") or {})]
        return [] if pods else [f"service {target} selects no pod of {target}"]

    def remediation(self, cluster: Any) -> list[str]:
        key = ops.label_key(self.app)
        value = (self.saved.get("selector") or {}).get(key, self.params["target"])
        patch = '{"spec": {"selector": {"%s": "%s"}}}' % (key, value)
        return [f"kubectl patch service {self.params['target']} -n {self.namespace} -p '{patch}'"]


_HOTEL_DEPS = ("mongodb-geo", "mongodb-rate", "mongodb-profile", "mongodb-reservation", "memcached-rate",
               "memcached-profile")
_SOCIAL_DEPS = ("user-mongodb", "post-storage-mongodb", "social-graph-mongodb", "url-shorten-mongodb",
                "user-timeline-redis", "home-timeline-redis")


@register
class NetworkPolicyDeny(Fault):
    family = "network_policy_deny"
    apps = ("hotel_reservation", "social_network")
    system_level, fault_type = "Virtualization", "Network/Storage Issue"
    settle_s = 30.0
    param_choices = {"hotel_reservation": {"target": _HOTEL_DEPS}, "social_network": {"target": _SOCIAL_DEPS}}
    oracle = "no NetworkPolicy blocks the dependency's callers, and the app serves normally"

    def _inject(self, cluster: Any, rng: np.random.Generator) -> None:
        name = f"{self.params['target']}-ingress"
        cluster.create({
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": {"name": name, "namespace": self.namespace},
            "spec": {
                "podSelector": {"matchLabels": {ops.label_key(self.app): self.params["target"]}},
                "policyTypes": ["Ingress"],
                "ingress": [],
            },
        })
        self.saved["name"] = name

    def _recover(self, cluster: Any) -> None:
        ops.delete_if_exists(cluster, "NetworkPolicy", self.saved["name"], self.namespace)

    def condition_problems(self, cluster: Any) -> list[str]:
        key, target = ops.label_key(self.app), self.params["target"]
        out = []
        for pol in cluster.list("NetworkPolicy", self.namespace):
            spec = pol.get("spec") or {}
            labels = (spec.get("podSelector") or {}).get("matchLabels") or {}
            selects = not labels or labels.get(key) == target
            if selects and "Ingress" in (spec.get("policyTypes") or ["Ingress"]) and not spec.get("ingress"):
                out.append(f"NetworkPolicy {pol['metadata']['name']} denies all ingress to {target}")
        return out

    def remediation(self, cluster: Any) -> list[str]:
        return [f"kubectl delete networkpolicy {self.saved['name']} -n {self.namespace}"]


@register
class CorednsScaledZero(ScaleToZero):
    family = "coredns_scaled_zero"
    apps = ("hotel_reservation", "social_network")
    system_level, fault_type = "Virtualization", "Dependency Problem"
    settle_s = 60.0
    oracle = "CoreDNS runs available replicas again and the app resolves its dependencies"

    def __init__(self, app: str, **params: Any) -> None:
        super().__init__(app, **params)
        self.dns_namespace = "kube-system"

    def draw_params(self, rng: np.random.Generator) -> dict[str, Any]:
        return {"target": "coredns", **self.fixed_params}

    def candidate_components(self) -> tuple[str, ...]:
        return ("coredns", "kube-dns")

    def localization_aliases(self) -> tuple[str, ...]:
        return ("coredns", "kube-dns")

    def _inject(self, cluster: Any, rng: np.random.Generator) -> None:
        self.saved["replicas"] = ops.set_replicas(cluster, self.dns_namespace, "coredns", 0)

    def _recover(self, cluster: Any) -> None:
        ops.set_replicas(cluster, self.dns_namespace, "coredns", self.saved.get("replicas", 2))

    def condition_problems(self, cluster: Any) -> list[str]:
        dep = cluster.get("Deployment", "coredns", self.dns_namespace)
        if (dep["spec"].get("replicas") or 0) < 1 or ((dep.get("status") or {}).get("availableReplicas") or 0) < 1:
            return ["coredns has no available replica"]
        return []

    def remediation(self, cluster: Any) -> list[str]:
        return [f"kubectl scale deployment coredns -n kube-system --replicas={self.saved.get('replicas', 2)}"]
