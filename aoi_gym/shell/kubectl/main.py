"""Entry point: find the verb among global flags, dispatch, and turn every failure into kubectl's output."""

from __future__ import annotations

import importlib
from typing import Callable

from aoi_gym.cluster.base import ApiError
from aoi_gym.shell.context import ProgramResult, ShellContext
from aoi_gym.shell.kubectl.errors import KubectlError
from aoi_gym.shell.kubectl.flags import GLOBAL_FLAGS, flagset, parse_flags
from aoi_gym.shell.kubectl.invocation import HELP, Invocation

__all__ = ["run_kubectl", "VERBS", "READ_VERBS"]

# verb -> "module:function" (imported on first use so ``kubectl version`` stays cheap)
VERBS: dict[str, str] = {
    "get": "get:run_get",
    "describe": "describe_verb:run_describe",
    "logs": "logs:run_logs",
    "exec": "exec_verb:run_exec",
    "top": "nodes:run_top",
    "scale": "mutate:run_scale",
    "patch": "mutate:run_patch",
    "label": "mutate:run_label",
    "annotate": "mutate:run_annotate",
    "set": "setcmd:run_set",
    "rollout": "rollout:run_rollout",
    "delete": "delete:run_delete",
    "apply": "apply:run_apply",
    "create": "apply:run_create",
    "replace": "apply:run_replace",
    "run": "apply:run_run",
    "cordon": "nodes:run_cordon",
    "uncordon": "nodes:run_uncordon",
    "drain": "nodes:run_drain",
    "taint": "nodes:run_taint",
    "auth": "misc:run_auth",
    "api-resources": "misc:run_api_resources",
    "api-versions": "misc:run_api_versions",
    "version": "misc:run_version",
    "config": "misc:run_config",
    "cluster-info": "misc:run_cluster_info",
    "explain": "explain:run_explain",
    "edit": "misc:run_refused",
    "port-forward": "misc:run_refused",
    "proxy": "misc:run_refused",
    "attach": "misc:run_refused",
    "cp": "misc:run_refused",
    "debug": "misc:run_refused",
    "wait": "misc:run_refused",
    "events": "misc:run_events",
    "diff": "misc:run_refused",
    "kustomize": "misc:run_refused",
    "plugin": "misc:run_refused",
    "certificate": "misc:run_refused",
    "expose": "generators:run_expose",
    "autoscale": "generators:run_autoscale",
    "completion": "misc:run_refused",
    "alpha": "misc:run_refused",
}

#: verbs that never change cluster state (the safety layer and tests rely on this list)
READ_VERBS = frozenset({"get", "describe", "logs", "top", "auth", "api-resources", "api-versions", "version",
                        "config", "cluster-info", "explain", "events"})

_HELP_TEXT = """kubectl controls the Kubernetes cluster manager.

 Find more information at: https://kubernetes.io/docs/reference/kubectl/

Basic Commands (Beginner):
  create          Create a resource from a file or from stdin
  expose          Take a replication controller, service, deployment or pod and expose it as a new Kubernetes service
  run             Run a particular image on the cluster
  set             Set specific features on objects

Basic Commands (Intermediate):
  explain         Get documentation for a resource
  get             Display one or many resources
  edit            Edit a resource on the server
  delete          Delete resources by file names, stdin, resources and names, or by resources and label selector

Deploy Commands:
  rollout         Manage the rollout of a resource
  scale           Set a new size for a deployment, replica set, or replication controller
  autoscale       Auto-scale a deployment, replica set, stateful set, or replication controller

Cluster Management Commands:
  certificate     Modify certificate resources
  cluster-info    Display cluster information
  top             Display resource (CPU/memory) usage
  cordon          Mark node as unschedulable
  uncordon        Mark node as schedulable
  drain           Drain node in preparation for maintenance
  taint           Update the taints on one or more nodes

Troubleshooting and Debugging Commands:
  describe        Show details of a specific resource or group of resources
  logs            Print the logs for a container in a pod
  attach          Attach to a running container
  exec            Execute a command in a container
  port-forward    Forward one or more local ports to a pod
  proxy           Run a proxy to the Kubernetes API server
  cp              Copy files and directories to and from containers
  auth            Inspect authorization
  debug           Create debugging sessions for troubleshooting workloads and nodes
  events          List events

Advanced Commands:
  diff            Diff the live version against a would-be applied version
  apply           Apply a configuration to a resource by file name or stdin
  patch           Update fields of a resource
  replace         Replace a resource by file name or stdin
  wait            Experimental: Wait for a specific condition on one or many resources
  kustomize       Build a kustomization target from a directory or URL

Settings Commands:
  label           Update the labels on a resource
  annotate        Update the annotations on a resource
  completion      Output shell completion code for the specified shell (bash, zsh, fish, or powershell)

Subcommands provided by plugins:

Other Commands:
  api-resources   Print the supported API resources on the server
  api-versions    Print the supported API versions on the server, in the form of "group/version"
  config          Modify kubeconfig files
  plugin          Provides utilities for interacting with plugins
  version         Print the client and server version information

Usage:
  kubectl [flags] [options]

Use "kubectl <command> --help" for more information about a given command.
Use "kubectl options" for a list of global command-line options (applies to all commands).
"""


