"""Rules of the Red-Black Game: payoffs, multipliers, opponents, vote tally and speaking order."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aoi_gym.envs.redblack.game import (
    BLACK,
    OPPONENTS,
    RED,
    TRAINING_OPPONENTS,
    GameConfig,
    max_combined_score,
    multiplier_for,
    opponent_choice,
    pick_speaker,
    round_scores,
    tally_votes,
)

choices = st.sampled_from([BLACK, RED])


def test_base_payoffs() -> None:
    assert round_scores(BLACK, BLACK) == (3, 3)
    assert round_scores(RED, RED) == (-3, -3)
    assert round_scores(RED, BLACK) == (6, -6)
    assert round_scores(BLACK, RED) == (-6, 6)
    assert round_scores(RED, BLACK, 10) == (60, -60)


def test_multipliers() -> None:
    assert [multiplier_for(r) for r in range(1, 11)] == [1, 1, 1, 1, 3, 1, 1, 5, 1, 10]
    assert max_combined_score() == 150


def test_bad_choice_is_rejected_with_valid_names() -> None:
    with pytest.raises(ValueError, match="BLACK"):
        round_scores("GREEN", BLACK)


@settings(max_examples=200)
@given(st.lists(st.tuples(choices, choices), min_size=10, max_size=10))
def test_combined_score_bounds(game: list[tuple[str, str]]) -> None:
    totals = [round_scores(a, b, multiplier_for(r)) for r, (a, b) in enumerate(game, 1)]
    combined = sum(a + b for a, b in totals)
    assert -150 <= combined <= 150
    if all(a == b == BLACK for a, b in game):
        assert combined == 150
    if all(a == b == RED for a, b in game):
        assert combined == -150
    # a team alone can never score more than 6 points per multiplier unit
    assert abs(sum(a for a, _ in totals)) <= 150


def test_all_black_versus_always_defect_scores() -> None:
    team_a = sum(round_scores(BLACK, RED, multiplier_for(r))[0] for r in range(1, 11))
    assert team_a == -150
    assert sum(sum(round_scores(RED, RED, multiplier_for(r))) for r in range(1, 11)) == -150


def _play(name: str, a_decisions: list[str | None], seed: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    b: list[str] = []
    for r in range(1, 11):
        b.append(opponent_choice(name, r, a_decisions[: r - 1], b, rng))
    return b


def _pattern(moves: list[str]) -> str:
    return "".join("A" if m == BLACK else "B" for m in moves)


ALL_BLACK = [BLACK] * 10


@pytest.mark.parametrize(
    "name,expected",
    [
        ("always_defect", "BBBBBBBBBB"),
        ("always_cooperate", "AAAAAAAAAA"),
        ("tit_for_tat", "AAAAAAAAAA"),
        ("grudger", "AAAAAAAAAA"),
        ("critical_exploiter", "AAAABAABAB"),
        ("mostly_cooperate", "AAAAAAAAAB"),
        ("early_exploiter", "ABBBAAAAAA"),
        ("mid_exploiter", "AAABBBAAAA"),
        ("late_exploiter", "AAAAAAABBB"),
    ],
)
def test_opponent_patterns_against_cooperating_team(name: str, expected: str) -> None:
    assert _pattern(_play(name, ALL_BLACK)) == expected


def test_tit_for_tat_mirrors_last_decision_and_keeps_its_move_after_a_void_round() -> None:
    a = [RED, BLACK, None, RED, BLACK, BLACK, RED, RED, BLACK, BLACK]
    assert _pattern(_play("tit_for_tat", a)) == "ABAABAABBA"


def test_grudger_never_forgives() -> None:
    a = [BLACK, BLACK, RED] + [BLACK] * 7
    assert _pattern(_play("grudger", a)) == "AAABBBBBBB"


def test_random_opponent_is_seeded_and_mixed() -> None:
    first = _play("random", ALL_BLACK, seed=3)
    assert first == _play("random", ALL_BLACK, seed=3)
    many = [m for s in range(20) for m in _play("random", ALL_BLACK, seed=s)]
    assert 0.3 < many.count(BLACK) / len(many) < 0.7


def test_training_opponents_exclude_the_evaluation_exploiter() -> None:
    assert set(TRAINING_OPPONENTS) == set(OPPONENTS) - {"critical_exploiter"}


def test_unknown_opponent_names_valid_choices() -> None:
    with pytest.raises(ValueError, match="always_defect"):
        opponent_choice("nice_guy", 1, [], [], np.random.default_rng(0))
    with pytest.raises(ValueError, match="tit_for_tat"):
        GameConfig(opponent="nice_guy")
    with pytest.raises(ValueError, match="trade_war"):
        GameConfig(scenario="chess")


@pytest.mark.parametrize(
    "votes,expected",
    [
        ([BLACK, BLACK, RED, RED, BLACK], (BLACK, False)),
        ([RED, RED, RED, BLACK, BLACK], (RED, False)),
        ([BLACK, None, None, None, None], (BLACK, False)),
        ([RED, None, BLACK, RED, None], (RED, False)),
        ([None] * 5, (None, False)),
    ],
)
def test_majority_of_valid_votes(votes, expected) -> None:
    assert tally_votes(votes, np.random.default_rng(0)) == expected


def test_tie_from_abstentions_is_broken_at_random_by_the_rng() -> None:
    votes = [BLACK, RED, None, BLACK, RED]
    outcomes = [tally_votes(votes, np.random.default_rng(s)) for s in range(40)]
    assert all(tie for _, tie in outcomes)
    assert {d for d, _ in outcomes} == {BLACK, RED}
    assert outcomes == [tally_votes(votes, np.random.default_rng(s)) for s in range(40)]


def test_pick_speaker_highest_willingness_and_seeded_ties() -> None:
    assert pick_speaker({"a_0": 1, "a_1": 3, "a_2": 2}, np.random.default_rng(0)) == "a_1"
    tied = {"a_0": 2, "a_1": 0, "a_2": 2, "a_3": 2}
    picks = [pick_speaker(tied, np.random.default_rng(s)) for s in range(50)]
    assert set(picks) == {"a_0", "a_2", "a_3"}
    assert picks == [pick_speaker(tied, np.random.default_rng(s)) for s in range(50)]
