"""Experiment metrics on hand-computed games, the runner's conditions, and the ``aoi propagation`` CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest

from aoi_agents.cli import main
from aoi_agents.propagation.agents import CooperativeAgent, PersuadableAgent, StubbornAgent
from aoi_agents.propagation.experiment import (
    ExperimentSpec,
    cooperation_rate,
    game_metrics,
    play_game,
    results_table,
    run_experiment,
    vote_shifts,
)
from aoi_gym.envs.redblack import BLACK, RED, GameConfig, Opinion, RoundRecord


def _record(n: int, decision, opinions=(), votes=None) -> RoundRecord:
    return RoundRecord(n, 1, decision, RED, 0, 0, (), tuple(opinions), votes or {})


def test_cooperation_rate_counts_team_decisions_and_void_rounds_as_not_cooperating() -> None:
    records = [_record(1, BLACK), _record(2, RED), _record(3, None), _record(4, BLACK)]
    assert cooperation_rate(records) == 0.5


def test_vote_shifts_of_untrained_members_only() -> None:
    opinions = [Opinion("a_0", 1, BLACK, "seed"), Opinion("a_1", 1, RED, "x"), Opinion("a_2", 1, RED, "y"),
                Opinion("a_3", 1, BLACK, "z"), Opinion("a_1", 2, BLACK, "second pass ignored")]
    votes = {"a_0": BLACK, "a_1": BLACK, "a_2": RED, "a_3": RED}
    shifts = vote_shifts([_record(1, BLACK, opinions, votes)], [frozenset({"a_0"})])
    assert shifts == {"red_to_black": 1, "black_to_red": 1, "red_opinions": 2, "black_opinions": 1}


def test_game_metrics_on_a_hand_computed_game() -> None:
    # 1 seed (a_0) + 4 stubborn RED members vs always_defect: the seed is outvoted every round
    members = {"a_0": CooperativeAgent()} | {f"a_{i}": StubbornAgent(RED) for i in range(1, 5)}
    log = play_game(GameConfig(), members, np.random.default_rng(0), seeds=1)
    m = game_metrics(log)
    assert m["cooperation"] == 0.0 and m["per_round"] == [0.0] * 10
    assert m["score_a"] == -75 and m["combined"] == -150
    assert m["vote_shifts"] == {"red_to_black": 0, "black_to_red": 0, "red_opinions": 40, "black_opinions": 0}
    # 3 cooperative members: BLACK every round, -150 for team A against always_defect
    members = {f"a_{i}": CooperativeAgent() for i in range(3)} | {f"a_{i}": StubbornAgent(RED) for i in (3, 4)}
    m = game_metrics(play_game(GameConfig(), members, np.random.default_rng(0), seeds=3))
    assert m["cooperation"] == 1.0 and m["score_a"] == -150 and m["combined"] == 0


def test_seed_removal_after_two_cooperative_rounds() -> None:
    members = {f"a_{i}": CooperativeAgent() for i in range(3)} | {f"a_{i}": StubbornAgent(RED) for i in (3, 4)}
    log = play_game(GameConfig(), members, np.random.default_rng(0), replacement=lambda slot, rng: StubbornAgent(RED))
    assert log.removed_after_round == 2
    assert [r.decision_a for r in log.records] == [BLACK, BLACK] + [RED] * 8
    assert log.seed_ids_by_round[1] == {"a_0", "a_1", "a_2"} and log.seed_ids_by_round[2] == frozenset()
    m = game_metrics(log)
    assert m["cooperation_before_removal"] == 1.0 and m["cooperation_after_removal"] == 0.0


def _spec(**kw) -> ExperimentSpec:
    return ExperimentSpec(**{"seeds": [0, 1, 5], "scenarios": ["baseline", "trade_war"], "runs": 2, **kw})


def test_aggregation_mean_over_runs_then_across_scenarios() -> None:
    result = run_experiment(_spec(), lambda s, rng: PersuadableAgent(rng), lambda s, rng: CooperativeAgent())
    for cond in result["conditions"]:
        per = [cond["per_scenario"][s]["cooperation"] for s in ("baseline", "trade_war")]
        assert cond["cooperation_mean"] == pytest.approx(np.mean(per))
        assert cond["cooperation_std"] == pytest.approx(np.std(per))
        for s in ("baseline", "trade_war"):
            assert cond["per_scenario"][s]["cooperation"] == pytest.approx(np.mean(cond["per_scenario"][s]["runs"]))
    five = next(c for c in result["conditions"] if c["seeds"] == 5)
    assert five["cooperation_mean"] == 1.0 and five["per_round"] == [1.0] * 10
    assert "| 5 | standard | 100.0% +- 0.0%" in results_table(result)


def test_runner_is_deterministic_and_variants_skip_zero_seeds() -> None:
    spec = _spec(variants=["standard", "muted", "removal"], runs=1)
    make = (lambda s, rng: PersuadableAgent(rng)), (lambda s, rng: CooperativeAgent())
    a, b = run_experiment(spec, *make), run_experiment(spec, *make)
    assert a == b
    assert [(c["seeds"], c["variant"]) for c in a["conditions"]] == [
        (0, "standard"), (1, "standard"), (1, "muted"), (1, "removal"), (5, "standard"), (5, "muted"), (5, "removal")
    ]
    assert "removal" in a["conditions"][3]


def test_seeds_raise_cooperation_with_scripted_agents() -> None:
    spec = ExperimentSpec(seeds=[0, 1, 5], scenarios=["baseline", "trade_war", "gpu_contention"], runs=6)
    result = run_experiment(spec, lambda s, rng: PersuadableAgent(rng), lambda s, rng: CooperativeAgent())
    coop = [c["cooperation_mean"] for c in result["conditions"]]
    assert coop[0] < 0.4 < coop[1] < coop[2] == 1.0


def test_spec_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="muted"):
        _spec(variants=["loud"])
    with pytest.raises(ValueError, match="0..5"):
        _spec(seeds=[6])


def test_cli_run_writes_json_table_and_plots(tmp_path, capsys) -> None:
    code = main(["propagation", "run", "--seeds", "0..2", "--runs", "1", "--mute", "--removal", "--out", str(tmp_path)])
    assert code == 0
    result = json.loads((tmp_path / "results.json").read_text())
    assert [c["seeds"] for c in result["conditions"]] == [0, 1, 1, 1, 2, 2, 2]
    assert (tmp_path / "table.md").read_text().startswith("| seeds | variant | cooperation")
    assert (tmp_path / "cooperation_by_seeds.png").stat().st_size > 1000
    assert (tmp_path / "per_round.png").exists()
    assert "| 0 | standard" in capsys.readouterr().out


def test_cli_reports_bad_arguments_without_traceback(capsys) -> None:
    assert main(["propagation", "run", "--seeds", "zero..five"]) == 2
    assert main(["propagation", "run", "--scenarios", "chess"]) == 2
    err = capsys.readouterr().err
    assert "--seeds must look like" in err and "unknown scenario" in err

