"""QuietAppModel: the simulator's Kubernetes behaviour with an application that says nothing."""

from aoi_gym.cluster.sim.cluster import SimCluster
from aoi_gym.cluster.sim.controllers import create_kind_nodes
from aoi_gym.cluster.sim.runtime import QuietAppModel


def _deployment(name: str) -> dict:
    labels = {"app": name}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "default"},
            "spec": {"replicas": 2, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": name, "image": f"example/{name}:1.0"}]}}}}


def test_pods_run_one_second_after_creation_and_the_app_reports_nothing():
    c = SimCluster(seed=0, app_model=QuietAppModel())
    create_kind_nodes(c)
    c.create(_deployment("web"))
    c.advance(0.5)
    assert {p["status"]["phase"] for p in c.list("Pod", "default")} == {"Pending"}
    c.advance(1.0)
    pods = c.list("Pod", "default")
    assert len(pods) == 2 and {p["status"]["phase"] for p in pods} == {"Running"}
    name = pods[0]["metadata"]["name"]
    assert c.logs(name, "default") == "" and c.metrics("default", 600) == [] and c.traces("default", 600) == []
    before = c.digest()
    snap = c.snapshot()
    c.delete("Deployment", "web", "default")
    c.advance(60)
    c.restore(snap)
    assert c.digest() == before
