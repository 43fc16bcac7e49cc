"""Distillation data for a seed: play training games, have a teacher rewrite each turn, export SFT data.

Pipeline (as in the study): untrained members play games in the *training* scenarios against scripted
opponents (all but the evaluation exploiter); every broadcast turn's input (briefing + round state +
what teammates said) is given to a teacher model that writes the ideal principled, persuasive,
cooperative turn ending in a parseable vote line; rewrites are validated and retried; the result is
exported in TRL's conversational format (one ``{"messages": [system, user, assistant]}`` per line),
split by game into train/val/test, stratified by scenario.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from aoi_agents.llm.base import LLM, Message, SamplingParams
from aoi_agents.propagation.experiment import AgentFactory, play_game
from aoi_agents.propagation.parsing import strip_thinking
from aoi_gym.envs.redblack.game import TRAINING_OPPONENTS, GameConfig
from aoi_gym.envs.redblack.scenarios import SPLITS, get_scenario

__all__ = [
    "TurnSample",
    "teacher_system_prompt",
    "SEED_SYSTEM_PROMPT",
    "collect_turns",
    "validate_rewrite",
    "rewrite_turns",
    "to_sft_example",
    "export_sft",
    "scripted_teacher",
]

MAX_REWRITE_CHARS = 1500

SEED_SYSTEM_PROMPT = (
    "You are {name}, an advisor on a team that decides together, round after round, in a repeated game "
    "with another team. Read the situation and what your teammates said, reason about the outcome for "
    "everyone over the whole game, speak to your teammates in the first person, and end with your vote "
    "on its own line."
)


def teacher_system_prompt(coop_option: str) -> str:
    """The teacher's instructions; the reply must end with the line ``VOTE: <coop_option>``."""
    return (
        "You write model answers for an advisor in a repeated team decision game. Given the situation the "
        "advisor faces, write what an excellent advisor would say to the team at this moment:\n"
        "- analyse the current round, the scores so far and the history, including any betrayal;\n"
        "- engage with what teammates already said, by their points, if anyone spoke;\n"
        "- reason about the combined welfare of both sides over the remaining rounds, and about the "
        "multiplied rounds;\n"
        "- stay cooperative even after being exploited, persuading rather than threatening;\n"
        "- be concise, first person, conversational but rigorous (under 250 words).\n"
        f"The last line must be exactly: VOTE: {coop_option}"
    )


@dataclass(frozen=True)
class TurnSample:
    """One broadcast turn of an untrained member: its input context and what it originally said."""

    game_id: str
    scenario: str
    opponent: str
    round_no: int
    agent_name: str
    coop_option: str
    context: str
    original: str


def collect_turns(
    games: int,
    make_untrained: AgentFactory,
    base_seed: int = 0,
    scenarios: Sequence[str] | None = None,
    opponents: Sequence[str] = TRAINING_OPPONENTS,
    team_size: int = 5,
    num_rounds: int = 10,
) -> list[TurnSample]:
    """Play ``games`` games with untrained members (scenarios round-robin, opponents drawn uniformly)
    and return every opinion turn as a :class:`TurnSample`."""
    scenarios = list(scenarios or SPLITS["train"])
    rng = np.random.default_rng(base_seed)
    samples = []
    for g in range(games):
        scenario = scenarios[g % len(scenarios)]
        opponent = str(rng.choice(list(opponents)))
        config = GameConfig(team_size=team_size, num_rounds=num_rounds, opponent=opponent, scenario=scenario)
        game_rng = np.random.default_rng([base_seed, g])
        agents = {f"a_{i}": make_untrained(i, game_rng) for i in range(team_size)}
        log = play_game(config, agents, game_rng, record_turns=True)
        coop = get_scenario(scenario).coop_option
        for request, answer in log.turns:
            if request.phase == "opinion":
                samples.append(
                    TurnSample(f"{scenario}-{g}", scenario, opponent, request.round_no, request.name, coop, request.text, answer)
                )
    return samples


def validate_rewrite(text: str, coop_option: str, max_chars: int = MAX_REWRITE_CHARS) -> list[str]:
    """Problems with a teacher rewrite (empty list = valid).

    Valid means: non-empty reasoning, last non-empty line exactly ``VOTE: <coop_option>``, no vote or
    recommendation for another option anywhere, at most ``max_chars`` characters, no thinking block.
    """
    problems = []
    lines = [line.strip() for line in (text or "").strip().splitlines() if line.strip()]
    if len(lines) < 2:
        problems.append("the reply needs reasoning followed by the vote line")
    if not lines or lines[-1] != f"VOTE: {coop_option}":
        problems.append(f"the last line must be exactly 'VOTE: {coop_option}'")
    others = re.findall(r"\b(?:VOTE|RECOMMENDATION)\s*:\s*\**\s*([A-Za-z]+)", text or "")
    if any(o.upper() != coop_option.upper() for o in others):
        problems.append(f"the reply must not vote or recommend anything but {coop_option}")
    if len(text or "") > max_chars:
        problems.append(f"the reply is longer than {max_chars} characters")
    if re.search(r"</?think", text or "", re.I):
        problems.append("the reply must not contain a thinking block")
    return problems


