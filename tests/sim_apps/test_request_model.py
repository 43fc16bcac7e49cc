"""The request model: failures propagate to callers; flags and network chaos change what callers see."""

from __future__ import annotations

import json

SN = "test-social-network"
HR = "test-hotel-reservation"
AS = "astronomy-shop"


def _err(c, ns, window=60.0):
    return {k: v.error_rate for k, v in c.app.request_stats(c, ns, window).items()}


def test_healthy_app_has_only_background_errors(installed):
    c, _ = installed("social_network")
    c.advance(60)
    errs = _err(c, SN)
    assert max(errs.values()) < 0.02
    base = c.app.healthy_baseline(c, SN)
    stats = c.app.request_stats(c, SN, 60)
    assert abs(stats["nginx-thrift"].rps - base["nginx-thrift"].rps) / base["nginx-thrift"].rps < 0.2
    assert base["nginx-thrift"].p99_ms > base["nginx-thrift"].p50_ms > 0


def test_no_ready_endpoints_raises_callers_errors(installed, helpers):
    c, _ = installed("social_network")
    c.advance(60)
    before = _err(c, SN)
    c.patch("Deployment", "user-service", SN, {"spec": {"replicas": 0}})
    helpers.settle(c, SN, only=["user-service"])
    c.advance(60)
    after = _err(c, SN)
    assert after["compose-post-service"] > 0.9 and after["nginx-thrift"] > before["nginx-thrift"] + 0.4
    assert after["text-service"] < 0.05  # not on the failing path


def test_target_port_mismatch_shows_in_caller_logs_and_traces(installed, helpers):
    c, _ = installed("social_network")
    c.patch("Service", "text-service", SN, {"spec": {"ports": [{"port": 9090, "targetPort": 9999}]}})
    c.advance(120)
    assert _err(c, SN)["compose-post-service"] > 0.9
    caller = helpers.pod_of(c, SN, "app", "compose-post-service")["metadata"]["name"]
    log = c.logs(caller, SN)
    assert "TSocket::open() connect() <Host: text-service Port: 9090>: Connection refused" in log
    spans = c.traces(SN, 120)
    assert 0 < len(spans) <= 200
    failed = [s for s in spans if s.error and s.service == "compose-post-service" and s.operation == "compose_text_server"]
    assert failed and all(len(s.trace_id) == 32 and len(s.span_id) == 16 for s in spans)
    roots = [s for s in spans if s.parent_span_id is None]
    assert any(r.error for r in roots)
    # the callee itself is idle: its own log has no request errors
    assert "Connection refused" not in c.logs(helpers.pod_of(c, SN, "app", "text-service")["metadata"]["name"], SN)


def test_revoke_then_restart_geo_crashes_with_authorization_error(installed, helpers):
    c, _ = installed("hotel_reservation")
    mongo = helpers.pod_of(c, HR, "io.kompose.service", "mongodb-geo")["metadata"]["name"]
    c.exec(mongo, HR, ["/bin/bash", "/scripts/revoke-admin-geo-mongo.sh"])
    c.advance(30)
    assert _err(c, HR, 15)["search"] < 0.05  # running geo keeps serving from memory
    helpers.settle(c, HR, only=["geo"])  # the pods restart
    c.advance(30)
    geo = helpers.pod_of(c, HR, "io.kompose.service", "geo")["metadata"]["name"]
    log = c.logs(geo, HR)
    assert "not authorized on geo-db to execute command" in log and "panic: " in log
    assert _err(c, HR, 15)["search"] > 0.9
    assert "Checking authorization failed" in c.logs(mongo, HR)


def _set_flag(c, name, variant):
    cm = c.get("ConfigMap", "flagd-config", AS)
    doc = json.loads(cm["data"]["demo.flagd.json"])
    doc["flags"][name]["defaultVariant"] = variant
    c.patch("ConfigMap", "flagd-config", AS, {"data": {"demo.flagd.json": json.dumps(doc)}})


