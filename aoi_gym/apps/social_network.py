"""SocialNetwork (DeathStarBench, C++ Thrift) as the Helm chart ``socialnetwork`` deploys it.

Namespace ``test-social-network``, release ``social-network``, 27 components labelled ``app=<svc>``
(and ``service=<svc>``); Thrift services on 9090, ``nginx-thrift`` on 8080, MongoDB / memcached / Redis.
``render_values`` honours ``<component>.replicas`` and ``<mongodb component>.tls.{mode,certificateKeyFile,
CAFile}`` (what AIOpsLab's auth_miss_mongodb fault upgrades).
"""

from __future__ import annotations

import base64
import json
from typing import Any

from aoi_gym.apps import k8s
from aoi_gym.apps.base import App, Call, Manifests, Operation, Service, complete_operations

__all__ = ["social_network", "NAMESPACE", "THRIFT_IMAGE"]

NAMESPACE = "test-social-network"
THRIFT_IMAGE = "deathstarbench/social-network-microservices:latest"
_CONFIG_DIR = "/social-network-microservices/config"
# service -> (binary, memory MiB)
_THRIFT = {
    "compose-post-service": "ComposePostService", "home-timeline-service": "HomeTimelineService",
    "media-service": "MediaService", "post-storage-service": "PostStorageService",
    "social-graph-service": "SocialGraphService", "text-service": "TextService",
    "unique-id-service": "UniqueIdService", "url-shorten-service": "UrlShortenService",
    "user-mention-service": "UserMentionService", "user-service": "UserService",
    "user-timeline-service": "UserTimelineService",
}
_MONGO = ("media-mongodb", "post-storage-mongodb", "social-graph-mongodb", "url-shorten-mongodb",
          "user-mongodb", "user-timeline-mongodb")
_MEMCACHED = ("media-memcached", "post-storage-memcached", "url-shorten-memcached", "user-memcached")
_REDIS = ("home-timeline-redis", "social-graph-redis", "user-timeline-redis")
_JAEGER_PORTS = (("5775", 5775), ("6831", 6831), ("6832", 6832), ("5778", 5778), ("16686", 16686),
                 ("14268", 14268), ("9411", 9411))


def _services() -> dict[str, Service]:
    out: dict[str, Service] = {}
    for name, binary in _THRIFT.items():
        out[name] = Service(name, "app", 9090, "thrift", "cpp-thrift", THRIFT_IMAGE, command=(binary,),
                            memory_mib=12, cpu_ms=0.8, http_paths=(), language="c++")
    out["nginx-thrift"] = Service("nginx-thrift", "frontend", 8080, "http", "nginx-lua", "yg397/openresty-thrift:xenial",
                                  memory_mib=30, cpu_ms=1.5, http_paths=("/", "/wrk2-api/post/compose",
                                  "/wrk2-api/home-timeline/read", "/wrk2-api/user-timeline/read"), language="lua")
    out["media-frontend"] = Service("media-frontend", "frontend", 8080, "http", "nginx-lua", "yg397/media-frontend:xenial",
                                    memory_mib=20, language="lua")
    for name in _MONGO:
        out[name] = Service(name, "mongodb", 27017, "mongodb", "mongo", "mongo:4.4.6", memory_mib=140, cpu_ms=0.5,
                            language="c++")
    for name in _MEMCACHED:
        out[name] = Service(name, "memcached", 11211, "memcached", "memcached", "memcached:1.6.7", memory_mib=6,
                            cpu_ms=0.1, language="c")
    for name in _REDIS:
        out[name] = Service(name, "redis", 6379, "redis", "redis", "redis:6.2.4", memory_mib=9, cpu_ms=0.1, language="c")
    out["jaeger"] = Service("jaeger", "infra", None, "http", "jaeger", "jaegertracing/all-in-one:1.57",
                            extra_ports=_JAEGER_PORTS, memory_mib=80, http_paths=("/", "/api/traces", "/api/services"))
    return out


def _operations(services: dict[str, Service]) -> dict[tuple[str, str], Operation]:
    C = Call
    read_posts = C("post-storage-service", "post_storage_read_posts_server")
    ops = [
        Operation("nginx-thrift", "/wrk2-api/post/compose", 1.5, (C("compose-post-service", "compose_post_server"),)),
        Operation("nginx-thrift", "/wrk2-api/home-timeline/read", 1.0, (C("home-timeline-service", "read_home_timeline_server"),)),
        Operation("nginx-thrift", "/wrk2-api/user-timeline/read", 1.0, (C("user-timeline-service", "read_user_timeline_server"),)),
        Operation("compose-post-service", "compose_post_server", 0.8, (
            C("text-service", "compose_text_server"), C("media-service", "compose_media_server"),
            C("unique-id-service", "compose_unique_id_server"), C("user-service", "compose_creator_with_userid_server"),
            C("post-storage-service", "store_post_server"), C("user-timeline-service", "write_user_timeline_server"),
            C("home-timeline-service", "write_home_timeline_server"),
        )),
        Operation("text-service", "compose_text_server", 0.5, (
            C("url-shorten-service", "compose_urls_server"), C("user-mention-service", "compose_user_mentions_server"),
        )),
        Operation("url-shorten-service", "compose_urls_server", 0.4, (C("url-shorten-mongodb", "insert"),)),
        Operation("user-mention-service", "compose_user_mentions_server", 0.4, (
            C("user-memcached", "get"), C("user-mongodb", "find", 0.2),
        )),
        Operation("media-service", "compose_media_server", 0.2),
        Operation("unique-id-service", "compose_unique_id_server", 0.1),
        Operation("user-service", "compose_creator_with_userid_server", 0.2),
        Operation("post-storage-service", "store_post_server", 0.4, (C("post-storage-mongodb", "insert"),)),
        Operation("post-storage-service", "post_storage_read_posts_server", 0.5, (
            C("post-storage-memcached", "get"), C("post-storage-mongodb", "find", 0.2),
        )),
        Operation("user-timeline-service", "write_user_timeline_server", 0.4, (
            C("user-timeline-mongodb", "update"), C("user-timeline-redis", "ZADD"),
        )),
        Operation("user-timeline-service", "read_user_timeline_server", 0.5, (
            C("user-timeline-redis", "ZREVRANGE"), C("user-timeline-mongodb", "find", 0.1), read_posts,
        )),
        Operation("home-timeline-service", "write_home_timeline_server", 0.4, (
            C("social-graph-service", "get_followers_server"), C("home-timeline-redis", "ZADD", 3.0),
        )),
        Operation("home-timeline-service", "read_home_timeline_server", 0.4, (
            C("home-timeline-redis", "ZREVRANGE"), read_posts,
        )),
        Operation("social-graph-service", "get_followers_server", 0.3, (
            C("social-graph-redis", "ZRANGE"), C("social-graph-mongodb", "find", 0.1),
        )),
    ]
    return complete_operations(services, ops)


