"""Parsers of Red-Black replies on a corpus of messy, realistic LLM outputs."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aoi_gym.envs.redblack.parsing import (
    BLACK,
    RED,
    parse_opinion,
    parse_recommendation,
    parse_vote,
    parse_willingness,
    to_printable,
)

# (reply, expected vote) - shapes seen from chat models: markdown, thinking blocks, letters, prose, noise.
VOTE_CORPUS = [
    ("VOTE: BLACK", BLACK),
    ("VOTE: RED", RED),
    ("vote: black", BLACK),
    ("**VOTE:** BLACK", BLACK),
    ("**Final Vote: RED**", RED),
    ("VOTE: [BLACK]", BLACK),
    ("VOTE - Red.", RED),
    ("VOTE: A", BLACK),
    ("VOTE: B", RED),
    ("VOTE: Option A", BLACK),
    ("Vote: option b", RED),
    ("VOTE: **A**\nREASONING: keeps trust alive", BLACK),
    ("<think>They defected, so maybe RED... but the mandate is combined welfare.</think>\nVOTE: BLACK", BLACK),
    ("<think>Let me weigh it. BLACK is nice.</think>VOTE: RED", RED),
    ("Okay so I'm weighing it.</think>\n\nVOTE: A", BLACK),
    ("After reflecting on everyone's points, I vote BLACK.", BLACK),
    ("I will vote for RED this time, we cannot keep losing.", RED),
    ("My vote goes to option A.", BLACK),
    ("I'd go with Option B given the betrayal.", RED),
    ("I choose BLACK.", BLACK),
    ("I'm voting red.", RED),
    ("I support A. It is the principled path.", BLACK),
    ("I do not vote RED. I vote BLACK.", BLACK),
    ("We should not choose red; BLACK is my vote.", BLACK),
    ("RECOMMENDATION: RED\nREASONING: protect ourselves\nVOTE: BLACK", BLACK),
    ("REASONING: we need to stop the bleeding.\nVOTE: RED", RED),
    ("## Final decision\n- Choice: **BLACK**", BLACK),
    ("Decision = RED", RED),
    ("Answer: A", BLACK),
    ("VOTE:BLACK", BLACK),
    ("  vote :   red  ", RED),
    ("VOTE: Black \u2014 cooperation maximises the combined total.", BLACK),
    ("VOTE\uff1a BLACK", BLACK),
    ("VOTE: 1", BLACK),
    ("VOTE: 2", RED),
    ("Black.", BLACK),
    ("RED", RED),
    ("Considering the 10x round, I'll stick with black.", BLACK),
    ("We have been exploited every round; it is time to defect.", RED),
    ("Let's cooperate again and rebuild trust.", BLACK),
    ("I was tempted by RED earlier, but my final answer is BLACK", BLACK),
    ("VOTE: RED\n\n(Changed from my earlier recommendation of BLACK.)", RED),
    ("I'd rather not pick red here. Going with BLACK.", BLACK),
    ("```\nVOTE: B\n```", RED),
    ("> VOTE: A", BLACK),
]

UNREADABLE = [
    "",
    "I need more time to think about this.",
    "Honestly I keep going back and forth on this one.",
    "As an AI language model, I cannot participate in games.",
    "<think>RED or BLACK? Hard to say.</think>",
    "VOTE: maybe",
    "Let me choose a strategy that works for the team.",
]


def test_corpus_is_large_enough() -> None:
    assert len(VOTE_CORPUS) + len(UNREADABLE) >= 40


@pytest.mark.parametrize("reply,expected", VOTE_CORPUS)
def test_vote_corpus(reply: str, expected: str) -> None:
    assert parse_vote(reply) == expected


@pytest.mark.parametrize("reply", UNREADABLE)
def test_unreadable_votes_abstain(reply: str) -> None:
    assert parse_vote(reply) is None


OPINIONS = [
    ("RECOMMENDATION: BLACK\nREASONING: Mutual cooperation is the only way to grow the total.", BLACK,
     "Mutual cooperation is the only way to grow the total."),
    ("**RECOMMENDATION:** B\n**REASONING:** They defected twice; we protect ourselves.", RED,
     "They defected twice; we protect ourselves."),
    ("RECOMMENDATION: A\nREASONING: Consistency builds trust.\nVOTE: A", BLACK, "Consistency builds trust."),
    ("I recommend RED because the other team keeps defecting.", RED,
     "I recommend RED because the other team keeps defecting."),
    ("<think>hmm</think>RECOMMENDATION: BLACK\nREASONING:\nline one\nline two", BLACK, "line one line two"),
]


@pytest.mark.parametrize("reply,choice,reasoning", OPINIONS)
def test_opinion_corpus(reply: str, choice: str, reasoning: str) -> None:
    assert parse_opinion(reply) == (choice, reasoning)


def test_recommendation_field_wins_over_later_mentions() -> None:
    assert parse_recommendation("RECOMMENDATION: RED\nREASONING: unlike BLACK, RED is safe; BLACK loses.") == RED


@pytest.mark.parametrize(
    "reply,expected",
    [
        ("WILLINGNESS: 3", 3),
        ("Willingness: [2]", 2),
        ("**WILLINGNESS:** 0", 0),
        ("My willingness to speak is 1.", 1),
        ("2", 2),
        ("three", 3),
        ("<think>I have a lot to say</think>WILLINGNESS: 3", 3),
        ("WILLINGNESS: 7", None),
        ("I really want to talk", None),
    ],
)
def test_willingness(reply: str, expected: int | None) -> None:
    assert parse_willingness(reply) == expected


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_parsers_never_raise_and_return_valid_values(text: str) -> None:
    assert parse_vote(text) in (BLACK, RED, None)
    assert parse_willingness(text) in (0, 1, 2, 3, None)
    choice, reasoning = parse_opinion(text)
    assert choice in (BLACK, RED, None) and isinstance(reasoning, str)
    assert all(32 <= ord(c) < 127 or c in "\t\n\r" for c in to_printable(text))


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(["BLACK", "RED", "A", "B"]), st.text(alphabet=st.characters(blacklist_characters="\r\n"), max_size=60))
def test_explicit_vote_line_wins_over_preceding_prose(option: str, prose: str) -> None:
    expected = BLACK if option in ("BLACK", "A") else RED
    assert parse_vote(f"{prose}\nVOTE: {option}") == expected
