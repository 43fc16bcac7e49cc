"""Seed fine-tuning: two LoRA SFT steps with TRL on a tiny local model (no hub access)."""

from __future__ import annotations

import json

import pytest

from aoi_agents.cli import main
from aoi_agents.propagation.agents import PersuadableAgent
from aoi_agents.propagation.distill import collect_turns, export_sft, rewrite_turns, scripted_teacher, to_sft_example


@pytest.fixture
def offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")


def test_train_seed_lora_two_steps(tmp_path, offline, capsys) -> None:
    from aoi_agents.llm.testing import build_tiny_model

    samples = collect_turns(2, lambda slot, rng: PersuadableAgent(rng), num_rounds=1)
    rewrites, _ = rewrite_turns(scripted_teacher(), samples)
    paths = export_sft([to_sft_example(s, r) for s, r in zip(samples, rewrites)], tmp_path / "data", fractions=(1.0, 0, 0))
    model = build_tiny_model(tmp_path / "model")
    out = tmp_path / "adapter"
    code = main([
        "propagation", "train-seed", "--model", model, "--data", str(paths["train"]), "--out", str(out),
        "--lora-r", "4", "--lora-alpha", "8", "--max-steps", "2", "--batch-size", "2", "--grad-accum", "1",
        "--warmup-steps", "0", "--max-length", "512", "--cpu",
    ])
    assert code == 0
    config = json.loads((out / "adapter_config.json").read_text())
    assert config["r"] == 4 and config["lora_alpha"] == 8
    assert set(config["target_modules"]) == {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"}
    # LoRA starts with B = 0 (the adapter is a no-op); two optimizer steps must have moved it
    from safetensors.numpy import load_file

    weights = load_file(str(out / "adapter_model.safetensors"))
    lora_b = [w for name, w in weights.items() if "lora_B" in name]
    assert lora_b and any(abs(w).max() > 0 for w in lora_b), sorted(weights)[:4]


def test_train_seed_missing_data_is_a_clear_error(tmp_path, capsys) -> None:
    code = main(["propagation", "train-seed", "--model", "x", "--data", str(tmp_path / "none.jsonl"), "--out", str(tmp_path)])
    assert code == 2 and "data file not found" in capsys.readouterr().err
