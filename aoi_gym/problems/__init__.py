"""Problems: application + fault family + task type; the registry, splits, graders and oracles.

Public API (what the env and the CLI use)::

    TASK_TYPES, SPLITS, APPS
    get_problem_spec(problem_id) -> ProblemSpec        # UnknownProblemError (KeyError, ValueError)
    list_problems(split="all", task_types=None, apps=None, families=None) -> list[ProblemSpec]
    make_problem(spec_or_id) -> Problem                # setup / inject / recover / grade / submit_signature
    GroundTruth, Grade, MITIGATION_SETTLE_S

See docs/problems.md for every family, its split and its tasks.
"""

from __future__ import annotations

from aoi_gym.faults.base import GroundTruth
from aoi_gym.problems.graders import Grade
from aoi_gym.problems.oracle import MITIGATION_SETTLE_S
from aoi_gym.problems.problem import Problem, make_problem
from aoi_gym.problems.registry import (
    APPS,
    SPLITS,
    TASK_TYPES,
    ProblemSpec,
    UnknownProblemError,
    all_problem_ids,
    get_problem_spec,
    list_problems,
)

__all__ = [
    "TASK_TYPES",
    "SPLITS",
    "APPS",
    "ProblemSpec",
    "GroundTruth",
    "Grade",
    "Problem",
    "UnknownProblemError",
    "MITIGATION_SETTLE_S",
    "get_problem_spec",
    "list_problems",
    "make_problem",
    "all_problem_ids",
]
