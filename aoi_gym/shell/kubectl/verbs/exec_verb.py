"""``kubectl exec POD|TYPE/NAME [-c C] [-it] -- CMD ARGS`` through ``Cluster.exec``."""

from __future__ import annotations

from aoi_gym.cluster.base import ApiError
from aoi_gym.shell.kubectl.errors import KubectlError
from aoi_gym.shell.kubectl.flags import Flag
from aoi_gym.shell.kubectl.invocation import Invocation
from aoi_gym.shell.kubectl.verbs.podpick import choose_container, resolve_pod

__all__ = ["run_exec"]

EXEC_FLAGS = [
    Flag("container", "c"),
    Flag("stdin", "i", "bool", False),
    Flag("tty", "t", "bool", False),
    Flag("quiet", "q", "bool", False),
    Flag("pod-running-timeout", default="1m0s"),
    Flag("filename", "f", "list"),
]


def run_exec(inv: Invocation) -> int:
    p = inv.parse(EXEC_FLAGS)
    args = p.args
    if not args:
        raise KubectlError("error: pod, type/name or --filename must be specified")
    if p.dash_args is None:
        if len(args) > 1:
            raise KubectlError("error: exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead\n"
                               "See 'kubectl exec -h' for help and examples")
        raise KubectlError("error: you must specify at least one command for the container")
    if len(args) > 1:
        raise KubectlError("error: exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead\n"
                           "See 'kubectl exec -h' for help and examples")
    command = p.dash_args
    if not command:
        raise KubectlError("error: you must specify at least one command for the container")
    pod = resolve_pod(inv, args[0])
    phase = (pod.get("status") or {}).get("phase")
    if phase in ("Succeeded", "Failed"):
        raise KubectlError(f"error: cannot exec into a container in a completed pod; current phase is {phase}")
    container = choose_container(inv, pod, p["container"])
    for cs in (pod.get("status") or {}).get("containerStatuses") or []:
        if cs.get("name") == container and (cs.get("state") or {}).get("running") is None:
            raise KubectlError(f'error: unable to upgrade connection: container not found ("{container}")')
    if p["tty"] and not p["quiet"]:
        inv.warn("Unable to use a TTY - input is not a terminal or the right kind of file\n")
    try:
        res = inv.cluster.exec(pod["metadata"]["name"], inv.namespace, list(command), container=container,
                               stdin=inv.stdin if p["stdin"] else None)
    except ApiError as e:
        raise KubectlError(e.kubectl_message()) from None
    inv.print(res.stdout)
    if res.stderr:
        inv.warn(res.stderr if res.stderr.endswith("\n") else res.stderr + "\n")
    if res.exit_code:
        inv.warn(f"command terminated with exit code {res.exit_code}\n")
        return int(res.exit_code)
    return 0
