"""Kubernetes RBAC manifests that back the policy on a real cluster (defense in depth).

``generate_rbac_manifests(namespace)`` returns:

* ServiceAccount ``aoi-observer`` (in ``namespace``) bound to a ClusterRole that can only
  get/list/watch (pods/log included, and no ``pods/exec``, ``pods/attach``, ``pods/portforward``
  or ``services/proxy``, which can act). Even if the classifier let a write through, the API server
  would refuse it with these credentials.
* ServiceAccount ``aoi-executor`` bound to the same read ClusterRole plus a namespaced Role with
  the write verbs the :func:`~aoi_gym.safety.policy.mitigation` policy allows, in ``namespace``
  only. Deny-list items (deleting PVCs) are left out of the Role, too.

Apply with ``kubectl apply -f`` on the YAML from :func:`to_yaml`. Helm releases and HTTP calls are
not Kubernetes resources and are not covered by RBAC.
"""

from __future__ import annotations

from typing import Any

from aoi_gym.cluster.kinds import KINDS

__all__ = ["generate_rbac_manifests", "to_yaml", "api_group_of"]

_EXTRA_GROUPS = {"cronjobs": "batch", "ingresses": "networking.k8s.io", "poddisruptionbudgets": "policy", "pods/eviction": ""}
_ACTING_SUBRESOURCES = ("pods/exec", "pods/attach", "pods/portforward", "services/proxy", "nodes/proxy")
_NOT_RBAC = frozenset({"helmreleases", "http", "localfile"})


def api_group_of(resource: str) -> str:
    base = resource.split("/", 1)[0]
    for info in KINDS.values():
        if info.plural == base:
            return info.group
    return _EXTRA_GROUPS.get(resource, _EXTRA_GROUPS.get(base, ""))


def _rules_for(resources: tuple[str, ...], verbs: list[str]) -> list[dict[str, Any]]:
    by_group: dict[str, list[str]] = {}
    for r in resources:
        if r in _NOT_RBAC:
            continue
        by_group.setdefault(api_group_of(r), []).append(r)
    return [{"apiGroups": [g], "resources": sorted(rs), "verbs": list(verbs)} for g, rs in sorted(by_group.items())]


def generate_rbac_manifests(
    namespace: str, observer_sa: str = "aoi-observer", executor_sa: str = "aoi-executor", writable_resources: tuple[str, ...] | None = None
) -> list[dict[str, Any]]:
    """Manifests (dicts) for the observer and executor ServiceAccounts, roles and bindings.

    ``writable_resources`` defaults to the mitigation policy's resources minus the deny list's.
    """
    from aoi_gym.safety.policy import MITIGATION_RESOURCES

    if not isinstance(namespace, str) or not namespace:
        raise ValueError(f"namespace must be a non-empty string, got {namespace!r}")
    writable = tuple(r for r in (writable_resources or MITIGATION_RESOURCES) if r != "persistentvolumeclaims" or writable_resources)
    read_name = f"{observer_sa}-read"
    # explicit resources, never "*": in RBAC "*" also matches subresources such as pods/exec
    readable = tuple(sorted({k.plural for k in KINDS.values()} | {"pods/log", "cronjobs", "ingresses", "poddisruptionbudgets"}))
    read_rules = _rules_for(readable, ["get", "list", "watch"])
    sa = lambda name: {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name, "namespace": namespace, "labels": {"app.kubernetes.io/part-of": "aoi-gym"}}}  # noqa: E731
    manifests: list[dict[str, Any]] = [
        sa(observer_sa),
        sa(executor_sa),
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRole",
            "metadata": {"name": read_name, "labels": {"app.kubernetes.io/part-of": "aoi-gym"}},
            "rules": read_rules,
        },
    ]
    for who in (observer_sa, executor_sa):
        manifests.append(
            {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "ClusterRoleBinding",
                "metadata": {"name": f"{who}-read"},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": read_name},
                "subjects": [{"kind": "ServiceAccount", "name": who, "namespace": namespace}],
            }
        )
    write_rules = _rules_for(writable, ["get", "list", "watch", "create", "update", "patch", "delete"])
    manifests.append(
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": {"name": f"{executor_sa}-write", "namespace": namespace},
            "rules": write_rules,
        }
    )
    manifests.append(
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": {"name": f"{executor_sa}-write", "namespace": namespace},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": f"{executor_sa}-write"},
            "subjects": [{"kind": "ServiceAccount", "name": executor_sa, "namespace": namespace}],
        }
    )
    return manifests


def to_yaml(manifests: list[dict[str, Any]]) -> str:
    """A multi-document YAML stream for ``kubectl apply -f -``."""
    import yaml

    return "".join("---\n" + yaml.safe_dump(m, sort_keys=False) for m in manifests)
