"""Astronomy Shop (the OpenTelemetry demo) as its Helm chart deploys it into ``astronomy-shop``.

Label ``app.kubernetes.io/name=<svc>``; ``frontend-proxy`` (Envoy) on 8080 is the entry; the chart's
Locust ``load-generator`` produces the traffic; ``flagd`` serves the feature flags of ConfigMap
``flagd-config`` (key ``demo.flagd.json``), which the fault injector flips.
"""

from __future__ import annotations

import json
from typing import Any

from aoi_gym.apps import k8s
from aoi_gym.apps.base import App, Call, Manifests, Operation, Service, complete_operations

__all__ = ["astronomy_shop", "NAMESPACE", "FLAGS", "flagd_config"]

NAMESPACE = "astronomy-shop"
_VERSION = "2.0.2"
_DEMO = f"ghcr.io/open-telemetry/demo:{_VERSION}"
# name -> (language, memory MiB, CPU ms per request, description)
_DEMO_SERVICES = {
    "accounting": ("dotnet", 70, 0.8, "consumes orders from Kafka and books them"),
    "ad": ("java", 210, 2.0, "serves text ads for the shown products"),
    "cart": ("dotnet", 60, 0.8, "stores the shopping carts in Valkey"),
    "checkout": ("go", 20, 1.5, "places orders: charges, ships, mails, publishes to Kafka"),
    "currency": ("cpp", 8, 0.3, "converts between currencies"),
    "email": ("ruby", 60, 1.0, "sends order confirmation mails"),
    "fraud-detection": ("kotlin", 220, 1.0, "consumes orders from Kafka and scores them"),
    "frontend": ("node", 150, 4.0, "the Next.js web shop"),
    "frontend-proxy": ("envoy", 40, 0.3, "Envoy in front of the frontend, images and flagd UI"),
    "image-provider": ("nginx", 8, 0.2, "serves the product images"),
    "load-generator": ("python", 180, 2.0, "Locust users browsing and buying"),
    "payment": ("node", 70, 1.0, "charges credit cards"),
    "product-catalog": ("go", 18, 0.5, "lists and looks up products"),
    "quote": ("php", 30, 1.0, "quotes shipping costs"),
    "recommendation": ("python", 70, 1.5, "recommends products"),
    "shipping": ("rust", 8, 0.4, "quotes and ships orders"),
}
FLAGS: dict[str, tuple[str, dict[str, Any]]] = {
    "adFailure": ("Fail ad service", {"on": True, "off": False}),
    "adHighCpu": ("Triggers high cpu load in the ad service", {"on": True, "off": False}),
    "adManualGc": ("Triggers full manual garbage collections in the ad service", {"on": True, "off": False}),
    "cartFailure": ("Fail cart service", {"on": True, "off": False}),
    "imageSlowLoad": ("slow loading images in the frontend", {"10sec": 10000, "5sec": 5000, "off": 0}),
    "kafkaQueueProblems": ("Overloads Kafka queue while simultaneously introducing a consumer side delay leading to a lag spike",
                           {"on": 100, "off": 0}),
    "loadGeneratorFloodHomepage": ("Flood the frontend with a large amount of requests.", {"on": 100, "off": 0}),
    "paymentFailure": ("Fail payment service charge requests n%",
                       {"100%": 1, "90%": 0.95, "75%": 0.75, "50%": 0.5, "25%": 0.25, "10%": 0.1, "off": 0}),
    "paymentUnreachable": ("Payment service is unavailable", {"on": True, "off": False}),
    "productCatalogFailure": ("Fail product catalog service on a specific product", {"on": True, "off": False}),
    "recommendationCacheFailure": ("Fail recommendation service cache", {"on": True, "off": False}),
}
_FLAG_READERS = ("ad", "cart", "checkout", "payment", "product-catalog", "recommendation", "fraud-detection")


