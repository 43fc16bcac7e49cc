"""App-model features behind the newer fault families: CPU limits (CFS throttling), NetworkPolicy
semantics, cluster DNS through CoreDNS, and in-cluster load generators. Full controllers, kind nodes."""

from __future__ import annotations

import numpy as np
import pytest

from aoi_gym.cluster.sim.appmodel.netpolicy import allowed, can_resolve, dns_up
from aoi_gym.cluster.sim.cluster import SimCluster
from aoi_gym.problems import list_problems, make_problem

HR = "test-hotel-reservation"
_SNAP: dict = {}


@pytest.fixture
def hotel() -> SimCluster:
    c = SimCluster(seed=3)
    if "hr" not in _SNAP:
        make_problem(list_problems(apps=["hotel_reservation"])[0]).setup(c, np.random.default_rng(0))
        _SNAP["hr"] = c.snapshot()
    c.restore(_SNAP["hr"])
    return c


def _pod(c, svc: str, ns: str = HR) -> dict:
    return next(p for p in c.list("Pod", ns) if (p["metadata"].get("labels") or {}).get("io.kompose.service") == svc
                and (p.get("status") or {}).get("phase") == "Running" and not p["metadata"].get("deletionTimestamp"))


def _stats(c, window: float = 30.0):
    return c.app.request_stats(c, HR, window)


def _policy(name: str, selector: dict, spec: dict) -> dict:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": name, "namespace": HR},
            "spec": {"podSelector": {"matchLabels": selector} if selector else {}, **spec}}


def _set_geo_cpu_limit(c, limit: str) -> None:
    dep = c.get("Deployment", "geo", HR)
    dep["spec"]["template"]["spec"]["containers"][0]["resources"] = {"limits": {"cpu": limit}, "requests": {"cpu": limit}}
    dep.pop("status", None)
    c.replace(dep)
    c.advance(60)


def test_cpu_limit_throttles_the_service_and_slows_its_callers(hotel):
    c = hotel
    healthy = _stats(c)
    throttled_before = [s for s in c.metrics(HR, 60) if s.name == "container_cpu_cfs_throttled_periods_total"]
    assert throttled_before and all(p[1] == 0 for s in throttled_before for p in s.points)  # 1 core: no throttling
    _set_geo_cpu_limit(c, "2m")
    slow = _stats(c)
    assert slow["geo"].p50_ms > 20 * healthy["geo"].p50_ms
    assert slow["search"].p50_ms > 10 * healthy["search"].p50_ms  # the caller waits too
    assert slow["search"].error_rate < 0.02 and slow["geo"].error_rate < 0.02  # slow, not failing
    assert slow["profile"].p50_ms < 1.5 * healthy["profile"].p50_ms + 1  # not on geo's path
    geo = _pod(c, "geo")["metadata"]["name"]
    series = {s.name: s.points for s in c.metrics(HR, 120) if s.labels.get("pod") == geo}
    thr = series["container_cpu_cfs_throttled_periods_total"]
    assert thr[-1][1] > thr[0][1] > 0
    cpu = series["container_cpu_usage_seconds_total"]
    rate = (cpu[-1][1] - cpu[0][1]) / (cpu[-1][0] - cpu[0][0])
    assert rate <= 0.0021  # usage capped at the 2m quota
    assert c.app.cpu_utilization(c, HR, "geo") == pytest.approx(100.0, rel=0.01)
    _set_geo_cpu_limit(c, "1")
    assert _stats(c)["search"].p50_ms < 1.5 * healthy["search"].p50_ms + 1


