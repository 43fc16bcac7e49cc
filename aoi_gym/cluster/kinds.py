"""Kubernetes resource kinds known to aoi-gym: kind, apiVersion, plural, short names, scope.

Shared by the simulated backend, the real backend and the kubectl interpreter, so that
``kubectl get po`` and ``cluster.list("Pod")`` agree on what a name means.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["KindInfo", "KINDS", "kind_info", "resolve_resource"]


@dataclass(frozen=True)
class KindInfo:
    kind: str
    api_version: str
    plural: str
    singular: str
    short_names: tuple[str, ...]
    namespaced: bool

    @property
    def group(self) -> str:
        return self.api_version.rsplit("/", 1)[0] if "/" in self.api_version else ""

    @property
    def resource_ref(self) -> str:
        """``deployment.apps`` style name used in some kubectl messages."""
        return f"{self.plural}.{self.group}" if self.group else self.plural


_TABLE = [
    KindInfo("Namespace", "v1", "namespaces", "namespace", ("ns",), False),
    KindInfo("Node", "v1", "nodes", "node", ("no",), False),
    KindInfo("Pod", "v1", "pods", "pod", ("po",), True),
    KindInfo("Service", "v1", "services", "service", ("svc",), True),
    KindInfo("Endpoints", "v1", "endpoints", "endpoints", ("ep",), True),
    KindInfo("ConfigMap", "v1", "configmaps", "configmap", ("cm",), True),
    KindInfo("Secret", "v1", "secrets", "secret", (), True),
    KindInfo("PersistentVolume", "v1", "persistentvolumes", "persistentvolume", ("pv",), False),
    KindInfo("PersistentVolumeClaim", "v1", "persistentvolumeclaims", "persistentvolumeclaim", ("pvc",), True),
    KindInfo("Event", "v1", "events", "event", ("ev",), True),
    KindInfo("ServiceAccount", "v1", "serviceaccounts", "serviceaccount", ("sa",), True),
    KindInfo("Deployment", "apps/v1", "deployments", "deployment", ("deploy",), True),
    KindInfo("ReplicaSet", "apps/v1", "replicasets", "replicaset", ("rs",), True),
    KindInfo("StatefulSet", "apps/v1", "statefulsets", "statefulset", ("sts",), True),
    KindInfo("DaemonSet", "apps/v1", "daemonsets", "daemonset", ("ds",), True),
    KindInfo("Job", "batch/v1", "jobs", "job", (), True),
    KindInfo("HorizontalPodAutoscaler", "autoscaling/v2", "horizontalpodautoscalers", "horizontalpodautoscaler", ("hpa",), True),
    KindInfo("NetworkPolicy", "networking.k8s.io/v1", "networkpolicies", "networkpolicy", ("netpol",), True),
    KindInfo("StorageClass", "storage.k8s.io/v1", "storageclasses", "storageclass", ("sc",), False),
    KindInfo("Role", "rbac.authorization.k8s.io/v1", "roles", "role", (), True),
    KindInfo("RoleBinding", "rbac.authorization.k8s.io/v1", "rolebindings", "rolebinding", (), True),
    KindInfo("ClusterRole", "rbac.authorization.k8s.io/v1", "clusterroles", "clusterrole", (), False),
    KindInfo("ClusterRoleBinding", "rbac.authorization.k8s.io/v1", "clusterrolebindings", "clusterrolebinding", (), False),
    KindInfo("PodChaos", "chaos-mesh.org/v1alpha1", "podchaos", "podchaos", (), True),
    KindInfo("NetworkChaos", "chaos-mesh.org/v1alpha1", "networkchaos", "networkchaos", (), True),
    KindInfo("CustomResourceDefinition", "apiextensions.k8s.io/v1", "customresourcedefinitions", "customresourcedefinition", ("crd", "crds"), False),
]

KINDS: dict[str, KindInfo] = {k.kind: k for k in _TABLE}
_BY_NAME: dict[str, KindInfo] = {}
for _k in _TABLE:
    for _n in (_k.kind.lower(), _k.plural, _k.singular, *_k.short_names, _k.resource_ref, f"{_k.singular}.{_k.group}" if _k.group else _k.singular):
        _BY_NAME.setdefault(_n, _k)


def kind_info(kind: str) -> KindInfo:
    """Info for a kind given as ``"Pod"``; raises ``KeyError`` naming the known kinds."""
    try:
        return KINDS[kind]
    except KeyError:
        raise KeyError(f"unknown kind {kind!r}; known kinds: {', '.join(sorted(KINDS))}") from None


def resolve_resource(name: str) -> KindInfo | None:
    """Resolve what a user types after ``kubectl get`` (``po``, ``pods``, ``deployment.apps``...)."""
    return _BY_NAME.get(name.lower())
