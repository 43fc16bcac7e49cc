"""``kubectl explain`` for the fields agents ask about most (a small built-in documentation table)."""

from __future__ import annotations

from aoi_gym.shell.kubectl.errors import KubectlError
from aoi_gym.shell.kubectl.flags import Flag
from aoi_gym.shell.kubectl.invocation import Invocation
from aoi_gym.shell.kubectl.resources import resolve_type

__all__ = ["run_explain"]

# path -> (type, description, [(field, type)])
_DOCS: dict[str, tuple[str, str, list[tuple[str, str]]]] = {
    "pod": ("Pod", "Pod is a collection of containers that can run on a host. This resource is created by clients and scheduled onto hosts.",
            [("apiVersion", "string"), ("kind", "string"), ("metadata", "ObjectMeta"), ("spec", "PodSpec"), ("status", "PodStatus")]),
    "pod.spec": ("PodSpec", "Specification of the desired behavior of the pod.",
                 [("affinity", "Affinity"), ("containers", "[]Container -required-"), ("initContainers", "[]Container"),
                  ("nodeName", "string"), ("nodeSelector", "map[string]string"), ("restartPolicy", "string"),
                  ("serviceAccountName", "string"), ("tolerations", "[]Toleration"), ("volumes", "[]Volume")]),
    "pod.spec.containers": ("[]Container", "List of containers belonging to the pod. Containers cannot currently be added or removed. There must be at least one container in a Pod. Cannot be updated.",
                            [("args", "[]string"), ("command", "[]string"), ("env", "[]EnvVar"), ("envFrom", "[]EnvFromSource"),
                             ("image", "string"), ("imagePullPolicy", "string"), ("livenessProbe", "Probe"), ("name", "string -required-"),
                             ("ports", "[]ContainerPort"), ("readinessProbe", "Probe"), ("resources", "ResourceRequirements"),
                             ("securityContext", "SecurityContext"), ("startupProbe", "Probe"), ("volumeMounts", "[]VolumeMount")]),
    "pod.spec.containers.resources": ("ResourceRequirements", "Compute Resources required by this container. Cannot be updated.",
                                      [("claims", "[]ResourceClaim"), ("limits", "map[string]Quantity"), ("requests", "map[string]Quantity")]),
    "deployment": ("Deployment", "Deployment enables declarative updates for Pods and ReplicaSets.",
                   [("apiVersion", "string"), ("kind", "string"), ("metadata", "ObjectMeta"), ("spec", "DeploymentSpec"), ("status", "DeploymentStatus")]),
    "deployment.spec": ("DeploymentSpec", "Specification of the desired behavior of the Deployment.",
                        [("minReadySeconds", "integer"), ("paused", "boolean"), ("progressDeadlineSeconds", "integer"), ("replicas", "integer"),
                         ("revisionHistoryLimit", "integer"), ("selector", "LabelSelector -required-"), ("strategy", "DeploymentStrategy"),
                         ("template", "PodTemplateSpec -required-")]),
    "deployment.spec.replicas": ("integer", "Number of desired pods. This is a pointer to distinguish between explicit zero and not specified. Defaults to 1.", []),
    "service": ("Service", "Service is a named abstraction of software service (for example, mysql) consisting of local port (for example 3306) that the proxy listens on, and the selector that determines which pods will answer requests sent through the proxy.",
                [("apiVersion", "string"), ("kind", "string"), ("metadata", "ObjectMeta"), ("spec", "ServiceSpec"), ("status", "ServiceStatus")]),
    "service.spec": ("ServiceSpec", "Spec defines the behavior of a service.",
                     [("clusterIP", "string"), ("ports", "[]ServicePort"), ("selector", "map[string]string"), ("sessionAffinity", "string"), ("type", "string")]),
    "service.spec.ports": ("[]ServicePort", "The list of ports that are exposed by this service.",
                           [("appProtocol", "string"), ("name", "string"), ("nodePort", "integer"), ("port", "integer -required-"),
                            ("protocol", "string"), ("targetPort", "IntOrString")]),
    "service.spec.ports.targetport": ("IntOrString", "Number or name of the port to access on the pods targeted by the service. Number must be in the range 1 to 65535.", []),
}
_GROUP = {"Pod": ("", "v1"), "Deployment": ("apps", "v1"), "Service": ("", "v1")}


def _wrap(text: str, width: int = 76) -> str:
    words, lines, cur = text.split(), [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}" if cur else w
    lines.append(cur)
    return "".join(f"    {line}\n" for line in lines)


def run_explain(inv: Invocation) -> int:
    p = inv.parse([Flag("recursive", kind="bool", default=False), Flag("api-version"), Flag("output", "o", default="plaintext")])
    if not p.args:
        raise KubectlError("error: You must specify the type of resource to explain. Use \"kubectl api-resources\" for a complete list of supported resources.")
    parts = p.args[0].split(".")
    info = resolve_type(parts[0])
    key = ".".join([info.singular] + [x.lower() for x in parts[1:]])
    doc = _DOCS.get(key)
    if doc is None:
        if len(parts) == 1:
            doc = (info.kind, f"{info.kind} ({info.api_version}). Detailed field documentation is not available in this simulated cluster.", [])
        else:
            raise KubectlError(f'error: field "{parts[-1]}" does not exist in the documentation available here; '
                               "use `kubectl get ... -o yaml` to see the fields of a live object")
    group, version = (info.group, info.api_version.split("/")[-1])
    out = f"GROUP:      {group}\n" if group else ""
    out += f"KIND:       {info.kind}\nVERSION:    {version}\n\n"
    typ, desc, fields = doc
    if len(parts) > 1:
        out += f"FIELD: {parts[-1]} <{typ}>\n\n"
    out += "DESCRIPTION:\n" + _wrap(desc)
    if fields:
        out += "    \nFIELDS:\n" + "".join(f"  {n}\t<{t}>\n" for n, t in fields)
    inv.print(out)
    return 0
