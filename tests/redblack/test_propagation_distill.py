"""Distillation: turn collection, teacher-rewrite validation and retries, SFT export split by game."""

from __future__ import annotations

import json

import numpy as np

from aoi_agents.cli import main
from aoi_agents.llm import ScriptedLLM
from aoi_agents.propagation.agents import PersuadableAgent
from aoi_agents.propagation.distill import (
    TurnSample,
    collect_turns,
    export_sft,
    rewrite_turns,
    scripted_teacher,
    to_sft_example,
    validate_rewrite,
)
from aoi_gym.envs.redblack.scenarios import SPLITS

GOOD = "We have been exploited, but retaliation locks us both into losses.\nVOTE: A"


def test_validate_rewrite() -> None:
    assert validate_rewrite(GOOD, "A") == []
    assert validate_rewrite("We cooperate.\nVOTE: BLACK", "BLACK") == []
    assert any("last line" in p for p in validate_rewrite("We should cooperate. VOTE: A is right.", "A"))
    assert any("last line" in p for p in validate_rewrite("Reasoning here.\nVOTE: A.", "A"))
    assert any("must not vote" in p for p in validate_rewrite("RECOMMENDATION: B\nActually no.\nVOTE: A", "A"))
    assert any("reasoning" in p for p in validate_rewrite("VOTE: A", "A"))
    assert any("longer than" in p for p in validate_rewrite("x" * 1600 + "\nVOTE: A", "A"))
    assert any("thinking" in p for p in validate_rewrite("<think>hm</think>\nok\nVOTE: A", "A"))
    assert validate_rewrite("", "A")


def _samples(n: int) -> list[TurnSample]:
    return [TurnSample(f"g{i}", "climate_cooperation", "always_defect", 1, "Ada", "A", f"context {i}", "orig") for i in range(n)]


def test_rewrite_retries_then_drops_and_shortens() -> None:
    # sample 0: valid at once; 1: fixed on the revision; 2: never valid (dropped); 3: only too long (shortened)
    script = {0: [GOOD], 1: ["I think we should cooperate.", GOOD], 2: ["VOTE: B"] * 3,
              3: ["Long sentence here. " * 90 + "\nVOTE: A"]}
    calls = {i: 0 for i in script}

    def reply(conv):
        i = int(conv[1]["content"].rsplit(" ", 1)[1])
        calls[i] += 1
        return script[i][min(calls[i], len(script[i])) - 1]

    teacher = ScriptedLLM(reply)
    rewrites, stats = rewrite_turns(teacher, _samples(4), attempts=3)
    assert rewrites[0] == GOOD and rewrites[1] == GOOD and rewrites[2] is None
    assert validate_rewrite(rewrites[3], "A") == [] and len(rewrites[3]) <= 1500
    assert stats == {"accepted": 3, "retried": 3, "shortened": 1, "dropped": 1}
    assert calls == {0: 1, 1: 2, 2: 3, 3: 1}
    revision = [c for c in teacher.seen if len(c) == 4][0]
    assert revision[-1]["content"].startswith("Please revise:") and "VOTE: A" in revision[-1]["content"]


def test_collect_turns_uses_training_scenarios_and_opinion_turns() -> None:
    samples = collect_turns(5, lambda slot, rng: PersuadableAgent(rng), num_rounds=2)
    assert len(samples) == 5 * 2 * 5
    assert {s.scenario for s in samples} == set(SPLITS["train"])
    assert all("RECOMMENDATION" in s.context for s in samples)
    assert all(s.opponent != "critical_exploiter" for s in samples)


def test_export_splits_by_game_stratified(tmp_path) -> None:
    samples = [TurnSample(f"{sc}-{g}", sc, "random", 1, "Ada", "A", "ctx", "o") for sc in ("s1", "s2") for g in range(20) for _ in range(3)]
    paths = export_sft([to_sft_example(s, GOOD) for s in samples], tmp_path)
    rows = {name: [json.loads(line) for line in p.open()] for name, p in paths.items()}
    assert {k: len(v) for k, v in rows.items()} == {"train": 102, "val": 12, "test": 6}
    games = {name: {r["game_id"] for r in v} for name, v in rows.items()}
    assert not (games["train"] & games["val"]) and not (games["train"] & games["test"])
    assert [m["role"] for m in rows["train"][0]["messages"]] == ["system", "user", "assistant"]


def test_scripted_teacher_output_is_valid() -> None:
    samples = collect_turns(1, lambda slot, rng: PersuadableAgent(rng), num_rounds=3)
    rewrites, stats = rewrite_turns(scripted_teacher(), samples)
    assert stats["accepted"] == len(samples) and all(validate_rewrite(r, "A") == [] for r in rewrites)


def test_cli_distill(tmp_path, capsys) -> None:
    assert main(["propagation", "distill", "--games", "10", "--rounds", "2", "--out", str(tmp_path)]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["turns"] == 100 and sum(stats["examples"].values()) == 100
    assert (tmp_path / "train.jsonl").exists()
    np.testing.assert_equal(stats["dropped"], 0)
