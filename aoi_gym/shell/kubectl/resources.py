"""What a user types for a resource (``po``, ``deploy/x``, ``deploy,svc``, ``all``) -> kinds and names.

Kinds come from :mod:`aoi_gym.cluster.kinds`; a few resource types a real cluster serves but this project
never stores (ingresses, cronjobs...) are known here too, so ``kubectl get ingress`` answers
``No resources found`` like a kind cluster instead of claiming the type does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from aoi_gym.cluster.kinds import KINDS, KindInfo, resolve_resource
from aoi_gym.shell.kubectl.errors import KubectlError

__all__ = [
    "resolve_type",
    "parse_resource_args",
    "group_kind",
    "kind_ref",
    "ResourceRequest",
    "ALL_KINDS",
    "EXTRA_KINDS",
    "lookup",
]

# Types a kind cluster serves that the simulator does not store (always empty here).
EXTRA_KINDS = [
    KindInfo("Ingress", "networking.k8s.io/v1", "ingresses", "ingress", ("ing",), True),
    KindInfo("IngressClass", "networking.k8s.io/v1", "ingressclasses", "ingressclass", (), False),
    KindInfo("CronJob", "batch/v1", "cronjobs", "cronjob", ("cj",), True),
    KindInfo("PodDisruptionBudget", "policy/v1", "poddisruptionbudgets", "poddisruptionbudget", ("pdb",), True),
    KindInfo("ReplicationController", "v1", "replicationcontrollers", "replicationcontroller", ("rc",), True),
    KindInfo("EndpointSlice", "discovery.k8s.io/v1", "endpointslices", "endpointslice", (), True),
    KindInfo("LimitRange", "v1", "limitranges", "limitrange", ("limits",), True),
    KindInfo("ResourceQuota", "v1", "resourcequotas", "resourcequota", ("quota",), True),
    KindInfo("PriorityClass", "scheduling.k8s.io/v1", "priorityclasses", "priorityclass", ("pc",), False),
    KindInfo("Lease", "coordination.k8s.io/v1", "leases", "lease", (), True),
    KindInfo("ControllerRevision", "apps/v1", "controllerrevisions", "controllerrevision", (), True),
    KindInfo("PodTemplate", "v1", "podtemplates", "podtemplate", (), True),
]
_EXTRA_BY_NAME: dict[str, KindInfo] = {}
for _k in EXTRA_KINDS:
    for _n in (_k.kind.lower(), _k.plural, _k.singular, *_k.short_names, _k.resource_ref):
        _EXTRA_BY_NAME.setdefault(_n, _k)

ALL_KINDS: dict[str, KindInfo] = {**KINDS, **{k.kind: k for k in EXTRA_KINDS}}

# ``kubectl get all`` expands to these, in discovery order.
_ALL_CATEGORY = ["Pod", "ReplicationController", "Service", "DaemonSet", "Deployment", "ReplicaSet",
                 "StatefulSet", "HorizontalPodAutoscaler", "CronJob", "Job"]


def lookup(kind: str) -> KindInfo:
    return ALL_KINDS[kind]


def resolve_type(word: str) -> KindInfo:
    """Resolve one resource type word; raises kubectl's ``the server doesn't have a resource type`` error."""
    w = word.strip()
    info = resolve_resource(w) or _EXTRA_BY_NAME.get(w.lower())
    if info is None and "." in w:
        # deployments.v1.apps / deployment.apps/v1 style: try the first segment with the group
        head = w.split(".", 1)[0]
        cand = resolve_resource(head) or _EXTRA_BY_NAME.get(head.lower())
        if cand is not None and cand.group and w.lower().endswith(cand.group):
            info = cand
    if info is None:
        raise KubectlError(f'error: the server doesn\'t have a resource type "{w}"')
    return info


def group_kind(info: KindInfo) -> str:
    """``deployment.apps`` / ``pod``: the lower-case GroupKind kubectl prints in ``kind/name``."""
    return f"{info.kind.lower()}.{info.group}" if info.group else info.kind.lower()


def kind_ref(info: KindInfo, name: str) -> str:
    return f"{group_kind(info)}/{name}"


@dataclass
class ResourceRequest:
    """Resolved arguments: (kind, name-or-None) pairs in the order typed, and whether ``all`` was used."""

    items: list[tuple[KindInfo, str | None]]
    multiple_types: bool
    has_names: bool


def parse_resource_args(args: list[str], verb: str = "get") -> ResourceRequest:
    """Parse ``TYPE [NAME...]``, ``TYPE1,TYPE2 [NAME...]`` or ``TYPE/NAME...`` into a request.

    Raises KubectlError with kubectl's messages for a missing type or mixed forms.
    """
    if not args:
        raise KubectlError(
            "You must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of "
            "supported resources.\n\nerror: Required resource not specified.\nUse \"kubectl explain <resource>\" "
            "for a detailed description of that resource (e.g. kubectl explain pods).\n"
            f"See 'kubectl {verb} -h' for help and examples"
        )
    slash = [a for a in args if "/" in a]
    if slash:
        if len(slash) != len(args):
            raise KubectlError(
                "error: there is no need to specify a resource type as a separate argument when passing arguments "
                "in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get "
                "resource resource/<resource_name>'"
            )
        items = []
        for a in args:
            t, _, name = a.partition("/")
            if not name:
                raise KubectlError(f"error: arguments in resource/name form must have a single resource and name")
            items.append((resolve_type(t), name))
        kinds = {i.kind for i, _ in items}
        return ResourceRequest(items, len(kinds) > 1, True)
    types_word, names = args[0], args[1:]
    type_words = [t for t in types_word.split(",") if t]
    if not type_words:
        raise KubectlError(f'error: the server doesn\'t have a resource type "{types_word}"')
    infos: list[KindInfo] = []
    used_all = False
    for t in type_words:
        if t.lower() == "all":
            used_all = True
            for k in _ALL_CATEGORY:
                if ALL_KINDS[k] not in infos:
                    infos.append(ALL_KINDS[k])
        else:
            info = resolve_type(t)
            if info not in infos:
                infos.append(info)
    if names:
        items = [(info, n) for info in infos for n in names]
    else:
        items = [(info, None) for info in infos]
    return ResourceRequest(items, used_all or len(infos) > 1, bool(names))
