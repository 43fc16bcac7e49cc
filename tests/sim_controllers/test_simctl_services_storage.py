"""Services/Endpoints, PersistentVolumes, namespaces and garbage collection."""

from __future__ import annotations

import re

from simctl_helpers import deployment, events, make_cluster, pods_of, service


def _ns(c, name):
    c.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})


def test_service_cluster_ip_and_endpoints_ports():
    c, _ = make_cluster()
    c.create(deployment("web", replicas=2))
    c.create(service("web", target="http"))
    c.advance(10)
    svc = c.get("Service", "web")
    assert re.fullmatch(r"10\.96\.\d+\.\d+", svc["spec"]["clusterIP"]) and svc["spec"]["clusterIP"] not in ("10.96.0.1", "10.96.0.10")
    assert svc["spec"]["clusterIPs"] == [svc["spec"]["clusterIP"]] and svc["spec"]["type"] == "ClusterIP"
    ep = c.get("Endpoints", "web")
    [subset] = ep["subsets"]
    ips = sorted(p["status"]["podIP"] for p in pods_of(c, "web"))
    assert [a["ip"] for a in subset["addresses"]] == ips
    assert subset["ports"] == [{"name": "http", "port": 8080, "protocol": "TCP"}]
    assert all(a["targetRef"]["kind"] == "Pod" and a["nodeName"].startswith("kind-worker") for a in subset["addresses"])
    # a wrong numeric targetPort is recorded as is (whether anything listens there is the app model's call)
    c.patch("Service", "web", "default", {"spec": {"ports": [{"name": "http", "port": 80, "targetPort": 9999}]}})
    assert c.get("Endpoints", "web")["subsets"][0]["ports"] == [{"name": "http", "port": 9999, "protocol": "TCP"}]
    # a named targetPort no pod has leaves the endpoints empty
    c.patch("Service", "web", "default", {"spec": {"ports": [{"name": "http", "port": 80, "targetPort": "grpc"}]}})
    assert "subsets" not in c.get("Endpoints", "web")
    # a selector that matches nothing: no subsets either; deleting the Service deletes its Endpoints
    c.patch("Service", "web", "default", {"spec": {"selector": {"app": "nobody"}, "ports": [{"name": "http", "port": 80, "targetPort": 8080}]}})
    assert "subsets" not in c.get("Endpoints", "web")
    c.delete("Service", "web", "default")
    assert c.list("Endpoints", "default", field_selector="metadata.name=web") == []


def test_cluster_ips_are_deterministic_and_unique():
    ips = []
    for seed in (1, 2):
        c, _ = make_cluster(seed)
        for i in range(30):
            c.create(service(f"s{i}"))
        ips.append([c.get("Service", f"s{i}")["spec"]["clusterIP"] for i in range(30)])
    assert ips[0] == ips[1] and len(set(ips[0])) == 30


def test_endpoints_drop_terminating_pods():
    c, _ = make_cluster()
    c.create(deployment("web", replicas=1))
    c.create(service("web"))
    c.advance(10)
    [p] = pods_of(c, "web")
    c.delete("Pod", p["metadata"]["name"], "default")
    c.advance(0.1)
    addrs = [a["targetRef"]["name"] for s in c.get("Endpoints", "web").get("subsets", []) for a in s.get("addresses", []) + s.get("notReadyAddresses", [])]
    assert p["metadata"]["name"] not in addrs


def _pv(name, cls="geo-storage", size="1Gi", policy="Retain", claim=None):
    pv = {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": name},
          "spec": {"capacity": {"storage": size}, "accessModes": ["ReadWriteOnce"], "persistentVolumeReclaimPolicy": policy,
                   "storageClassName": cls, "hostPath": {"path": f"/data/volumes/{name}"}}}
    if claim:
        pv["spec"]["claimRef"] = claim
    return pv


def _pvc(name, ns="default", cls="geo-storage", size="1Gi"):
    spec = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}}}
    if cls is not None:
        spec["storageClassName"] = cls
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name, "namespace": ns}, "spec": spec}


def _mongo(ns, claim):
    d = deployment("mongodb-geo", ns=ns, image="mongo:4.4.6")
    d["spec"]["template"]["spec"]["volumes"] = [{"name": "geo", "persistentVolumeClaim": {"claimName": claim}}]
    return d


