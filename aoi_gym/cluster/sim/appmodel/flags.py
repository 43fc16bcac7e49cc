"""Feature flags served by flagd (Astronomy Shop), read live from ConfigMap ``flagd-config``.

Nothing is cached: a fault is a ConfigMap patch (plus the flagd restart AIOpsLab does), exactly as on a
real cluster. When flagd has no ready pod, the services' OpenFeature clients fall back to their
defaults (every flag off). :func:`flag_effects` says what the flags do to the request model.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

__all__ = ["read_flags", "FlagEffects", "flag_effects", "CONFIGMAP", "KEY"]

CONFIGMAP, KEY = "flagd-config", "demo.flagd.json"


def read_flags(cluster: Any, namespace: str) -> dict[str, Any] | None:
    """Flag name -> value of its ``defaultVariant`` (None if the ConfigMap is missing or not valid JSON)."""
    cm = cluster.peek("ConfigMap", CONFIGMAP, namespace)
    if cm is None:
        return None
    try:
        doc = json.loads((cm.get("data") or {}).get(KEY, ""))
    except (ValueError, TypeError):
        return None
    out: dict[str, Any] = {}
    for name, f in (doc.get("flags") or {}).items() if isinstance(doc, dict) else []:
        if not isinstance(f, dict) or f.get("state", "ENABLED") != "ENABLED":
            continue
        variants = f.get("variants") or {}
        out[name] = variants.get(f.get("defaultVariant"))
    return out


@dataclass
class FlagEffects:
    """Per (service, operation) changes: ``errors`` probability, ``slow`` (fraction, extra ms), ``lat_mult``,
    extra ``cpu`` cores per pod, ``unreachable`` edges, extra entry ``flood`` rps, ``kafka_lag_rate``."""

    errors: dict[tuple[str, str], tuple[float, str]] = field(default_factory=dict)
    slow: dict[tuple[str, str], tuple[float, float]] = field(default_factory=dict)
    lat_mult: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)
    memory_mib: dict[str, float] = field(default_factory=dict)
    unreachable: dict[tuple[str, str], str] = field(default_factory=dict)
    flood_rps: float = 0.0
    kafka_lag_rate: float = 0.0
    on: tuple[str, ...] = ()


def _truthy(v: Any) -> bool:
    return bool(v) and v not in ("off", "false", 0)


def flag_effects(flags: dict[str, Any] | None) -> FlagEffects:
    """Translate flag values into request-model effects (each as the flag's description says)."""
    fx = FlagEffects()
    if not flags:
        return fx
    on = tuple(sorted(n for n, v in flags.items() if _truthy(v)))
    fx.on = on
    if "adFailure" in on:
        fx.errors[("ad", "GetAds")] = (0.1, "GetAds Failed: adFailure flag enabled")
    if "adHighCpu" in on:
        fx.lat_mult["ad"] = 3.0
        fx.cpu["ad"] = 0.95
    if "adManualGc" in on:
        fx.slow[("ad", "GetAds")] = (0.25, 900.0)
        fx.memory_mib["ad"] = 180.0
    if "cartFailure" in on:
        fx.errors[("cart", "EmptyCart")] = (1.0, "Can't access cart storage. System.ApplicationException: Wasn't able to connect to redis")
        fx.errors[("cart", "AddItem")] = (0.5, "Can't access cart storage. System.ApplicationException: Wasn't able to connect to redis")
    if "imageSlowLoad" in on:
        ms = float(flags.get("imageSlowLoad") or 0)
        fx.slow[("image-provider", "GET /images")] = (1.0, ms if ms > 1 else 5000.0)
    if "kafkaQueueProblems" in on:
        fx.kafka_lag_rate = float(flags.get("kafkaQueueProblems") or 100)
        fx.slow[("accounting", "orders process")] = (1.0, 1500.0)
        fx.slow[("fraud-detection", "orders process")] = (1.0, 1500.0)
        fx.cpu["kafka"] = 0.6
    if "loadGeneratorFloodHomepage" in on:
        fx.flood_rps = 10.0 * float(flags.get("loadGeneratorFloodHomepage") or 100) / 10.0
    if "paymentFailure" in on:
        rate = float(flags.get("paymentFailure") or 1)
        fx.errors[("payment", "Charge")] = (min(1.0, rate), "Payment request failed. Invalid token. app.loyalty.level=gold")
    if "paymentUnreachable" in on:
        fx.unreachable[("checkout", "payment")] = "badAddress:50051"
    if "productCatalogFailure" in on:
        fx.errors[("product-catalog", "GetProduct")] = (0.1, "Error: Product Catalog Fail Feature Flag Enabled")
    if "recommendationCacheFailure" in on:
        fx.slow[("recommendation", "ListRecommendations")] = (0.5, 1200.0)
        fx.memory_mib["recommendation"] = 400.0
    return fx
