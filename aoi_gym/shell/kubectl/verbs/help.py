"""Short ``kubectl <verb> --help`` texts (usage lines; the simulator's notes where behaviour differs)."""

from __future__ import annotations

__all__ = ["verb_help"]

_USAGE = {
    "get": ("Display one or many resources.", "kubectl get [(-o|--output=)json|yaml|name|wide|custom-columns=...|jsonpath=...] (TYPE[.VERSION][.GROUP] [NAME | -l label] | TYPE[.VERSION][.GROUP]/NAME ...) [flags]"),
    "describe": ("Show details of a specific resource or group of resources.", "kubectl describe (-f FILENAME | TYPE [NAME_PREFIX | -l label] | TYPE/NAME)"),
    "logs": ("Print the logs for a container in a pod or specified resource.", "kubectl logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]"),
    "exec": ("Execute a command in a container.", "kubectl exec (POD | TYPE/NAME) [-c CONTAINER] [flags] -- COMMAND [args...]"),
    "top": ("Display resource (CPU/memory) usage.", "kubectl top (pod | node) [NAME | -l label]"),
    "scale": ("Set a new size for a deployment, replica set, or stateful set.", "kubectl scale [--current-replicas=count] --replicas=COUNT (-f FILENAME | TYPE NAME)"),
    "patch": ("Update fields of a resource using strategic merge patch, a JSON merge patch, or a JSON patch.", "kubectl patch (-f FILENAME | TYPE NAME) [-p PATCH|--patch-file FILE]"),
    "label": ("Update the labels on a resource.", "kubectl label [--overwrite] (-f FILENAME | TYPE NAME) KEY_1=VAL_1 ... KEY_N=VAL_N [--resource-version=version]"),
    "annotate": ("Update the annotations on one or more resources.", "kubectl annotate [--overwrite] (-f FILENAME | TYPE NAME) KEY_1=VAL_1 ... KEY_N=VAL_N [--resource-version=version]"),
    "set": ("Configure application resources.", "kubectl set (image|env|resources) (TYPE NAME | TYPE/NAME) ..."),
    "rollout": ("Manage the rollout of one or many resources.", "kubectl rollout (history|pause|restart|resume|status|undo) (TYPE NAME | TYPE/NAME) [flags]"),
    "delete": ("Delete resources by file names, stdin, resources and names, or by resources and label selector.", "kubectl delete ([-f FILENAME] | TYPE [(NAME | -l label | --all)])"),
    "apply": ("Apply a configuration to a resource by file name or stdin.", "kubectl apply -f - (read YAML or JSON from stdin)"),
    "create": ("Create a resource from a file or from stdin.", "kubectl create -f - | kubectl create (namespace|configmap|secret generic|deployment) NAME ..."),
    "replace": ("Replace a resource by file name or stdin.", "kubectl replace -f -"),
    "run": ("Create and run a particular image in a pod.", "kubectl run NAME --image=image [--env=\"key=value\"] [--port=port] [--labels=key=value] [--command] -- [COMMAND] [args...]"),
    "cordon": ("Mark node as unschedulable.", "kubectl cordon NODE"),
    "uncordon": ("Mark node as schedulable.", "kubectl uncordon NODE"),
    "drain": ("Drain node in preparation for maintenance.", "kubectl drain NODE [--ignore-daemonsets] [--delete-emptydir-data] [--force]"),
    "taint": ("Update the taints on one or more nodes.", "kubectl taint NODE NAME KEY_1=VAL_1:TAINT_EFFECT_1 ... KEY_N=VAL_N:TAINT_EFFECT_N"),
    "auth": ("Inspect authorization.", "kubectl auth can-i VERB [TYPE | TYPE/NAME | NONRESOURCEURL]"),
    "api-resources": ("Print the supported API resources on the server.", "kubectl api-resources [flags]"),
    "api-versions": ("Print the supported API versions on the server, in the form of \"group/version\".", "kubectl api-versions"),
    "version": ("Print the client and server version information for the current context.", "kubectl version [flags]"),
    "config": ("Modify kubeconfig files.", "kubectl config (view|current-context|get-contexts|use-context NAME)"),
    "cluster-info": ("Display addresses of the control plane and services with label kubernetes.io/cluster-service=true.", "kubectl cluster-info [flags]"),
    "explain": ("Describe fields and structure of various resources.", "kubectl explain TYPE[.FIELD]..."),
    "events": ("Display events.", "kubectl events [(-o|--output=)json|yaml] [--for TYPE/NAME] [flags]"),
}


def verb_help(verb: str) -> str:
    desc, usage = _USAGE.get(verb, (f"{verb}: not supported in this simulated cluster.", f"kubectl {verb}"))
    return f"{desc}\n\nUsage:\n  {usage}\n\nUse \"kubectl options\" for a list of global command-line options (applies to all commands).\n"