def test_static_pv_binds_then_released_after_namespace_deletion_and_stays_unbound():
    c, _ = make_cluster()
    _ns(c, "hotel")
    c.create(_pv("geo-pv"))
    c.create(_pv("small-pv", size="100Mi"))
    c.create(_pvc("geo-pvc", "hotel"))
    c.create(_mongo("hotel", "geo-pvc"))
    c.advance(10)
    pvc = c.get("PersistentVolumeClaim", "geo-pvc", "hotel")
    assert pvc["status"]["phase"] == "Bound" and pvc["spec"]["volumeName"] == "geo-pv"
    assert pvc["status"]["capacity"] == {"storage": "1Gi"}
    pv = c.get("PersistentVolume", "geo-pv")
    assert pv["status"]["phase"] == "Bound" and pv["spec"]["claimRef"]["uid"] == pvc["metadata"]["uid"]
    assert c.get("PersistentVolume", "small-pv")["status"]["phase"] == "Available"
    assert pods_of(c, "mongodb-geo", "hotel")[0]["status"]["phase"] == "Running"
    # namespace deletion: Terminating while pods terminate, then gone
    c.delete("Namespace", "hotel")
    ns = c.get("Namespace", "hotel")
    assert ns["status"]["phase"] == "Terminating"
    assert c.list("Deployment", "hotel") == [] and c.list("PersistentVolumeClaim", "hotel") == []
    c.advance(31)
    assert c.list("Namespace", field_selector="metadata.name=hotel") == []
    assert c.get("PersistentVolume", "geo-pv")["status"]["phase"] == "Released"
    # redeploy without recreating the PV: the new claim stays Pending, the pod stays Pending
    _ns(c, "hotel")
    c.create(_pvc("geo-pvc", "hotel"))
    c.create(_mongo("hotel", "geo-pvc"))
    c.advance(60)
    assert c.get("PersistentVolume", "geo-pv")["status"]["phase"] == "Released"
    assert c.get("PersistentVolumeClaim", "geo-pvc", "hotel")["status"]["phase"] == "Pending"
    ev = events(c, "geo-pvc", "ProvisioningFailed", ns="hotel")
    assert ev[0]["message"] == 'storageclass.storage.k8s.io "geo-storage" not found' and ev[0]["type"] == "Warning"
    [p] = pods_of(c, "mongodb-geo", "hotel")
    assert p["status"]["phase"] == "Pending"
    assert p["status"]["conditions"][0]["message"] == (
        "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are "
        "available: 3 Preemption is not helpful for scheduling.")
    # mitigation: delete the stale PV and create a fresh one -> binds, pod runs
    c.delete("PersistentVolume", "geo-pv")
    c.create(_pv("geo-pv"))
    c.advance(30)
    assert c.get("PersistentVolumeClaim", "geo-pvc", "hotel")["status"]["phase"] == "Bound"
    assert pods_of(c, "mongodb-geo", "hotel")[0]["status"]["phase"] == "Running"


def test_default_storage_class_provisions_on_first_consumer():
    c, _ = make_cluster()
    c.create(_pvc("data", cls=None))
    c.advance(5)
    pvc = c.get("PersistentVolumeClaim", "data")
    assert pvc["spec"]["storageClassName"] == "standard" and pvc["status"]["phase"] == "Pending"
    assert events(c, "data", "WaitForFirstConsumer")[0]["message"] == "waiting for first consumer to be created before binding"
    c.create(_mongo("default", "data"))
    c.advance(10)
    pvc = c.get("PersistentVolumeClaim", "data")
    assert pvc["status"]["phase"] == "Bound" and pvc["spec"]["volumeName"] == f"pvc-{pvc['metadata']['uid']}"
    pv = c.get("PersistentVolume", pvc["spec"]["volumeName"])
    node = pods_of(c, "mongodb-geo")[0]["spec"]["nodeName"]
    assert pv["spec"]["nodeAffinity"]["required"]["nodeSelectorTerms"][0]["matchExpressions"][0]["values"] == [node]
    assert pv["spec"]["persistentVolumeReclaimPolicy"] == "Delete"
    assert pods_of(c, "mongodb-geo")[0]["status"]["phase"] == "Running"
    # deleting the claim deletes a Delete-policy volume
    c.delete("Deployment", "mongodb-geo", "default")
    c.delete("PersistentVolumeClaim", "data", "default")
    c.advance(40)
    assert c.list("PersistentVolume", field_selector=f"metadata.name={pv['metadata']['name']}") == []


def test_missing_pvc_blocks_scheduling():
    c, _ = make_cluster()
    c.create(_mongo("default", "ghost"))
    c.advance(5)
    [p] = pods_of(c, "mongodb-geo")
    assert p["status"]["conditions"][0]["message"].startswith('0/3 nodes are available: persistentvolumeclaim "ghost" not found.')


def test_namespace_defaults_and_garbage_collection_of_orphans():
    c, _ = make_cluster()
    _ns(c, "shop")
    assert c.get("Namespace", "shop")["status"]["phase"] == "Active"
    assert c.get("ServiceAccount", "default", "shop") and c.get("ConfigMap", "kube-root-ca.crt", "shop")
    c.create(deployment("cart", ns="shop", replicas=2))
    c.advance(10)
    [rs] = c.list("ReplicaSet", "shop")
    c.delete("ReplicaSet", rs["metadata"]["name"], "shop")  # the deployment recreates it with the same name
    c.advance(40)
    assert len(c.list("ReplicaSet", "shop")) == 1
    assert len([p for p in pods_of(c, "cart", "shop") if p["status"]["phase"] == "Running"]) == 2
