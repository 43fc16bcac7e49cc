"""The applications: registry, topologies, manifests, install, Helm releases."""

from __future__ import annotations

import json

import pytest

from aoi_gym.apps import APPS, get_app, install_app
from aoi_gym.apps.helm import parse_set, read_release
from aoi_gym.cluster.sim.cluster import SimCluster


def test_registry_names_and_unknown_app():
    assert set(APPS) == {"hotel_reservation", "social_network", "astronomy_shop", "synthetic"}
    with pytest.raises(ValueError) as e:
        get_app("hotel")
    assert "hotel_reservation" in str(e.value) and "astronomy_shop" in str(e.value)


def test_hotel_objects(installed):
    c, app = installed("hotel_reservation")
    ns = "test-hotel-reservation"
    assert app.namespace == ns and app.label_key == "io.kompose.service"
    geo = c.get("Deployment", "geo", ns)
    ctr = geo["spec"]["template"]["spec"]["containers"][0]
    assert ctr["name"] == "hotel-reserv-geo" and ctr["image"] == "yinfangchen/hotelreservation:latest"
    assert ctr["command"] == ["geo"]
    assert geo["spec"]["template"]["metadata"]["labels"]["io.kompose.service"] == "geo"
    ports = {s["metadata"]["name"]: s["spec"]["ports"][0]["port"] for s in c.list("Service", ns)}
    assert ports["frontend"] == 5000 and ports["search"] == 8082 and ports["geo"] == 8083
    assert ports["profile"] == 8081 and ports["user"] == 8086 and ports["reservation"] == 8087
    mongo = c.get("Deployment", "mongodb-geo", ns)["spec"]["template"]["spec"]
    assert mongo["containers"][0]["image"] == "mongo:4.4.6" and mongo["containers"][0]["args"] == ["--auth"]
    pv = c.get("PersistentVolume", "geo-pv")
    assert pv["spec"]["storageClassName"] == "geo-storage" and "metadata" in pv and "namespace" not in pv["metadata"]
    assert c.get("PersistentVolumeClaim", "geo-pvc", ns)["spec"]["storageClassName"] == "geo-storage"
    scripts = c.get("ConfigMap", "failure-admin-geo", ns)["data"]
    assert {"revoke-admin-geo-mongo.sh", "revoke-mitigate-admin-geo-mongo.sh", "remove-admin-mongo.sh",
            "remove-mitigate-admin-geo-mongo.sh"} <= set(scripts)
    assert c.get("ConfigMap", "mongo-rate-script", ns)
    names = {d["metadata"]["name"] for d in c.list("Deployment", ns)}
    assert {"memcached-rate", "memcached-profile", "memcached-reserve", "consul", "jaeger"} <= names
    assert len([n for n in names if n.startswith("mongodb-")]) == 6
    assert "Supported Operations:" in app.summary() and ns in app.summary()


def test_social_network_objects_and_release(installed):
    c, app = installed("social_network")
    ns = "test-social-network"
    deps = c.list("Deployment", ns)
    assert len(deps) == 27
    assert all(d["spec"]["template"]["metadata"]["labels"]["app"] == d["metadata"]["name"] for d in deps)
    for s in ("user-service", "text-service", "post-storage-service"):
        assert c.get("Service", s, ns)["spec"]["ports"][0]["targetPort"] == 9090
    assert c.get("Service", "nginx-thrift", ns)["spec"]["ports"][0]["port"] == 8080
    sec = c.get("Secret", "sh.helm.release.v1.social-network.v1", ns)
    assert sec["type"] == "helm.sh/release.v1"
    rel = read_release(c, ns, "social-network")
    assert rel["chart"] == "socialnetwork" and rel["values"] == {} and rel["revision"] == 1
    assert c.get("Secret", "mongodb-tls", ns)


