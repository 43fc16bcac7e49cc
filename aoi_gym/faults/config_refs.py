"""Faults in what a pod references: configuration the kubelet cannot resolve, or a wrong value.

* ``configmap_key_missing``: the service's settings were moved into its ConfigMap, but the key the
  Deployment now reads an environment variable from is missing; the kubelet cannot build the container
  (``CreateContainerConfigError: couldn't find key ... in ConfigMap``).
* ``missing_secret``: the Deployment reads credentials from a Secret that does not exist in the
  namespace (``CreateContainerConfigError: secret "..." not found``).
* ``wrong_env_db_host``: an ``*_ADDR`` environment variable points at a host that does not resolve, so
  the service cannot reach its dependency.

The first two ship the change by deleting and re-applying the Deployment (as AIOpsLab's injectors
do), so no old pod keeps serving.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from aoi_gym.faults import ops
from aoi_gym.faults.base import Fault, register
from aoi_gym.faults.resources import _HOTEL_APP, _SOCIAL_APP

__all__ = ["ConfigMapKeyMissing", "MissingSecret", "WrongEnvDbHost"]


def _env_refs(container: dict, ref: str) -> list[dict]:
    return [e["valueFrom"][ref] for e in container.get("env") or []
            if isinstance(e.get("valueFrom"), dict) and ref in e["valueFrom"]]


class _EnvRefFault(Fault):
    apps = ("hotel_reservation", "social_network")
    settle_s = 30.0
    param_choices = {"hotel_reservation": {"target": _HOTEL_APP}, "social_network": {"target": _SOCIAL_APP}}
    env_name = ""

    def env_entry(self) -> dict:
        raise NotImplementedError

    def prepare(self, cluster: Any) -> None:
        """Create what the reference lives in (if anything) before the Deployment changes."""

    def _inject(self, cluster: Any, rng: np.random.Generator) -> None:
        self.prepare(cluster)
        name = ops.container_name(self.app, self.params["target"])

        def change(dep: dict) -> None:
            c = ops.main_container(dep["spec"]["template"]["spec"], name)
            self.saved["env"] = c.get("env")
            c["env"] = list(c.get("env") or []) + [self.env_entry()]

        ops.recreate_with(cluster, "Deployment", self.params["target"], self.namespace, change)

    def _recover(self, cluster: Any) -> None:
        name = ops.container_name(self.app, self.params["target"])

        def change(c: dict) -> None:
            if self.saved.get("env") is None:
                c.pop("env", None)
            else:
                c["env"] = self.saved["env"]

        ops.update_container(cluster, self.namespace, self.params["target"], change, name)

    def unresolved(self, cluster: Any, container: dict) -> list[str]:
        raise NotImplementedError

    def condition_problems(self, cluster: Any) -> list[str]:
        target = self.params["target"]
        try:
            dep = cluster.get("Deployment", target, self.namespace)
        except Exception:
            return [f"deployment {target} does not exist"]
        c = ops.main_container(dep["spec"]["template"]["spec"], ops.container_name(self.app, target))
        return self.unresolved(cluster, c)

    def remediation(self, cluster: Any) -> list[str]:
        dep = cluster.get("Deployment", self.params["target"], self.namespace)
        c = ops.main_container(dep["spec"]["template"]["spec"], ops.container_name(self.app, self.params["target"]))
        idx = next(i for i, e in enumerate(c.get("env") or []) if e.get("name") == self.env_name)
        return [
            f"kubectl patch deployment {self.params['target']} -n {self.namespace} --type=json "
            f"-p '[{{\"op\": \"remove\", \"path\": \"/spec/template/spec/containers/0/env/{idx}\"}}]'"
        ]


@register
class ConfigMapKeyMissing(_EnvRefFault):
    family = "configmap_key_missing"
    system_level, fault_type = "Virtualization", "Misconfiguration"
    env_name = "LOG_LEVEL"
    oracle = "every configMapKeyRef of the Deployment resolves (or is gone) and its pod runs"

    @property
    def configmap(self) -> str:
        return f"{self.params['target']}-settings"

    def prepare(self, cluster: Any) -> None:
        cluster.create({"apiVersion": "v1", "kind": "ConfigMap",
                        "metadata": {"name": self.configmap, "namespace": self.namespace},
                        "data": {"log_format": "json", "tracing_sample_rate": "0.01"}})
        self.saved["created_cm"] = True

    def env_entry(self) -> dict:
        return {"name": self.env_name, "valueFrom": {"configMapKeyRef": {"name": self.configmap, "key": "log_level"}}}

    def _recover(self, cluster: Any) -> None:
        super()._recover(cluster)
        try:
            cluster.delete("ConfigMap", self.configmap, self.namespace)
        except Exception:
            pass

    def unresolved(self, cluster: Any, container: dict) -> list[str]:
        out = []
        for ref in _env_refs(container, "configMapKeyRef"):
            if ref.get("optional"):
                continue
            try:
                cm = cluster.get("ConfigMap", ref.get("name", ""), self.namespace)
            except Exception:
                out.append(f"ConfigMap {ref.get('name')} does not exist")
                continue
            if ref.get("key") not in (cm.get("data") or {}) and ref.get("key") not in (cm.get("binaryData") or {}):
                out.append(f"ConfigMap {ref.get('name')} has no key {ref.get('key')}")
        return out


@register
class MissingSecret(_EnvRefFault):
    family = "missing_secret"
    system_level, fault_type = "Virtualization", "Dependency Problem"
    env_name = "DB_PASSWORD"
    # the services that hold database credentials
    param_choices = {
        "hotel_reservation": {"target": ("geo", "rate", "profile", "recommendation", "reservation", "user")},
        "social_network": {"target": ("post-storage-service", "social-graph-service", "url-shorten-service",
                                      "user-timeline-service", "user-mention-service")},
    }
    oracle = "every Secret the Deployment references exists (or the reference is gone) and its pod runs"

    def env_entry(self) -> dict:
        return {"name": self.env_name,
                "valueFrom": {"secretKeyRef": {"name": f"{self.params['target']}-db-credentials", "key": "password"}}}

    def unresolved(self, cluster: Any, container: dict) -> list[str]:
        out = []
        for ref in _env_refs(container, "secretKeyRef"):
            if ref.get("optional"):
                continue
            try:
                sec = cluster.get("Secret", ref.get("name", ""), self.namespace)
            except Exception:
                out.append(f"Secret {ref.get('name')} does not exist")
                continue
            if ref.get("key") not in (sec.get("data") or {}) and ref.get("key") not in (sec.get("stringData") or {}):
                out.append(f"Secret {ref.get('name')} has no key {ref.get('key')}")
        return out


_ASTRO_ADDR_TARGETS = ("cart", "checkout", "accounting", "fraud-detection")  # services with a data-store address


@register
class WrongEnvDbHost(Fault):
    family = "wrong_env_db_host"
    apps = ("astronomy_shop",)
    system_level, fault_type = "Application", "Misconfiguration"
    settle_s = 30.0
    param_choices = {"astronomy_shop": {"target": _ASTRO_ADDR_TARGETS}}
    oracle = "every *_ADDR variable of the service names a Service that exists, and the shop serves normally"

    def _addr_vars(self, container: dict) -> list[dict]:
        return [e for e in container.get("env") or [] if e.get("name", "").endswith("_ADDR") and "value" in e
                and e["name"].startswith(("KAFKA", "VALKEY", "REDIS", "MONGO", "POSTGRES"))]

    def _inject(self, cluster: Any, rng: np.random.Generator) -> None:
        name = ops.container_name(self.app, self.params["target"])

        def change(c: dict) -> None:
            candidates = self._addr_vars(c)
            var = candidates[int(rng.integers(0, len(candidates)))]
            host, _, port = var["value"].rpartition(":")
            self.saved.update(var=var["name"], old=var["value"])
            var["value"] = f"{host}-svc:{port}" if host else f"{var['value']}-svc"

        ops.update_container(cluster, self.namespace, self.params["target"], change, name)

    def _recover(self, cluster: Any) -> None:
        def change(c: dict) -> None:
            for e in c.get("env") or []:
                if e.get("name") == self.saved.get("var"):
                    e["value"] = self.saved["old"]

        ops.update_container(cluster, self.namespace, self.params["target"], change,
                             ops.container_name(self.app, self.params["target"]))

    def condition_problems(self, cluster: Any) -> list[str]:
        target = self.params["target"]
        try:
            dep = cluster.get("Deployment", target, self.namespace)
        except Exception:
            return [f"deployment {target} does not exist"]
        c = ops.main_container(dep["spec"]["template"]["spec"], ops.container_name(self.app, target))
        services = {s["metadata"]["name"] for s in cluster.list("Service", self.namespace)}
        out = []
        for e in self._addr_vars(c):
            host = e["value"].rpartition(":")[0] or e["value"]
            if host.split(".")[0] not in services:
                out.append(f"{target} {e['name']} points at {host}, which is no Service")
        return out

    def remediation(self, cluster: Any) -> list[str]:
        return [f"kubectl set env deployment/{self.params['target']} -n {self.namespace} "
                f"{self.saved['var']}={self.saved['old']}"]
