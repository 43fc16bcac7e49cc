"""Metrics, log styles and errors, mongosh, HPA input, and the SocialNetwork TLS upgrade."""

from __future__ import annotations

import pytest

from aoi_gym.apps import get_app
from aoi_gym.apps.helm import parse_set
from aoi_gym.cluster.base import BadRequest

HR, SN, AS = "test-hotel-reservation", "test-social-network", "astronomy-shop"


def test_metric_names_labels_and_step(installed):
    c, _ = installed("hotel_reservation")
    c.advance(300)
    series = c.metrics(HR, 300)
    names = {s.name for s in series}
    assert {"container_cpu_usage_seconds_total", "container_memory_working_set_bytes",
            "container_network_receive_bytes_total", "container_network_transmit_bytes_total",
            "container_cpu_cfs_throttled_periods_total", "kube_pod_container_status_restarts_total",
            "http_server_requests_total", "http_server_request_duration_seconds"} <= names
    cpu = [s for s in series if s.name == "container_cpu_usage_seconds_total" and s.labels["service"] == "frontend"][0]
    assert cpu.labels["namespace"] == HR and cpu.labels["container"] == "hotel-reserv-frontend" and cpu.labels["pod"]
    times = [t for t, _ in cpu.points]
    assert len(times) == 20 and all(abs(b - a - 15.0) < 1e-9 for a, b in zip(times, times[1:]))
    values = [v for _, v in cpu.points]
    assert values == sorted(values)  # a counter
    req = [s for s in series if s.name == "http_server_requests_total" and s.labels == {"namespace": HR, "service": "frontend", "code": "200"}]
    assert req and req[0].points[-1][1] > 1000
    assert c.metrics("no-such-namespace", 60) == [] and c.traces("no-such-namespace", 60) == []


def test_cpu_utilization_for_hpa(installed):
    c, _ = installed("hotel_reservation")
    u = c.app.cpu_utilization(c, HR, "frontend")
    assert u is not None and 0 < u < 100  # percent of the 100m requested: a few % used
    assert c.app.cpu_utilization(c, HR, "nope") is None


def test_astronomy_logs_mixed_languages(installed, helpers):
    c, _ = installed("astronomy_shop")
    c.advance(120)
    ad = helpers.pod_of(c, AS, "app.kubernetes.io/name", "ad")["metadata"]["name"]
    assert "oteldemo.AdService" in c.logs(ad, AS)
    proxy = helpers.pod_of(c, AS, "app.kubernetes.io/name", "frontend-proxy")["metadata"]["name"]
    assert '"GET ' in c.logs(proxy, AS) and "HTTP/1.1" in c.logs(proxy, AS)
    payment = helpers.pod_of(c, AS, "app.kubernetes.io/name", "payment")["metadata"]["name"]
    assert '"level":30' in c.logs(payment, AS)


def test_logs_bounded_since_and_errors(installed, helpers):
    c, _ = installed("social_network")
    c.advance(3600)
    p = helpers.pod_of(c, SN, "app", "nginx-thrift")["metadata"]["name"]
    lines = c.logs(p, SN).splitlines()
    assert 0 < len(lines) <= 200
    assert len(c.logs(p, SN, since_s=60).splitlines()) < len(lines)
    with pytest.raises(BadRequest, match="previous terminated container"):
        c.logs(p, SN, previous=True)


def test_mongosh_in_a_newer_image(installed, helpers):
    c, _ = installed("hotel_reservation")
    c.patch("Deployment", "mongodb-geo", HR, {"spec": {"template": {"spec": {"containers": [
        {"name": "hotel-reserv-geo-mongo", "image": "mongo:6.0"}]}}}})
    helpers.settle(c, HR, only=["mongodb-geo"])
    p = helpers.pod_of(c, HR, "io.kompose.service", "mongodb-geo")["metadata"]["name"]
    bad = c.exec(p, HR, ["mongosh", "admin", "-u", "root", "-p", "x", "--quiet", "--eval", "db.getUsers()"])
    assert bad.exit_code == 1 and bad.stderr == "MongoServerError: Authentication failed.\n"
    ok = c.exec(p, HR, ["mongosh", "admin", "-u", "root", "-p", "root", "--quiet", "--eval", "db.getUsers()"])
    assert ok.exit_code == 0 and "user: 'admin'" in ok.stdout and "ok: 1" in ok.stdout
    assert c.exec(p, HR, ["mongo", "--version"]).exit_code == 126  # the legacy shell left in 6.0


def test_social_network_require_tls_breaks_url_shortening(installed, helpers):
    c, app = installed("social_network")
    values = parse_set(["url-shorten-mongodb.tls.mode=requireTLS",
                        "url-shorten-mongodb.tls.certificateKeyFile=/etc/tls/tls.pem",
                        "url-shorten-mongodb.tls.CAFile=/etc/tls/ca.crt"])
    dep = next(o for o in app.render_values(values) if o["kind"] == "Deployment" and o["metadata"]["name"] == "url-shorten-mongodb")
    c.replace(dep)
    helpers.settle(c, SN, only=["url-shorten-mongodb", "url-shorten-service"])
    c.advance(60)
    stats = c.app.request_stats(c, SN, 30)
    assert stats["url-shorten-service"].error_rate > 0.9 and stats["compose-post-service"].error_rate > 0.9
    mongo = helpers.pod_of(c, SN, "app", "url-shorten-mongodb")["metadata"]["name"]
    assert "SSLHandshakeFailed" in c.logs(mongo, SN)
    svc = helpers.pod_of(c, SN, "app", "url-shorten-service")["metadata"]["name"]
    assert "No suitable servers found" in c.logs(svc, SN)


def test_healthy_baseline_matches_topology():
    from aoi_gym.cluster.sim.cluster import SimCluster

    c = SimCluster(seed=0, controllers=[])
    get_app("hotel_reservation").install(c)
    base = c.app.healthy_baseline(c, HR)
    assert abs(base["frontend"].rps - 20.0) < 1e-6 and base["search"].rps == pytest.approx(12.0)
    assert all(s.error_rate < 0.02 for s in base.values())
