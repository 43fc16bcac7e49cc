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
    #: the object kind the reference names (``ConfigMap``/``Secret``), its env source field, and the
    #: fields of that object that hold keys
    ref_kind, ref_field, data_fields = "", "", ("data",)

    def env_entry(self) -> dict:
        raise NotImplementedError

    def prepare(self, cluster: Any) -> None:
        """Create what the reference lives in (if anything) before the Deployment changes."""

    def _inject(self, cluster: Any, rng: np.random.Generator) -> None:
        self.prepare(cluster)

        def change(c: dict) -> None:
            self.saved["env"] = c.get("env")
            c["env"] = list(c.get("env") or []) + [self.env_entry()]

        self.change_target_container(cluster, change, recreate=True)

    def _recover(self, cluster: Any) -> None:
        self.change_target_container(cluster, lambda c: ops.set_or_remove(c, "env", self.saved.get("env")))

    def unresolved(self, cluster: Any, container: dict) -> list[str]:
        """Why a non-optional reference of ``container`` to a ``ref_kind`` does not resolve."""
        out = []
        for ref in _env_refs(container, self.ref_field):
            if ref.get("optional"):
                continue
            obj = ops.find(cluster, self.ref_kind, ref.get("name", ""), self.namespace)
            if obj is None:
                out.append(f"{self.ref_kind} {ref.get('name')} does not exist")
            elif not any(ref.get("key") in (obj.get(f) or {}) for f in self.data_fields):
                out.append(f"{self.ref_kind} {ref.get('name')} has no key {ref.get('key')}")
        return out

    def condition_problems(self, cluster: Any) -> list[str]:
        c = self.target_container(cluster)
        return self.missing_target() if c is None else self.unresolved(cluster, c)

    def remediation(self, cluster: Any) -> list[str]:
        dep = cluster.get("Deployment", self.params["target"], self.namespace)
        c = ops.template_container(dep, self.target_container_name())
        idx = next(i for i, e in enumerate(c.get("env") or []) if e.get("name") == self.env_name)
        return [ops.json_patch_command("deployment", self.params["target"], self.namespace, "remove",
                                       f"/spec/template/spec/containers/0/env/{idx}")]


@register
class ConfigMapKeyMissing(_EnvRefFault):
    family = "configmap_key_missing"
    system_level, fault_type = "Virtualization", "Misconfiguration"
    env_name = "LOG_LEVEL"
    ref_kind, ref_field, data_fields = "ConfigMap", "configMapKeyRef", ("data", "binaryData")
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
        ops.delete_if_exists(cluster, "ConfigMap", self.configmap, self.namespace)


@register
class MissingSecret(_EnvRefFault):
    family = "missing_secret"
    system_level, fault_type = "Virtualization", "Dependency Problem"
    env_name = "DB_PASSWORD"
    ref_kind, ref_field, data_fields = "Secret", "secretKeyRef", ("data", "stringData")
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
        def change(c: dict) -> None:
            candidates = self._addr_vars(c)
            var = candidates[int(rng.integers(0, len(candidates)))]
            host, _, port = var["value"].rpartition(":")
            self.saved.update(var=var["name"], old=var["value"])
            var["value"] = f"{host}-svc:{port}" if host else f"{var['value']}-svc"

        self.change_target_container(cluster, change)

    def _recover(self, cluster: Any) -> None:
        def change(c: dict) -> None:
            for e in c.get("env") or []:
                if e.get("name") == self.saved.get("var"):
                    e["value"] = self.saved["old"]

        self.change_target_container(cluster, change)

    def condition_problems(self, cluster: Any) -> list[str]:
        target = self.params["target"]
        c = self.target_container(cluster)
        if c is None:
            return self.missing_target()
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
