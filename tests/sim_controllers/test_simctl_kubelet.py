"""Kubelet container states, back-off, probes, config errors and graceful deletion."""

from __future__ import annotations

from simctl_helpers import cstate, deployment, events, make_cluster, pods_of

from aoi_gym.cluster.sim.runtime import ContainerPlan


def _pod(c, app="web"):
    pods = [p for p in pods_of(c, app) if "deletionTimestamp" not in p["metadata"]]
    assert len(pods) == 1, pods
    return pods[0]


def test_unknown_image_err_image_pull_then_back_off():
    c, app = make_cluster()
    app.plans["example/app:nope"] = ContainerPlan(image_ok=False, image_error='failed to resolve reference "docker.io/example/app:nope": not found')
    c.create(deployment("web", image="example/app:nope"))
    assert cstate(_pod(c))["state"]["waiting"]["reason"] == "ContainerCreating"
    c.advance(1.0)
    p = _pod(c)
    w = cstate(p)["state"]["waiting"]
    assert w["reason"] == "ErrImagePull" and "not found" in w["message"]
    assert p["status"]["phase"] == "Pending"
    c.advance(3)
    w = cstate(_pod(c))["state"]["waiting"]
    assert w == {"reason": "ImagePullBackOff", "message": 'Back-off pulling image "example/app:nope"'}
    name = _pod(c)["metadata"]["name"]
    reasons = {(e["reason"], e["message"]) for e in events(c, name)}
    assert ("Pulling", 'Pulling image "example/app:nope"') in reasons
    assert ("Failed", "Error: ErrImagePull") in reasons and ("Failed", "Error: ImagePullBackOff") in reasons
    assert ("BackOff", 'Back-off pulling image "example/app:nope"') in reasons
    assert any(m.startswith('Failed to pull image "example/app:nope": ') for r, m in reasons if r == "Failed")
    c.advance(120)
    pulls = next(e for e in events(c, name, "Pulling"))
    assert pulls["count"] >= 4  # retried at 10s, 20s, 40s ... back-off


def test_crash_loop_back_off_spacing():
    c, app = make_cluster()
    app.plans["example/app:crash"] = ContainerPlan(start_delay_s=1.0, exit_after_s=0.0, exit_code=1)
    c.create(deployment("web", image="example/app:crash"))
    t0 = c.t
    starts = []
    last_n = -1
    for _ in range(2000):
        c.advance(1)
        cs = cstate(_pod(c))
        if cs["restartCount"] != last_n:
            last_n = cs["restartCount"]
            starts.append((c.t, last_n))
        if c.t > 1500:
            break
    gaps = [round(b[0] - a[0]) for a, b in zip(starts, starts[1:])]
    # the first restart is immediate (the container started and died at t=1), then 10s doubling to 300s
    assert starts[0] == (t0 + 1.0, 1)
    assert gaps[:8] == [10, 20, 40, 80, 160, 300, 300, 300], gaps
    cs = cstate(_pod(c))
    p = _pod(c)
    assert p["status"]["phase"] == "Running"
    # during the back-off window the container waits in CrashLoopBackOff with the last termination recorded
    c.advance(5)
    cs = cstate(_pod(c))
    assert cs["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    assert cs["state"]["waiting"]["message"].startswith("back-off 5m0s restarting failed container=web pod=")
    term = cs["lastState"]["terminated"]
    assert term["exitCode"] == 1 and term["reason"] == "Error" and term["startedAt"] and term["finishedAt"]
    bo = events(c, p["metadata"]["name"], "BackOff")
    assert bo[0]["message"] == f"Back-off restarting failed container web in pod {p['metadata']['name']}_default({p['metadata']['uid']})"
    assert bo[0]["type"] == "Warning" and bo[0]["involvedObject"]["fieldPath"] == "spec.containers{web}"
    ready = next(x for x in p["status"]["conditions"] if x["type"] == "Ready")
    assert ready["status"] == "False" and ready["reason"] == "ContainersNotReady"
    assert c.get("Deployment", "web")["status"]["conditions"][0]["reason"] == "MinimumReplicasUnavailable"


def test_back_off_resets_after_ten_minutes_of_running():
    c, app = make_cluster()
    app.plans["example/app:slow"] = lambda pod, ctr, n: ContainerPlan(exit_after_s=1.0 if n < 4 else 700.0)
    c.create(deployment("web", image="example/app:slow"))
    c.advance(200)
    assert cstate(_pod(c))["restartCount"] == 4
    c.advance(720)  # ran 700s, crashed: restart is immediate again
    assert cstate(_pod(c))["restartCount"] == 5
    assert "running" in cstate(_pod(c))["state"]


def test_oom_killed():
    c, app = make_cluster()
    app.plans["example/app:hog"] = ContainerPlan(exit_after_s=3.0, exit_code=137, exit_reason="OOMKilled")
    d = deployment("web", image="example/app:hog", resources={"limits": {"memory": "64Mi", "cpu": "100m"}})
    c.create(d)
    c.advance(4.5)
    cs = cstate(_pod(c))
    assert cs["restartCount"] == 1
    assert cs["lastState"]["terminated"]["reason"] == "OOMKilled" and cs["lastState"]["terminated"]["exitCode"] == 137
    assert _pod(c)["status"]["qosClass"] == "Guaranteed"


def test_liveness_failure_restart_loop():
    c, app = make_cluster()
    app.plans["example/app:1.0"] = ContainerPlan(live=False, probe_message="HTTP probe failed with statuscode: 500")
    probe = {"httpGet": {"path": "/health", "port": 8080}, "initialDelaySeconds": 5, "periodSeconds": 10, "failureThreshold": 3}
    c.create(deployment("web", livenessProbe=probe))
    c.advance(1 + 5 + 30 - 0.5)
    assert cstate(_pod(c))["restartCount"] == 0
    c.advance(1)
    cs = cstate(_pod(c))
    assert cs["restartCount"] == 1 and cs["lastState"]["terminated"]["exitCode"] == 137
    name = _pod(c)["metadata"]["name"]
    unhealthy = events(c, name, "Unhealthy")
    assert unhealthy[0]["message"] == "Liveness probe failed: HTTP probe failed with statuscode: 500"
    assert unhealthy[0]["count"] == 3
    assert events(c, name, "Killing")[0]["message"] == "Container web failed liveness probe, will be restarted"
    c.advance(300)
    assert cstate(_pod(c))["restartCount"] >= 4


def test_readiness_never_passes_pod_not_ready_and_not_in_endpoints():
    c, app = make_cluster()
    app.plans["example/app:1.0"] = ContainerPlan(ready=False)
    probe = {"httpGet": {"path": "/ready", "port": "http"}, "periodSeconds": 10}
    c.create(deployment("web", readinessProbe=probe))
    c.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "default"},
              "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": "http"}]}})
    c.advance(60)
    p = _pod(c)
    assert p["status"]["phase"] == "Running"
    assert cstate(p)["ready"] is False and "running" in cstate(p)["state"]
    ep = c.get("Endpoints", "web")
    [subset] = ep["subsets"]
    assert "addresses" not in subset
    assert subset["notReadyAddresses"][0]["ip"] == p["status"]["podIP"]
    assert subset["ports"] == [{"port": 8080, "protocol": "TCP"}]
    ev = events(c, p["metadata"]["name"], "Unhealthy")
    ip = p["status"]["podIP"]
    assert ev[0]["message"] == f'Readiness probe failed: Get "http://{ip}:8080/ready": dial tcp {ip}:8080: connect: connection refused'
    assert ev[0]["count"] >= 5
    st = c.get("Deployment", "web")["status"]
    assert st["unavailableReplicas"] == 1 and "readyReplicas" not in st


