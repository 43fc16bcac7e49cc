"""Astronomy Shop feature-flag faults (AIOpsLab's OtelFaultInjector), one family per flagd flag.

Injection sets ``flags.<flag>.defaultVariant`` in ConfigMap ``flagd-config`` (key ``demo.flagd.json``) to
the failing variant (``"100%"`` for paymentFailure, ``"10sec"`` for imageSlowLoad, ``"on"`` otherwise) and
restarts the ``flagd`` Deployment; recovery sets ``"off"`` and restarts it again. The services' behaviour
comes from the flag values the application model reads, so pods stay Running and Ready: a mitigation
oracle that only looks at pods would pass with no action, ours also requires the flag's effect gone.
"""

from __future__ import annotations

import json
import shlex
from typing import Any

import numpy as np

from aoi_gym.faults import ops
from aoi_gym.faults.base import FAMILIES, Fault, register

__all__ = ["FlagFault", "FLAG_FAMILIES", "FLAGD_CONFIGMAP", "FLAGD_KEY", "read_flags"]

FLAGD_CONFIGMAP, FLAGD_KEY, FLAGD_DEPLOYMENT = "flagd-config", "demo.flagd.json", "flagd"

# family id -> (flag, failing variant, localization target, fault_type)
FLAG_FAMILIES: dict[str, tuple[str, str, str, str]] = {
    "astronomy_shop_ad_service_failure": ("adFailure", "on", "ad", "Code Defect"),
    "astronomy_shop_ad_service_high_cpu": ("adHighCpu", "on", "ad", "Code Defect"),
    "astronomy_shop_ad_service_manual_gc": ("adManualGc", "on", "ad", "Code Defect"),
    "astronomy_shop_cart_service_failure": ("cartFailure", "on", "cart", "Code Defect"),
    "astronomy_shop_image_slow_load": ("imageSlowLoad", "10sec", "frontend", "Network/Storage Issue"),
    "astronomy_shop_kafka_queue_problems": ("kafkaQueueProblems", "on", "kafka", "Dependency Problem"),
    "astronomy_shop_loadgenerator_flood_homepage": ("loadGeneratorFloodHomepage", "on", "frontend", "Operation Error"),
    "astronomy_shop_payment_service_failure": ("paymentFailure", "100%", "payment", "Code Defect"),
    # AIOpsLab's quirk: the expected component is checkout (the caller that cannot reach payment).
    "astronomy_shop_payment_service_unreachable": ("paymentUnreachable", "on", "checkout", "Dependency Problem"),
    "astronomy_shop_product_catalog_service_failure": ("productCatalogFailure", "on", "product-catalog", "Code Defect"),
    "astronomy_shop_recommendation_service_cache_failure": (
        "recommendationCacheFailure", "on", "recommendation", "Dependency Problem"),
}


def read_flags(cluster: Any, namespace: str) -> dict[str, Any]:
    """The parsed ``demo.flagd.json`` of the flagd ConfigMap."""
    cm = cluster.get("ConfigMap", FLAGD_CONFIGMAP, namespace)
    return json.loads((cm.get("data") or {}).get(FLAGD_KEY) or "{}")


class FlagFault(Fault):
    """Turn one flagd flag on. Subclasses (one per flag) are generated from :data:`FLAG_FAMILIES`."""

    apps = ("astronomy_shop",)
    system_level = "Application"
    settle_s = 6.0
    flag = ""
    variant = "on"
    target = ""
    oracle = "the flag's default variant is off again and the shop serves normally"

    def faulty_components(self) -> tuple[str, ...]:
        return (self.target,)

    def _set_variant(self, cluster: Any, variant: str) -> None:
        def change(cm: dict) -> None:
            doc = json.loads(cm["data"][FLAGD_KEY])
            doc["flags"][self.flag]["defaultVariant"] = variant
            cm["data"][FLAGD_KEY] = json.dumps(doc, indent=2)

        ops.update(cluster, "ConfigMap", FLAGD_CONFIGMAP, self.namespace, change)
        ops.rollout_restart(cluster, self.namespace, FLAGD_DEPLOYMENT)

    def _inject(self, cluster: Any, rng: np.random.Generator) -> None:
        self.saved["old"] = read_flags(cluster, self.namespace)["flags"][self.flag].get("defaultVariant", "off")
        self.saved["text"] = cluster.get("ConfigMap", FLAGD_CONFIGMAP, self.namespace)["data"][FLAGD_KEY]
        self._set_variant(cluster, self.variant)

    def _recover(self, cluster: Any) -> None:
        def change(cm: dict) -> None:  # the original text, byte for byte
            cm["data"][FLAGD_KEY] = self.saved["text"]

        if "text" in self.saved:
            ops.update(cluster, "ConfigMap", FLAGD_CONFIGMAP, self.namespace, change)
            ops.rollout_restart(cluster, self.namespace, FLAGD_DEPLOYMENT)
        else:
            self._set_variant(cluster, self.saved.get("old", "off"))

    def condition_problems(self, cluster: Any) -> list[str]:
        try:
            flag = read_flags(cluster, self.namespace)["flags"][self.flag]
        except Exception as e:  # deleted ConfigMap, broken JSON, missing flag: the fault is not fixed
            return [f"flag configuration unreadable: {e}"]
        variant = flag.get("defaultVariant")
        value = (flag.get("variants") or {}).get(variant)
        return [] if value in (False, 0, None) else [f"flag {self.flag} is {variant!r}"]

    def remediation(self, cluster: Any) -> list[str]:
        doc = read_flags(cluster, self.namespace)
        doc["flags"][self.flag]["defaultVariant"] = self.saved.get("old", "off")
        patch = json.dumps({"data": {FLAGD_KEY: json.dumps(doc, indent=2)}})
        return [
            f"kubectl patch configmap {FLAGD_CONFIGMAP} -n {self.namespace} --type=merge -p {shlex.quote(patch)}",
            f"kubectl rollout restart deployment {FLAGD_DEPLOYMENT} -n {self.namespace}",
        ]


def _make(family: str, flag: str, variant: str, target: str, fault_type: str) -> type[FlagFault]:
    cls = type(
        "Flag_" + flag,
        (FlagFault,),
        {"family": family, "flag": flag, "variant": variant, "target": target, "fault_type": fault_type,
         "__doc__": f"flagd flag {flag} set to {variant!r}; the expected component is {target}.",
         "__module__": __name__},
    )
    return register(cls)


for _family, (_flag, _variant, _target, _ftype) in FLAG_FAMILIES.items():
    if _family not in FAMILIES:
        _make(_family, _flag, _variant, _target, _ftype)
