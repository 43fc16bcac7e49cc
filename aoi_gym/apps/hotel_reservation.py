"""HotelReservation (DeathStarBench, Go + gRPC) as AIOpsLab deploys it: kubectl apply of the kompose files.

Namespace ``test-hotel-reservation``, label ``io.kompose.service``, containers ``hotel-reserv-<svc>``,
one image ``yinfangchen/hotelreservation:latest`` whose ``command`` picks the binary, six MongoDBs
(``mongo:4.4.6 --auth``) on static hostPath PVs, three memcached, consul and jaeger.
"""

from __future__ import annotations

import json
from typing import Any

from aoi_gym.apps import k8s
from aoi_gym.apps.base import App, Call, DbClient, Manifests, Operation, Service

__all__ = ["hotel_reservation", "NAMESPACE", "GO_IMAGE", "MONGO_STORES"]

NAMESPACE = "test-hotel-reservation"
GO_IMAGE = "yinfangchen/hotelreservation:latest"
BUGGY_GEO_IMAGE = "yinfangchen/geo:app3"
CONFIG_PATH = "/go/src/github.com/harlow/go-micro-services/config.json"
MONGO_STORES = ("geo", "profile", "rate", "recommendation", "reservation", "user")
_FAULT_SCRIPTS = ("geo", "rate")  # the stores AIOpsLab ships failure-admin-<svc> scripts for
_GO_PORTS = {
    "frontend": 5000, "profile": 8081, "search": 8082, "geo": 8083,
    "rate": 8084, "recommendation": 8085, "user": 8086, "reservation": 8087,
}
_COLLECTIONS = {"geo": "geo", "profile": "hotels", "rate": "inventory", "recommendation": "recommendation",
                "reservation": "reservation", "user": "user"}
_MEMCACHED = {"profile": "memcached-profile", "rate": "memcached-rate", "reservation": "memcached-reserve"}
_JAEGER_PORTS = (
    ("14269", 14269), ("5778", 5778), ("14268", 14268), ("14267", 14267),
    ("16686", 16686), ("5775", 5775), ("6831", 6831), ("6832", 6832),
)


def _services() -> dict[str, Service]:
    out: dict[str, Service] = {}
    for name, port in _GO_PORTS.items():
        db = DbClient(f"mongodb-{name}", f"{name}-db", "admin", "admin", _COLLECTIONS[name]) if name in MONGO_STORES else None
        out[name] = Service(
            name, "frontend" if name == "frontend" else "app", port, "http" if name == "frontend" else "grpc",
            "go-hotel", GO_IMAGE, command=(name,), memory_mib=18 if name != "frontend" else 26,
            cpu_ms=1.2, db=db, language="go",
            http_paths=("/", "/hotels", "/recommendations", "/user", "/reservation") if name == "frontend" else (),
        )
    for name in MONGO_STORES:
        out[f"mongodb-{name}"] = Service(
            f"mongodb-{name}", "mongodb", 27017, "mongodb", "mongo", "mongo:4.4.6", args=("--auth",),
            memory_mib=160, cpu_ms=0.6, language="c++",
        )
    for store in _MEMCACHED.values():
        out[store] = Service(store, "memcached", 11211, "memcached", "memcached", "memcached:1.6.7", memory_mib=8,
                             cpu_ms=0.1, language="c")
    out["consul"] = Service(
        "consul", "infra", 8500, "http", "consul", "hashicorp/consul:latest",
        extra_ports=(("8300", 8300), ("8400", 8400), ("53", 8600)), memory_mib=60, http_paths=("/", "/v1/health"),
    )
    out["jaeger"] = Service(
        "jaeger", "infra", None, "http", "jaeger", "jaegertracing/all-in-one:latest", extra_ports=_JAEGER_PORTS,
        memory_mib=90, http_paths=("/", "/api/traces", "/api/services"),
    )
    return out