def _levenshtein(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _unknown_command(word: str) -> KubectlError:
    suggestions = sorted(v for v in VERBS if _levenshtein(word.lower(), v) <= 2 or v.startswith(word.lower()))
    msg = f'error: unknown command "{word}" for "kubectl"'
    if suggestions:
        msg += "\n\nDid you mean this?\n" + "".join(f"\t{s}\n" for s in suggestions)
    return KubectlError(msg + "\nRun 'kubectl --help' for usage.")


def _resolve(spec: str) -> Callable[[Invocation], int]:
    module, func = spec.split(":")
    return getattr(importlib.import_module(f"aoi_gym.shell.kubectl.verbs.{module}"), func)


def _dispatch(argv: list[str], stdin: str, ctx: ShellContext) -> tuple[Invocation, int]:
    words = list(argv[1:])
    pre = parse_flags(words, flagset(GLOBAL_FLAGS, HELP), "", interspersed=False)
    if not pre.args:
        inv = Invocation(ctx, "", [], stdin)
        if pre.dash_args:
            raise _unknown_command(pre.dash_args[0])
        inv.print(_HELP_TEXT)
        return inv, 0
    pos = len(words) - len(pre.args) - (len(pre.dash_args) + 1 if pre.dash_args is not None else 0)
    verb = words[pos]
    if verb not in VERBS:
        if verb == "options":
            inv = Invocation(ctx, verb, [], stdin)
            inv.print("The following options can be passed to any command:\n\n" + "".join(
                f"    {'-' + f.short + ', ' if f.short else ''}--{f.name}\n" for f in GLOBAL_FLAGS))
            return inv, 0
        if verb == "help":
            inv = Invocation(ctx, verb, [], stdin)
            inv.print(_HELP_TEXT)
            return inv, 0
        raise _unknown_command(verb)
    inv = Invocation(ctx, verb, words[:pos] + words[pos + 1 :], stdin, shared_reads=verb in READ_VERBS)
    if "-h" in inv.argv or "--help" in inv.argv:
        from aoi_gym.shell.kubectl.verbs.help import verb_help

        dash = inv.argv.index("--") if "--" in inv.argv else len(inv.argv)
        if any(a in ("-h", "--help") for a in inv.argv[:dash]):
            inv.print(verb_help(verb))
            return inv, 0
    return inv, _resolve(VERBS[verb])(inv)


def run_kubectl(argv: list[str], stdin: str, ctx: ShellContext) -> ProgramResult:
    """Run one kubectl command line against ``ctx.cluster``.

    ``argv[0]`` is ``kubectl`` (or ``k``); returns what kubectl 1.31 would print and its exit code.
    Never raises: any failure becomes an ``error: ...`` line on stderr with exit code 1.
    """
    inv: Invocation | None = None
    try:
        inv, code = _dispatch(list(argv), stdin or "", ctx)
        return ProgramResult("".join(inv.out), "".join(inv.err), code)
    except KubectlError as e:
        out = "".join(inv.out) if inv else ""
        err = ("".join(inv.err) if inv else "") + (e.message + "\n" if e.message else "")
        return ProgramResult(out + e.stdout, err, e.code)
    except ApiError as e:
        return ProgramResult("".join(inv.out) if inv else "", ("".join(inv.err) if inv else "") + e.kubectl_message() + "\n", 1)
    except RecursionError:
        return ProgramResult("", "error: the expression is nested too deeply\n", 1)
    except Exception as e:  # noqa: BLE001 - an agent's command must never crash the environment
        return ProgramResult("", f"error: {type(e).__name__}: {e}\n", 1)
