"""Deployments, ReplicaSets, StatefulSets, DaemonSets and the scheduler, driven by spec changes alone."""

from __future__ import annotations

import re

from simctl_helpers import cstate, deployment, events, make_cluster, pods_of

from aoi_gym.cluster.sim.cluster import SUFFIX_ALPHABET


def _running(pods):
    return [p for p in pods if p["status"]["phase"] == "Running" and "deletionTimestamp" not in p["metadata"]]


def test_deployment_creates_replicaset_and_pods_with_real_names_and_status():
    c, _ = make_cluster()
    c.create(deployment("web", replicas=3))
    c.advance(10)
    rss = c.list("ReplicaSet", "default")
    assert len(rss) == 1
    rs = rss[0]
    h = rs["metadata"]["labels"]["pod-template-hash"]
    assert rs["metadata"]["name"] == f"web-{h}" and 9 <= len(h) <= 10 and set(h) <= set(SUFFIX_ALPHABET)
    assert rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"
    assert rs["metadata"]["ownerReferences"][0]["kind"] == "Deployment"
    pods = pods_of(c, "web")
    assert len(pods) == 3
    for p in pods:
        assert re.fullmatch(rf"web-{h}-[{SUFFIX_ALPHABET}]{{5}}", p["metadata"]["name"])
        assert p["metadata"]["labels"]["pod-template-hash"] == h
        assert p["status"]["phase"] == "Running"
        assert p["status"]["qosClass"] == "BestEffort"
        assert re.fullmatch(r"10\.244\.[12]\.\d+", p["status"]["podIP"])
        assert [cd["type"] for cd in p["status"]["conditions"]] == [
            "PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"]
        assert cstate(p)["state"]["running"]["startedAt"]
        assert cstate(p)["ready"] is True and cstate(p)["containerID"].startswith("containerd://")
    d = c.get("Deployment", "web")
    st = d["status"]
    assert (st["replicas"], st["updatedReplicas"], st["readyReplicas"], st["availableReplicas"]) == (3, 3, 3, 3)
    assert st["observedGeneration"] == d["metadata"]["generation"]
    conds = {x["type"]: x for x in st["conditions"]}
    assert conds["Available"]["reason"] == "MinimumReplicasAvailable"
    assert conds["Progressing"]["reason"] == "NewReplicaSetAvailable"
    assert d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"
    msgs = [e["message"] for e in events(c, "web", "ScalingReplicaSet")]
    assert msgs == [f"Scaled up replica set web-{h} from 0 to 3"]
    created = events(c, f"web-{h}", "SuccessfulCreate")
    assert len(created) == 3 and all(e["source"]["component"] == "replicaset-controller" for e in created)
    sched = events(c, pods[0]["metadata"]["name"], "Scheduled")
    assert sched[0]["message"] == f"Successfully assigned default/{pods[0]['metadata']['name']} to {pods[0]['spec']['nodeName']}"


def test_scale_to_zero_and_back():
    c, _ = make_cluster()
    c.create(deployment("web", replicas=2))
    c.advance(10)
    c.patch("Deployment", "web", "default", {"spec": {"replicas": 0}})
    c.advance(1)
    assert all("deletionTimestamp" in p["metadata"] for p in pods_of(c, "web"))  # Terminating
    c.advance(40)
    assert pods_of(c, "web") == []
    st = c.get("Deployment", "web")["status"]
    assert st["replicas"] == 0 and "availableReplicas" not in st
    c.patch("Deployment", "web", "default", {"spec": {"replicas": 4}})
    c.advance(10)
    assert len(_running(pods_of(c, "web"))) == 4
    assert c.get("Deployment", "web")["status"]["availableReplicas"] == 4
    scale_msgs = [e["message"] for e in events(c, "web", "ScalingReplicaSet")]
    assert any("from 2 to 0" in m for m in scale_msgs) and any("from 0 to 4" in m for m in scale_msgs)


def test_scale_down_prefers_not_ready_pods():
    c, app = make_cluster()
    from aoi_gym.cluster.sim.runtime import ContainerPlan

    c.create(deployment("web", replicas=2))
    c.advance(10)
    ready_names = {p["metadata"]["name"] for p in pods_of(c, "web")}
    app.plans["example/app:1.0"] = ContainerPlan(ready=False)
    c.patch("Deployment", "web", "default", {"spec": {"replicas": 3}})
    c.advance(10)
    c.patch("Deployment", "web", "default", {"spec": {"replicas": 2}})
    c.advance(60)
    assert {p["metadata"]["name"] for p in pods_of(c, "web")} == ready_names