def _service_config(app: App) -> str:
    cfg: dict[str, Any] = {}
    for s in app.services.values():
        if s.port:
            cfg[s.name.removesuffix("-service")] = {"addr": s.name, "port": s.port, "connections": 512,
                                                    "timeout_ms": 10000, "keepalive_ms": 10000}
    cfg["secret"] = "secret"
    return json.dumps(cfg, indent=2, sort_keys=True) + "\n"


_JAEGER_CFG = ("disabled: false\nreporter:\n  logSpans: false\n  localAgentHostPort: \"jaeger:6831\"\n"
               "  queueSize: 1000000\n  bufferFlushInterval: 10\nsampler:\n  type: \"probabilistic\"\n  param: 0.01\n")


def _tls_args(values: dict[str, Any]) -> list[str]:
    tls = values.get("tls") or {}
    mode = tls.get("mode", "disabled")
    if mode in ("disabled", "", None):
        return []
    args = ["--tlsMode", str(mode)]
    if tls.get("certificateKeyFile"):
        args += ["--tlsCertificateKeyFile", str(tls["certificateKeyFile"])]
    if tls.get("CAFile"):
        args += ["--tlsCAFile", str(tls["CAFile"])]
    return args


def _render(app: App, values: dict[str, Any]) -> Manifests:
    out: Manifests = []
    svc_cfg, default_replicas = _service_config(app), (values.get("global") or {}).get("replicas", 1)
    b64 = lambda s: base64.b64encode(s.encode()).decode()  # noqa: E731
    out.append(k8s.secret(app, "mongodb-tls", {"tls.pem": b64("-----BEGIN PRIVATE KEY-----\n(simulated)\n"),
                                               "ca.crt": b64("-----BEGIN CERTIFICATE-----\n(simulated)\n")}))
    for svc in app.services.values():
        vals = values.get(svc.name) or {}
        replicas = int(vals.get("replicas", default_replicas))
        extra = {"service": svc.name}
        cm_data = {"service-config.json": svc_cfg, "jaeger-config.yml": _JAEGER_CFG}
        if svc.kind == "mongodb":
            cm_data["mongod.conf"] = "net:\n  bindIpAll: true\n"
        out.append(k8s.configmap(app, svc.name, cm_data, labels={"app": svc.name}))
        mounts = [{"name": f"{svc.name}-config", "mountPath": f"{_CONFIG_DIR}/{key}", "subPath": key} for key in cm_data]
        vols = [{"name": f"{svc.name}-config", "configMap": {"name": svc.name}}]
        args = None
        if svc.kind == "mongodb":
            args = _tls_args(vals)
            if args:
                mounts.append({"name": "tls-cert", "mountPath": "/etc/tls", "readOnly": True})
                vols.append({"name": "tls-cert", "secret": {"secretName": "mongodb-tls"}})
        c = k8s.container(app, svc, mounts=mounts, args=args)
        out.append(k8s.deployment(app, svc, [c], labels=extra, volumes=vols, replicas=replicas))
        if svc.name == "media-frontend":
            ports = [("8081", 8081, 8080)]
        elif svc.port:
            ports = [(str(svc.port), svc.port, svc.port)]
        else:
            ports = [(n, p, p) for n, p in svc.extra_ports]
        out.append(k8s.service(app, svc, ports, labels=extra, udp=("5775", "6831", "6832")))
    return out


def social_network() -> App:
    """Build the SocialNetwork app."""
    services = _services()
    return App(
        name="social_network",
        title="Social Network",
        namespace=NAMESPACE,
        label_key="app",
        description=(
            "A Twitter-like social network of loosely coupled C++ microservices that call each other over "
            "Thrift RPC behind an nginx/OpenResty gateway, with MongoDB, memcached and Redis for storage."
        ),
        services=services,
        operations=_operations(services),
        workload=[("nginx-thrift", "/wrk2-api/post/compose", 0.6),
                  ("nginx-thrift", "/wrk2-api/home-timeline/read", 0.25),
                  ("nginx-thrift", "/wrk2-api/user-timeline/read", 0.15)],
        workload_rps=10.0,
        supported_operations=[
            "Create text posts with media, links and user mentions",
            "Read a user's home timeline and user timeline",
            "Register and log in users",
            "Follow and unfollow users; list followers and followees",
            "Shorten URLs in posts",
        ],
        binaries={b: s for s, b in _THRIFT.items()},
        helm_release="social-network",
        helm_chart="socialnetwork",
        helm_version="0.1.0",
        params={"thrift": True},
        renderer=_render,
    )
