"""Container start decisions for each failure mode, tested by calling the model as the kubelet does."""

from __future__ import annotations

import copy

from aoi_gym.cluster.sim.appmodel import AppModel

NS = "test-hotel-reservation"


def _pod(c, deployment: str, mutate=None, ns: str = NS, ip: str = "10.244.1.7") -> tuple[dict, dict]:
    tmpl = copy.deepcopy(c.get("Deployment", deployment, ns)["spec"]["template"])
    pod = {"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": f"{deployment}-test-x1", "namespace": ns, "uid": "u-" + deployment,
                        "labels": tmpl["metadata"]["labels"]},
           "spec": tmpl["spec"], "status": {"phase": "Pending", "podIP": ip}}
    ctr = pod["spec"]["containers"][0]
    if mutate:
        mutate(ctr)
    return pod, ctr


def test_healthy_start(installed):
    c, _ = installed("hotel_reservation")
    plan = c.app.container_plan(c, *_pod(c, "geo"))
    assert plan.image_ok and plan.exit_after_s is None and plan.ready and plan.live


def test_unknown_image_and_tag(installed):
    c, _ = installed("hotel_reservation")
    plan = c.app.container_plan(c, *_pod(c, "geo", lambda ct: ct.update(image="yinfangchen/hotelreservation:lates")))
    assert not plan.image_ok and "not found" in plan.image_error
    assert 'docker.io/yinfangchen/hotelreservation:lates' in plan.image_error
    plan = c.app.container_plan(c, *_pod(c, "geo", lambda ct: ct.update(image="nosuchorg/nosuchimage:1")))
    assert not plan.image_ok and "pull access denied" in plan.image_error


def test_wrong_binary_runs_geo_on_geo_port(installed, helpers):
    c, app = installed("hotel_reservation")
    plan = c.app.container_plan(c, *_pod(c, "profile", lambda ct: ct.update(command=["geo"])))
    assert plan.image_ok and plan.exit_after_s is None  # it runs ... the wrong server
    c.patch("Deployment", "profile", NS, {"spec": {"template": {"spec": {"containers": [
        {"name": "hotel-reserv-profile", "command": ["geo"]}]}}}})
    helpers.settle(c, NS, only=["profile"])
    world = c.app.world(c, NS)[1]
    assert world.reach["profile"].endpoints and not world.reach["profile"].serving  # listens on 8083, not 8081
    missing = c.app.container_plan(c, *_pod(c, "profile", lambda ct: ct.update(command=["profle"])))
    assert missing.exit_after_s == 0.0 and missing.exit_reason == "StartError"


def test_buggy_geo_image_crashes(installed):
    c, _ = installed("hotel_reservation")
    plan = c.app.container_plan(c, *_pod(c, "geo", lambda ct: ct.update(image="yinfangchen/geo:app3")))
    assert plan.image_ok and plan.exit_after_s is not None and plan.exit_after_s < 5 and plan.exit_code == 2


def test_mongo_auth_failures_only_on_new_starts(installed):
    c, _ = installed("hotel_reservation")
    pod, ctr = _pod(c, "geo")
    assert c.app.container_plan(c, pod, ctr).exit_after_s is None
    state = c.app.mongo_state(NS, "mongodb-geo")
    state["users"]["admin.admin"]["roles"] = []  # revoked readWrite on geo-db
    plan = c.app.container_plan(c, pod, ctr)
    assert plan.exit_after_s is not None and plan.exit_code == 2
    rec = c.app.start_record(NS, pod["metadata"]["name"], ctr["name"])
    assert rec[2] == "authz" and "not authorized on geo-db" in rec[3]
    assert rec[5] is not None and rec[5][2] == "ok"  # the previous instance started fine
    del state["users"]["admin.admin"]
    c.app.container_plan(c, pod, ctr)
    rec = c.app.start_record(NS, pod["metadata"]["name"], ctr["name"])
    assert rec[2] == "auth" and "Authentication failed" in rec[3]


