"""The deliberation state machine and the PettingZoo AEC env (AOI-RedBlack-v0)."""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest

from aoi_gym.envs.redblack import BLACK, RED, GameConfig, RedBlackGame, make_multiagent
from aoi_gym.envs.redblack.scenarios import SPLITS, get_scenario, scenario_ids


def _answer_phase(game: RedBlackGame, willingness: dict[str, str], opinion: dict[str, str], vote: dict[str, str]) -> None:
    answers = {"willingness": willingness, "opinion": opinion, "vote": vote}[game.phase]
    game.submit_all({a: answers[a] for a in game.pending()})


def _play_round(game: RedBlackGame, willingness, opinion, vote):
    start = len(game.records)
    while len(game.records) == start:
        _answer_phase(game, willingness, opinion, vote)
    return game.records[-1]


IDS = [f"a_{i}" for i in range(5)]
OPINION = {a: f"RECOMMENDATION: BLACK\nREASONING: message from {a}" for a in IDS}
VOTE_BLACK = {a: "VOTE: BLACK" for a in IDS}


def test_speaking_order_follows_willingness() -> None:
    game = RedBlackGame(GameConfig(), np.random.default_rng(0))
    will = {a: f"WILLINGNESS: {v}" for a, v in zip(IDS, [0, 3, 1, 2, 0])}
    record = _play_round(game, will, OPINION, VOTE_BLACK)
    assert record.speaking_order[:3] == ("a_1", "a_3", "a_2")
    assert set(record.speaking_order[3:]) == {"a_0", "a_4"}


def test_willingness_asked_of_everyone_not_yet_spoken() -> None:
    game = RedBlackGame(GameConfig(), np.random.default_rng(0))
    asked = []
    while not game.records:
        if game.phase == "willingness":
            asked.append(len(game.pending()))
        _answer_phase(game, {a: "WILLINGNESS: 1" for a in IDS}, OPINION, VOTE_BLACK)
    assert asked == [5, 4, 3, 2, 1]


def test_ties_are_broken_by_the_seed() -> None:
    def order(seed: int) -> tuple[str, ...]:
        game = RedBlackGame(GameConfig(), np.random.default_rng(seed))
        return _play_round(game, {a: "WILLINGNESS: 2" for a in IDS}, OPINION, VOTE_BLACK).speaking_order

    orders = [order(s) for s in range(8)]
    assert orders == [order(s) for s in range(8)]
    assert len(set(orders)) > 1


def test_unreadable_willingness_counts_as_one() -> None:
    game = RedBlackGame(GameConfig(), np.random.default_rng(0))
    will = {a: "WILLINGNESS: 0" for a in IDS} | {"a_4": "uh, sure?"}
    assert _play_round(game, will, OPINION, VOTE_BLACK).speaking_order[0] == "a_4"


def test_majority_abstention_and_no_valid_votes() -> None:
    game = RedBlackGame(GameConfig(opponent="always_cooperate"), np.random.default_rng(0))
    will = {a: "WILLINGNESS: 1" for a in IDS}
    votes = {"a_0": "VOTE: RED", "a_1": "VOTE: RED", "a_2": "garbage", "a_3": "VOTE: BLACK", "a_4": "???"}
    rec = _play_round(game, will, OPINION, votes)
    assert rec.decision_a == RED and rec.votes["a_2"] is None and (rec.score_a, rec.score_b) == (6, -6)
    rec = _play_round(game, will, OPINION, {a: "no idea" for a in IDS})
    assert rec.decision_a is None and rec.no_valid_votes and (rec.score_a, rec.score_b) == (0, 0)


def test_vote_prompt_is_anonymous_and_lists_every_opinion() -> None:
    game = RedBlackGame(GameConfig(), np.random.default_rng(0))
    while game.phase != "vote":
        _answer_phase(game, {a: "WILLINGNESS: 1" for a in IDS}, OPINION, VOTE_BLACK)
    prompt = game.request("a_0").prompt
    assert all(f"Teammate {i}:" in prompt for i in range(1, 6))
    assert all(f"message from {a}" in prompt for a in IDS)
    assert not any(name in prompt for name in game.names.values())


def test_history_clearing() -> None:
    def later_prompt(clear: bool) -> str:
        game = RedBlackGame(GameConfig(clear_history=clear), np.random.default_rng(0))
        _play_round(game, {a: "WILLINGNESS: 1" for a in IDS}, OPINION, VOTE_BLACK)
        return game.request(game.pending()[0]).prompt

    cleared, kept = later_prompt(True), later_prompt(False)
    assert "message from a_0" not in cleared and "message from a_0" in kept
    # past choices and scores carry over either way
    assert "Round 1 (x1): Team A chose BLACK (-6 points)" in cleared
    assert "Round 1 (x1): Team A chose BLACK" in kept