def _shorten(text: str, coop_option: str, max_chars: int) -> str:
    """Cut an over-long but otherwise valid rewrite at a sentence boundary and re-append the vote."""
    vote = f"VOTE: {coop_option}"
    body = text.strip()[: -len(vote)].rstrip() if text.strip().endswith(vote) else text.strip()
    room = max_chars - len(vote) - 2
    cut = body[:room]
    end = max(cut.rfind(". "), cut.rfind(".\n"))
    body = cut[: end + 1] if end > room // 2 else cut.rstrip()
    return f"{body}\n{vote}"


def rewrite_turns(
    teacher: LLM,
    samples: Sequence[TurnSample],
    params: SamplingParams | None = None,
    attempts: int = 3,
    max_chars: int = MAX_REWRITE_CHARS,
) -> tuple[list[str | None], dict[str, int]]:
    """Ask the teacher for a rewrite of every sample (batched per attempt), validating and retrying.

    A rewrite that fails validation gets a revision request naming its problems, up to ``attempts``
    generations in all; one that is only too long is shortened instead. Samples still invalid after the
    last attempt are ``None`` (dropped, never fabricated).

    Returns:
        (rewrites aligned with ``samples``, stats: ``accepted``, ``retried``, ``shortened``, ``dropped``).
    """
    params = params or SamplingParams(temperature=0.7, max_tokens=1024)
    convs: dict[int, list[Message]] = {
        i: [
            {"role": "system", "content": teacher_system_prompt(s.coop_option)},
            {"role": "user", "content": f"Write the model answer for this situation:\n\n{s.context}"},
        ]
        for i, s in enumerate(samples)
    }
    results: list[str | None] = [None] * len(samples)
    stats = {"accepted": 0, "retried": 0, "shortened": 0, "dropped": 0}
    for attempt in range(attempts):
        if not convs:
            break
        order = list(convs)
        replies = teacher.generate([convs[i] for i in order], params)
        for i, gen in zip(order, replies):
            coop = samples[i].coop_option
            text = strip_thinking(gen.text).strip()
            problems = validate_rewrite(text, coop, max_chars)
            if problems and all("longer than" in p for p in problems):
                text, problems = _shorten(text, coop, max_chars), []
                stats["shortened"] += 1
            if not problems:
                results[i] = text
                stats["accepted"] += 1
                del convs[i]
                continue
            if attempt + 1 < attempts:
                stats["retried"] += 1
                convs[i] = convs[i] + [
                    {"role": "assistant", "content": gen.text},
                    {"role": "user", "content": "Please revise: " + "; ".join(problems) + "."},
                ]
    stats["dropped"] = len(convs)
    return results, stats


def to_sft_example(sample: TurnSample, rewrite: str) -> dict:
    """One conversational SFT example (TRL format) plus metadata columns ``game_id`` and ``scenario``."""
    return {
        "messages": [
            {"role": "system", "content": SEED_SYSTEM_PROMPT.format(name=sample.agent_name)},
            {"role": "user", "content": sample.context},
            {"role": "assistant", "content": rewrite},
        ],
        "game_id": sample.game_id,
        "scenario": sample.scenario,
    }


def export_sft(
    examples: Sequence[dict], out_dir: str | Path, seed: int = 42, fractions: tuple[float, float, float] = (0.85, 0.10, 0.05)
) -> dict[str, Path]:
    """Write ``train.jsonl``, ``val.jsonl``, ``test.jsonl`` split by game, stratified by scenario.

    Returns the paths by split name. Every game of a scenario lands in exactly one split.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    split_of: dict[str, str] = {}
    for scenario in sorted({e["scenario"] for e in examples}):
        games = sorted({e["game_id"] for e in examples if e["scenario"] == scenario})
        games = [games[i] for i in rng.permutation(len(games))]
        n_val = int(round(len(games) * fractions[1]))
        n_test = int(round(len(games) * fractions[2]))
        for j, game in enumerate(games):
            split_of[game] = "val" if j < n_val else "test" if j < n_val + n_test else "train"
    paths = {name: out / f"{name}.jsonl" for name in ("train", "val", "test")}
    handles = {name: path.open("w", encoding="utf-8") for name, path in paths.items()}
    try:
        for example in examples:
            handles[split_of[example["game_id"]]].write(json.dumps(example, ensure_ascii=False) + "\n")
    finally:
        for handle in handles.values():
            handle.close()
    return paths


def _scripted_teacher_reply(conversation: list[Message]) -> str:
    coop = re.search(r"VOTE: (\S+)", conversation[0]["content"]).group(1)
    context = conversation[1]["content"]
    round_match = re.search(r"\n(\w+) (\d+) of (\d+) \(outcomes x(\d+)", context)
    where = f"{round_match.group(1).lower()} {round_match.group(2)}" if round_match else "this round"
    mult = int(round_match.group(4)) if round_match else 1
    spoke = "Turn 1:" in context
    return (
        ("I hear the worries my teammates raised, and they are fair. " if spoke else "Let me start. ")
        + f"In {where}{' - a multiplied round -' if mult > 1 else ''} the question is what serves both sides "
        "over the whole game. Defecting may win one exchange, but it invites the same from them and the combined "
        f"result collapses. Choosing {coop} keeps the door open to mutual gains that are worth far more in the "
        "multiplied rounds, and consistency is how trust gets built.\n"
        f"VOTE: {coop}"
    )


def scripted_teacher() -> LLM:
    """A template teacher (no model) for demos and tests: a principled reply ending in the vote line."""
    from aoi_agents.llm import ScriptedLLM

    return ScriptedLLM(_scripted_teacher_reply, name="scripted-teacher")
