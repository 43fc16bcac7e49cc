"""Nodes of a kind cluster, the kube-system basics kind ships, and the node controller.

:func:`create_kind_nodes` builds what ``kind create cluster`` leaves behind: a control-plane node
(tainted ``node-role.kubernetes.io/control-plane:NoSchedule``) and workers, the system namespaces,
CoreDNS with the ``kube-dns`` Service at 10.96.0.10, the ``kubernetes`` Service, the
local-path-provisioner and its default StorageClass ``standard``, and the control-plane static pods.

:class:`NodeController` keeps the ``node.kubernetes.io/unschedulable:NoSchedule`` taint in line
with ``spec.unschedulable`` (``kubectl cordon`` / ``uncordon``).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from aoi_gym.cluster.patch import json_copy
from aoi_gym.cluster.sim.controllers.common import SimController, put_new, stable_hash

if TYPE_CHECKING:
    from aoi_gym.cluster.sim.cluster import SimCluster

__all__ = ["create_kind_nodes", "kind_node", "KIND_PRELOADED_IMAGES", "NodeController", "CONTROL_PLANE_TAINT", "UNSCHEDULABLE_TAINT_KEY"]

KUBE_VERSION = "v1.31.0"
RUNTIME_VERSION = "containerd://1.7.18"
CONTROL_PLANE_LABEL = "node-role.kubernetes.io/control-plane"
CONTROL_PLANE_TAINT = {"key": CONTROL_PLANE_LABEL, "effect": "NoSchedule"}
UNSCHEDULABLE_TAINT_KEY = "node.kubernetes.io/unschedulable"
SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease", "local-path-storage")


#: images kind's node image ships preloaded (containerd has them, so IfNotPresent never pulls them)
KIND_PRELOADED_IMAGES = (
    ("registry.k8s.io/etcd:3.5.15-0", 56909194),
    ("registry.k8s.io/kube-apiserver:v1.31.0", 95233506),
    ("registry.k8s.io/kube-controller-manager:v1.31.0", 89437512),
    ("registry.k8s.io/kube-scheduler:v1.31.0", 68420936),
    ("registry.k8s.io/kube-proxy:v1.31.0", 92728217),
    ("registry.k8s.io/coredns/coredns:v1.11.1", 18182961),
    ("registry.k8s.io/pause:3.10", 320368),
    ("docker.io/kindest/kindnetd:v20240813-c6f155d6", 36793393),
    ("docker.io/kindest/local-path-provisioner:v20240813-c6f155d6", 19422294),
    ("docker.io/kindest/local-path-helper:v20230510-486859a6", 3052318),
)


def kind_node(name: str, index: int, control_plane: bool = False, cpu: str = "8", memory: str = "16Gi") -> dict[str, Any]:
    """One kind node object. ``index`` picks its pod CIDR 10.244.<index>.0/24 and IP 172.18.0.<index+2>."""
    return json_copy(_kind_node(name, index, control_plane, cpu, memory))


def _fresh_meta(obj: dict[str, Any]) -> dict[str, Any]:
    """``obj`` with a new top level and metadata, the rest shared: what a put may change (the store
    stamps the metadata; stored objects are immutable, so the rest may be shared with a memo)."""
    return {**obj, "metadata": dict(obj["metadata"])}


@functools.lru_cache(maxsize=256)
def _kind_node(name: str, index: int, control_plane: bool, cpu: str, memory: str) -> dict[str, Any]:
    """:func:`kind_node`, built once per node shape (a pure function's memo: never modify it; its
    seventeen hashes are most of what creating a node cost)."""
    labels = {
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
    }
    spec: dict[str, Any] = {
        "podCIDR": f"10.244.{index}.0/24",
        "podCIDRs": [f"10.244.{index}.0/24"],
        "providerID": f"kind://docker/kind/{name}",
    }
    if control_plane:
        labels[CONTROL_PLANE_LABEL] = ""
        labels["node.kubernetes.io/exclude-from-external-load-balancers"] = ""
        spec["taints"] = [dict(CONTROL_PLANE_TAINT)]
    resources = {
        "cpu": cpu,
        "ephemeral-storage": "102626232Ki",
        "hugepages-1Gi": "0",
        "hugepages-2Mi": "0",
        "memory": memory,
        "pods": "110",
    }
    ts = "2026-01-05T08:55:00Z"

    def cond(ctype: str, status: str, reason: str, message: str) -> dict[str, str]:
        return {
            "type": ctype,
            "status": status,
            "lastHeartbeatTime": ts,
            "lastTransitionTime": ts,
            "reason": reason,
            "message": message,
        }

    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "labels": labels,
            "annotations": {
                "kubeadm.alpha.kubernetes.io/cri-socket": "unix:///run/containerd/containerd.sock",
                "node.alpha.kubernetes.io/ttl": "0",
                "volumes.kubernetes.io/controller-managed-attach-detach": "true",
            },
            "creationTimestamp": ts,
        },
        "spec": spec,
        "status": {
            "addresses": [
                {"address": f"172.18.0.{index + 2}", "type": "InternalIP"},
                {"address": name, "type": "Hostname"},
            ],
            "allocatable": dict(resources),
            "capacity": dict(resources),
            "conditions": [
                cond("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                cond("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                cond("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                cond("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
            ],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "images": [
                {"names": [f"{ref.rsplit(':', 1)[0]}@sha256:{stable_hash('image', ref)}", ref], "sizeBytes": size}
                for ref, size in KIND_PRELOADED_IMAGES
            ],
            "nodeInfo": {
                "architecture": "amd64",
                "bootID": stable_hash("boot", name, n=8) + "-" + stable_hash("boot2", name, n=4) + "-4" + stable_hash("b3", name, n=3) + "-8" + stable_hash("b4", name, n=3) + "-" + stable_hash("b5", name, n=12),
                "containerRuntimeVersion": RUNTIME_VERSION,
                "kernelVersion": "6.8.0-49-generic",
                "kubeProxyVersion": KUBE_VERSION,
                "kubeletVersion": KUBE_VERSION,
                "machineID": stable_hash("machine", name, n=32),
                "operatingSystem": "linux",
                "osImage": "Debian GNU/Linux 12 (bookworm)",
                "systemUUID": stable_hash("uuid", name, n=32),
            },
        },
    }


def _ensure(cluster: "SimCluster", obj: dict[str, Any]) -> None:
    meta = obj["metadata"]
    kind = obj["kind"]
    if cluster.peek(kind, meta["name"], meta.get("namespace")) is None:
        put_new(cluster, obj)


def _coredns_objects() -> list[dict[str, Any]]:
    labels = {"k8s-app": "kube-dns"}
    corefile = (
        ".:53 {\n    errors\n    health {\n       lameduck 5s\n    }\n    ready\n"
        "    kubernetes cluster.local in-addr.arpa ip6.arpa {\n       pods insecure\n"
        "       fallthrough in-addr.arpa ip6.arpa\n       ttl 30\n    }\n    prometheus :9153\n"
        "    forward . /etc/resolv.conf {\n       max_concurrent 1000\n    }\n    cache 30\n    loop\n"
        "    reload\n    loadbalance\n}\n"
    )
    container = {
        "name": "coredns",
        "image": "registry.k8s.io/coredns/coredns:v1.11.1",
        "imagePullPolicy": "IfNotPresent",
        "args": ["-conf", "/etc/coredns/Corefile"],
        "ports": [
            {"containerPort": 53, "name": "dns", "protocol": "UDP"},
            {"containerPort": 53, "name": "dns-tcp", "protocol": "TCP"},
            {"containerPort": 9153, "name": "metrics", "protocol": "TCP"},
        ],
        "resources": {"limits": {"memory": "170Mi"}, "requests": {"cpu": "100m", "memory": "70Mi"}},
        "livenessProbe": {
            "httpGet": {"path": "/health", "port": 8080, "scheme": "HTTP"},
            "initialDelaySeconds": 60, "periodSeconds": 10, "timeoutSeconds": 5, "failureThreshold": 5, "successThreshold": 1,
        },
        "readinessProbe": {
            "httpGet": {"path": "/ready", "port": 8181, "scheme": "HTTP"},
            "periodSeconds": 10, "timeoutSeconds": 1, "failureThreshold": 3, "successThreshold": 1,
        },
        "volumeMounts": [{"mountPath": "/etc/coredns", "name": "config-volume", "readOnly": True}],
    }
    deploy = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "coredns", "namespace": "kube-system", "labels": dict(labels)},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": dict(labels)},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}},
            "template": {
                "metadata": {"labels": dict(labels)},
                "spec": {
                    "containers": [container],
                    "dnsPolicy": "Default",
                    "priorityClassName": "system-cluster-critical",
                    "serviceAccountName": "coredns",
                    "nodeSelector": {"kubernetes.io/os": "linux"},
                    "tolerations": [
                        {"key": "CriticalAddonsOnly", "operator": "Exists"},
                        {"key": CONTROL_PLANE_LABEL, "effect": "NoSchedule"},
                    ],
                    "volumes": [
                        {"name": "config-volume", "configMap": {"name": "coredns", "items": [{"key": "Corefile", "path": "Corefile"}]}}
                    ],
                },
            },
        },
    }
    svc = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {
            "name": "kube-dns",
            "namespace": "kube-system",
            "labels": {"k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "CoreDNS"},
            "annotations": {"prometheus.io/port": "9153", "prometheus.io/scrape": "true"},
        },
        "spec": {
            "clusterIP": "10.96.0.10",
            "clusterIPs": ["10.96.0.10"],
            "selector": dict(labels),
            "ports": [
                {"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53},
                {"name": "metrics", "port": 9153, "protocol": "TCP", "targetPort": 9153},
            ],
        },
    }
    cm = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "coredns", "namespace": "kube-system"},
        "data": {"Corefile": corefile},
    }
    sa = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "coredns", "namespace": "kube-system"}}
    return [cm, sa, deploy, svc]


def _local_path_objects() -> list[dict[str, Any]]:
    labels = {"app": "local-path-provisioner"}
    deploy = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "local-path-provisioner", "namespace": "local-path-storage"},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": dict(labels)},
            "template": {
                "metadata": {"labels": dict(labels)},
                "spec": {
                    "containers": [
                        {
                            "name": "local-path-provisioner",
                            "image": "docker.io/kindest/local-path-provisioner:v20240813-c6f155d6",
                            "imagePullPolicy": "IfNotPresent",
                            "command": ["local-path-provisioner", "--debug", "start", "--helper-image",
                                        "docker.io/kindest/local-path-helper:v20230510-486859a6",
                                        "--config", "/etc/config/config.json"],
                            "env": [{"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}}],
                        }
                    ],
                    "serviceAccountName": "local-path-provisioner-service-account",
                    "nodeSelector": {"kubernetes.io/os": "linux"},
                    "tolerations": [
                        {"key": CONTROL_PLANE_LABEL, "operator": "Equal", "effect": "NoSchedule"},
                    ],
                },
            },
        },
    }
    sc = {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": {"name": "standard", "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
        "provisioner": "rancher.io/local-path",
        "reclaimPolicy": "Delete",
        "volumeBindingMode": "WaitForFirstConsumer",
    }
    return [deploy, sc]


def _daemonsets() -> list[dict[str, Any]]:
    """kube-proxy and kindnet: host-network daemons on every node."""
    out = []
    for name, labels, image in (
        ("kube-proxy", {"k8s-app": "kube-proxy"}, "registry.k8s.io/kube-proxy:v1.31.0"),
        ("kindnet", {"app": "kindnet", "k8s-app": "kindnet", "tier": "node"}, "docker.io/kindest/kindnetd:v20240813-c6f155d6"),
    ):
        container: dict[str, Any] = {"name": name if name != "kindnet" else "kindnet-cni", "image": image, "imagePullPolicy": "IfNotPresent"}
        if name == "kindnet":
            container["resources"] = {"limits": {"cpu": "100m", "memory": "50Mi"}, "requests": {"cpu": "100m", "memory": "50Mi"}}
        out.append({
            "apiVersion": "apps/v1",
            "kind": "DaemonSet",
            "metadata": {"name": name, "namespace": "kube-system", "labels": dict(labels)},
            "spec": {
                "selector": {"matchLabels": {k: v for k, v in labels.items() if k != "tier"}},
                "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}},
                "template": {
                    "metadata": {"labels": dict(labels)},
                    "spec": {
                        "hostNetwork": True,
                        "containers": [container],
                        "nodeSelector": {"kubernetes.io/os": "linux"},
                        "priorityClassName": "system-node-critical",
                        "serviceAccountName": name,
                        "tolerations": [{"operator": "Exists"}],
                    },
                },
            },
        })
    return out


@functools.lru_cache(maxsize=8)
def _static_pods(node: str, ip: str) -> tuple[dict[str, Any], ...]:
    """The control-plane static (mirror) pods kubeadm runs on the control-plane node, but for their
    ownerReferences (the node's uid): a pure function's memo, never modify them."""
    specs = [
        ("etcd", "registry.k8s.io/etcd:3.5.15-0", {"cpu": "100m", "memory": "100Mi"}),
        ("kube-apiserver", "registry.k8s.io/kube-apiserver:v1.31.0", {"cpu": "250m"}),
        ("kube-controller-manager", "registry.k8s.io/kube-controller-manager:v1.31.0", {"cpu": "200m"}),
        ("kube-scheduler", "registry.k8s.io/kube-scheduler:v1.31.0", {"cpu": "100m"}),
    ]
    out = []
    for comp, image, req in specs:
        out.append(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {
                    "name": f"{comp}-{node}",
                    "namespace": "kube-system",
                    "labels": {"component": comp, "tier": "control-plane"},
                    "annotations": {"kubernetes.io/config.source": "file"},
                },
                "spec": {
                    "nodeName": node,
                    "hostNetwork": True,
                    "priorityClassName": "system-node-critical",
                    "containers": [{"name": comp, "image": image, "imagePullPolicy": "IfNotPresent", "resources": {"requests": req}}],
                    "tolerations": [{"effect": "NoExecute", "operator": "Exists"}],
                    "restartPolicy": "Always",
                },
                "status": {"phase": "Pending", "hostIP": ip, "podIP": ip},
            }
        )
    return tuple(out)


def create_kind_nodes(cluster: "SimCluster", workers: int = 2, system: bool = True) -> list[str]:
    """Create a kind-like cluster's nodes and (with ``system``) its namespaces and kube-system basics.

    Args:
        cluster: the SimCluster to populate.
        workers: number of worker nodes (``kind-worker``, ``kind-worker2``, ...); 0 or more.
        system: also create the namespaces default/kube-system/kube-public/kube-node-lease/
            local-path-storage, CoreDNS + kube-dns, the kubernetes Service, the local-path
            provisioner with StorageClass ``standard`` (default) and the control-plane static pods.

    Returns the node names. Idempotent: objects that already exist are left alone.
    """
    if not isinstance(workers, int) or workers < 0:
        raise ValueError(f"workers must be a non-negative int, got {workers!r}")
    names = ["kind-control-plane"] + [f"kind-worker{'' if i == 1 else i}" for i in range(1, workers + 1)]
    for i, name in enumerate(names):
        _ensure(cluster, _fresh_meta(_kind_node(name, i, i == 0, "8", "16Gi")))
    if system:
        for ns in SYSTEM_NAMESPACES:
            _ensure(cluster, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns, "labels": {"kubernetes.io/metadata.name": ns}}})
        for obj in _system_objects():
            _ensure(cluster, _fresh_meta(obj))
        node_uid = cluster.peek("Node", names[0])["metadata"]["uid"]
        for obj in _static_pods(names[0], "172.18.0.2"):
            pod = _fresh_meta(obj)
            # last in the metadata, where the manifest had it before the memo
            pod["metadata"]["ownerReferences"] = [{"apiVersion": "v1", "kind": "Node", "name": names[0], "uid": node_uid, "controller": True}]
            _ensure(cluster, pod)
    cluster.reconcile()
    return names


@functools.lru_cache(maxsize=1)
def _system_objects() -> tuple[dict[str, Any], ...]:
    """The kube-system basics of every kind cluster, in creation order (a pure function's memo: never
    modify them; a put takes :func:`_fresh_meta` copies)."""
    cp_ip = "172.18.0.2"
    kubernetes_svc = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "kubernetes", "namespace": "default", "labels": {"component": "apiserver", "provider": "kubernetes"}},
        "spec": {"clusterIP": "10.96.0.1", "clusterIPs": ["10.96.0.1"], "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}]},
    }
    kubernetes_ep = {
        "apiVersion": "v1",
        "kind": "Endpoints",
        "metadata": {"name": "kubernetes", "namespace": "default", "labels": {"endpointslice.kubernetes.io/skip-mirror": "true"}},
        "subsets": [{"addresses": [{"ip": cp_ip}], "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}]}],
    }
    return (kubernetes_svc, kubernetes_ep, *_coredns_objects(), *_local_path_objects(), *_daemonsets())


class NodeController(SimController):
    """Adds/removes the ``node.kubernetes.io/unschedulable:NoSchedule`` taint on (un)cordoned nodes."""

    name = "node-controller"
    watches = ("Node",)

    def sync(self, cluster: "SimCluster") -> float | None:
        for node in cluster.iter_objects("Node"):
            spec = node.get("spec") or {}
            taints = spec.get("taints") or []
            has = any(t.get("key") == UNSCHEDULABLE_TAINT_KEY for t in taints)
            want = bool(spec.get("unschedulable"))
            if has == want:
                continue
            new = json_copy(node)
            if want:
                new["spec"]["taints"] = taints_new = [json_copy(t) for t in taints]
                taints_new.append({"key": UNSCHEDULABLE_TAINT_KEY, "effect": "NoSchedule", "timeAdded": cluster.timestamp()})
            else:
                rest = [json_copy(t) for t in taints if t.get("key") != UNSCHEDULABLE_TAINT_KEY]
                if rest:
                    new["spec"]["taints"] = rest
                else:
                    new["spec"].pop("taints", None)
            cluster.update_status(new)
        return None
