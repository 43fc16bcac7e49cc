"""Agent-side parsing of Red-Black replies: the game's tolerant parsers plus the study's retry rule.

The game itself (in :mod:`aoi_gym.envs.redblack.parsing`) reads every reply with a multi-tier parser
(explicit ``VOTE:`` / ``RECOMMENDATION:`` fields, option letters, 'I vote ...' phrases, colour mentions,
keywords). An LLM member whose vote or recommendation cannot be read gets exactly one more chance: a
short prompt that asks only for the option. If that fails too, the vote abstains.
"""

from __future__ import annotations

from aoi_gym.envs.redblack.deliberation import TurnRequest
from aoi_gym.envs.redblack.parsing import (
    BLACK,
    RED,
    parse_choice,
    parse_opinion,
    parse_recommendation,
    parse_vote,
    parse_willingness,
    strip_thinking,
    to_printable,
)

__all__ = [
    "BLACK",
    "RED",
    "parse_choice",
    "parse_opinion",
    "parse_recommendation",
    "parse_vote",
    "parse_willingness",
    "strip_thinking",
    "to_printable",
    "needs_retry",
    "retry_prompt",
    "merge_retry",
]


def needs_retry(request: TurnRequest, reply: str) -> bool:
    """True when a vote or a recommendation cannot be read from ``reply`` (willingness never retries)."""
    if request.phase == "vote":
        return parse_vote(reply) is None
    if request.phase == "opinion":
        return parse_recommendation(reply) is None
    return False


def retry_prompt(request: TurnRequest) -> str:
    """The follow-up message asking only for the option, in the scenario's labels."""
    coop, defect = request.options
    field = "VOTE" if request.phase == "vote" else "RECOMMENDATION"
    return (
        f"Your answer did not state a clear option. Reply with exactly one line and nothing else: "
        f"{field}: {coop} or {field}: {defect}"
    )


def merge_retry(request: TurnRequest, reply: str, retry_reply: str) -> str:
    """The text to submit after a retry.

    A readable retry answer becomes a canonical field line (appended to the original opinion so that its
    reasoning is still broadcast); an unreadable one leaves the original reply, which then abstains
    (vote) or is broadcast without a recommendation (opinion).
    """
    choice = parse_vote(retry_reply) if request.phase == "vote" else parse_recommendation(retry_reply)
    if choice is None:
        return reply
    option = request.options[0] if choice == BLACK else request.options[1]
    if request.phase == "vote":
        return f"VOTE: {option}"
    return f"{reply.rstrip()}\nRECOMMENDATION: {option}"
