"""End to end with the real controllers: install, settle, inject AIOpsLab-style faults, observe symptoms."""

from __future__ import annotations

import pytest

from aoi_gym.apps import get_app
from aoi_gym.cluster.sim.cluster import SimCluster
from aoi_gym.cluster.sim.controllers import create_kind_nodes

HR = "test-hotel-reservation"


def _fresh(name: str, seed: int = 7) -> SimCluster:
    c = SimCluster(seed=seed)
    create_kind_nodes(c)
    get_app(name).install(c)
    c.advance(90)
    return c


def _ready(p: dict) -> bool:
    return any(x["type"] == "Ready" and x["status"] == "True" for x in (p.get("status") or {}).get("conditions", []))


def _pods(c: SimCluster, ns: str, svc: str, key: str = "io.kompose.service") -> list[dict]:
    return c.list("Pod", ns, label_selector=f"{key}={svc}")


@pytest.fixture(scope="module")
def hotel():
    c = _fresh("hotel_reservation")
    return c, c.snapshot()


@pytest.mark.parametrize("name", ["hotel_reservation", "social_network", "astronomy_shop"])
def test_every_app_settles_healthy(name):
    c = _fresh(name, seed=3)
    app = get_app(name)
    pods = c.list("Pod", app.namespace)
    assert len(pods) == len(app.services)
    assert all(_ready(p) for p in pods)
    assert all(cs["restartCount"] == 0 for p in pods for cs in p["status"]["containerStatuses"])
    stats = c.app.request_stats(c, app.namespace, 60)
    assert max(s.error_rate for s in stats.values()) < 0.02
    entry = app.workload[0][0]
    assert stats[entry].rps > 1


def test_revoke_auth_then_delete_geo_pods(hotel):
    c, snap = hotel
    c.restore(snap)
    mongo = _pods(c, HR, "mongodb-geo")[0]["metadata"]["name"]
    assert c.exec(mongo, HR, ["/bin/bash", "/scripts/revoke-admin-geo-mongo.sh"]).exit_code == 0
    for p in _pods(c, HR, "geo"):
        c.delete("Pod", p["metadata"]["name"], HR)
    c.advance(120)
    geo = [p for p in _pods(c, HR, "geo") if not p["metadata"].get("deletionTimestamp")]
    assert geo and not _ready(geo[0])
    cs = geo[0]["status"]["containerStatuses"][0]
    assert cs["restartCount"] >= 1
    log = c.logs(geo[0]["metadata"]["name"], HR, previous=True)
    assert "not authorized on geo-db" in log
    assert c.app.request_stats(c, HR, 30)["search"].error_rate > 0.9
    # mitigation: grant back and restart
    c.exec(mongo, HR, ["/bin/bash", "/scripts/revoke-mitigate-admin-geo-mongo.sh"])
    for p in _pods(c, HR, "geo"):
        c.delete("Pod", p["metadata"]["name"], HR)
    c.advance(120)
    assert all(_ready(p) for p in _pods(c, HR, "geo") if not p["metadata"].get("deletionTimestamp"))
    assert c.app.request_stats(c, HR, 15)["search"].error_rate < 0.05


def test_wrong_binary_and_buggy_image(hotel):
    c, snap = hotel
    c.restore(snap)
    c.patch("Deployment", "profile", HR, {"spec": {"template": {"spec": {"containers": [
        {"name": "hotel-reserv-profile", "command": ["geo"]}]}}}})
    c.patch("Deployment", "geo", HR, {"spec": {"template": {"spec": {"containers": [
        {"name": "hotel-reserv-geo", "image": "yinfangchen/geo:app3"}]}}}})
    c.advance(120)
    profile = [p for p in _pods(c, HR, "profile") if p["spec"]["containers"][0].get("command") == ["geo"]]
    assert profile and _ready(profile[0])  # runs fine ... as the geo server
    assert "cmd/geo/main.go" in c.logs(profile[0]["metadata"]["name"], HR)
    errs = c.app.request_stats(c, HR, 30)
    assert errs["frontend"].error_rate > 0.5
    buggy = [p for p in _pods(c, HR, "geo") if p["spec"]["containers"][0]["image"] == "yinfangchen/geo:app3"]
    assert buggy and buggy[0]["status"]["containerStatuses"][0]["restartCount"] >= 1


def test_pod_failure_chaos_pause_image(hotel):
    c, snap = hotel
    c.restore(snap)
    c.create({"apiVersion": "chaos-mesh.org/v1alpha1", "kind": "PodChaos",
              "metadata": {"name": "pod-failure-experiment", "namespace": HR},
              "spec": {"action": "pod-failure", "mode": "one", "duration": "100s",
                       "selector": {"labelSelectors": {"io.kompose.service": "user"}}}})
    c.advance(20)
    edge = c.app.evaluations(*c.app.world(c, HR), [c.t])[0].edges[("frontend", "user")]
    assert edge.err > 0.9
    c.advance(150)
    edge = c.app.evaluations(*c.app.world(c, HR), [c.t])[0].edges[("frontend", "user")]
    assert edge.err < 0.05


def test_oom_limit_restarts(hotel):
    c, snap = hotel
    c.restore(snap)
    c.patch("Deployment", "mongodb-rate", HR, {"spec": {"template": {"spec": {"containers": [
        {"name": "hotel-reserv-rate-mongo", "resources": {"limits": {"memory": "64Mi"}}}]}}}})
    c.advance(120)
    pods = [p for p in _pods(c, HR, "mongodb-rate") if not p["metadata"].get("deletionTimestamp")]
    reasons = {((cs.get("lastState") or {}).get("terminated") or {}).get("reason") for p in pods
               for cs in p["status"].get("containerStatuses", [])}
    assert "OOMKilled" in reasons
