"""Informational verbs (version, api-resources, api-versions, config, cluster-info, auth can-i, events)
and honest refusals for interactive verbs the simulator cannot provide."""

from __future__ import annotations

from aoi_gym.cluster.kinds import KINDS
from aoi_gym.shell.kubectl.errors import KubectlError
from aoi_gym.shell.kubectl.flags import Flag
from aoi_gym.shell.kubectl.invocation import OUTPUT_FLAGS, Invocation
from aoi_gym.shell.kubectl.printers.structured import to_json, to_yaml
from aoi_gym.shell.kubectl.printers.table import TableOptions, render_table
from aoi_gym.shell.kubectl.resources import EXTRA_KINDS, resolve_type
from aoi_gym.shell.kubectl.tabwriter import tabwrite
from aoi_gym.shell.kubectl.timefmt import parse_ts

__all__ = ["run_version", "run_api_resources", "run_api_versions", "run_config", "run_cluster_info", "run_auth",
           "run_refused", "run_events"]

SERVER = "https://127.0.0.1:6443"
CONTEXT = "kind-kind"
_GROUP_ORDER = ["", "apps", "events.k8s.io", "autoscaling", "batch", "certificates.k8s.io", "networking.k8s.io", "policy",
                "rbac.authorization.k8s.io", "storage.k8s.io", "admissionregistration.k8s.io", "apiextensions.k8s.io",
                "scheduling.k8s.io", "coordination.k8s.io", "node.k8s.io", "discovery.k8s.io", "chaos-mesh.org"]
_VERSION = {"clientVersion": {"major": "1", "minor": "31", "gitVersion": "v1.31.0", "gitCommit": "9edcffcde5595e8a5b1a35f88c421764e575afce",
                              "gitTreeState": "clean", "buildDate": "2024-08-13T07:37:34Z", "goVersion": "go1.22.5", "compiler": "gc",
                              "platform": "linux/amd64"},
            "kustomizeVersion": "v5.4.2"}


def run_version(inv: Invocation) -> int:
    p = inv.parse([Flag("client", kind="bool", default=False), Flag("output", "o"), Flag("short", kind="bool", default=False)])
    data = dict(_VERSION)
    if not p["client"]:
        data["serverVersion"] = {**_VERSION["clientVersion"], "buildDate": "2024-08-13T07:28:49Z"}
    if p["output"] in ("json", "yaml"):
        inv.print(to_json(data) + "\n" if p["output"] == "json" else to_yaml(data))
        return 0
    if p["output"]:
        raise KubectlError("error: --output must be 'yaml' or 'json'")
    inv.print("Client Version: v1.31.0\nKustomize Version: v5.4.2\n" + ("" if p["client"] else "Server Version: v1.31.0\n"))
    return 0


def _all_infos():
    return list(KINDS.values()) + [k for k in EXTRA_KINDS if k.kind not in KINDS]


