"""Rules of the Red-Black Game: payoffs, multipliers, scripted opponents, vote tally, speaking order.

Two teams choose BLACK (cooperate) or RED (defect) at the same time each round. Base payoffs: both
BLACK +3 each, both RED -3 each, RED against BLACK +6 to RED and -6 to BLACK; rounds 5, 8 and 10 are
multiplied by 3, 5 and 10, so ten rounds of mutual cooperation give the maximum combined score 150.
Team B is a scripted opponent; Team A deliberates (see :mod:`aoi_gym.envs.redblack.deliberation`).
All randomness comes from the ``numpy.random.Generator`` the caller passes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

import numpy as np

from aoi_gym.envs.redblack.parsing import BLACK, RED

__all__ = [
    "BLACK",
    "RED",
    "CHOICES",
    "BASE_PAYOFF",
    "DEFAULT_MULTIPLIERS",
    "GameConfig",
    "Opinion",
    "RoundRecord",
    "OPPONENTS",
    "TRAINING_OPPONENTS",
    "opponent_choice",
    "multiplier_for",
    "round_scores",
    "max_combined_score",
    "tally_votes",
    "pick_speaker",
]

CHOICES = (BLACK, RED)
BASE_PAYOFF: dict[tuple[str, str], tuple[int, int]] = {
    (BLACK, BLACK): (3, 3),
    (RED, RED): (-3, -3),
    (RED, BLACK): (6, -6),
    (BLACK, RED): (-6, 6),
}
DEFAULT_MULTIPLIERS: Mapping[int, int] = {5: 3, 8: 5, 10: 10}


def multiplier_for(round_no: int, multipliers: Mapping[int, int] = DEFAULT_MULTIPLIERS) -> int:
    """The multiplier of a 1-based round (1 unless listed)."""
    return int(multipliers.get(round_no, 1))


def round_scores(choice_a: str, choice_b: str, multiplier: int = 1) -> tuple[int, int]:
    """Scores (team A, team B) for one round; raises ``ValueError`` for a choice other than BLACK/RED."""
    try:
        a, b = BASE_PAYOFF[(choice_a, choice_b)]
    except KeyError:
        raise ValueError(f"choices must be {CHOICES}, got {choice_a!r}, {choice_b!r}") from None
    return a * multiplier, b * multiplier


def max_combined_score(num_rounds: int = 10, multipliers: Mapping[int, int] = DEFAULT_MULTIPLIERS) -> int:
    """The combined score of mutual cooperation in every round (150 for the standard game)."""
    return sum(6 * multiplier_for(r, multipliers) for r in range(1, num_rounds + 1))


# --------------------------------------------------------------------------------------------------
# Scripted opponents (Team B). Each sees the public history only: Team A's past decisions (None where a
# round had no valid vote), its own past choices, the 1-based round number and the multipliers.

OpponentFn = Callable[[int, Sequence[str | None], Sequence[str], np.random.Generator, Mapping[int, int], int], str]


def _always(choice: str) -> OpponentFn:
    return lambda round_no, a_hist, b_hist, rng, mults, n: choice


def _tit_for_tat(round_no, a_hist, b_hist, rng, mults, n) -> str:
    # Mirror Team A's last decision; a round without a decision carries the opponent's own last move.
    if not a_hist:
        return BLACK
    return a_hist[-1] if a_hist[-1] is not None else b_hist[-1]


def _grudger(round_no, a_hist, b_hist, rng, mults, n) -> str:
    return RED if RED in a_hist else BLACK


def _random(round_no, a_hist, b_hist, rng, mults, n) -> str:
    return BLACK if rng.random() < 0.5 else RED


def _red_on(rounds: Callable[[int, int, Mapping[int, int]], bool]) -> OpponentFn:
    return lambda round_no, a_hist, b_hist, rng, mults, n: RED if rounds(round_no, n, mults) else BLACK


OPPONENTS: dict[str, OpponentFn] = {
    "always_defect": _always(RED),
    "always_cooperate": _always(BLACK),
    "tit_for_tat": _tit_for_tat,
    "grudger": _grudger,
    "random": _random,
    # defects exactly on the multiplied rounds (5, 8, 10 in the standard game)
    "critical_exploiter": _red_on(lambda r, n, m: multiplier_for(r, m) > 1),
    # cooperates except in the last round
    "mostly_cooperate": _red_on(lambda r, n, m: r == n),
    # defects in rounds 2-4, then cooperates
    "early_exploiter": _red_on(lambda r, n, m: 2 <= r <= 4),
    # defects in rounds 4-6
    "mid_exploiter": _red_on(lambda r, n, m: 4 <= r <= 6),
    # defects in the last three rounds
    "late_exploiter": _red_on(lambda r, n, m: r > n - 3),
}
# The study samples every opponent except the evaluation exploiter when it generates training games.
TRAINING_OPPONENTS = tuple(name for name in OPPONENTS if name != "critical_exploiter")


def opponent_choice(
    name: str,
    round_no: int,
    a_history: Sequence[str | None],
    b_history: Sequence[str],
    rng: np.random.Generator,
    multipliers: Mapping[int, int] = DEFAULT_MULTIPLIERS,
    num_rounds: int = 10,
) -> str:
    """Team B's choice in ``round_no`` under the named strategy; raises ``ValueError`` naming valid ones."""
    try:
        strategy = OPPONENTS[name]
    except KeyError:
        raise ValueError(f"unknown opponent {name!r}; valid: {', '.join(OPPONENTS)}") from None
    return strategy(round_no, list(a_history), list(b_history), rng, multipliers, num_rounds)


