"""Text of the prompts a Team A member sees in each phase (briefing, willingness, opinion, vote).

Prompts are built from the scenario and the public state only. Everything is folded to printable ASCII
so that an observation always lies in the env's Text space.
"""

from __future__ import annotations

from typing import Sequence

from aoi_gym.envs.redblack.game import GameConfig, Opinion, RoundRecord, multiplier_for
from aoi_gym.envs.redblack.parsing import to_printable
from aoi_gym.envs.redblack.scenarios import Scenario

__all__ = [
    "PERSONA_NAMES",
    "briefing",
    "state_block",
    "willingness_prompt",
    "opinion_prompt",
    "vote_prompt",
    "discussion_lines",
]

# Display names of Team A's members (15 covers the largest team of the study; more get numbered names).
PERSONA_NAMES = (
    "Ada Okafor", "Bruno Lindqvist", "Chiara Moretti", "Dev Raman", "Elif Kaya",
    "Farid Haddad", "Greta Novak", "Hiro Tanaka", "Ines Duarte", "Jonah Whitfield",
    "Kavya Iyer", "Luca Brandt", "Maren Solberg", "Nadia Petrova", "Omar Siddiqui",
)


def persona_name(index: int) -> str:
    """Display name of the member in slot ``index``."""
    return PERSONA_NAMES[index] if index < len(PERSONA_NAMES) else f"Member {index + 1}"


def briefing(scenario: Scenario, config: GameConfig, name: str) -> str:
    """The system briefing: role, story, options, payoffs in the scenario's unit, multipliers, mandate."""
    s, c, d, rw = scenario, scenario.coop_option, scenario.defect_option, scenario.round_word
    special = ", ".join(f"{rw} {r} counts x{m}" for r, m in sorted(config.multipliers.items()) if r <= config.num_rounds)
    lines = [
        f"You are {name}, one of {config.team_size} members of {s.team_name}'s {s.title}.",
        s.setting,
        "",
        f"The game lasts {config.num_rounds} {rw}s. Each {rw}, {s.team_name} and {s.other_team} each choose one "
        f"option at the same time, without seeing the other's choice:",
        f"  {c}: {s.coop_meaning}",
        f"  {d}: {s.defect_meaning}",
        f"Outcome of one {rw}:",
        f"  both choose {c}: each side {s.amount(3)}",
        f"  both choose {d}: each side {s.amount(-3)}",
        f"  one chooses {d} and the other {c}: the {d} side {s.amount(6)}, the {c} side {s.amount(-6)}",
    ]
    if special:
        lines.append(f"Multiplied {rw}s: {special}.")
    lines += [
        s.mandate,
        "",
        f"How your team decides: each {rw} every member speaks once to the whole team with a recommendation and "
        "reasons, then everyone votes privately and the majority decides. Only the two options exist: no side "
        "deals, no messages to the other side.",
    ]
    return to_printable("\n".join(lines))


def _history_lines(scenario: Scenario, history: Sequence[RoundRecord]) -> list[str]:
    s, rw = scenario, scenario.round_word.capitalize()
    if not history:
        return [f"No {scenario.round_word}s played yet."]
    lines = []
    for rec in history:
        mine = s.option(rec.decision_a) if rec.decision_a else "nothing (no valid votes)"
        lines.append(
            f"{rw} {rec.round_no} (x{rec.multiplier}): {s.team_name} chose {mine} ({s.amount(rec.score_a)}), "
            f"{s.other_team} chose {s.option(rec.choice_b)} ({s.amount(rec.score_b)})"
        )
    return lines


def state_block(scenario: Scenario, config: GameConfig, round_no: int, history: Sequence[RoundRecord]) -> str:
    """Current round, its multiplier, running scores and the outcomes of past rounds."""
    s = scenario
    mult = multiplier_for(round_no, config.multipliers)
    score_a = sum(r.score_a for r in history)
    score_b = sum(r.score_b for r in history)
    critical = " - a multiplied, critical round" if mult > 1 else ""
    lines = [
        f"{s.round_word.capitalize()} {round_no} of {config.num_rounds} (outcomes x{mult}{critical}).",
        f"Scores so far: {s.team_name} {s.amount(score_a)}, {s.other_team} {s.amount(score_b)}, "
        f"combined {s.amount(score_a + score_b)}.",
        "History:",
        *("  " + line for line in _history_lines(s, history)),
    ]
    return "\n".join(lines)