def test_flag_effects(installed):
    c, _ = installed("astronomy_shop")
    c.advance(60)
    base = c.app.request_stats(c, AS, 60)
    cases = {
        "adFailure": ("on", lambda s: s["ad"].error_rate > 0.05),
        "adHighCpu": ("on", lambda s: s["ad"].p50_ms > 2 * base["ad"].p50_ms),
        "adManualGc": ("on", lambda s: s["ad"].p99_ms > 5 * base["ad"].p99_ms),
        "cartFailure": ("on", lambda s: s["cart"].error_rate > 0.2 and s["checkout"].error_rate > 0.9),
        "imageSlowLoad": ("10sec", lambda s: s["image-provider"].p50_ms > 5000),
        "kafkaQueueProblems": ("on", lambda s: s["accounting"].p50_ms > 500),
        "loadGeneratorFloodHomepage": ("on", lambda s: s["frontend"].rps > 3 * base["frontend"].rps),
        "paymentFailure": ("100%", lambda s: s["payment"].error_rate > 0.9 and s["checkout"].error_rate > 0.9),
        "paymentUnreachable": ("on", lambda s: s["checkout"].error_rate > 0.9 and s["payment"].rps < 0.01),
        "productCatalogFailure": ("on", lambda s: 0.03 < s["product-catalog"].error_rate < 0.3),
        "recommendationCacheFailure": ("on", lambda s: s["recommendation"].p99_ms > 5 * base["recommendation"].p99_ms),
    }
    for flag, (variant, check) in cases.items():
        _set_flag(c, flag, variant)
        stats = c.app.request_stats(c, AS, 30)
        assert check(stats), flag
        _set_flag(c, flag, "off")
    assert c.app.request_stats(c, AS, 30)["checkout"].error_rate < 0.05
    _set_flag(c, "kafkaQueueProblems", "on")
    lag = [s for s in c.metrics(AS, 60) if s.name == "kafka_consumergroup_lag"]
    assert lag and lag[0].points[-1][1] > 0


def test_flags_default_off_when_flagd_is_down(installed, helpers):
    c, _ = installed("astronomy_shop")
    _set_flag(c, "paymentFailure", "100%")
    assert _err(c, AS, 15)["payment"] > 0.9
    c.patch("Deployment", "flagd", AS, {"spec": {"replicas": 0}})
    helpers.settle(c, AS, only=["flagd"])
    assert _err(c, AS, 15)["payment"] < 0.05


def _chaos(c, name, action, spec, duration="200s"):
    c.create({"apiVersion": "chaos-mesh.org/v1alpha1", "kind": "NetworkChaos",
              "metadata": {"name": name, "namespace": HR},
              "spec": dict({"action": action, "mode": "one", "duration": duration,
                            "selector": {"namespaces": [HR], "labelSelectors": {"io.kompose.service": "user"}}}, **spec)})


def test_network_loss_and_expiry(installed, helpers):
    c, _ = installed("hotel_reservation")
    c.advance(30)
    assert _err(c, HR, 15)["frontend"] < 0.05
    _chaos(c, "loss", "loss", {"loss": {"loss": "99", "correlation": "100"}})
    c.advance(30)
    errs = _err(c, HR, 15)
    assert errs["frontend"] > 0.005  # /user and /reservation fail (1% of the mix)
    edge = c.app.evaluations(*c.app.world(c, HR), [c.t])[0].edges[("frontend", "user")]
    assert edge.err > 0.9 and edge.kind == "timeout"
    c.advance(200)  # the experiment ends 200 s after creation
    edge = c.app.evaluations(*c.app.world(c, HR), [c.t])[0].edges[("frontend", "user")]
    assert edge.err < 0.01


def test_network_delay_adds_latency(installed):
    c, _ = installed("hotel_reservation")
    c.advance(30)
    p99 = c.app.request_stats(c, HR, 15)["user"].p99_ms
    _chaos(c, "delay", "delay", {"delay": {"latency": "2s", "correlation": "100", "jitter": "0ms"}})
    c.advance(30)
    st = c.app.request_stats(c, HR, 15)
    assert st["user"].p50_ms > 1500 > p99
    spans = [s for s in c.traces(HR, 15) if s.service == "user"]
    assert not spans or max(s.duration_us for s in spans) > 1_000_000