def test_memory_limit_below_working_set_is_oomkilled(installed):
    c, _ = installed("hotel_reservation")
    plan = c.app.container_plan(c, *_pod(c, "mongodb-geo", lambda ct: ct["resources"].update(limits={"memory": "64Mi"})))
    assert plan.exit_reason == "OOMKilled" and plan.exit_code == 137 and 0 < plan.exit_after_s < 10
    ok = c.app.container_plan(c, *_pod(c, "mongodb-geo", lambda ct: ct["resources"].update(limits={"memory": "1Gi"})))
    assert ok.exit_after_s is None


def test_env_pointing_to_unknown_db_host_crashes(installed):
    c, _ = installed("hotel_reservation")
    plan = c.app.container_plan(c, *_pod(c, "geo", lambda ct: ct.setdefault("env", []).append(
        {"name": "GEO_MONGO_ADDRESS", "value": "mongodb-geoo:27017"})))
    assert plan.exit_after_s is not None and plan.exit_code == 1
    rec = c.app.start_record(NS, "geo-test-x1", "hotel-reserv-geo")
    assert rec[2] == "dial" and "lookup mongodb-geoo" in rec[3] and "no such host" in rec[3]
    # pointing at another existing MongoDB: connects, but the app user has no rights on geo-db there
    plan = c.app.container_plan(c, *_pod(c, "geo", lambda ct: ct.setdefault("env", []).append(
        {"name": "GEO_MONGO_ADDRESS", "value": "mongodb-rate:27017"})))
    assert plan.exit_after_s is not None
    assert c.app.start_record(NS, "geo-test-x1", "hotel-reserv-geo")[2] == "authz"


def test_probes_against_what_the_process_serves(installed):
    c, _ = installed("hotel_reservation")
    bad_port = c.app.container_plan(c, *_pod(c, "frontend", lambda ct: ct.update(
        readinessProbe={"httpGet": {"path": "/", "port": 5001}})))
    assert not bad_port.ready
    assert bad_port.probe_message == 'Get "http://10.244.1.7:5001/": dial tcp 10.244.1.7:5001: connect: connection refused'
    good = c.app.container_plan(c, *_pod(c, "frontend", lambda ct: ct.update(
        readinessProbe={"httpGet": {"path": "/hotels", "port": 5000}}, livenessProbe={"tcpSocket": {"port": 5000}})))
    assert good.ready and good.live
    bad_path = c.app.container_plan(c, *_pod(c, "frontend", lambda ct: ct.update(
        livenessProbe={"httpGet": {"path": "/healthz", "port": 5000}})))
    assert not bad_path.live and "statuscode: 404" in bad_path.probe_message
    tcp = c.app.container_plan(c, *_pod(c, "geo", lambda ct: ct.update(readinessProbe={"tcpSocket": {"port": 9999}})))
    assert not tcp.ready and tcp.probe_message == "dial tcp 10.244.1.7:9999: connect: connection refused"


def test_pause_image_runs_but_serves_nothing(installed):
    c, _ = installed("hotel_reservation")
    plan = c.app.container_plan(c, *_pod(c, "user", lambda ct: ct.update(
        image="gcr.io/google-containers/pause:latest", readinessProbe={"tcpSocket": {"port": 8086}})))
    assert plan.image_ok and plan.exit_after_s is None and not plan.ready


def test_plan_without_app_and_default_namespace():
    from aoi_gym.cluster.sim.cluster import SimCluster

    c = SimCluster(seed=0, controllers=[])
    model = AppModel()
    pod = {"metadata": {"name": "dbg", "namespace": "default", "uid": "u"}, "spec": {"containers": [
        {"name": "dbg", "image": "busybox:1.36"}]}}
    plan = model.container_plan(c, pod, pod["spec"]["containers"][0])
    assert plan.image_ok and plan.exit_after_s is None
