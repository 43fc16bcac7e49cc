"""Every registered problem, end to end on the simulated cluster.

For each problem: after inject an SRE-visible channel shows the anomaly (noop: nothing beyond noise);
the graders accept the ground truth and reject a wrong answer; for mitigation problems the strict oracle
is false after inject and after submit() with no action, the scripted reference remediation (shell
command lines through ``Shell(cluster).run``) makes it true, and ``recover`` restores the healthy digest.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from lifecycle_helpers import evidence, healthy_view, installed, shell_run

from aoi_gym.problems import MITIGATION_SETTLE_S, list_problems, make_problem
from aoi_gym.problems.oracle import healthy_digest

ALL = list_problems()
FAULT_SEED = 5
# one problem per fault instance (family, app, parameters): the task type does not change what is injected
INSTANCES = list({(s.family, s.app, tuple(sorted(s.params.items()))): s for s in reversed(ALL)}.values())
# words that would only be in the cluster if the simulator told on itself
MARKERS = ("ground_truth", "groundtruth", "faulty_components", "aoi_gym", "aoi-gym", "oracle")
_INJECTED: dict = {}


def _injected(spec):
    """(problem, cluster snapshot after inject, healthy view) for ``spec``, cached per fault instance."""
    key = (spec.family, spec.app, tuple(sorted(spec.params.items())))
    if key not in _INJECTED:
        cluster = installed(spec.app)
        problem = make_problem(spec)
        view = healthy_view(cluster, problem.fault.namespace)
        problem.inject(cluster, np.random.default_rng(FAULT_SEED))
        _INJECTED[key] = (problem, cluster.snapshot(), view)
    problem, snap, view = _INJECTED[key]
    cluster = installed(spec.app)
    cluster.restore(snap)
    return problem, cluster, view


def _as(problem, spec):
    """The cached injected problem, viewed as ``spec``'s task (same fault, same ground truth)."""
    twin = make_problem(spec)
    twin.fault, twin.ground_truth = problem.fault, problem.ground_truth
    twin.healthy, twin.injected, twin.healthy_digest = problem.healthy, problem.injected, problem.healthy_digest
    return twin


@pytest.mark.parametrize("spec", ALL, ids=[s.id for s in ALL])
def test_problem_lifecycle(spec):
    base, cluster, view = _injected(spec)
    problem = _as(base, spec)
    gt = problem.ground_truth
    seen = evidence(cluster, problem.fault.namespace, view)
    if gt.has_anomaly:
        assert seen, f"{spec.id}: no observation channel shows the fault"
    else:
        assert not seen, f"{spec.id}: a no-fault problem shows anomalies: {seen}"

    if spec.task_type == "detection":
        assert problem.grade(gt.detection.lower() + " ", cluster).success
        assert not problem.grade("No" if gt.has_anomaly else "Yes", cluster).success
    elif spec.task_type == "localization":
        assert problem.grade(list(gt.faulty_components), cluster).success
        assert not problem.grade(["no-such-service"], cluster).success
    elif spec.task_type == "analysis":
        right = {"system_level": gt.system_level.upper(), "fault_type": gt.fault_type}
        assert problem.grade(right, cluster).success
        assert not problem.grade({"system_level": "Hardware", "fault_type": gt.fault_type}, cluster).success
    else:
        _check_mitigation(problem, cluster)


def _check_mitigation(problem, cluster):
    after_inject = cluster.snapshot()
    grade = problem.grade(None, cluster)
    assert not grade.success, "the oracle holds right after inject"
    cluster.advance(MITIGATION_SETTLE_S)
    grade = problem.grade(None, cluster)
    assert not grade.success, "submit() with no action passes the oracle"

    cluster.restore(after_inject)
    for line in problem.fault.remediation(cluster):
        res = shell_run(cluster, line)
        assert res.exit_code == 0, f"{line!r} failed: {res.output}"
    cluster.advance(MITIGATION_SETTLE_S)
    grade = problem.grade(None, cluster)
    assert grade.success, f"the reference remediation does not mitigate: {grade.details}"

    cluster.restore(after_inject)
    problem.recover(cluster)
    cluster.advance(MITIGATION_SETTLE_S)
    assert healthy_digest(cluster) == problem.healthy_digest


@pytest.mark.parametrize("spec", INSTANCES, ids=[s.id for s in INSTANCES])
def test_injected_cluster_state_never_names_the_fault(spec):
    """Every object after inject (names, labels, annotations, specs, statuses, events), in full: what
    kubectl could show an agent never contains the family name or a ground-truth marker."""
    _, cluster, _ = _injected(spec)
    objects = [o for kind in cluster.store.kinds() for o in cluster.iter_objects(kind)]
    assert any(o["kind"] == "Pod" for o in objects)
    blob = json.dumps(objects).lower()
    for word in (spec.family.lower(), *MARKERS):
        if word != "noop":
            assert word not in blob, (spec.id, word, blob[max(0, blob.find(word) - 120): blob.find(word) + 60])
