"""A problem: an application, a fault and a task; it sets up, injects, recovers and grades.

>>> from aoi_gym.problems import get_problem_spec, make_problem
>>> problem = make_problem(get_problem_spec("revoke_auth_mongodb-mitigation-1"))
>>> problem.setup(cluster, rng); gt = problem.inject(cluster, rng)   # doctest: +SKIP
>>> cluster.advance(MITIGATION_SETTLE_S); problem.grade(None, cluster)  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

import numpy as np

from aoi_gym.faults import GroundTruth, make_fault
from aoi_gym.problems import graders, oracle
from aoi_gym.problems.graders import Grade, invalid
from aoi_gym.problems.registry import ProblemSpec

__all__ = ["Problem", "make_problem", "SETUP_MAX_S", "SUBMIT_SIGNATURES"]

#: Longest simulated time :meth:`Problem.setup` waits for a freshly installed app to become healthy.
SETUP_MAX_S = 300.0
_SETUP_STEP_S = 10.0
#: How long every pod must stay healthy before setup returns.
SETUP_STABLE_S = 60.0

SUBMIT_SIGNATURES = {
    "detection": "submit(has_anomaly: str)",
    "localization": "submit(faulty_components: list[str])",
    "analysis": "submit(analysis: dict[str, str])",
    "mitigation": "submit()",
}


class Problem:
    """One problem built from a :class:`ProblemSpec` (use :func:`make_problem`).

    Attributes set by :meth:`inject` (never shown to agents): ``ground_truth``, ``healthy`` and
    ``injected`` (cluster records before and after the fault), ``healthy_digest``.
    """

    _healthy_digest: str | None = None
    _healthy_snapshot: tuple[Any, tuple] | None = None  # (cluster, its snapshot) until the digest is asked for

    def __init__(self, spec: ProblemSpec) -> None:
        self.spec = spec
        self.fault = make_fault(spec.family, spec.app, **dict(spec.params))
        self.ground_truth: GroundTruth | None = None
        self.healthy: oracle.ClusterRecord | None = None
        self.injected: oracle.ClusterRecord | None = None

    def __repr__(self) -> str:
        return f"Problem({self.spec.id!r})"

    # ------------------------------------------------------------------ life cycle
    def setup(self, cluster: Any, rng: np.random.Generator | None = None) -> None:
        """Install the application and let it settle until every pod is healthy (or SETUP_MAX_S)."""
        from aoi_gym.apps import get_app

        app = get_app(self.spec.app)
        if not cluster.list("Node") and hasattr(cluster, "store"):  # a bare simulated cluster: add kind's nodes
            from aoi_gym.cluster.sim.controllers import create_kind_nodes

            create_kind_nodes(cluster, workers=app.kind_workers())
        app.install(cluster)
        waited, healthy_since = 0.0, None
        while waited < SETUP_MAX_S:
            cluster.advance(_SETUP_STEP_S)
            waited += _SETUP_STEP_S
            if oracle.pod_problems(cluster, self.fault.namespace):
                healthy_since = None
            elif healthy_since is None:
                healthy_since = waited
            elif waited - healthy_since >= SETUP_STABLE_S:  # start-up restarts (DB not ready yet) are over
                break

    @property
    def healthy_digest(self) -> str | None:
        """:func:`oracle.healthy_digest` of the cluster just before injection (what ``recover`` must bring
        back); None before :meth:`inject`."""
        if self._healthy_digest is None and self._healthy_snapshot is not None:
            cluster, snap = self._healthy_snapshot
            scratch = type(cluster)()  # a snapshot is the whole state: any cluster of the type can take it
            scratch.restore(snap)
            self._healthy_digest = oracle.healthy_digest(scratch)
            self._healthy_snapshot = None
        return self._healthy_digest

    @healthy_digest.setter
    def healthy_digest(self, value: str | None) -> None:
        self._healthy_digest, self._healthy_snapshot = value, None

    def _record_healthy_digest(self, cluster: Any) -> None:
        # Hashing every spec costs more than the rest of an env reset together, and only the harness's
        # recover checks read it: a cluster that snapshots copy-on-write keeps the state instead.
        self._healthy_digest = None
        self._healthy_snapshot = None
        if callable(getattr(cluster, "snapshot", None)) and callable(getattr(cluster, "restore", None)):
            self._healthy_snapshot = (cluster, cluster.snapshot())
        else:
            self._healthy_digest = oracle.healthy_digest(cluster)

    def inject(self, cluster: Any, rng: np.random.Generator) -> GroundTruth:
        """Record the healthy state, inject the fault (parameters drawn from ``rng``), return the truth."""
        self._record_healthy_digest(cluster)
        self.healthy = oracle.take_record(cluster, self.fault.namespace, with_baseline=True)
        self.ground_truth = self.fault.inject(cluster, rng)
        self.injected = oracle.take_record(cluster)
        return self.ground_truth

    def recover(self, cluster: Any) -> None:
        """Undo the fault (the harness's clean-up, not an agent's mitigation)."""
        self.fault.recover(cluster)

    # ------------------------------------------------------------------ grading
    def submit_signature(self) -> str:
        """The submit call of this task, as the agent's prompt shows it."""
        return SUBMIT_SIGNATURES[self.spec.task_type]

    def grade(self, submission: Any, cluster: Any) -> Grade:
        """Grade ``submission`` (detection: str; localization: list[str] or str; analysis: dict;
        mitigation: ignored, the cluster state is graded). Never raises on a malformed submission."""
        gt = self.ground_truth
        if gt is None:
            return invalid("the problem was not injected")
        task = self.spec.task_type
        try:
            if task == "detection":
                return graders.grade_detection(submission, gt)
            if task == "localization":
                return graders.grade_localization(submission, gt)
            if task == "analysis":
                return graders.grade_analysis(submission, gt)
            return self.grade_mitigation(cluster)
        except Exception as e:  # a grader bug must not crash an episode; it is reported, not hidden
            return invalid(f"grading failed: {type(e).__name__}: {e}")

    def mitigation_checks(self, cluster: Any) -> dict[str, list[str]]:
        """Each part of the strict oracle -> its open problems (all empty means mitigated)."""
        assert self.healthy is not None and self.injected is not None
        ns = self.fault.namespace
        return {
            "condition": self.fault.condition_problems(cluster),
            "pods": oracle.pod_problems(cluster, ns),
            "serving": oracle.serving_problems(cluster, ns, self.healthy.baseline),
            "collateral": oracle.collateral_problems(cluster, self.healthy, self.injected),
        }

    def grade_mitigation(self, cluster: Any) -> Grade:
        if self.healthy is None:
            return invalid("the problem was not injected")
        checks = self.mitigation_checks(cluster)
        success = not any(checks.values())
        details: dict[str, Any] = {f"{k}_ok": not v for k, v in checks.items()}
        details["problems"] = [p for v in checks.values() for p in v][:20]
        return Grade(success, 1.0 if success else 0.0, details)


def make_problem(spec: ProblemSpec | str) -> Problem:
    """Build a :class:`Problem` from a spec (or a problem id)."""
    if isinstance(spec, str):
        from aoi_gym.problems.registry import get_problem_spec

        spec = get_problem_spec(spec)
    return Problem(spec)