def flagd_config() -> str:
    """The ``demo.flagd.json`` document: every flag ENABLED with ``defaultVariant`` ``off``."""
    flags = {n: {"description": d, "state": "ENABLED", "variants": v, "defaultVariant": "off"} for n, (d, v) in FLAGS.items()}
    return json.dumps({"$schema": "https://flagd.dev/schema/v0/flags.json", "flags": flags}, indent=2) + "\n"


def _services() -> dict[str, Service]:
    out: dict[str, Service] = {}
    for name, (lang, mem, cpu, desc) in _DEMO_SERVICES.items():
        port = {"image-provider": 8081, "load-generator": 8089, "accounting": None, "fraud-detection": None}.get(name, 8080)
        proto = "grpc" if lang in ("go", "java", "dotnet", "cpp", "node", "python") and name not in (
            "frontend", "load-generator") else "http"
        kind = "frontend" if name in ("frontend", "frontend-proxy") else ("loadgen" if name == "load-generator" else "app")
        paths = ("/", "/api/products", "/api/cart", "/api/checkout", "/api/data", "/api/recommendations") if name in (
            "frontend", "frontend-proxy") else ("/",)
        out[name] = Service(name, kind, port, proto, lang, f"{_DEMO}-{name}", memory_mib=mem, cpu_ms=cpu,
                            description=desc, language=lang, http_paths=paths)
    out["flagd"] = Service("flagd", "flagd", 8013, "grpc", "flagd", "ghcr.io/open-feature/flagd:v0.12.8",
                           extra_ports=(("ofrep", 8016),), memory_mib=25, cpu_ms=0.1, language="go")
    out["kafka"] = Service("kafka", "kafka", 9092, "kafka", "kafka", f"{_DEMO}-kafka", extra_ports=(("controller", 9093),),
                           memory_mib=420, cpu_ms=0.3, language="java")
    out["valkey-cart"] = Service("valkey-cart", "redis", 6379, "redis", "redis", "valkey/valkey:8.1.3-alpine", memory_mib=8,
                                 cpu_ms=0.1, language="c")
    out["jaeger"] = Service("jaeger", "infra", 16686, "http", "jaeger", "jaegertracing/all-in-one:1.53.0",
                            extra_ports=(("otlp", 4317),), memory_mib=300)
    out["otel-collector"] = Service("otel-collector", "infra", 4317, "grpc", "otelcol",
                                    "otel/opentelemetry-collector-contrib:0.129.1", extra_ports=(("otlp-http", 4318),),
                                    memory_mib=120)
    out["prometheus"] = Service("prometheus", "infra", 9090, "http", "prometheus", "quay.io/prometheus/prometheus:v3.4.2",
                                memory_mib=250)
    out["grafana"] = Service("grafana", "infra", 3000, "http", "grafana", "grafana/grafana:12.0.2", memory_mib=110)
    out["opensearch"] = Service("opensearch", "infra", 9200, "http", "opensearch", "opensearchproject/opensearch:3.1.0",
                                memory_mib=900)
    return out