def test_social_network_tls_upgrade_renders_require_tls():
    app = get_app("social_network")
    values = parse_set(["url-shorten-mongodb.tls.mode=requireTLS",
                        "url-shorten-mongodb.tls.certificateKeyFile=/etc/tls/tls.pem",
                        "url-shorten-mongodb.tls.CAFile=/etc/tls/ca.crt"])
    objs = app.render_values(values)
    dep = next(o for o in objs if o["kind"] == "Deployment" and o["metadata"]["name"] == "url-shorten-mongodb")
    args = dep["spec"]["template"]["spec"]["containers"][0]["args"]
    assert args[:2] == ["--tlsMode", "requireTLS"] and "/etc/tls/tls.pem" in args
    other = next(o for o in objs if o["kind"] == "Deployment" and o["metadata"]["name"] == "user-mongodb")
    assert "args" not in other["spec"]["template"]["spec"]["containers"][0]
    with pytest.raises(ValueError):
        get_app("hotel_reservation").render_values({})


def test_astronomy_objects_and_flags(installed):
    c, app = installed("astronomy_shop")
    ns = "astronomy-shop"
    assert app.label_key == "app.kubernetes.io/name"
    assert c.get("Service", "frontend-proxy", ns)["spec"]["ports"][0]["port"] == 8080
    names = {d["metadata"]["name"] for d in c.list("Deployment", ns)}
    assert {"ad", "cart", "checkout", "kafka", "valkey-cart", "load-generator", "accounting", "fraud-detection",
            "quote", "email", "flagd", "product-catalog", "recommendation", "payment", "shipping"} <= names
    doc = json.loads(c.get("ConfigMap", "flagd-config", ns)["data"]["demo.flagd.json"])
    assert len(doc["flags"]) == 11
    assert all(f["defaultVariant"] == "off" for f in doc["flags"].values())
    assert "100%" in doc["flags"]["paymentFailure"]["variants"] and "10sec" in doc["flags"]["imageSlowLoad"]["variants"]
    assert read_release(c, ns, "astronomy-shop")["chart"] == "opentelemetry-demo"


@pytest.mark.parametrize("n", [100, 300, 1000])
def test_synthetic_builds(n):
    app = get_app("synthetic", n_services=n, seed=1)
    assert len(app.app_services) == n
    for op in app.operations.values():
        for call in op.calls:
            assert call.callee in app.services and (call.callee, call.op) in app.operations
    objs = app.manifests()
    assert sum(o["kind"] == "Deployment" for o in objs) == len(app.services)


def test_synthetic_size_grows_linearly():
    # Build time is measured in benchmarks/bench_cluster.py; here: the object count is linear in N.
    small, big = get_app("synthetic", n_services=100, seed=2), get_app("synthetic", n_services=1000, seed=2)
    ratio = len(big.manifests()) / len(small.manifests())
    assert 8 <= ratio <= 12


def test_synthetic_rejects_tiny_and_is_seeded():
    with pytest.raises(ValueError):
        get_app("synthetic", n_services=1)
    a, b = get_app("synthetic", n_services=50, seed=3), get_app("synthetic", n_services=50, seed=3)
    assert a.operations == b.operations


def test_install_app_returns_app_and_registers():
    c = SimCluster(seed=0, controllers=[])
    app = install_app(c, "synthetic", n_services=20, seed=5)
    assert c.get("Namespace", app.namespace)
    assert c.app.app_for(c, app.namespace).name == "synthetic"
    assert len(c.app.app_for(c, app.namespace).app_services) == 20


def test_kind_workers_sizes_the_cluster_so_every_pod_runs():
    from aoi_gym.cluster.sim.controllers import create_kind_nodes

    assert [get_app(a).kind_workers() for a in ("hotel_reservation", "social_network", "astronomy_shop")] == [2, 2, 2]
    assert get_app("synthetic", n_services=1000).kind_workers() == 13
    app = get_app("synthetic", n_services=240, seed=4)
    assert app.kind_workers() == 3 and app.kind_workers(pods_per_worker=50) == 6
    # on kind's default 2 workers (220 pod slots) some of its ~290 pods stay Pending; sized, all run
    for workers, pending in ((2, True), (app.kind_workers(), False)):
        c = SimCluster(seed=4)
        create_kind_nodes(c, workers=workers)
        app.install(c)
        c.advance(60)
        phases = [p["status"].get("phase") for p in c.list("Pod", app.namespace, readonly=True)]
        assert ("Pending" in phases) is pending
        if not pending:
            assert set(phases) == {"Running"}
