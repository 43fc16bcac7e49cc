"""Graders of the three answer tasks, with AIOpsLab's exact rules (its ``tasks/*.py`` evaluations).

* detection: a ``str`` whose ``strip().lower()`` equals ``"yes"`` (fault) or ``"no"`` (noop).
* localization: a list of component names (a bare string counts as a one-element list). ``exact`` is
  list equality with the target, ``subset`` is target-in-list; accuracy is 100 if exact, 100/len if
  subset, else 0; success is exact, or subset with a single answer. Where AIOpsLab accepts more than one
  name (``mongodb-geo`` or ``geo``) the best-scoring accepted name counts.
* analysis: a dict with ``system_level`` and ``fault_type``, each compared case-insensitively after
  strip; success needs both. Values outside AIOpsLab's closed vocabularies are wrong by construction.

Graders never raise on agent input: malformed submissions give ``Grade(success=False,
details={"error": ...})``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aoi_gym.faults.base import FAULT_TYPES, SYSTEM_LEVELS, GroundTruth

__all__ = ["Grade", "grade_detection", "grade_localization", "grade_analysis", "invalid"]


@dataclass
class Grade:
    """A graded submission: ``success``, a ``score`` in [0, 1] and JSON-serializable ``details``."""

    success: bool
    score: float
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"success": self.success, "score": self.score, "details": self.details}


def invalid(message: str, **details: Any) -> Grade:
    """A failed grade for a submission that is malformed (wrong type, missing key, ...)."""
    return Grade(False, 0.0, {"error": message, **details})


def grade_detection(submission: Any, gt: GroundTruth) -> Grade:
    if not isinstance(submission, str):
        return invalid(f"detection expects a string \"Yes\" or \"No\", got {type(submission).__name__}",
                       detection_accuracy="Invalid Format")
    correct = submission.strip().lower() == gt.detection.lower()
    return Grade(correct, 1.0 if correct else 0.0, {"detection_accuracy": "Correct" if correct else "Incorrect"})


def _as_names(submission: Any) -> list[str] | None:
    if isinstance(submission, str):
        return [submission]
    if isinstance(submission, (list, tuple)) and all(isinstance(s, str) for s in submission):
        return list(submission)
    return None


def grade_localization(submission: Any, gt: GroundTruth) -> Grade:
    if submission is None:
        return Grade(False, 0.0, {"localization_accuracy": 0.0, "is_exact": False, "is_subset": False})
    names = _as_names(submission)
    if names is None:
        return invalid("localization expects a list of component names (strings)",
                       localization_accuracy=0.0, is_exact=False, is_subset=False)
    names = [n.strip() for n in names]
    best = (0.0, False, False)
    for target in gt.localization:
        exact = names == [target]
        subset = target in names
        accuracy = 100.0 if exact else (100.0 / len(names) if subset else 0.0)
        best = max(best, (accuracy, exact, subset))
    accuracy, exact, subset = best
    success = exact or (subset and len(names) == 1)
    return Grade(success, accuracy / 100.0,
                 {"localization_accuracy": accuracy, "is_exact": exact, "is_subset": subset})


def grade_analysis(submission: Any, gt: GroundTruth) -> Grade:
    if not isinstance(submission, dict):
        return invalid("analysis expects a dict with keys system_level and fault_type",
                       system_level_correct=False, fault_type_correct=False)
    details: dict[str, Any] = {}
    correct = {}
    for key, expected, vocab in (("system_level", gt.system_level, SYSTEM_LEVELS),
                                 ("fault_type", gt.fault_type, FAULT_TYPES)):
        value = submission.get(key)
        ok = isinstance(value, str) and value.strip().lower() == expected.lower()
        correct[key] = ok
        details[f"{key}_correct"] = ok
        if not isinstance(value, str) or value.strip().lower() not in {v.lower() for v in vocab}:
            details.setdefault("notes", []).append(f"{key} must be one of: {', '.join(vocab)}")
    success = all(correct.values())
    return Grade(success, sum(correct.values()) / 2.0, details)