def _operations(services: dict[str, Service]) -> dict[tuple[str, str], Operation]:
    C = Call
    flag = lambda: C("flagd", "ResolveBoolean", 1.0, critical=False)  # noqa: E731
    proxy = lambda route: C("frontend-proxy", route)  # noqa: E731
    images = C("frontend-proxy", "GET /images", 2.0, critical=False)
    ops = [
        Operation("load-generator", "index", 1.0, (proxy("GET /"), images)),
        Operation("load-generator", "browse_product", 1.0, (proxy("GET /api/products/{productId}"), images)),
        Operation("load-generator", "get_recommendations", 1.0, (proxy("GET /api/recommendations"),)),
        Operation("load-generator", "get_ads", 1.0, (proxy("GET /api/data"),)),
        Operation("load-generator", "view_cart", 1.0, (proxy("GET /api/cart"),)),
        Operation("load-generator", "add_to_cart", 1.0, (proxy("POST /api/cart"),)),
        Operation("load-generator", "checkout", 1.0, (proxy("POST /api/cart"), proxy("POST /api/checkout"))),
        Operation("frontend-proxy", "GET /images", 0.2, (C("image-provider", "GET /images"),)),
        Operation("image-provider", "GET /images", 0.5),
        Operation("frontend", "GET /", 6.0, (
            C("currency", "GetSupportedCurrencies"), C("product-catalog", "ListProducts"), C("cart", "GetCart"),
            C("ad", "GetAds", critical=False), C("recommendation", "ListRecommendations", critical=False),
        )),
        Operation("frontend", "GET /api/products/{productId}", 3.0, (
            C("product-catalog", "GetProduct"), C("currency", "Convert"),
        )),
        Operation("frontend", "GET /api/recommendations", 3.0, (
            C("recommendation", "ListRecommendations"), C("product-catalog", "GetProduct", 4.0),
        )),
        Operation("frontend", "GET /api/data", 2.0, (C("ad", "GetAds"),)),
        Operation("frontend", "GET /api/cart", 2.0, (C("cart", "GetCart"), C("product-catalog", "GetProduct", 0.5))),
        Operation("frontend", "POST /api/cart", 2.0, (C("cart", "AddItem"),)),
        Operation("frontend", "POST /api/checkout", 3.0, (C("checkout", "PlaceOrder"),)),
        Operation("checkout", "PlaceOrder", 2.0, (
            C("cart", "GetCart"), C("product-catalog", "GetProduct", 2.0), C("currency", "Convert", 2.0),
            C("shipping", "GetQuote"), C("payment", "Charge"), C("shipping", "ShipOrder"),
            C("email", "send_order_confirmation", critical=False), C("cart", "EmptyCart"),
            C("kafka", "orders publish", critical=False, asynchronous=True), flag(),
        )),
        Operation("cart", "GetCart", 0.5, (C("valkey-cart", "HGET"), flag())),
        Operation("cart", "AddItem", 0.6, (C("valkey-cart", "HSET"), flag())),
        Operation("cart", "EmptyCart", 0.5, (C("valkey-cart", "DEL"), flag())),
        Operation("ad", "GetAds", 1.5, (flag(),)),
        Operation("payment", "Charge", 1.5, (flag(),)),
        Operation("product-catalog", "ListProducts", 0.6, (flag(),)),
        Operation("product-catalog", "GetProduct", 0.4, (flag(),)),
        Operation("recommendation", "ListRecommendations", 1.5, (C("product-catalog", "ListProducts"), flag())),
        Operation("currency", "Convert", 0.2),
        Operation("currency", "GetSupportedCurrencies", 0.2),
        Operation("shipping", "GetQuote", 0.5, (C("quote", "POST /getquote"),)),
        Operation("shipping", "ShipOrder", 0.4),
        Operation("quote", "POST /getquote", 1.2),
        Operation("email", "send_order_confirmation", 4.0),
        Operation("kafka", "orders publish", 0.4, (
            C("accounting", "orders process", asynchronous=True), C("fraud-detection", "orders process", asynchronous=True),
        )),
        Operation("accounting", "orders process", 1.5),
        Operation("fraud-detection", "orders process", 2.0, (flag(),)),
    ]
    for route, target in [("GET /", "GET /"), ("GET /api/products/{productId}", "GET /api/products/{productId}"),
                          ("GET /api/recommendations", "GET /api/recommendations"), ("GET /api/data", "GET /api/data"),
                          ("GET /api/cart", "GET /api/cart"), ("POST /api/cart", "POST /api/cart"),
                          ("POST /api/checkout", "POST /api/checkout")]:
        ops.append(Operation("frontend-proxy", route, 0.3, (C("frontend", target),)))
    return complete_operations(services, ops)


