"""Shared helpers of the fault life-cycle tests: installed-app snapshots, SRE-visible evidence, shell runs.

Evidence is what an SRE reading the cluster would notice, collected through the same channels an agent
has: ``kubectl get`` tables (pods, deployments, endpoints, nodes, warning events), and the request
statistics of traces. It compares the faulty cluster with the healthy one, so background noise (present
in both) is not evidence.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from aoi_gym.problems import list_problems, make_problem
from aoi_gym.problems.oracle import compare_stats, request_stats

__all__ = ["installed", "evidence", "shell_run", "healthy_view"]

_SNAPSHOTS: dict[str, Any] = {}
CLUSTER_SEED = 11


def installed(app: str):
    """A SimCluster with ``app`` installed and settled (built once per app, then restored)."""
    from aoi_gym.cluster.sim.cluster import SimCluster

    cluster = SimCluster(seed=CLUSTER_SEED)
    snap = _SNAPSHOTS.get(app)
    if snap is None:
        make_problem(list_problems(apps=[app])[0]).setup(cluster, np.random.default_rng(0))
        _SNAPSHOTS[app] = snap = cluster.snapshot()
    cluster.restore(snap)
    return cluster


def shell_run(cluster: Any, line: str):
    from aoi_gym.shell.interpreter import Shell

    return Shell(cluster).run(line)


_AGE = re.compile(r"\b\d+(?:\.\d+)?[smhd](?:\d+[smhd])?\b|<invalid>|<unknown>")
_HASH = re.compile(r"-[a-z0-9]{8,10}-[a-z0-9]{5}\b|-[a-z0-9]{5}\b")
_VIEWS = (
    "kubectl get pods -n {ns}",
    "kubectl get deployments -A",
    "kubectl get endpoints -n {ns}",
    "kubectl get nodes",
    "kubectl get networkpolicies -A",
)


def _mask(text: str) -> set[str]:
    lines = set()
    for line in text.splitlines()[1:]:
        line = _HASH.sub("-*", _AGE.sub("AGE", line))
        lines.add(" ".join(line.split()))
    return lines


def healthy_view(cluster: Any, namespace: str) -> dict[str, Any]:
    """The observations of a healthy cluster that :func:`evidence` compares against."""
    view: dict[str, Any] = {cmd: _mask(shell_run(cluster, cmd.format(ns=namespace)).output) for cmd in _VIEWS}
    view["warnings"] = _warning_count(cluster, namespace)
    view["stats"] = request_stats(cluster, namespace)
    return view


def _warning_count(cluster: Any, namespace: str) -> int:
    out = shell_run(cluster, f"kubectl get events -n {namespace}").output
    return sum(1 for line in out.splitlines() if " Warning " in f" {line} ")


def evidence(cluster: Any, namespace: str, healthy: dict[str, Any]) -> list[str]:
    """Anomalies visible now and not in ``healthy`` (empty when the cluster looks like the healthy one)."""
    found = []
    for cmd in _VIEWS:
        now = _mask(shell_run(cluster, cmd.format(ns=namespace)).output)
        for line in sorted(now - healthy[cmd]):
            found.append(f"{cmd.split(' -')[0]}: {line}")
    warnings = _warning_count(cluster, namespace)
    if warnings > healthy["warnings"]:
        found.append(f"{warnings - healthy['warnings']} new warning events")
    found += [f"requests: {p}" for p in compare_stats(request_stats(cluster, namespace), healthy["stats"])]
    return found