def _cut(text: str, limit: int) -> str:
    text = " ".join(to_printable(text).split())
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def discussion_lines(opinions: Sequence[Opinion], names: dict[str, str], limit: int) -> list[str]:
    """``Turn i: <name> said: <message>`` for each broadcast so far."""
    return [f"Turn {i}: {names[o.agent]} said: {_cut(o.message, limit)}" for i, o in enumerate(opinions, 1)]


def _discussion_section(
    scenario: Scenario, opinions: Sequence[Opinion], earlier: Sequence[RoundRecord], names: dict[str, str], config: GameConfig
) -> list[str]:
    lines = []
    if earlier:
        lines.append(f"Team discussion in earlier {scenario.round_word}s:")
        for rec in earlier:
            lines.append(f"  {scenario.round_word.capitalize()} {rec.round_no}:")
            lines += ["    " + t for t in discussion_lines(rec.opinions, names, config.max_message_chars)]
    lines.append(f"Team discussion this {scenario.round_word} so far:")
    turns = discussion_lines(opinions, names, config.max_message_chars)
    lines += ["  " + t for t in turns] if turns else [f"  (nobody has spoken yet this {scenario.round_word})"]
    return lines


def willingness_prompt(
    scenario: Scenario, config: GameConfig, round_no: int, history: Sequence[RoundRecord],
    opinions: Sequence[Opinion], names: dict[str, str],
) -> str:
    """Ask how strongly the member wants to speak next (0-3)."""
    earlier = () if config.clear_history else history
    lines = [state_block(scenario, config, round_no, history), ""]
    lines += _discussion_section(scenario, opinions, earlier, names, config)
    lines += [
        "",
        "Members who have not spoken yet now say how much they want to speak next.",
        "Reply with one line: WILLINGNESS: 0, 1, 2 or 3 (0 = nothing to add, 3 = I need to speak now).",
    ]
    return to_printable("\n".join(lines))


def opinion_prompt(
    scenario: Scenario, config: GameConfig, round_no: int, history: Sequence[RoundRecord],
    opinions: Sequence[Opinion], names: dict[str, str], pass_no: int,
) -> str:
    """Ask for the member's broadcast turn: a recommendation and the reasons for it."""
    earlier = () if config.clear_history else history
    c, d = scenario.coop_option, scenario.defect_option
    lines = [state_block(scenario, config, round_no, history), ""]
    lines += _discussion_section(scenario, opinions, earlier, names, config)
    ask = (
        "It is your turn to speak to the whole team. Share your opinion on this "
        f"{scenario.round_word}'s choice and the reasons for it."
        if pass_no == 1
        else "It is your turn to speak again. Respond to your teammates' points and restate your recommendation."
    )
    lines += ["", ask, "Answer in this format:", f"RECOMMENDATION: {c} or {d}", "REASONING: <what you tell your team>"]
    return to_printable("\n".join(lines))


def vote_prompt(
    scenario: Scenario, config: GameConfig, round_no: int, history: Sequence[RoundRecord], opinions: Sequence[Opinion],
) -> str:
    """Ask for the private final vote, listing every broadcast of the round without names."""
    c, d = scenario.coop_option, scenario.defect_option
    lines = [state_block(scenario, config, round_no, history), "", "What your teammates said this round (anonymous):"]
    for i, o in enumerate(opinions, 1):
        rec = scenario.option(o.recommendation) if o.recommendation else "no clear option"
        lines.append(f"Teammate {i}: recommends {rec}. Reasoning: {_cut(o.message, config.max_message_chars)}")
    if not opinions:
        lines.append("  (no opinions were shared)")
    lines += [
        "",
        "Now cast your private final vote. The majority of valid votes decides.",
        "Answer in this format:",
        f"VOTE: {c} or {d}",
        "REASONING: <one or two sentences>",
    ]
    return to_printable("\n".join(lines))
