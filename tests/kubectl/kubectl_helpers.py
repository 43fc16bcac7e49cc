"""Fixtures for the kubectl tests: a SimCluster with hand-written objects (no controllers) and a tiny app."""

from __future__ import annotations

import shlex

import pytest

from aoi_gym.cluster.base import ExecResult, MetricSeries
from aoi_gym.cluster.sim.cluster import EPOCH, SimCluster, format_time
from aoi_gym.cluster.sim.runtime import QuietAppModel
from aoi_gym.shell.context import ShellContext
from aoi_gym.shell.kubectl import run_kubectl

NOW_T = 7200.0  # the fixture cluster's clock: 2026-01-05T11:00:00Z


def ts(ago: float) -> str:
    """Timestamp ``ago`` seconds before the fixture's now."""
    return format_time(EPOCH + NOW_T - ago)


class TinyApp(QuietAppModel):
    """A deterministic application model: fixed log lines, echo-like exec, constant metrics."""

    def logs(self, cluster, pod, container, previous, since_t):
        name = pod["metadata"]["name"]
        base = cluster.t - 600
        lines = [(base + 10 * i, f"{'prev ' if previous else ''}{name}/{container} line {i}") for i in range(60)]
        if since_t is not None:
            lines = [(t, ln) for t, ln in lines if t >= since_t]
        return lines

    def exec(self, cluster, pod, container, argv, stdin):
        if argv and argv[0] == "echo":
            return ExecResult(" ".join(argv[1:]) + "\n")
        if argv and argv[0] == "false":
            return ExecResult("", "", 1)
        if argv and argv[0] == "mongo":
            return ExecResult("MongoDB shell version v4.4.6\n{ \"ok\" : 1 }\n")
        return ExecResult("", f'exec: "{argv[0] if argv else ""}": executable file not found in $PATH', 127)

    def metrics(self, cluster, namespace, window_s):
        out = []
        t1 = cluster.t
        t0 = t1 - window_s
        for p in cluster.list("Pod", namespace):
            if (p.get("status") or {}).get("phase") != "Running":
                continue
            for i, c in enumerate(p["spec"]["containers"]):
                labels = {"namespace": namespace, "pod": p["metadata"]["name"], "container": c["name"]}
                cpu = 0.005 * (i + 1) * (1 + len(p["metadata"]["name"]) % 3)
                out.append(MetricSeries("container_cpu_usage_seconds_total", labels, [(t0, 100.0), (t1, 100.0 + cpu * window_s)]))
                mem = (20 + 7 * (len(p["metadata"]["name"]) % 5)) * 1024 * 1024
                out.append(MetricSeries("container_memory_working_set_bytes", labels, [(t0, mem), (t1, mem)]))
        return out


def _meta(name, ns=None, ago=3600, labels=None, **extra):
    m = {"name": name, "creationTimestamp": ts(ago)}
    if ns:
        m["namespace"] = ns
    if labels:
        m["labels"] = labels
    m.update(extra)
    return m


def _running(name, ago, restarts=0, ready=True, last=None, image="nginx:1.25"):
    cs = {"name": name, "image": image, "imageID": f"docker.io/library/{image}@sha256:abc", "containerID": "containerd://0123456789ab",
          "ready": ready, "restartCount": restarts, "started": True, "state": {"running": {"startedAt": ts(ago)}}, "lastState": {}}
    if last:
        cs["lastState"] = last
    return cs