def _env(app: App, svc: Service) -> dict[str, str]:
    env = {"OTEL_SERVICE_NAME": svc.name, "OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel-collector:4317"}
    if svc.port:
        env[f"{svc.name.upper().replace('-', '_')}_PORT"] = str(svc.port)
    callees = sorted({c.callee for (s, _), o in app.operations.items() if s == svc.name for c in o.calls})
    for callee in callees:
        target = app.services[callee]
        if callee == "flagd":
            env.update({"FLAGD_HOST": "flagd", "FLAGD_PORT": "8013"})
        elif target.port:
            env[f"{callee.upper().replace('-', '_')}_ADDR"] = f"{callee}:{target.port}"
    if svc.name in ("accounting", "fraud-detection"):
        env["KAFKA_ADDR"] = "kafka:9092"
    if svc.name == "load-generator":
        env.update({"LOCUST_HOST": "http://frontend-proxy:8080", "LOCUST_USERS": "10", "LOCUST_AUTOSTART": "true"})
    return env


def _render(app: App, values: dict[str, Any]) -> Manifests:
    out: Manifests = [k8s.configmap(app, "flagd-config", {"demo.flagd.json": flagd_config()})]
    comps = values.get("components") or {}
    for svc in app.services.values():
        vals = comps.get(svc.name) or {}
        if vals.get("enabled", True) is False:
            continue
        labels = {"app.kubernetes.io/component": svc.name, "app.kubernetes.io/part-of": "astronomy-shop",
                  "opentelemetry.io/name": svc.name}
        mem_limit = f"{max(64, svc.memory_mib * 2)}Mi"
        containers = [k8s.container(app, svc, env=_env(app, svc), resources={"limits": {"memory": mem_limit}})]
        vols = None
        if svc.name == "flagd":
            containers[0]["command"] = ["/flagd-build", "start", "--uri", "file:./etc/flagd/demo.flagd.json"]
            containers[0]["volumeMounts"] = [{"name": "config-rw", "mountPath": "/etc/flagd"}]
            vols = [{"name": "config-rw", "configMap": {"name": "flagd-config"}}]
        out.append(k8s.deployment(app, svc, containers, labels=labels, volumes=vols, replicas=int(vals.get("replicas", 1))))
        if svc.listen_ports:
            out.append(k8s.service(app, svc, labels=labels, ports=[
                (n, p, p) for n, p in ([(svc.protocol if svc.protocol != "kafka" else "plaintext", svc.port)]
                                       if svc.port else []) + list(svc.extra_ports)]))
    return out


def astronomy_shop() -> App:
    """Build the Astronomy Shop app."""
    services = _services()
    return App(
        name="astronomy_shop",
        title="OpenTelemetry Demo Astronomy Shop",
        namespace=NAMESPACE,
        label_key="app.kubernetes.io/name",
        description=(
            "An online shop for astronomy gear made of services in a dozen languages (Go, Java, .NET, "
            "Node.js, Python, Rust, C++, PHP, Ruby, Kotlin) talking gRPC and HTTP, with Kafka, Valkey and "
            "feature flags served by flagd; a Locust load generator drives it."
        ),
        services=services,
        operations=_operations(services),
        workload=[("load-generator", "index", 1), ("load-generator", "browse_product", 10),
                  ("load-generator", "get_recommendations", 3), ("load-generator", "get_ads", 3),
                  ("load-generator", "view_cart", 3), ("load-generator", "add_to_cart", 2),
                  ("load-generator", "checkout", 2)],
        workload_rps=12.0,
        workload_source="load-generator",
        supported_operations=[
            "Browse the product catalog and product pages",
            "Get product recommendations and ads",
            "Add products to the cart and view it",
            "Check out: convert currency, quote and ship, charge the card, mail a confirmation",
        ],
        helm_release="astronomy-shop",
        helm_chart="opentelemetry-demo",
        helm_version="0.37.2",
        params={"flag_readers": _FLAG_READERS},
        renderer=_render,
    )