def test_extra_discussion_rounds_give_each_member_more_turns() -> None:
    game = RedBlackGame(GameConfig(discussion_rounds=2), np.random.default_rng(0))
    rec = _play_round(game, {a: "WILLINGNESS: 1" for a in IDS}, OPINION, VOTE_BLACK)
    assert len(rec.opinions) == 10 and sorted(rec.speaking_order) == sorted(IDS * 2)
    assert {o.pass_no for o in rec.opinions} == {1, 2}


def test_team_sizes_and_full_game_scores() -> None:
    for size in (5, 10, 15):
        game = RedBlackGame(GameConfig(team_size=size, opponent="always_cooperate"), np.random.default_rng(0))
        ids = game.agent_ids
        while not game.done:
            phase = game.phase
            text = {"willingness": "WILLINGNESS: 1", "opinion": "RECOMMENDATION: A", "vote": "VOTE: BLACK"}[phase]
            game.submit_all({a: text for a in game.pending()})
        assert len(ids) == size and game.score_a + game.score_b == 150


def test_submit_out_of_turn_is_a_clear_error() -> None:
    game = RedBlackGame(GameConfig(), np.random.default_rng(0))
    game.submit_all({a: "WILLINGNESS: 1" for a in IDS})
    with pytest.raises(ValueError, match="not asked"):
        game.submit(next(a for a in IDS if a not in game.pending()), "hello")


def test_scenarios_and_splits() -> None:
    assert set(SPLITS["heldout"]) == {"baseline", "trade_war", "gpu_contention"}
    assert len(SPLITS["train"]) == 5 and not set(SPLITS["train"]) & set(SPLITS["heldout"])
    assert scenario_ids("trade_war,baseline") == ["trade_war", "baseline"]
    with pytest.raises(ValueError, match="gpu_contention"):
        get_scenario("poker")
    for sid in SPLITS["all"]:
        game = RedBlackGame(GameConfig(scenario=sid), np.random.default_rng(0))
        text = game.request("a_0").text
        assert text.isascii() and "x10" in text


# ---------------------------------------------------------------------------------------------- env


def test_pettingzoo_api_test() -> None:
    from pettingzoo.test import api_test

    env = make_multiagent("AOI-RedBlack-v0", scenario="gpu_contention", render_mode="ansi")
    api_test(env, num_cycles=300)


def _run_env(seed: int, reply) -> tuple[list[str], dict[str, float]]:
    env = make_multiagent("AOI-RedBlack-v0", opponent="always_defect")
    env.reset(seed=seed)
    order, totals = [], {a: 0.0 for a in env.possible_agents}
    for agent in env.agent_iter():
        obs, reward, term, trunc, info = env.last()
        totals[agent] += reward
        order.append(agent)
        env.step(None if term or trunc else reply(obs))
    return order, totals


def _cooperative_reply(obs: dict) -> str:
    return ["WILLINGNESS: 2", "RECOMMENDATION: BLACK\nREASONING: cooperate", "VOTE: BLACK"][obs["phase"]]


def test_env_full_game_rewards_and_determinism() -> None:
    order, totals = _run_env(5, _cooperative_reply)
    assert all(v == -150 for v in totals.values())
    assert order == _run_env(5, _cooperative_reply)[0]
    assert order != _run_env(6, _cooperative_reply)[0]


def test_env_garbage_actions_never_raise() -> None:
    order, totals = _run_env(0, lambda obs: "\x00 not an answer \u2603")
    assert all(v == 0 for v in totals.values())  # nobody voted validly: no round was scored


def test_env_observation_is_the_phase_prompt() -> None:
    env = make_multiagent("AOI-RedBlack-v0", scenario="trade_war")
    env.reset(seed=0)
    obs, *_ = env.last()
    assert obs["phase"] == 0 and "WILLINGNESS" in obs["prompt"] and "Avalon" in obs["prompt"]


def test_make_multiagent_unknown_id() -> None:
    with pytest.raises(ValueError, match="AOI-RedBlack-v0"):
        make_multiagent("AOI-Chess-v0")


def test_import_aoi_gym_does_not_import_pettingzoo() -> None:
    code = "import sys, aoi_gym, aoi_gym.envs.redblack.deliberation; print('pettingzoo' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