def test_slow_readiness_becomes_ready():
    c, app = make_cluster()
    app.plans["example/app:1.0"] = ContainerPlan(ready=True, ready_delay_s=20)
    c.create(deployment("web", readinessProbe={"tcpSocket": {"port": 8080}}))
    c.advance(15)
    assert cstate(_pod(c))["ready"] is False
    c.advance(10)
    assert cstate(_pod(c))["ready"] is True


def test_missing_configmap_key_create_container_config_error():
    c, _ = make_cluster()
    c.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "default"}, "data": {"a": "1"}})
    env = [{"name": "B", "valueFrom": {"configMapKeyRef": {"name": "cfg", "key": "b"}}}]
    c.create(deployment("web", env=env))
    c.advance(10)
    p = _pod(c)
    w = cstate(p)["state"]["waiting"]
    assert w == {"reason": "CreateContainerConfigError", "message": "couldn't find key b in ConfigMap default/cfg"}
    assert p["status"]["phase"] == "Pending"
    assert events(c, p["metadata"]["name"], "Failed")[0]["message"] == "Error: couldn't find key b in ConfigMap default/cfg"
    c.patch("ConfigMap", "cfg", "default", {"data": {"b": "2"}})
    c.advance(1)
    assert "running" in cstate(_pod(c))["state"]


def test_missing_configmap_and_secret_messages():
    c, _ = make_cluster()
    c.create(deployment("a", env=[{"name": "X", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "pw"}}}]))
    c.create(deployment("b", envFrom=[{"configMapRef": {"name": "nope"}}]))
    c.advance(10)
    assert cstate(_pod(c, "a"))["state"]["waiting"]["message"] == 'secret "creds" not found'
    assert cstate(_pod(c, "b"))["state"]["waiting"]["message"] == 'configmap "nope" not found'


def test_missing_configmap_volume_failed_mount():
    c, _ = make_cluster()
    d = deployment("web", volumeMounts=[{"name": "conf", "mountPath": "/etc/conf"}])
    d["spec"]["template"]["spec"]["volumes"] = [{"name": "conf", "configMap": {"name": "web-conf"}}]
    c.create(d)
    c.advance(30)
    p = _pod(c)
    assert cstate(p)["state"]["waiting"]["reason"] == "ContainerCreating"
    ev = events(c, p["metadata"]["name"], "FailedMount")
    assert ev[0]["message"] == 'MountVolume.SetUp failed for volume "conf" : configmap "web-conf" not found'
    c.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web-conf", "namespace": "default"}, "data": {}})
    c.advance(3)
    assert "running" in cstate(_pod(c))["state"]