def test_rolling_update_on_image_change_keeps_history():
    c, _ = make_cluster()
    c.create(deployment("web", replicas=4))
    c.advance(10)
    old_rs = c.list("ReplicaSet", "default")[0]["metadata"]["name"]
    c.patch("Deployment", "web", "default", {"spec": {"template": {"spec": {"containers": [{"name": "web", "image": "example/app:2.0"}]}}}})
    d = c.get("Deployment", "web")
    assert d["status"]["conditions"][1]["reason"] in ("NewReplicaSetCreated", "ReplicaSetUpdated")
    # mid-rollout: never more than replicas + maxSurge pods, never fewer than replicas - maxUnavailable available
    for _ in range(30):
        c.advance(0.5)
        live = [p for p in pods_of(c, "web") if "deletionTimestamp" not in p["metadata"]]
        assert len(live) <= 5
        assert (c.get("Deployment", "web")["status"].get("availableReplicas", 0)) >= 3
    c.advance(60)
    rss = {r["metadata"]["name"]: r for r in c.list("ReplicaSet", "default")}
    assert len(rss) == 2 and rss[old_rs]["spec"]["replicas"] == 0
    new_rs = next(n for n in rss if n != old_rs)
    assert rss[new_rs]["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2"
    assert rss[new_rs]["spec"]["replicas"] == 4
    pods = pods_of(c, "web")
    assert len(pods) == 4 and all(p["spec"]["containers"][0]["image"] == "example/app:2.0" for p in pods)
    st = c.get("Deployment", "web")["status"]
    assert st["updatedReplicas"] == 4 and st["availableReplicas"] == 4
    assert st["conditions"][1]["reason"] == "NewReplicaSetAvailable"
    assert c.get("Deployment", "web")["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2"
    msgs = [e["message"] for e in events(c, "web", "ScalingReplicaSet")]
    assert any(m.startswith(f"Scaled down replica set {old_rs} from 4 to") for m in msgs)
    # rollout undo: back to the old template; the old RS becomes revision 3
    c.patch("Deployment", "web", "default", {"spec": {"template": {"spec": {"containers": [{"name": "web", "image": "example/app:1.0"}]}}}})
    c.advance(60)
    rs = c.get("ReplicaSet", old_rs)
    assert rs["spec"]["replicas"] == 4 and rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3"


def test_rollout_restart_annotation_creates_new_replicaset():
    c, _ = make_cluster()
    c.create(deployment("web", replicas=2))
    c.advance(10)
    before = {p["metadata"]["name"] for p in pods_of(c, "web")}
    c.patch("Deployment", "web", "default", {"spec": {"template": {"metadata": {"annotations": {
        "kubectl.kubernetes.io/restartedAt": "2026-01-05T09:00:10Z"}}}}})
    c.advance(60)
    after = pods_of(c, "web")
    assert len(after) == 2 and not before & {p["metadata"]["name"] for p in after}
    assert all(p["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"] for p in after)
    assert len(c.list("ReplicaSet", "default")) == 2


def test_reapplying_manifest_without_defaults_does_not_roll():
    c, _ = make_cluster()
    c.create(deployment("web", replicas=2))
    c.advance(10)
    c.replace(deployment("web", replicas=2))
    c.advance(10)
    assert len(c.list("ReplicaSet", "default")) == 1


def test_progress_deadline_exceeded_with_bad_image():
    c, app = make_cluster()
    from aoi_gym.cluster.sim.runtime import ContainerPlan

    app.plans["example/app:bad"] = ContainerPlan(image_ok=False, image_error="not found")
    c.create(deployment("web", replicas=2))
    c.advance(10)
    c.patch("Deployment", "web", "default", {"spec": {"template": {"spec": {"containers": [{"name": "web", "image": "example/app:bad"}]}}}})
    c.advance(300)
    assert c.get("Deployment", "web")["status"]["conditions"][1]["reason"] in ("ReplicaSetUpdated", "NewReplicaSetCreated")
    c.advance(400)
    prog = c.get("Deployment", "web")["status"]["conditions"][1]
    assert (prog["status"], prog["reason"]) == ("False", "ProgressDeadlineExceeded")
    assert prog["message"].endswith("has timed out progressing.")
    # the old pods keep serving: maxUnavailable 25% of 2 rounds down to 0
    assert len(_running(pods_of(c, "web"))) >= 2


def test_bad_node_selector_keeps_pods_pending_with_failed_scheduling():
    c, _ = make_cluster()
    d = deployment("web")
    d["spec"]["template"]["spec"]["nodeSelector"] = {"kubernetes.io/hostname": "extra-node"}
    c.create(d)
    c.advance(30)
    [p] = pods_of(c, "web")
    assert p["status"]["phase"] == "Pending" and "nodeName" not in p["spec"]
    cond = p["status"]["conditions"][0]
    assert (cond["type"], cond["status"], cond["reason"]) == ("PodScheduled", "False", "Unschedulable")
    expected = ("0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, "
                "2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: "
                "3 Preemption is not helpful for scheduling.")
    assert cond["message"] == expected
    ev = events(c, p["metadata"]["name"], "FailedScheduling")
    assert ev and ev[0]["type"] == "Warning" and ev[0]["message"] == expected
    assert ev[0]["source"]["component"] == "default-scheduler"
    # removing the selector (a new template) schedules the new pod
    c.patch("Deployment", "web", "default", {"spec": {"template": {"spec": {"nodeSelector": None}}}})
    c.advance(60)
    pods = pods_of(c, "web")
    assert len(pods) == 1 and pods[0]["status"]["phase"] == "Running"


def test_cordon_keeps_new_pods_pending():
    c, _ = make_cluster()
    for n in ("kind-worker", "kind-worker2"):
        c.patch("Node", n, None, {"spec": {"unschedulable": True}})
    node = c.get("Node", "kind-worker")
    assert {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}.items() <= node["spec"]["taints"][0].items()
    c.create(deployment("web"))
    c.advance(10)
    [p] = pods_of(c, "web")
    assert p["status"]["phase"] == "Pending"
    assert "2 node(s) were unschedulable" in p["status"]["conditions"][0]["message"]
    c.patch("Node", "kind-worker", None, {"spec": {"unschedulable": None}})
    assert "taints" not in c.get("Node", "kind-worker")["spec"]
    c.advance(10)
    [p] = pods_of(c, "web")
    assert p["status"]["phase"] == "Running" and p["spec"]["nodeName"] == "kind-worker"


def test_insufficient_cpu_message():
    c, _ = make_cluster()
    d = deployment("big", resources={"requests": {"cpu": "9"}})
    c.create(d)
    c.advance(5)
    [p] = pods_of(c, "big")
    assert p["status"]["conditions"][0]["message"] == (
        "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, "
        "2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, "
        "2 No preemption victims found for incoming pod.")
    assert p["status"]["qosClass"] == "Burstable"


def test_required_node_affinity_and_tolerations():
    c, _ = make_cluster()
    d = deployment("cp")
    d["spec"]["template"]["spec"]["affinity"] = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [{"matchExpressions": [{"key": "node-role.kubernetes.io/control-plane", "operator": "Exists"}]}]}}}
    c.create(d)
    c.advance(5)
    assert pods_of(c, "cp")[0]["status"]["phase"] == "Pending"
    c.patch("Deployment", "cp", "default", {"spec": {"template": {"spec": {"tolerations": [
        {"key": "node-role.kubernetes.io/control-plane", "operator": "Exists", "effect": "NoSchedule"}]}}}})
    c.advance(60)
    [p] = pods_of(c, "cp")
    assert p["spec"]["nodeName"] == "kind-control-plane" and p["status"]["phase"] == "Running"