def test_policy_semantics_select_peers_and_ports(hotel):
    c = hotel
    search, geo, rate = _pod(c, "search"), _pod(c, "geo"), _pod(c, "rate")
    assert allowed(c, search, geo, 8083)  # no policy: everything flows
    c.create(_policy("geo-in", {"io.kompose.service": "geo"}, {
        "policyTypes": ["Ingress"],
        "ingress": [{"from": [{"podSelector": {"matchLabels": {"io.kompose.service": "search"}}}],
                     "ports": [{"protocol": "TCP", "port": 8083}]}]}))
    assert allowed(c, search, geo, 8083)
    assert not allowed(c, search, geo, 9999)  # port not listed
    assert not allowed(c, rate, geo, 8083)  # peer not selected
    assert allowed(c, geo, search, 8082)  # search is not isolated
    c.create(_policy("all-in-from-ns", {"io.kompose.service": "geo"}, {
        "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": HR}}}]}]}))
    assert allowed(c, rate, geo, 8083)  # policies add up: any rule of any selecting policy allows
    c.create(_policy("deny-egress", {"io.kompose.service": "rate"}, {"policyTypes": ["Egress"]}))
    assert not allowed(c, rate, geo, 8083)  # the source's egress isolation counts too
    assert dns_up(c) and not can_resolve(c, rate) and can_resolve(c, search)  # default-deny egress also blocks DNS
    c.create(_policy("dns-out", {"io.kompose.service": "rate"}, {
        "policyTypes": ["Egress"],
        "egress": [{"to": [{"namespaceSelector": {}, "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
                    "ports": [{"protocol": "UDP", "port": 53}]}]}))
    assert can_resolve(c, rate)
    c.create(_policy("by-ip", {"io.kompose.service": "rate"}, {
        "policyTypes": ["Egress"], "egress": [{"to": [{"ipBlock": {"cidr": "10.244.0.0/16"}}]}]}))
    assert allowed(c, rate, geo, 8083)


def test_ingress_deny_times_out_callers(hotel):
    c = hotel
    c.create(_policy("geo-ingress", {"io.kompose.service": "geo"}, {"policyTypes": ["Ingress"], "ingress": []}))
    c.advance(60)
    st = _stats(c)
    assert st["search"].error_rate > 0.9 and st["frontend"].error_rate > 0.3
    assert st["geo"].rps < 1.0  # nothing reaches it
    search = _pod(c, "search")["metadata"]["name"]
    assert "DeadlineExceeded" in c.logs(search, HR)
    front = _pod(c, "frontend")["metadata"]["name"]
    res = c.exec(front, HR, ["curl", "-sS", "-m", "3", "http://geo:8083/"])
    assert res.exit_code == 28 and "Timeout was reached" in res.stderr
    c.delete("NetworkPolicy", "geo-ingress", HR)
    c.advance(60)
    assert _stats(c)["search"].error_rate < 0.02


def test_coredns_down_breaks_name_resolution_everywhere(hotel):
    c = hotel
    c.patch("Deployment", "coredns", "kube-system", {"spec": {"replicas": 0}})
    c.advance(60)
    assert not dns_up(c)
    st = _stats(c)
    assert st["frontend"].error_rate > 0.95
    front = _pod(c, "frontend")["metadata"]["name"]
    assert "lookup search on 10.96.0.10:53" in c.logs(front, HR) and "i/o timeout" in c.logs(front, HR)
    res = c.exec(front, HR, ["nslookup", "geo"])
    assert res.exit_code == 1 and "timed out" in res.stdout
    assert c.exec(front, HR, ["curl", "-sS", "http://search:8082/"]).exit_code == 28
    assert any(s.error and s.status_code == "Unavailable" and s.duration_us >= 1_000_000 for s in c.traces(HR, 60))
    c.patch("Deployment", "coredns", "kube-system", {"spec": {"replicas": 2}})
    c.advance(60)
    assert dns_up(c) and _stats(c)["frontend"].error_rate < 0.03


def test_load_generator_adds_load_to_the_service_it_targets(hotel):
    c = hotel
    before = _stats(c)
    c.create({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "bench", "namespace": HR},
              "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "bench"}},
                       "template": {"metadata": {"labels": {"app": "bench"}}, "spec": {"containers": [{
                           "name": "ghz", "image": "ghcr.io/bojand/ghz:v0.120.0",
                           "args": ["--insecure", "--rps", "300", "--call", "rate.Rate/GetRates", "rate:8084"]}]}}}})
    c.advance(60)
    after = _stats(c)
    assert after["rate"].rps == pytest.approx(before["rate"].rps + 300, rel=0.1)
    assert after["memcached-rate"].rps > before["memcached-rate"].rps + 200  # its own calls carry the load on
    assert after["geo"].rps == pytest.approx(before["geo"].rps, rel=0.2)
