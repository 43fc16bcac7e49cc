"""``kubectl logs``: one pod (or TYPE/NAME), -c, --tail, --previous, --since, --timestamps, -l, --prefix,
--all-containers. ``-f`` is refused: the simulated clock only moves between agent steps."""

from __future__ import annotations

from aoi_gym.cluster.base import ApiError
from aoi_gym.shell.kubectl.errors import KubectlError
from aoi_gym.shell.kubectl.flags import Flag
from aoi_gym.shell.kubectl.invocation import Invocation
from aoi_gym.shell.kubectl.timefmt import parse_go_duration, parse_ts
from aoi_gym.shell.kubectl.verbs.podpick import choose_container, resolve_pod

__all__ = ["run_logs"]

LOGS_FLAGS = [
    Flag("container", "c"),
    Flag("tail", kind="int", default=-1),
    Flag("previous", "p", "bool", False),
    Flag("since"),
    Flag("since-time"),
    Flag("timestamps", kind="bool", default=False),
    Flag("selector", "l"),
    Flag("prefix", kind="bool", default=False),
    Flag("all-containers", kind="bool", default=False),
    Flag("all-pods", kind="bool", default=False),
    Flag("follow", "f", "bool", False),
    Flag("max-log-requests", kind="int", default=5),
    Flag("limit-bytes", kind="int", default=0),
    Flag("ignore-errors", kind="bool", default=False),
    Flag("pod-running-timeout", default="20s"),
    Flag("insecure-skip-tls-verify-backend", kind="bool", default=False),
]

_USAGE = ("error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\n"
          "POD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples")


def _since_seconds(inv: Invocation, since: str | None, since_time: str | None) -> float | None:
    if since and since_time:
        raise KubectlError("error: at most one of `sinceTime` or `sinceSeconds` may be specified")
    if since:
        try:
            secs = parse_go_duration(since)
        except ValueError as e:
            raise KubectlError(f'error: invalid argument "{since}" for "--since" flag: {e}') from None
        return max(secs, 1.0)
    if since_time:
        t = parse_ts(since_time)
        if t is None:
            raise KubectlError(f'error: --since-time must be a timestamp in RFC3339 format: "{since_time}"')
        return max(inv.now() - t, 0.0)
    return None


def run_logs(inv: Invocation) -> int:
    p = inv.parse(LOGS_FLAGS)
    if p["follow"]:
        raise KubectlError(
            "error: --follow is not supported in this simulated cluster (time only moves between agent steps); "
            "use --tail or --since to see the latest lines"
        )
    args = p.args
    selector = p["selector"]
    if not args and not selector:
        raise KubectlError(_USAGE)
    if args and selector:
        raise KubectlError("error: only one of a selector or a POD or TYPE/NAME may be given")
    if len(args) > 2:
        raise KubectlError(_USAGE)
    container = p["container"] or (args[1] if len(args) == 2 else None)
    tail = p["tail"]
    if selector and tail == -1:
        tail = 10  # kubectl's default when logs are selected by label
    since_s = _since_seconds(inv, p["since"], p["since-time"])
    if selector:
        pods = inv.cluster.list("Pod", namespace=inv.namespace, label_selector=selector)
        if not pods:
            inv.warn(f"No resources found in {inv.namespace} namespace.\n")
            return 0
    else:
        pods = [resolve_pod(inv, args[0])]
    code = 0
    for pod in pods:
        pname = pod["metadata"]["name"]
        if p["all-containers"]:
            spec = pod.get("spec") or {}
            cnames = [c["name"] for c in (spec.get("initContainers") or []) + (spec.get("containers") or [])]
        else:
            cnames = [choose_container(inv, pod, container)]
        for cname in cnames:
            try:
                text = inv.cluster.logs(pname, inv.namespace, container=cname, tail=None if tail < 0 else tail,
                                        previous=p["previous"], since_s=since_s, timestamps=p["timestamps"])
            except ApiError as e:
                if p["ignore-errors"]:
                    continue
                raise KubectlError(e.kubectl_message()) from None
            if p["limit-bytes"] > 0:
                text = text.encode()[: p["limit-bytes"]].decode(errors="ignore")
            if p["prefix"]:
                tag = f"[pod/{pname}/{cname}] "
                text = "".join(tag + line + "\n" for line in text.splitlines())
            inv.print(text)
    return code