def build_cluster() -> SimCluster:
    """The golden-file cluster: one node pair, a hotel-like namespace with healthy and broken pods."""
    c = SimCluster(seed=0, controllers=[], app_model=TinyApp())
    c.advance(NOW_T)
    for ns in ("default", "kube-system", "test-hotel-reservation"):
        c.create({"apiVersion": "v1", "kind": "Namespace", "metadata": _meta(ns, ago=86400 * 3, labels={"kubernetes.io/metadata.name": ns}), "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}})
    for n, role in (("kind-control-plane", True), ("kind-worker", False)):
        labels = {"kubernetes.io/hostname": n, "kubernetes.io/os": "linux", "beta.kubernetes.io/arch": "amd64"}
        if role:
            labels["node-role.kubernetes.io/control-plane"] = ""
        c.create({"apiVersion": "v1", "kind": "Node", "metadata": _meta(n, ago=86400 * 3, labels=labels),
                  "spec": {"podCIDR": "10.244.0.0/24", "podCIDRs": ["10.244.0.0/24"]},
                  "status": {"addresses": [{"type": "InternalIP", "address": "172.18.0.2" if role else "172.18.0.3"}, {"type": "Hostname", "address": n}],
                             "allocatable": {"cpu": "8", "memory": "16301284Ki", "pods": "110", "ephemeral-storage": "102626232Ki"},
                             "capacity": {"cpu": "8", "memory": "16301284Ki", "pods": "110", "ephemeral-storage": "102626232Ki"},
                             "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady", "message": "kubelet is posting ready status", "lastHeartbeatTime": ts(30), "lastTransitionTime": ts(86400 * 3)}],
                             "nodeInfo": {"kubeletVersion": "v1.31.0", "osImage": "Debian GNU/Linux 12 (bookworm)", "kernelVersion": "6.8.0-45-generic", "containerRuntimeVersion": "containerd://1.7.18", "kubeProxyVersion": "", "operatingSystem": "linux", "architecture": "amd64", "machineID": "m1", "systemUUID": "u1", "bootID": "b1"}}})
    ns = "test-hotel-reservation"
    tmpl = {"metadata": {"labels": {"io.kompose.service": "geo"}},
            "spec": {"containers": [{"name": "hotel-reserv-geo", "image": "yinfangchen/hotelreservation:latest", "command": ["geo"],
                                     "ports": [{"containerPort": 8083, "protocol": "TCP"}],
                                     "env": [{"name": "JAEGER_SAMPLE_RATIO", "value": "1"}],
                                     "resources": {"limits": {"cpu": "1"}, "requests": {"cpu": "100m"}}}]}}
    c.create({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": _meta("geo", ns, 3600, {"io.kompose.service": "geo"}, annotations={"deployment.kubernetes.io/revision": "1"}),
              "spec": {"replicas": 1, "selector": {"matchLabels": {"io.kompose.service": "geo"}}, "template": tmpl,
                       "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}}},
              "status": {"replicas": 1, "updatedReplicas": 1, "readyReplicas": 0, "availableReplicas": 0, "unavailableReplicas": 1, "observedGeneration": 1,
                         "conditions": [{"type": "Available", "status": "False", "reason": "MinimumReplicasUnavailable"}, {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"}]}})
    c.create({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": _meta("geo-7d9b8c6f5", ns, 3600, {"io.kompose.service": "geo", "pod-template-hash": "7d9b8c6f5"},
              annotations={"deployment.kubernetes.io/revision": "1"}, ownerReferences=[{"apiVersion": "apps/v1", "kind": "Deployment", "name": "geo", "uid": "d-geo", "controller": True}]),
              "spec": {"replicas": 1, "selector": {"matchLabels": {"io.kompose.service": "geo", "pod-template-hash": "7d9b8c6f5"}}, "template": tmpl},
              "status": {"replicas": 1, "readyReplicas": 0, "availableReplicas": 0}})
    c.create({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": _meta("frontend", ns, 3600, {"io.kompose.service": "frontend"}),
              "spec": {"replicas": 2, "selector": {"matchLabels": {"io.kompose.service": "frontend"}},
                       "template": {"metadata": {"labels": {"io.kompose.service": "frontend"}}, "spec": {"containers": [{"name": "hotel-reserv-frontend", "image": "yinfangchen/hotelreservation:latest", "ports": [{"containerPort": 5000, "protocol": "TCP"}]}]}}},
              "status": {"replicas": 2, "updatedReplicas": 2, "readyReplicas": 2, "availableReplicas": 2, "observedGeneration": 1}})
    owner = [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "geo-7d9b8c6f5", "uid": "rs-geo", "controller": True}]
    crash_last = {"terminated": {"exitCode": 2, "reason": "Error", "startedAt": ts(100), "finishedAt": ts(45)}}
    pods = [
        ("geo-7d9b8c6f5-xk2lp", {"io.kompose.service": "geo", "pod-template-hash": "7d9b8c6f5"}, owner,
         {"phase": "Running", "podIP": "10.244.1.7", "podIPs": [{"ip": "10.244.1.7"}], "hostIP": "172.18.0.3", "startTime": ts(3500),
          "conditions": [{"type": "Ready", "status": "False"}, {"type": "ContainersReady", "status": "False"}, {"type": "PodScheduled", "status": "True"}],
          "containerStatuses": [{"name": "hotel-reserv-geo", "image": "yinfangchen/hotelreservation:latest", "imageID": "", "containerID": "containerd://abc123",
                                 "ready": False, "restartCount": 3, "started": False, "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 40s restarting failed container=hotel-reserv-geo"}},
                                 "lastState": crash_last}]}, "hotel-reserv-geo", 3500),
        ("frontend-5c6f8d7b9-abcde", {"io.kompose.service": "frontend"}, [],
         {"phase": "Running", "podIP": "10.244.1.8", "podIPs": [{"ip": "10.244.1.8"}], "hostIP": "172.18.0.3", "startTime": ts(3590),
          "conditions": [{"type": "Ready", "status": "True"}], "containerStatuses": [_running("hotel-reserv-frontend", 3580)]}, "hotel-reserv-frontend", 3590),
        ("frontend-5c6f8d7b9-fghij", {"io.kompose.service": "frontend"}, [],
         {"phase": "Running", "podIP": "10.244.1.9", "podIPs": [{"ip": "10.244.1.9"}], "hostIP": "172.18.0.3", "startTime": ts(3590),
          "conditions": [{"type": "Ready", "status": "True"}], "containerStatuses": [_running("hotel-reserv-frontend", 3580, restarts=1, last={"terminated": {"exitCode": 137, "reason": "OOMKilled", "startedAt": ts(3585), "finishedAt": ts(3581)}})]}, "hotel-reserv-frontend", 3590),
        ("pending-x", {"app": "pending"}, [], {"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable"}]}, "main", 300),
        ("creating-y", {"app": "creating"}, [], {"phase": "Pending", "hostIP": "172.18.0.3", "startTime": ts(20), "containerStatuses": [{"name": "main", "image": "busybox", "imageID": "", "ready": False, "restartCount": 0, "started": False, "state": {"waiting": {"reason": "ContainerCreating"}}}]}, "main", 20),
        ("badimage-z", {"app": "badimage"}, [], {"phase": "Pending", "hostIP": "172.18.0.3", "podIP": "10.244.1.10", "podIPs": [{"ip": "10.244.1.10"}], "startTime": ts(600), "containerStatuses": [{"name": "main", "image": "nginx:doesnotexist", "imageID": "", "ready": False, "restartCount": 0, "started": False, "state": {"waiting": {"reason": "ImagePullBackOff", "message": "Back-off pulling image \"nginx:doesnotexist\""}}}]}, "main", 600),
        ("done-job-q", {"job-name": "done-job"}, [], {"phase": "Succeeded", "hostIP": "172.18.0.3", "podIP": "10.244.1.11", "podIPs": [{"ip": "10.244.1.11"}], "startTime": ts(900), "containerStatuses": [{"name": "main", "image": "busybox", "imageID": "", "ready": False, "restartCount": 0, "started": False, "state": {"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": ts(890), "finishedAt": ts(880)}}}]}, "main", 900),
        ("terminating-t", {"app": "term"}, [], {"phase": "Running", "hostIP": "172.18.0.3", "podIP": "10.244.1.12", "podIPs": [{"ip": "10.244.1.12"}], "startTime": ts(5000), "conditions": [{"type": "Ready", "status": "True"}], "containerStatuses": [_running("main", 4990)]}, "main", 5000),
        ("init-w", {"app": "init"}, [], {"phase": "Pending", "hostIP": "172.18.0.3", "startTime": ts(60), "initContainerStatuses": [{"name": "wait-db", "image": "busybox", "imageID": "", "ready": False, "restartCount": 0, "state": {"running": {"startedAt": ts(55)}}}],
                                         "containerStatuses": [{"name": "main", "image": "busybox", "imageID": "", "ready": False, "restartCount": 0, "state": {"waiting": {"reason": "PodInitializing"}}}]}, "main", 60),
    ]
    for name, labels, owners, status, cname, ago in pods:
        spec = {"containers": [{"name": cname, "image": (status.get("containerStatuses") or [{}])[0].get("image", "busybox"), "ports": [{"containerPort": 8083, "protocol": "TCP"}] if "geo" in name else []}],
                "restartPolicy": "Always", "serviceAccountName": "default", "nodeName": "kind-worker" if status.get("hostIP") else ""}
        if not spec["nodeName"]:
            del spec["nodeName"]
        if name.startswith("init"):
            spec["initContainers"] = [{"name": "wait-db", "image": "busybox", "command": ["sh", "-c", "until nc -z db 5432; do sleep 1; done"]}]
        meta = _meta(name, ns, ago, labels)
        if owners:
            meta["ownerReferences"] = owners
        if name.startswith("terminating"):
            meta["deletionTimestamp"] = ts(-25)
            meta["deletionGracePeriodSeconds"] = 30
        c.create({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec, "status": status})
    c.create({"apiVersion": "v1", "kind": "Pod", "metadata": _meta("multi-c", ns, 1800, {"app": "multi"}),
              "spec": {"containers": [{"name": "app", "image": "busybox"}, {"name": "sidecar", "image": "envoyproxy/envoy:v1.30"}], "nodeName": "kind-worker"},
              "status": {"phase": "Running", "podIP": "10.244.1.13", "podIPs": [{"ip": "10.244.1.13"}], "hostIP": "172.18.0.3", "startTime": ts(1800),
                         "conditions": [{"type": "Ready", "status": "False"}], "containerStatuses": [_running("app", 1790, image="busybox"), _running("sidecar", 1790, ready=False, image="envoyproxy/envoy:v1.30")]}})
    c.create({"apiVersion": "v1", "kind": "Service", "metadata": _meta("geo", ns, 3600, {"io.kompose.service": "geo"}),
              "spec": {"type": "ClusterIP", "clusterIP": "10.96.12.34", "clusterIPs": ["10.96.12.34"], "selector": {"io.kompose.service": "geo"},
                       "ports": [{"name": "8083", "port": 8083, "targetPort": 8083, "protocol": "TCP"}], "sessionAffinity": "None", "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack", "internalTrafficPolicy": "Cluster"}})
    c.create({"apiVersion": "v1", "kind": "Service", "metadata": _meta("frontend", ns, 3600, {"io.kompose.service": "frontend"}),
              "spec": {"type": "NodePort", "clusterIP": "10.96.50.1", "clusterIPs": ["10.96.50.1"], "selector": {"io.kompose.service": "frontend"},
                       "ports": [{"name": "5000", "port": 5000, "targetPort": 5000, "nodePort": 30500, "protocol": "TCP"}], "sessionAffinity": "None", "externalTrafficPolicy": "Cluster"}})
    c.create({"apiVersion": "v1", "kind": "Endpoints", "metadata": _meta("frontend", ns, 3600, {"io.kompose.service": "frontend"}),
              "subsets": [{"addresses": [{"ip": "10.244.1.8"}, {"ip": "10.244.1.9"}], "ports": [{"name": "5000", "port": 5000, "protocol": "TCP"}]}]})
    c.create({"apiVersion": "v1", "kind": "Endpoints", "metadata": _meta("geo", ns, 3600, {"io.kompose.service": "geo"}),
              "subsets": [{"notReadyAddresses": [{"ip": "10.244.1.7"}], "ports": [{"name": "8083", "port": 8083, "protocol": "TCP"}]}]})
    c.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": _meta("geo-config", ns, 3600), "data": {"config.json": "{\"port\": 8083}\n", "MODE": "prod"}})
    c.create({"apiVersion": "v1", "kind": "Secret", "metadata": _meta("mongo-admin", ns, 3600), "type": "Opaque", "data": {"username": "YWRtaW4=", "password": "YWRtaW4xMjM="}})
    c.create({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": _meta("standard", None, 86400 * 3, annotations={"storageclass.kubernetes.io/is-default-class": "true"}),
              "provisioner": "rancher.io/local-path", "reclaimPolicy": "Delete", "volumeBindingMode": "WaitForFirstConsumer"})
    c.create({"apiVersion": "v1", "kind": "PersistentVolume", "metadata": _meta("pvc-0a1b2c3d", None, 3600),
              "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"], "persistentVolumeReclaimPolicy": "Delete", "storageClassName": "standard", "volumeMode": "Filesystem",
                       "claimRef": {"namespace": ns, "name": "geo-pvc"}, "hostPath": {"path": "/var/local-path-provisioner/pvc-0a1b2c3d", "type": "DirectoryOrCreate"}},
              "status": {"phase": "Bound"}})
    c.create({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": _meta("geo-pvc", ns, 3600),
              "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}, "storageClassName": "standard", "volumeName": "pvc-0a1b2c3d", "volumeMode": "Filesystem"},
              "status": {"phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": "1Gi"}}})
    pod = c.get("Pod", "geo-7d9b8c6f5-xk2lp", ns)
    c.t = NOW_T - 3500
    c.record_event(pod, "Scheduled", "Successfully assigned test-hotel-reservation/geo-7d9b8c6f5-xk2lp to kind-worker", component="default-scheduler")
    c.t = NOW_T - 3400
    c.record_event(pod, "Pulled", 'Container image "yinfangchen/hotelreservation:latest" already present on machine', host="kind-worker", field_path="spec.containers{hotel-reserv-geo}")
    for k in range(4):
        c.t = NOW_T - 300 + 60 * k
        c.record_event(pod, "BackOff", "Back-off restarting failed container hotel-reserv-geo in pod geo-7d9b8c6f5-xk2lp_test-hotel-reservation(uid)", type="Warning", host="kind-worker", field_path="spec.containers{hotel-reserv-geo}")
    c.t = NOW_T
    return c


def kubectl(cluster, line: str, stdin: str = "", namespace: str = "default"):
    """Run one kubectl command line (shell-quoted) and return the ProgramResult."""
    return run_kubectl(shlex.split(line), stdin, ShellContext(cluster=cluster, namespace=namespace))


@pytest.fixture
def cluster():
    return build_cluster()
