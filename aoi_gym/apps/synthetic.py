"""A synthetic application: a random layered DAG of N services with stores, for scale tests.

Layer 0 holds one ``gateway``; every other service is called by one to three services of the layer
above; a request follows about 1.3 of a service's children on average, so it touches a few services
per layer and rates fall with depth. About a fifth of
the services own a MongoDB or a Redis. Building is O(N) (1,000 services take a few milliseconds).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from aoi_gym.apps import k8s
from aoi_gym.apps.base import App, Call, Manifests, Operation, Service
from aoi_gym.cluster.sim.gc_pause import gc_paused

__all__ = ["synthetic", "IMAGE"]

IMAGE = "aoi-gym/synthetic-service:1.0"


# A frozen dataclass's __init__ sets each field through object.__setattr__: ~5 us for a Service, and
# synthetic(1000) makes ~3,700 Services, Calls and Operations per build. These build the same objects
# (every field, in field order, defaults included, so equal, hashing and pickling the same) by filling
# a new instance's __dict__; _same_as_init checks them against the classes' own __init__ at import and
# the classes themselves are used should a field ever be added or changed.
_new = object.__new__


def _service(name: str, kind: str, port: int, protocol: str, style: str, image: str, memory_mib: int,
             cpu_ms: float, language: str = "") -> Service:
    s = _new(Service)
    s.__dict__.update({
        "name": name, "kind": kind, "port": port, "protocol": protocol, "style": style, "image": image,
        "command": (), "args": (), "extra_ports": (), "memory_mib": memory_mib, "cpu_ms": cpu_ms, "db": None,
        "http_paths": ("/",), "description": "", "env": (), "language": language,
    })
    return s


def _call(callee: str, op: str, count: float = 1.0) -> Call:
    c = _new(Call)
    c.__dict__.update({"callee": callee, "op": op, "count": count, "critical": True, "asynchronous": False})
    return c


def _operation(service: str, name: str, self_ms: float, calls: tuple[Call, ...] = ()) -> Operation:
    o = _new(Operation)
    o.__dict__.update({"service": service, "name": name, "self_ms": self_ms, "calls": calls})
    return o


def _same_as_init() -> bool:
    def same(a: Any, b: Any) -> bool:
        return type(a) is type(b) and list(a.__dict__.items()) == list(b.__dict__.items()) and a == b

    return (
        not any(hasattr(c, "__post_init__") for c in (Service, Call, Operation))
        and same(_service("s", "app", 1, "grpc", "go", "i", 2, 0.5, "go"),
                 Service("s", "app", 1, "grpc", "go", "i", memory_mib=2, cpu_ms=0.5, language="go"))
        and same(_service("s", "redis", 1, "redis", "redis", "i", 2, 0.5), Service("s", "redis", 1, "redis", "redis", "i", memory_mib=2, cpu_ms=0.5))
        and same(_call("c", "op", 0.5), Call("c", "op", 0.5)) and same(_call("c", "op"), Call("c", "op"))
        and same(_operation("s", "n", 1.0, (Call("c", "op"),)), Operation("s", "n", 1.0, (Call("c", "op"),)))
        and same(_operation("s", "n", 1.0), Operation("s", "n", 1.0))
    )


if not _same_as_init():  # a field was added or changed: the dataclasses' own __init__
    _service, _call, _operation = Service, Call, Operation  # type: ignore[assignment]  # noqa: F811


def _render(app: App, values: dict[str, Any]) -> Manifests:
    """A Deployment and a Service per service."""
    out: Manifests = []
    res = {"requests": {"cpu": "50m", "memory": "32Mi"}, "limits": {"cpu": "500m", "memory": "256Mi"}}
    with gc_paused():  # ~30,000 new dicts that live on: no collector passes over them meanwhile
        for svc in app.services.values():
            out.append(k8s.deployment(app, svc, [k8s.container(app, svc, resources=res)]))
            out.append(k8s.service(app, svc, [(svc.protocol, svc.port, svc.port)]))
    return out


def synthetic(n_services: int = 100, seed: int = 0, namespace: str = "synthetic") -> App:
    """A random layered microservice DAG with ``n_services`` application services (plus their stores).

    Raises ValueError if ``n_services`` < 2.
    """
    if int(n_services) < 2:
        raise ValueError(f"n_services must be at least 2, got {n_services}")
    with gc_paused():  # thousands of objects that live on with the App: no collector passes over them
        return _synthetic(int(n_services), seed, namespace)


def _synthetic(n: int, seed: int, namespace: str) -> App:
    rng = np.random.default_rng(seed)
    n_layers = max(2, int(math.ceil(math.log2(n))) // 2 + 1)
    # layer sizes: 1 gateway, the rest spread evenly over the remaining layers
    rest = n - 1
    sizes = [1] + [rest // (n_layers - 1) + (1 if i < rest % (n_layers - 1) else 0) for i in range(n_layers - 1)]
    names = ["gateway"] + [f"svc-{i:04d}" for i in range(1, n)]
    layers: list[list[str]] = []
    pos = 0
    for size in sizes:
        layers.append(names[pos:pos + size])
        pos += size
    services: dict[str, Service] = {}
    calls: dict[str, list[str]] = {nm: [] for nm in names}
    # (the draws go to Python lists at once: numpy scalars are slow to index with and compute on, and
    # their values are the same floats, ints and bools)
    for upper, lower in zip(layers, layers[1:]):
        parents = rng.integers(0, len(upper), size=len(lower)).tolist()
        for child, p in zip(lower, parents):
            calls[upper[p]].append(child)
        extra = rng.integers(0, len(upper), size=len(lower)).tolist()
        coin = (rng.random(len(lower)) < 0.3).tolist()
        for child, p, c in zip(lower, extra, coin):
            if c and child not in calls[upper[p]]:
                calls[upper[p]].append(child)
    store_kind = rng.random(n).tolist()
    ops: dict[tuple[str, str], Operation] = {}  # keyed as App.operations is (Operation.key)
    self_ms = rng.uniform(0.3, 3.0, size=n).tolist()
    for i, name in enumerate(names):
        kind = "frontend" if i == 0 else "app"
        services[name] = _service(name, kind, 8080, "http" if i == 0 else "grpc", "go-generic", IMAGE,
                                 memory_mib=16 + int(self_ms[i] * 4), cpu_ms=self_ms[i] / 2, language="go")
        # a request follows ~1.3 of the children on average, so it touches O(depth) services, not all of them
        fan = calls[name]
        share = round(min(1.0, 1.3 / len(fan)), 4) if fan else 0.0
        op_calls = [_call(c, "Handle", share) for c in fan]
        if i > 0 and store_kind[i] < 0.12:
            store = f"{name}-db"
            services[store] = _service(store, "mongodb", 27017, "mongodb", "mongo", "mongo:4.4.6", memory_mib=120, cpu_ms=0.5)
            op_calls.append(_call(store, "find"))
            ops[(store, "find")] = _operation(store, "find", 0.9)
        elif i > 0 and store_kind[i] < 0.2:
            store = f"{name}-cache"
            services[store] = _service(store, "redis", 6379, "redis", "redis", "redis:6.2.4", memory_mib=8, cpu_ms=0.1)
            op_calls.append(_call(store, "GET"))
            ops[(store, "GET")] = _operation(store, "GET", 0.2)
        op = "/" if i == 0 else "Handle"
        ops[(name, op)] = _operation(name, op, self_ms[i], tuple(op_calls))
    return App(
        name="synthetic",
        title=f"Synthetic Microservices ({n} services)",
        namespace=namespace,
        label_key="app",
        description=f"A generated application of {n} Go-style services in {n_layers} layers calling each other over gRPC.",
        services=services,
        operations=ops,
        workload=[("gateway", "/", 1.0)],
        workload_rps=50.0,
        supported_operations=["Serve requests at the gateway"],
        params={"n_services": n, "seed": int(seed)},
        renderer=_render,
    )
