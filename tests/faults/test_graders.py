"""Graders: AIOpsLab's rules, and no exception on any submission an agent can send."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from aoi_gym.faults.base import GroundTruth
from aoi_gym.problems.graders import grade_analysis, grade_detection, grade_localization

GEO = GroundTruth("revoke_auth_mongodb", "hotel_reservation", "test-hotel-reservation", True,
                  ("mongodb-geo",), ("mongodb-geo", "geo"), "Application", "Authentication Issue")
NOOP = GroundTruth("noop", "social_network", "test-social-network", False, (), (), "", "")

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(json_values)
def test_graders_never_raise_and_details_are_json(submission):
    for grade in (grade_detection(submission, GEO), grade_localization(submission, GEO),
                  grade_analysis(submission, GEO)):
        assert 0.0 <= grade.score <= 1.0
        json.dumps(grade.details)
        if grade.success:
            assert grade.score > 0


def test_detection_is_case_insensitive_and_strict_on_type():
    assert grade_detection("  yes\n", GEO).success
    assert grade_detection("No", NOOP).success and not grade_detection("Yes", NOOP).success
    assert not grade_detection(["Yes"], GEO).success
    assert grade_detection(["Yes"], GEO).details["detection_accuracy"] == "Invalid Format"


def test_localization_follows_aiopslab_exact_subset_rule():
    assert grade_localization(["geo"], GEO).success
    assert grade_localization("mongodb-geo", GEO).success  # a bare string is a one-element list
    two = grade_localization(["geo", "search"], GEO)
    assert not two.success and two.details["localization_accuracy"] == 50.0 and two.details["is_subset"]
    assert not grade_localization([], GEO).success
    none = grade_localization(None, GEO)
    assert not none.success and none.details["localization_accuracy"] == 0.0
    assert not grade_localization(["Geo"], GEO).success  # names compare exactly


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["geo", "rate", "search", "frontend", "mongodb-geo"]), max_size=4))
def test_localization_success_iff_exact_or_single_subset(names):
    grade = grade_localization(names, GEO)
    expected = names in (["geo"], ["mongodb-geo"])
    assert grade.success == expected
    if any(n in ("geo", "mongodb-geo") for n in names) and not expected:
        assert abs(grade.score - 1.0 / len(names)) < 1e-9


def test_analysis_needs_both_labels_case_insensitively():
    ok = grade_analysis({"system_level": " application", "fault_type": "AUTHENTICATION ISSUE"}, GEO)
    assert ok.success and ok.score == 1.0
    half = grade_analysis({"system_level": "Application", "fault_type": "Misconfiguration"}, GEO)
    assert not half.success and half.score == 0.5
    assert not grade_analysis([], GEO).success  # AIOpsLab's submit() with no argument
    odd = grade_analysis({"system_level": "Kernel", "fault_type": "Authentication Issue"}, GEO)
    assert not odd.success and "notes" in odd.details