def test_restart_policy_never_and_on_failure():
    c, app = make_cluster()
    app.plans["job:fail"] = ContainerPlan(exit_after_s=2, exit_code=3)
    app.plans["job:ok"] = ContainerPlan(exit_after_s=2, exit_code=0, exit_reason="Completed")
    for name, image, policy in (("never", "job:fail", "Never"), ("onfail", "job:fail", "OnFailure"), ("done", "job:ok", "OnFailure")):
        c.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"},
                  "spec": {"restartPolicy": policy, "containers": [{"name": "main", "image": image}]}})
    c.advance(30)
    never = c.get("Pod", "never")
    assert never["status"]["phase"] == "Failed" and cstate(never)["state"]["terminated"]["exitCode"] == 3
    assert c.get("Pod", "onfail")["status"]["phase"] == "Running" and cstate(c.get("Pod", "onfail"))["restartCount"] >= 2
    done = c.get("Pod", "done")
    assert done["status"]["phase"] == "Succeeded" and cstate(done)["state"]["terminated"]["reason"] == "Completed"
    assert next(x for x in done["status"]["conditions"] if x["type"] == "Ready")["reason"] == "PodCompleted"


def test_init_containers_run_first():
    c, app = make_cluster()
    app.plans["busybox:1.36"] = ContainerPlan(exit_after_s=5, exit_code=0, exit_reason="Completed")
    c.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default"},
              "spec": {"initContainers": [{"name": "wait", "image": "busybox:1.36"}],
                       "containers": [{"name": "main", "image": "example/app:1.0"}]}})
    c.advance(3)
    p = c.get("Pod", "p")
    assert p["status"]["phase"] == "Pending" and "running" in p["status"]["initContainerStatuses"][0]["state"]
    assert next(x for x in p["status"]["conditions"] if x["type"] == "Initialized")["status"] == "False"
    c.advance(10)
    p = c.get("Pod", "p")
    assert p["status"]["phase"] == "Running"
    assert p["status"]["initContainerStatuses"][0]["state"]["terminated"]["reason"] == "Completed"


def test_graceful_deletion_terminating_then_gone_and_replaced():
    c, _ = make_cluster()
    c.create(deployment("web"))
    c.advance(10)
    name = _pod(c)["metadata"]["name"]
    c.delete("Pod", name, "default")
    c.advance(1)
    old = c.get("Pod", name)
    assert "deletionTimestamp" in old["metadata"]
    assert events(c, name, "Killing")[0]["message"] == "Stopping container web"
    assert len(pods_of(c, "web")) == 2  # the replacement exists while the old one terminates
    c.advance(30)
    assert all(p["metadata"]["name"] != name for p in pods_of(c, "web"))
    assert _pod(c)["status"]["phase"] == "Running"
    c.delete("Pod", _pod(c)["metadata"]["name"], "default", grace_period=0)
    assert len(pods_of(c, "web")) == 1


def test_deleting_deployment_garbage_collects():
    c, _ = make_cluster()
    c.create(deployment("web", replicas=2))
    c.advance(10)
    c.delete("Deployment", "web", "default")
    assert c.list("ReplicaSet", "default") == []
    assert all("deletionTimestamp" in p["metadata"] for p in pods_of(c, "web"))
    c.advance(31)
    assert pods_of(c, "web") == []


def test_kind_preloaded_images_are_not_pulled_even_if_registry_fails():
    c, app = make_cluster()
    # a registry that serves nothing: kind's preloaded system images still start (IfNotPresent)
    app.plans["registry.k8s.io/pause:3.10"] = ContainerPlan(image_ok=False, image_error="registry down")
    c.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default"},
              "spec": {"containers": [{"name": "pause", "image": "registry.k8s.io/pause:3.10"}]}})
    c.advance(5)
    p = c.get("Pod", "p")
    assert p["status"]["phase"] == "Running" and p["status"]["qosClass"] == "BestEffort"
    assert events(c, "p", "Pulled")[0]["message"] == 'Container image "registry.k8s.io/pause:3.10" already present on machine'
    assert events(c, "p", "Pulling") == []


def test_deleting_crash_looping_pod_is_immediate():
    c, app = make_cluster()
    app.plans["example/app:crash"] = ContainerPlan(exit_after_s=1.0)
    c.create(deployment("web", image="example/app:crash"))
    c.advance(30)
    name = _pod(c)["metadata"]["name"]
    assert cstate(_pod(c))["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    c.delete("Pod", name, "default")
    assert all(p["metadata"]["name"] != name for p in pods_of(c, "web"))
    assert len(pods_of(c, "web")) == 1


def test_bare_pod_bound_to_missing_node_stays_pending():
    c, _ = make_cluster()
    c.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default"},
              "spec": {"nodeName": "extra-node", "containers": [{"name": "c", "image": "example/app:1.0",
                                                                 "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}]}})
    c.advance(30)
    st = c.get("Pod", "p")["status"]
    assert st == {"phase": "Pending", "qosClass": "Guaranteed"}
