"""Team members: the LLM member (fake back-end and loopback HTTP), retries, scripted members, muting."""

from __future__ import annotations

import numpy as np

from aoi_agents.llm import OpenAICompatibleLLM, ScriptedLLM
from aoi_agents.llm.stub_server import StubServer
from aoi_agents.propagation.agents import (
    CooperativeAgent,
    LLMTeamMember,
    MutedAgent,
    PersuadableAgent,
    StubbornAgent,
    respond,
)
from aoi_agents.propagation.experiment import play_game
from aoi_gym.envs.redblack import BLACK, RED, GameConfig, RedBlackGame


def _vote_requests(scenario: str = "trade_war"):
    game = RedBlackGame(GameConfig(scenario=scenario), np.random.default_rng(0))
    while game.phase != "vote":
        text = {"willingness": "WILLINGNESS: 1", "opinion": "RECOMMENDATION: A\nREASONING: open trade"}[game.phase]
        game.submit_all({a: text for a in game.pending()})
    return game.requests()


def _phase_reply(conv) -> str:
    prompt = conv[-1]["content"]
    if "WILLINGNESS" in prompt:
        return "WILLINGNESS: 2"
    if "RECOMMENDATION:" in prompt:
        return "RECOMMENDATION: B\nREASONING: tariffs protect us"
    return "<think>hmm</think>VOTE: B"


def test_members_sharing_a_backend_are_batched() -> None:
    llm = ScriptedLLM(_phase_reply)
    calls = []
    original = llm.generate
    llm.generate = lambda convs, params=None: calls.append(len(convs)) or original(convs, params)
    members = {f"a_{i}": LLMTeamMember(llm) for i in range(5)}
    log = play_game(GameConfig(scenario="trade_war", num_rounds=2), members, np.random.default_rng(0))
    assert [r.decision_a for r in log.records] == [RED, RED]
    # per round: willingness 5+4+3+2+1 (batched per step), 5 opinions, 1 batched vote call
    assert calls[:11] == [5, 1, 4, 1, 3, 1, 2, 1, 1, 1, 5]
    system = llm.seen[0][0]["content"]
    assert "Avalon" in system and llm.seen[0][1]["role"] == "user"


def test_one_retry_for_an_unreadable_vote_then_abstain() -> None:
    requests = _vote_requests()
    replies = iter(["I am still thinking.", "VOTE: A", "no idea", "nope", "VOTE: B"])
    llm = ScriptedLLM(lambda conv: next(replies))
    member = LLMTeamMember(llm)
    answers = respond([(member, requests[0]), (member, requests[1]), (member, requests[2])])
    # first batch: 3 replies ("I am still thinking.", "VOTE: A", "no idea"); retries for #0 and #2
    assert answers == ["I am still thinking.", "VOTE: A", "VOTE: B"]
    retry_conv = llm.seen[3]
    assert retry_conv[-1]["content"].endswith("VOTE: A or VOTE: B") and retry_conv[-2]["role"] == "assistant"
    assert len(llm.seen) == 5


def test_unreadable_recommendation_retry_keeps_the_reasoning() -> None:
    game = RedBlackGame(GameConfig(scenario="baseline"), np.random.default_rng(0))
    game.submit_all({a: "WILLINGNESS: 1" for a in game.pending()})
    request = game.requests()[0]
    replies = iter(["We should think about the long game together.", "RECOMMENDATION: BLACK"])
    text = respond([(LLMTeamMember(ScriptedLLM(lambda c: next(replies))), request)])[0]
    game.submit(request.agent, text)
    opinion = game.opinions[0]
    assert opinion.recommendation == BLACK and "long game together" in opinion.message


def test_seed_system_prompt_goes_before_the_briefing() -> None:
    request = _vote_requests()[0]
    conv = LLMTeamMember(ScriptedLLM(["x"]), system_prompt="Be an altruist.", is_seed=True).conversation(request)
    assert conv[0]["content"].startswith("Be an altruist.\n\n") and request.system in conv[0]["content"]


def test_llm_member_over_loopback_openai_server() -> None:
    def handler(req) -> str:
        return _phase_reply(req.messages)

    with StubServer(handler) as server:
        llm = OpenAICompatibleLLM(server.base_url, "seed-adapter", max_retries=0, timeout_s=10)
        members = {f"a_{i}": LLMTeamMember(llm) for i in range(5)}
        log = play_game(GameConfig(scenario="gpu_contention", num_rounds=1), members, np.random.default_rng(0))
        bodies = [r.json for r in server.requests if r.json]
    assert log.records[0].decision_a == RED
    assert all(b["model"] == "seed-adapter" and b["temperature"] == 0.7 for b in bodies)
    assert len(bodies) == 15 + 5 + 5


def test_muted_agent_votes_but_only_says_its_vote() -> None:
    game = RedBlackGame(GameConfig(scenario="trade_war", num_rounds=1), np.random.default_rng(0))
    members = {"a_0": MutedAgent(CooperativeAgent())} | {f"a_{i}": StubbornAgent(RED) for i in range(1, 5)}
    log = play_game(game.config, members, np.random.default_rng(0))
    seed_opinion = next(o for o in log.records[0].opinions if o.agent == "a_0")
    assert seed_opinion.message == "I vote A." and seed_opinion.recommendation == BLACK
    assert log.records[0].votes["a_0"] == BLACK


def test_persuadable_agent_moves_with_arguments() -> None:
    base = _vote_requests("baseline")[1]
    agent = PersuadableAgent(np.random.default_rng(0))
    p_alone = agent.cooperation_probability(base.__class__(**{**base.__dict__, "heard": (), "own_opinion": None}))
    argued = CooperativeAgent().act(base.__class__(**{**base.__dict__, "phase": "opinion"}))
    from aoi_gym.envs.redblack.game import Opinion
    from aoi_gym.envs.redblack.parsing import parse_opinion

    choice, message = parse_opinion(argued)
    with_argued = base.__class__(**{**base.__dict__, "heard": (Opinion("a_0", 1, choice, message),), "own_opinion": None})
    with_bare = base.__class__(**{**base.__dict__, "heard": (Opinion("a_0", 1, BLACK, "I vote BLACK."),), "own_opinion": None})
    with_red = base.__class__(**{**base.__dict__, "heard": (Opinion("a_0", 1, RED, "They exploit us, we lose."),), "own_opinion": None})
    p_argued, p_bare, p_red = (agent.cooperation_probability(r) for r in (with_argued, with_bare, with_red))
    assert p_red < p_alone < p_bare < p_argued


def test_scripted_members_are_deterministic_given_the_rng() -> None:
    def run(seed: int):
        rng = np.random.default_rng(seed)
        members = {f"a_{i}": PersuadableAgent(rng) for i in range(5)}
        return play_game(GameConfig(), members, rng).records

    # whole records (speaking order, opinions, votes, scores), not just the team's decisions
    assert run(2) == run(2)
    decisions = {tuple(r.decision_a for r in run(seed)) for seed in range(6)}
    assert len(decisions) > 1 and {BLACK, RED} <= {d for ds in decisions for d in ds}  # the rng matters
