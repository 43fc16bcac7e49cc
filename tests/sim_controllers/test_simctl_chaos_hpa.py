"""Chaos Mesh PodChaos actions and expiry; HorizontalPodAutoscaler."""

from __future__ import annotations

from simctl_helpers import cstate, deployment, events, make_cluster, pods_of, service

from aoi_gym.cluster.sim.controllers.containers import PAUSE_IMAGE
from aoi_gym.cluster.sim.runtime import ContainerPlan


def _chaos(name, action, duration="100s", mode="one", **extra):
    spec = {"action": action, "mode": mode, "duration": duration,
            "selector": {"namespaces": ["default"], "labelSelectors": {"app": "user"}}, **extra}
    return {"apiVersion": "chaos-mesh.org/v1alpha1", "kind": "PodChaos", "metadata": {"name": name, "namespace": "default"}, "spec": spec}


def _live(c):
    return [p for p in pods_of(c, "user") if "deletionTimestamp" not in p["metadata"]]


def test_pod_failure_pauses_one_pod_until_duration_ends():
    c, _ = make_cluster()
    probe = {"httpGet": {"path": "/ready", "port": 8080}, "periodSeconds": 5}
    c.create(deployment("user", replicas=2, readinessProbe=probe))
    c.create(service("user"))
    c.advance(10)
    c.create(_chaos("pod-failure-experiment", "pod-failure"))
    c.advance(5)
    hit = [p for p in _live(c) if p["spec"]["containers"][0]["image"] == PAUSE_IMAGE]
    assert len(hit) == 1
    victim = hit[0]["metadata"]["name"]
    cs = cstate(hit[0])
    assert cs["restartCount"] == 1 and cs["ready"] is False
    assert cs["image"] == "gcr.io/google-containers/pause:latest"
    assert events(c, victim, "Killing")[0]["message"] == "Container user definition changed, will be restarted"
    st = c.get("PodChaos", "pod-failure-experiment")["status"]
    assert st["experiment"]["desiredPhase"] == "Run"
    assert st["experiment"]["containerRecords"][0]["id"] == f"default/{victim}"
    assert st["experiment"]["containerRecords"][0]["phase"] == "Injected"
    assert len(c.get("Endpoints", "user")["subsets"][0]["addresses"]) == 1
    c.advance(100)
    p = c.get("Pod", victim)
    assert p["spec"]["containers"][0]["image"] == "example/app:1.0"
    assert cstate(p)["restartCount"] == 2 and cstate(p)["ready"] is True
    st = c.get("PodChaos", "pod-failure-experiment")["status"]
    assert st["experiment"]["desiredPhase"] == "Stop"
    assert st["experiment"]["containerRecords"][0]["recoveredCount"] == 1
    assert {x["type"]: x["status"] for x in st["conditions"]}["AllRecovered"] == "True"


def test_deleting_pod_failure_experiment_recovers_at_once():
    c, _ = make_cluster()
    c.create(deployment("user", replicas=1))
    c.advance(10)
    c.create(_chaos("pf", "pod-failure", duration="200s"))
    c.advance(5)
    assert _live(c)[0]["spec"]["containers"][0]["image"] == PAUSE_IMAGE
    c.delete("PodChaos", "pf", "default")
    assert _live(c)[0]["spec"]["containers"][0]["image"] == "example/app:1.0"


def test_pod_kill_deletes_and_controller_recreates():
    c, _ = make_cluster()
    c.create(deployment("user", replicas=2))
    c.advance(10)
    before = {p["metadata"]["name"] for p in _live(c)}
    c.create(_chaos("pod-kill", "pod-kill"))
    c.advance(5)
    after = {p["metadata"]["name"] for p in _live(c)}
    assert len(before - after) == 1 and len(after) == 2
    assert all(p["status"]["phase"] == "Running" for p in _live(c))


