"""Admission: the API server's defaults are in an object from its first stored version (and in a
server-side dry run), not written later by a controller."""

from __future__ import annotations

from aoi_gym.cluster.sim.cluster import SimCluster


def _deployment(name: str = "web") -> dict:
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}},
                              "spec": {"containers": [{"name": name, "image": "nginx:1.25"}]}}},
    }


def _bare_cluster() -> SimCluster:
    c = SimCluster(seed=0, controllers=[])  # no controller could have written the defaults
    c.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}})
    return c


def test_deployment_defaults_are_in_the_first_version_and_in_a_dry_run():
    c = _bare_cluster()
    dry = c.create(_deployment(), dry_run=True)
    stored = c.create(_deployment())
    for d in (dry, stored):
        spec = d["spec"]
        assert spec["replicas"] == 1 and spec["revisionHistoryLimit"] == 10 and spec["progressDeadlineSeconds"] == 600
        assert spec["strategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}
        pod = spec["template"]["spec"]
        assert pod["terminationGracePeriodSeconds"] == 30 and pod["containers"][0]["imagePullPolicy"] == "IfNotPresent"
    assert stored["metadata"]["generation"] == 1
    # a patch that drops a defaulted field gets it back, and the semantic no-op does not bump generation
    patched = c.patch("Deployment", "web", "default", [{"op": "remove", "path": "/spec/progressDeadlineSeconds"}], "json")
    assert patched["spec"]["progressDeadlineSeconds"] == 600 and patched["metadata"]["generation"] == 1


def test_service_gets_cluster_ip_and_port_defaults_at_admission():
    c = _bare_cluster()
    svc = c.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "default"},
                    "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}})
    assert svc["spec"]["clusterIP"].startswith("10.96.") and svc["spec"]["clusterIPs"] == [svc["spec"]["clusterIP"]]
    assert svc["spec"]["ports"] == [{"port": 80, "protocol": "TCP", "targetPort": 80}]
    assert svc["spec"]["sessionAffinity"] == "None" and svc["status"] == {"loadBalancer": {}}
    other = c.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "api", "namespace": "default"},
                      "spec": {"type": "NodePort", "ports": [{"port": 8080}]}})
    assert other["spec"]["clusterIP"] != svc["spec"]["clusterIP"] and 30000 <= other["spec"]["ports"][0]["nodePort"] <= 32767


def test_replicaset_template_is_defaulted_like_its_deployments():
    c = _bare_cluster()
    d = c.create(_deployment())
    rs = c.create({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "web-1", "namespace": "default"},
                   "spec": {"replicas": 1, "selector": d["spec"]["selector"], "template": _deployment()["spec"]["template"]}})
    assert rs["spec"]["template"] == d["spec"]["template"]
