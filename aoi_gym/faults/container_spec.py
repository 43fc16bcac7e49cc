"""Faults in a container's image or command.

* ``wrong_bin_usage`` (AIOpsLab): the ``profile`` Deployment's container runs the ``geo`` binary
  (command ``["geo"]``), deleted and re-applied; the pod serves the wrong gRPC service.
* ``misconfig_app_hotel_res`` (AIOpsLab): geo's image becomes the buggy build ``yinfangchen/geo:app3``,
  which crashes at start (CrashLoopBackOff).
* ``image_tag_typo``: a Deployment's image tag gets a typo (``latest`` -> ``lates``); the registry has no
  such tag, so the pod sits in ErrImagePull/ImagePullBackOff; the Deployment was deleted and re-applied,
  so no old pod is left serving.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from aoi_gym.faults import ops
from aoi_gym.faults.base import Fault, register

__all__ = ["WrongBinUsage", "MisconfigAppHotelRes", "ImageTagTypo"]


class _ContainerFault(Fault):
    """Change one field of the target's main container; remember the old value; check it is back."""

    field_name = "image"
    recreate = False  # AIOpsLab's delete+apply (True) or an in-place update / rolling update (False)

    def bad_value(self, old: Any, rng: np.random.Generator) -> Any:
        raise NotImplementedError

    def _set(self, cluster: Any, value: Any) -> None:
        self.change_target_container(cluster, lambda c: ops.set_or_remove(c, self.field_name, value),
                                     recreate=self.recreate)

    def _inject(self, cluster: Any, rng: np.random.Generator) -> None:
        dep = cluster.get("Deployment", self.params["target"], self.namespace)
        old = ops.template_container(dep, self.target_container_name()).get(self.field_name)
        self.saved["old"] = old
        self.saved["bad"] = self.bad_value(old, rng)
        self._set(cluster, self.saved["bad"])

    def _recover(self, cluster: Any) -> None:
        self._set(cluster, self.saved.get("old"))

    def field_ok(self, value: Any) -> bool:
        return value == self.saved.get("old")

    def condition_problems(self, cluster: Any) -> list[str]:
        target = self.params["target"]
        c = self.target_container(cluster)
        if c is None:
            return self.missing_target()
        value = c.get(self.field_name)
        if not self.field_ok(value):
            return [f"deployment {target} container {self.field_name} is {value!r}"]
        return [] if ops.running_pods(cluster, self.app, self.namespace, target) else [f"no pod of {target} is running"]


@register
class WrongBinUsage(_ContainerFault):
    family = "wrong_bin_usage"
    apps = ("hotel_reservation",)
    system_level, fault_type = "Application", "Network/Storage Issue"  # AIOpsLab's label, as coded
    settle_s = 30.0
    field_name = "command"
    recreate = True
    param_choices = {"hotel_reservation": {"target": ("profile",)}}
    oracle = "the profile container runs the profile binary and every pod is healthy"

    def bad_value(self, old: Any, rng: np.random.Generator) -> Any:
        return ["geo"]

    def field_ok(self, value: Any) -> bool:
        return bool(value) and self.params["target"] in value

    def remediation(self, cluster: Any) -> list[str]:
        return [ops.json_patch_command("deployment", self.params["target"], self.namespace, "replace",
                                       "/spec/template/spec/containers/0/command", [self.params["target"]])]


class _ImageFault(_ContainerFault):
    field_name = "image"

    def remediation(self, cluster: Any) -> list[str]:
        target, container = self.params["target"], self.target_container_name() or self.params["target"]
        return [f"kubectl set image deployment/{target} {container}={self.saved['old']} -n {self.namespace}"]


@register
class MisconfigAppHotelRes(_ImageFault):
    family = "misconfig_app_hotel_res"
    apps = ("hotel_reservation",)
    system_level, fault_type = "Application", "Misconfiguration"
    settle_s = 16.0
    param_choices = {"hotel_reservation": {"target": ("geo",)}}
    oracle = "geo runs the released image again and every pod is healthy"

    def bad_value(self, old: Any, rng: np.random.Generator) -> Any:
        return "yinfangchen/geo:app3"

    def field_ok(self, value: Any) -> bool:
        return value != "yinfangchen/geo:app3" and value == self.saved.get("old")


def _typo(tag: str, rng: np.random.Generator) -> str:
    """A plausible typo of an image tag: drop, double or swap a character."""
    if len(tag) < 2:
        return tag + tag
    i = int(rng.integers(0, len(tag) - 1))
    kind = int(rng.integers(0, 3))
    if kind == 0:
        return tag[:i] + tag[i + 1:]
    if kind == 1:
        return tag[:i] + tag[i] + tag[i:]
    swapped = tag[:i] + tag[i + 1] + tag[i] + tag[i + 2:]
    return swapped if swapped != tag else tag[:i] + tag[i + 1:]


@register
class ImageTagTypo(_ImageFault):
    family = "image_tag_typo"
    apps = ("hotel_reservation", "social_network")
    system_level, fault_type = "Virtualization", "Operation Error"
    settle_s = 40.0
    recreate = True
    param_choices = {
        "hotel_reservation": {"target": ("geo", "rate", "profile", "search", "recommendation", "reservation")},
        "social_network": {"target": ("text-service", "media-service", "unique-id-service", "url-shorten-service",
                                      "user-mention-service", "home-timeline-service")},
    }
    oracle = "the Deployment uses an image that exists (the released one) and its pod runs"

    def bad_value(self, old: Any, rng: np.random.Generator) -> Any:
        repo, _, tag = str(old).rpartition(":")
        if not repo:
            repo, tag = str(old), "latest"
        return f"{repo}:{_typo(tag, rng)}"