def run_api_resources(inv: Invocation) -> int:
    p = inv.parse([Flag("output", "o"), Flag("namespaced", kind="bool", default=True), Flag("api-group"), Flag("no-headers", kind="bool", default=False),
                   Flag("sort-by"), Flag("verbs", kind="list"), Flag("cached", kind="bool", default=False), Flag("categories", kind="list")])
    infos = _all_infos()
    if "namespaced" in p.given:
        infos = [i for i in infos if i.namespaced == p["namespaced"]]
    if p["api-group"] is not None:
        infos = [i for i in infos if i.group == p["api-group"]]
    order = {g: n for n, g in enumerate(_GROUP_ORDER)}
    infos.sort(key=lambda i: (order.get(i.group, len(order)), i.group, i.plural) if p["sort-by"] != "name" else (i.plural,))
    if p["output"] == "name":
        inv.print("".join((f"{i.plural}.{i.group}" if i.group else i.plural) + "\n" for i in infos))
        return 0
    wide = p["output"] == "wide"
    lines = [] if p["no-headers"] else ["NAME\tSHORTNAMES\tAPIVERSION\tNAMESPACED\tKIND" + ("\tVERBS\tCATEGORIES" if wide else "")]
    for i in infos:
        row = f"{i.plural}\t{','.join(i.short_names)}\t{i.api_version}\t{'true' if i.namespaced else 'false'}\t{i.kind}"
        if wide:
            row += "\t[create delete deletecollection get list patch update watch]\t" + ("all" if i.kind in ("Pod", "Service", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job") else "")
        lines.append(row)
    inv.print(tabwrite("\n".join(lines) + "\n", 6, 3))
    return 0


def run_api_versions(inv: Invocation) -> int:
    inv.parse([])
    versions = sorted({i.api_version for i in _all_infos()} | {"events.k8s.io/v1", "authorization.k8s.io/v1", "authentication.k8s.io/v1",
                                                              "certificates.k8s.io/v1", "flowcontrol.apiserver.k8s.io/v1", "node.k8s.io/v1",
                                                              "admissionregistration.k8s.io/v1", "apiregistration.k8s.io/v1"})
    inv.print("".join(v + "\n" for v in versions))
    return 0


_KUBECONFIG = {
    "apiVersion": "v1",
    "clusters": [{"cluster": {"certificate-authority-data": "DATA+OMITTED", "server": SERVER}, "name": CONTEXT}],
    "contexts": [{"context": {"cluster": CONTEXT, "user": CONTEXT}, "name": CONTEXT}],
    "current-context": CONTEXT,
    "kind": "Config",
    "preferences": {},
    "users": [{"name": CONTEXT, "user": {"client-certificate-data": "DATA+OMITTED", "client-key-data": "DATA+OMITTED"}}],
}


def run_config(inv: Invocation) -> int:
    p = inv.parse([Flag("output", "o"), Flag("minify", kind="bool", default=False), Flag("raw", kind="bool", default=False),
                   Flag("flatten", kind="bool", default=False), Flag("no-headers", kind="bool", default=False),
                   Flag("current", kind="bool", default=False)], verb="config")
    if not p.args:
        raise KubectlError("error: Required subcommand not specified: kubectl config (view|current-context|get-contexts|use-context|get-clusters|get-users)")
    sub, rest = p.args[0], p.args[1:]
    if sub == "view":
        cfg = dict(_KUBECONFIG)
        if p["raw"]:
            cfg = {**cfg, "users": [{"name": CONTEXT, "user": {"client-certificate-data": "REDACTED", "client-key-data": "REDACTED"}}]}
        inv.print(to_json(cfg) + "\n" if p["output"] == "json" else to_yaml(cfg))
    elif sub == "current-context":
        inv.print(CONTEXT + "\n")
    elif sub == "get-contexts":
        if rest and rest[0] != CONTEXT:
            raise KubectlError(f'error: context {rest[0]} not found')
        if p["output"] == "name":
            inv.print(CONTEXT + "\n")
        else:
            head = "" if p["no-headers"] else "CURRENT\tNAME\tCLUSTER\tAUTHINFO\tNAMESPACE\n"
            inv.print(tabwrite(f"{head}*\t{CONTEXT}\t{CONTEXT}\t{CONTEXT}\t\n", 6, 3))
    elif sub == "get-clusters":
        inv.print(f"NAME\n{CONTEXT}\n")
    elif sub == "get-users":
        inv.print(f"NAME\n{CONTEXT}\n")
    elif sub == "use-context":
        if not rest:
            raise KubectlError("error: Unexpected args: []")
        if rest[0] != CONTEXT:
            raise KubectlError(f'error: no context exists with the name: "{rest[0]}"')
        inv.print(f'Switched to context "{CONTEXT}".\n')
    elif sub in ("set-context", "set-cluster", "set-credentials", "delete-context", "rename-context", "set", "unset"):
        raise KubectlError(f"error: kubectl config {sub} is not supported in this simulated cluster (the kubeconfig is fixed); "
                           "use -n NAMESPACE on each command instead")
    else:
        raise KubectlError(f'error: unknown command "{sub}" for "kubectl config"\nRun \'kubectl config --help\' for usage.')
    return 0


def run_cluster_info(inv: Invocation) -> int:
    p = inv.parse([Flag("output", "o")], verb="cluster-info")
    if p.args[:1] == ["dump"]:
        raise KubectlError("error: kubectl cluster-info dump is not supported in this simulated cluster; use kubectl get/describe")
    inv.print(f"Kubernetes control plane is running at {SERVER}\n"
              f"CoreDNS is running at {SERVER}/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy\n\n"
              "To further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n")
    return 0


def run_auth(inv: Invocation) -> int:
    p = inv.parse([Flag("list", kind="bool", default=False), Flag("quiet", "q", "bool", False), Flag("all-namespaces", "A", "bool", False),
                   Flag("subresource"), Flag("no-headers", kind="bool", default=False)], verb="auth")
    if not p.args or p.args[0] not in ("can-i", "whoami", "reconcile"):
        raise KubectlError("error: Required subcommand not specified: kubectl auth (can-i|whoami)")
    if p.args[0] == "whoami":
        inv.print(tabwrite("ATTRIBUTE\tVALUE\nUsername\tkubernetes-admin\nGroups\t[kubeadm:cluster-admins system:authenticated]\n", 6, 3))
        return 0
    if p.args[0] == "reconcile":
        raise KubectlError("error: kubectl auth reconcile is not supported in this simulated cluster")
    if p["list"]:
        inv.print(tabwrite("Resources\tNon-Resource URLs\tResource Names\tVerbs\n*.*\t[]\t[]\t[*]\n\t[*]\t[]\t[*]\n", 6, 3))
        return 0
    if len(p.args) < 3 and not (len(p.args) == 2 and p.args[1].startswith("/")):
        raise KubectlError("error: you must specify two arguments: verb resource or verb resource/resourceName.\n"
                           "See 'kubectl auth can-i -h' for help and examples")
    if len(p.args) >= 3 and not p.args[2].startswith("/") and p.args[2] != "*":
        resolve_type(p.args[2].split("/")[0])
    if not p["quiet"]:
        inv.print("yes\n")
    return 0


def run_events(inv: Invocation) -> int:
    p = inv.parse(OUTPUT_FLAGS + [Flag("all-namespaces", "A", "bool", False), Flag("for"), Flag("types", kind="list"),
                                  Flag("watch", "w", "bool", False), Flag("chunk-size", kind="int", default=500)])
    if p["watch"]:
        raise KubectlError("error: --watch is not supported in this simulated cluster; run the command again to see new events")
    all_ns = p["all-namespaces"]
    evs = inv.cluster.list("Event", namespace=None if all_ns else inv.namespace)
    if p["for"]:
        typ, _, name = p["for"].partition("/")
        info = resolve_type(typ)
        evs = [e for e in evs if (e.get("involvedObject") or {}).get("kind") == info.kind and (e.get("involvedObject") or {}).get("name") == name]
    types = [t for v in p["types"] for t in v.split(",")]
    if types:
        evs = [e for e in evs if e.get("type") in types]
    evs.sort(key=lambda e: parse_ts(e.get("lastTimestamp") or e.get("eventTime") or e.get("firstTimestamp")) or 0.0)
    if not evs:
        inv.warn(f"No events found in {inv.namespace} namespace.\n" if not all_ns else "No events found.\n")
        return 0
    if p["output"] in ("json", "yaml"):
        from aoi_gym.shell.kubectl.printers.structured import as_list

        inv.print(to_json(as_list(evs)) + "\n" if p["output"] == "json" else to_yaml(as_list(evs)))
        return 0
    inv.print(render_table(evs, resolve_type("event"), inv.now(), TableOptions(with_namespace=all_ns, no_headers=p["no-headers"])))
    return 0


_REFUSALS = {
    "edit": "kubectl edit needs an interactive editor, which this environment does not have; use `kubectl patch` instead",
    "port-forward": "kubectl port-forward is interactive and not supported in this simulated cluster; use `kubectl exec` to reach a pod",
    "proxy": "kubectl proxy is interactive and not supported in this simulated cluster",
    "attach": "kubectl attach is interactive and not supported in this simulated cluster; use `kubectl logs` or `kubectl exec`",
    "cp": "kubectl cp is not supported in this simulated cluster (no local file system); use `kubectl exec POD -- cat FILE`",
    "debug": "kubectl debug is not supported in this simulated cluster; use `kubectl exec`, `kubectl logs` and `kubectl describe`",
    "wait": "kubectl wait is not supported in this simulated cluster (time only moves between agent steps); check state with `kubectl get`",
}


def run_refused(inv: Invocation) -> int:
    msg = _REFUSALS.get(inv.verb, f"kubectl {inv.verb} is not supported in this simulated cluster")
    raise KubectlError(f"error: {msg}")