# --------------------------------------------------------------------------------------------------
# Configuration and records


@dataclass(frozen=True)
class GameConfig:
    """Settings of one game.

    Args:
        team_size: Team A's size (the study uses 5, 10 and 15).
        num_rounds: rounds per game (10).
        multipliers: round -> multiplier (``{5: 3, 8: 5, 10: 10}``).
        opponent: Team B's strategy, a key of :data:`OPPONENTS`.
        scenario: a scenario id from :mod:`aoi_gym.envs.redblack.scenarios`.
        discussion_rounds: broadcast turns per agent before the vote (1 = the study's protocol).
        clear_history: drop earlier rounds' discussion from prompts (True = the study's protocol);
            past choices and scores are always shown.
        max_message_chars: a broadcast message is cut to this length in teammates' prompts.
    """

    team_size: int = 5
    num_rounds: int = 10
    multipliers: Mapping[int, int] = field(default_factory=lambda: dict(DEFAULT_MULTIPLIERS))
    opponent: str = "always_defect"
    scenario: str = "baseline"
    discussion_rounds: int = 1
    clear_history: bool = True
    max_message_chars: int = 1200

    def __post_init__(self) -> None:
        from aoi_gym.envs.redblack.scenarios import get_scenario

        if self.team_size < 1:
            raise ValueError(f"team_size must be >= 1 (the study uses 5, 10, 15), got {self.team_size}")
        if self.num_rounds < 1:
            raise ValueError(f"num_rounds must be >= 1, got {self.num_rounds}")
        if self.discussion_rounds < 1:
            raise ValueError(f"discussion_rounds must be >= 1, got {self.discussion_rounds}")
        if self.opponent not in OPPONENTS:
            raise ValueError(f"unknown opponent {self.opponent!r}; valid: {', '.join(OPPONENTS)}")
        get_scenario(self.scenario)


@dataclass(frozen=True)
class Opinion:
    """One broadcast turn: who spoke (agent id), in which pass, the recommendation and the message."""

    agent: str
    pass_no: int
    recommendation: str | None
    message: str


@dataclass(frozen=True)
class RoundRecord:
    """The public outcome of one round plus the deliberation that led to it.

    ``decision_a`` is ``None`` when no Team A member voted validly; such a round scores 0 for both
    teams and never counts as cooperation. ``votes`` maps agent id -> BLACK/RED/None (abstained).
    """

    round_no: int
    multiplier: int
    decision_a: str | None
    choice_b: str
    score_a: int
    score_b: int
    speaking_order: tuple[str, ...]
    opinions: tuple[Opinion, ...]
    votes: Mapping[str, str | None]
    tie_broken: bool = False

    @property
    def no_valid_votes(self) -> bool:
        return self.decision_a is None


def tally_votes(votes: Sequence[str | None], rng: np.random.Generator) -> tuple[str | None, bool]:
    """Simple majority of the valid votes; ``None`` votes abstain.

    Returns:
        (decision, tie_broken): decision is BLACK/RED, or ``None`` if nobody voted validly; a tie
        (possible only through abstentions or an even team) is broken uniformly at random with ``rng``.
    """
    black = sum(1 for v in votes if v == BLACK)
    red = sum(1 for v in votes if v == RED)
    if black == red == 0:
        return None, False
    if black == red:
        return (BLACK if rng.random() < 0.5 else RED), True
    return (BLACK if black > red else RED), False


def pick_speaker(willingness: Mapping[str, int], rng: np.random.Generator) -> str:
    """The agent with the highest willingness; ties broken uniformly at random with ``rng``.

    Candidates are considered in the mapping's order, so the same order and rng state give the same pick.
    """
    if not willingness:
        raise ValueError("no candidates to pick a speaker from")
    top = max(willingness.values())
    tied = [agent for agent, value in willingness.items() if value == top]
    return tied[int(rng.integers(len(tied)))] if len(tied) > 1 else tied[0]