def _operations() -> dict[tuple[str, str], Operation]:
    C = Call
    ops = [
        Operation("frontend", "/hotels", 1.5, (
            C("search", "/search.Search/Nearby"),
            C("reservation", "/reservation.Reservation/CheckAvailability"),
            C("profile", "/profile.Profile/GetProfiles"),
        )),
        Operation("frontend", "/recommendations", 1.2, (
            C("recommendation", "/recommendation.Recommendation/GetRecommendations"),
            C("profile", "/profile.Profile/GetProfiles"),
        )),
        Operation("frontend", "/user", 0.8, (C("user", "/user.User/CheckUser"),)),
        Operation("frontend", "/reservation", 1.0, (
            C("user", "/user.User/CheckUser"),
            C("reservation", "/reservation.Reservation/MakeReservation"),
        )),
        Operation("search", "/search.Search/Nearby", 0.8, (C("geo", "/geo.Geo/Nearby"), C("rate", "/rate.Rate/GetRates"))),
        Operation("geo", "/geo.Geo/Nearby", 0.9),  # served from the in-memory index loaded at start
        Operation("rate", "/rate.Rate/GetRates", 0.6, (
            C("memcached-rate", "get"), C("mongodb-rate", "find", 0.2), C("memcached-rate", "set", 0.2),
        )),
        Operation("profile", "/profile.Profile/GetProfiles", 0.6, (
            C("memcached-profile", "get"), C("mongodb-profile", "find", 0.1), C("memcached-profile", "set", 0.1),
        )),
        Operation("recommendation", "/recommendation.Recommendation/GetRecommendations", 0.7),
        Operation("user", "/user.User/CheckUser", 0.4),
        Operation("reservation", "/reservation.Reservation/CheckAvailability", 0.7, (
            C("memcached-reserve", "get"), C("mongodb-reservation", "find", 0.3),
        )),
        Operation("reservation", "/reservation.Reservation/MakeReservation", 1.1, (
            C("mongodb-reservation", "find"), C("mongodb-reservation", "insert"), C("memcached-reserve", "set"),
        )),
    ]
    for name in MONGO_STORES:
        ops += [Operation(f"mongodb-{name}", "find", 0.9), Operation(f"mongodb-{name}", "insert", 1.4)]
    for store in _MEMCACHED.values():
        ops += [Operation(store, "get", 0.15), Operation(store, "set", 0.2)]
    return {o.key: o for o in ops}


def config_json() -> str:
    """The services' config file (baked into the image at ``CONFIG_PATH``)."""
    cfg = {"consulAddress": "consul:8500", "jaegerAddress": "jaeger:6831"}
    keys = {"frontend": "Frontend", "geo": "Geo", "profile": "Profile", "rate": "Rate",
            "recommendation": "Recommend", "reservation": "Reserve", "search": "Search", "user": "User"}
    for svc, key in keys.items():
        cfg[f"{key}Port"] = str(_GO_PORTS[svc])
        if svc in MONGO_STORES:
            cfg[f"{key}MongoAddress"] = f"mongodb-{svc}:27017"
        if svc in _MEMCACHED:
            cfg[f"{key}MemcAddress"] = f"{_MEMCACHED[svc]}:11211"
    cfg["KnativeDomainName"] = "example.com"
    return json.dumps(cfg, indent=2) + "\n"


def _mongo_eval(user: str, pwd: str, db: str, js: str) -> str:
    return f'mongo {db} -u {user} -p {pwd} --authenticationDatabase admin \\\n    --eval "{js}"\n'


def init_script(name: str) -> str:
    """``k8s-<name>-mongo.sh``: run once by the image's entrypoint on an empty data directory."""
    return (
        "#!/bin/bash\n"
        "ADMIN_USER=\"root\"\nADMIN_PWD=\"root\"\nAPP_USER=\"admin\"\nAPP_PWD=\"admin\"\n"
        f"TARGET_DB=\"{name}-db\"\n"
        "echo \"Creating the administrative and application users...\"\n"
        "mongo admin --eval \"db.createUser({user: '$ADMIN_USER', pwd: '$ADMIN_PWD', "
        "roles: [{role: 'userAdminAnyDatabase', db: 'admin'}]});\"\n"
        + _mongo_eval("$ADMIN_USER", "$ADMIN_PWD", "admin",
                      "db.createUser({user: '$APP_USER', pwd: '$APP_PWD', roles: [{role: 'readWrite', db: '$TARGET_DB'}]});")
        + "echo \"Initialization finished.\"\n"
    )


def fault_scripts(name: str) -> dict[str, str]:
    """The scripts of ConfigMap ``failure-admin-<name>``, mounted at ``/scripts`` in the MongoDB pod."""
    head = f"#!/bin/bash\nADMIN_USER=\"root\"\nADMIN_PWD=\"root\"\nTARGET_DB=\"{name}-db\"\n"
    role = "[{role: 'readWrite', db: '$TARGET_DB'}]"
    return {
        f"revoke-admin-{name}-mongo.sh": head + "echo \"Revoking readWrite from user admin...\"\n"
        + _mongo_eval("$ADMIN_USER", "$ADMIN_PWD", "admin", f"db.revokeRolesFromUser('admin', {role});")
        + "echo \"Done.\"\n",
        f"revoke-mitigate-admin-{name}-mongo.sh": head + "echo \"Granting readWrite to user admin...\"\n"
        + _mongo_eval("$ADMIN_USER", "$ADMIN_PWD", "admin", f"db.grantRolesToUser('admin', {role});")
        + "echo \"Done.\"\n",
        "remove-admin-mongo.sh": head + "echo \"Dropping user admin...\"\n"
        + _mongo_eval("$ADMIN_USER", "$ADMIN_PWD", "admin", "db.dropUser('admin');") + "echo \"Done.\"\n",
        f"remove-mitigate-admin-{name}-mongo.sh": head + "echo \"Recreating user admin...\"\n"
        + _mongo_eval("$ADMIN_USER", "$ADMIN_PWD", "admin",
                      f"db.createUser({{user: 'admin', pwd: 'admin', roles: {role}}});")
        + "echo \"Done.\"\n",
    }