def test_statefulset_ordered_pods_and_claims():
    c, _ = make_cluster()
    sts = {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "db", "namespace": "default"},
        "spec": {
            "replicas": 3,
            "serviceName": "db",
            "selector": {"matchLabels": {"app": "db"}},
            "template": {"metadata": {"labels": {"app": "db"}}, "spec": {"containers": [{"name": "db", "image": "mongo:4.4.6"}]}},
            "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {
                "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}],
        },
    }
    c.create(sts)
    c.advance(0.5)
    assert [p["metadata"]["name"] for p in pods_of(c, "db")] == ["db-0"]
    c.advance(60)
    pods = pods_of(c, "db")
    assert [p["metadata"]["name"] for p in pods] == ["db-0", "db-1", "db-2"]
    assert all(p["status"]["phase"] == "Running" for p in pods)
    pvcs = {p["metadata"]["name"]: p for p in c.list("PersistentVolumeClaim", "default")}
    assert set(pvcs) == {"data-db-0", "data-db-1", "data-db-2"}
    assert all(p["status"]["phase"] == "Bound" for p in pvcs.values())
    assert pods[1]["spec"]["volumes"][-1]["persistentVolumeClaim"]["claimName"] == "data-db-1"
    st = c.get("StatefulSet", "db")["status"]
    assert st["readyReplicas"] == 3 and st["currentRevision"] == st["updateRevision"]
    assert any(e["message"] == "create Pod db-0 in StatefulSet db successful" for e in events(c, "db", "SuccessfulCreate"))
    c.patch("StatefulSet", "db", "default", {"spec": {"replicas": 1}})
    c.advance(120)
    assert [p["metadata"]["name"] for p in pods_of(c, "db")] == ["db-0"]
    assert len(c.list("PersistentVolumeClaim", "default")) == 3  # claims are retained