def test_container_kill_restarts_container_with_brief_unready():
    c, app = make_cluster()
    app.plans["example/app:1.0"] = ContainerPlan(ready=True, ready_delay_s=8)
    probe = {"httpGet": {"path": "/ready", "port": 8080}}
    c.create(deployment("user", replicas=1, readinessProbe=probe))
    c.advance(20)
    assert cstate(_live(c)[0])["ready"] is True
    c.create(_chaos("container-kill", "container-kill", duration="200s", containerNames=["user"]))
    p = _live(c)[0]
    cs = cstate(p)
    assert cs["restartCount"] == 1 and cs["ready"] is False
    assert cs["lastState"]["terminated"]["exitCode"] == 137
    c.advance(10)
    assert cstate(_live(c)[0])["ready"] is True
    c.advance(200)
    st = c.get("PodChaos", "container-kill")["status"]["experiment"]
    assert st["desiredPhase"] == "Stop" and cstate(_live(c)[0])["restartCount"] == 1


def test_mode_all_and_rng_choice_is_seeded():
    picks = []
    for _ in range(2):
        c, _app = make_cluster(seed=7)
        c.create(deployment("user", replicas=3))
        c.advance(10)
        c.create(_chaos("pf", "pod-failure"))
        picks.append([p["metadata"]["name"] for p in _live(c) if p["spec"]["containers"][0]["image"] == PAUSE_IMAGE])
    assert picks[0] == picks[1] and len(picks[0]) == 1
    c.create(_chaos("pf-all", "pod-failure", mode="all"))
    assert all(p["spec"]["containers"][0]["image"] == PAUSE_IMAGE for p in _live(c))


def _hpa(lo=1, hi=5, target=50):
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
            "minReplicas": lo,
            "maxReplicas": hi,
            "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": target}}}],
        },
    }


def test_hpa_scales_up_and_down_within_bounds():
    c, app = make_cluster()
    c.create(deployment("web", replicas=2, resources={"requests": {"cpu": "200m"}}))
    c.advance(10)
    app.cpu["web"] = 100.0
    c.create(_hpa())
    c.advance(1)
    d = c.get("Deployment", "web")
    assert d["spec"]["replicas"] == 4
    h = c.get("HorizontalPodAutoscaler", "web")["status"]
    assert h["desiredReplicas"] == 4 and h["currentMetrics"][0]["resource"]["current"]["averageUtilization"] == 100
    assert h["currentMetrics"][0]["resource"]["current"]["averageValue"] == "200m"
    ev = events(c, "web", "SuccessfulRescale")
    assert ev[0]["message"] == "New size: 4; reason: cpu resource utilization (percentage of request) above target"
    c.advance(20)
    assert c.get("Deployment", "web")["spec"]["replicas"] == 5  # 4 * 2 = 8, clamped to maxReplicas
    assert {x["type"]: x["reason"] for x in c.get("HorizontalPodAutoscaler", "web")["status"]["conditions"]}["ScalingLimited"] == "TooManyReplicas"
    app.cpu["web"] = 10.0
    c.advance(200)
    assert c.get("Deployment", "web")["spec"]["replicas"] == 5  # scale-down stabilization window (300 s)
    c.advance(200)
    assert c.get("Deployment", "web")["spec"]["replicas"] == 1
    assert len([p for p in pods_of(c, "web") if "deletionTimestamp" not in p["metadata"]]) == 1


def test_hpa_without_metrics_keeps_replicas():
    c, app = make_cluster()
    c.create(deployment("web", replicas=3))
    c.create(_hpa())
    c.advance(60)
    assert c.get("Deployment", "web")["spec"]["replicas"] == 3
    conds = {x["type"]: x for x in c.get("HorizontalPodAutoscaler", "web")["status"]["conditions"]}
    assert conds["ScalingActive"]["reason"] == "FailedGetResourceMetric"
    assert events(c, "web", "FailedGetResourceMetric")[0]["type"] == "Warning"