def _render(app: App, values: dict[str, Any]) -> Manifests:
    out: Manifests = []
    res_go = {"requests": {"cpu": "100m"}, "limits": {"cpu": "1000m"}}
    for svc in app.services.values():
        if svc.kind in ("app", "frontend"):
            c = k8s.container(app, svc, resources=res_go)
            out += [k8s.deployment(app, svc, [c]), k8s.service(app, svc)]
        elif svc.kind == "mongodb":
            short = svc.name.removeprefix("mongodb-")
            mounts = [{"name": short, "mountPath": "/data/db"}, {"name": "init-script", "mountPath": "/docker-entrypoint-initdb.d"}]
            vols = [
                {"name": short, "persistentVolumeClaim": {"claimName": f"{short}-pvc"}},
                {"name": "init-script", "configMap": {"name": f"mongo-{short}-script"}},
            ]
            if short in _FAULT_SCRIPTS:
                mounts.append({"name": "failure-script", "mountPath": "/scripts"})
                vols.append({"name": "failure-script", "configMap": {"name": f"failure-admin-{short}"}})
                out.append(k8s.configmap(app, f"failure-admin-{short}", fault_scripts(short)))
            out.append(k8s.configmap(app, f"mongo-{short}-script", {f"k8s-{short}-mongo.sh": init_script(short)}))
            out.append(k8s.persistent_volume(f"{short}-pv", f"{short}-storage", "1Gi", f"/data/volumes/{short}-pv"))
            out.append(k8s.pvc(app, f"{short}-pvc", f"{short}-storage", "1Gi"))
            c = k8s.container(app, svc, mounts=mounts, resources={"requests": {"cpu": "100m"}, "limits": {"cpu": "1000m"}})
            out += [k8s.deployment(app, svc, [c], volumes=vols), k8s.service(app, svc, [("mongodb-" + short, 27017, 27017)])]
        elif svc.kind == "memcached":
            c = k8s.container(app, svc, env={"MEMCACHED_CACHE_SIZE": "128", "MEMCACHED_THREADS": "2"}, resources=res_go)
            out += [k8s.deployment(app, svc, [c]), k8s.service(app, svc, [(svc.name, 11211, 11211)])]
        elif svc.name == "consul":
            c = k8s.container(app, svc, resources=res_go)
            ports = [("8300", 8300, 8300), ("8400", 8400, 8400), ("8500", 8500, 8500), ("8600", 8600, 53)]
            out += [k8s.deployment(app, svc, [c]), k8s.service(app, svc, ports, udp=("8600",))]
        else:  # jaeger
            c = k8s.container(app, svc, resources=res_go)
            ports = [(n, p, p) for n, p in svc.extra_ports]
            out += [k8s.deployment(app, svc, [c]), k8s.service(app, svc, ports, udp=("5775", "6831", "6832"))]
    return out


def hotel_reservation() -> App:
    """Build the HotelReservation app (cheap; a fresh object each call)."""
    services = _services()
    containers = {n: f"hotel-reserv-{n}" for n in _GO_PORTS}
    containers.update({f"mongodb-{n}": f"hotel-reserv-{n}-mongo" for n in MONGO_STORES})
    containers.update({s: f"hotel-reserv-{s.removeprefix('memcached-')}-mmc" for s in _MEMCACHED.values()})
    containers.update({"consul": "consul", "jaeger": "hotel-reserv-jaeger"})
    return App(
        name="hotel_reservation",
        title="Hotel Reservation",
        namespace=NAMESPACE,
        label_key="io.kompose.service",
        description=(
            "A hotel booking site built from Go microservices that talk gRPC, with MongoDB for persistent "
            "data and memcached in front of it; consul does service discovery and jaeger collects traces."
        ),
        services=services,
        operations=_operations(),
        workload=[("frontend", "/hotels", 0.6), ("frontend", "/recommendations", 0.39),
                  ("frontend", "/user", 0.005), ("frontend", "/reservation", 0.005)],
        workload_rps=20.0,
        supported_operations=[
            "Search hotels near a location for given dates",
            "Recommend hotels by distance, rating or price",
            "Log a user in",
            "Reserve a room for a user",
        ],
        container_names=containers,
        binaries={n: n for n in _GO_PORTS},
        extra_images=frozenset({BUGGY_GEO_IMAGE}),
        params={"files": {"style:go-hotel": {CONFIG_PATH: config_json()}}},
        renderer=_render,
    )