def test_kind_system_daemonsets_run_on_every_node():
    c, _ = make_cluster()
    ds = c.get("DaemonSet", "kube-proxy", "kube-system")["status"]
    assert ds["desiredNumberScheduled"] == 3 and ds["numberReady"] == 3
    proxies = c.list("Pod", "kube-system", label_selector="k8s-app=kube-proxy")
    assert sorted(p["spec"]["nodeName"] for p in proxies) == ["kind-control-plane", "kind-worker", "kind-worker2"]
    assert all(p["status"]["podIP"] == p["status"]["hostIP"] for p in proxies)
    dns = c.get("Deployment", "coredns", "kube-system")["status"]
    assert dns["availableReplicas"] == 2
    assert c.get("Service", "kube-dns", "kube-system")["spec"]["clusterIP"] == "10.96.0.10"


def test_recreate_strategy_stops_old_pods_first():
    c, _ = make_cluster()
    d = deployment("web", replicas=2)
    d["spec"]["strategy"] = {"type": "Recreate"}
    c.create(d)
    c.advance(10)
    c.patch("Deployment", "web", "default", {"spec": {"template": {"spec": {"containers": [{"name": "web", "image": "example/app:2.0"}]}}}})
    c.advance(1)
    live = [p for p in pods_of(c, "web") if "deletionTimestamp" not in p["metadata"]]
    assert live == []  # old pods terminating, new ones wait for them
    c.advance(60)
    pods = pods_of(c, "web")
    assert len(pods) == 2 and all(p["spec"]["containers"][0]["image"] == "example/app:2.0" for p in pods)


def test_statefulset_rolling_update_from_highest_ordinal():
    c, _ = make_cluster()
    sts = {
        "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db", "namespace": "default"},
        "spec": {"replicas": 2, "serviceName": "db", "selector": {"matchLabels": {"app": "db"}},
                 "template": {"metadata": {"labels": {"app": "db"}}, "spec": {"containers": [{"name": "db", "image": "mongo:4.4.6"}]}}},
    }
    c.create(sts)
    c.advance(30)
    c.patch("StatefulSet", "db", "default", {"spec": {"template": {"spec": {"containers": [{"name": "db", "image": "mongo:5.0"}]}}}})
    c.advance(1)
    assert "deletionTimestamp" in c.get("Pod", "db-1")["metadata"] and "deletionTimestamp" not in c.get("Pod", "db-0")["metadata"]
    c.advance(120)
    assert [p["spec"]["containers"][0]["image"] for p in pods_of(c, "db")] == ["mongo:5.0", "mongo:5.0"]
    st = c.get("StatefulSet", "db")["status"]
    assert st["currentRevision"] == st["updateRevision"] and st["updatedReplicas"] == 2


def test_daemonset_pods_stay_on_cordoned_nodes():
    c, _ = make_cluster()
    c.patch("Node", "kind-worker", None, {"spec": {"unschedulable": True}})
    c.advance(5)
    nodes = sorted(p["spec"]["nodeName"] for p in c.list("Pod", "kube-system", label_selector="k8s-app=kube-proxy"))
    assert nodes == ["kind-control-plane", "kind-worker", "kind-worker2"]
