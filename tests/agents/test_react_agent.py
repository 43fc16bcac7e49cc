"""ReActAgent: one model with every API, Thought/Action format, malformed replies retried."""

from __future__ import annotations

from agents_helpers import NS, FakeEnv, drive

from aoi_agents.baselines.react import ReActAgent
from aoi_agents.llm import ScriptedLLM
from aoi_gym.envs.actions import ActionError, parse_action


def test_react_plays_thought_action_turns():
    llm = ScriptedLLM([
        f'Thought: check pods\nAction: exec_shell("kubectl get pods -n {NS}")',
        'Thought: geo is fine\nAction: submit("No")',
    ])
    agent = ReActAgent(llm)
    env = FakeEnv("detection")
    steps = drive(env, agent)
    assert env.commands == [f"kubectl get pods -n {NS}"]
    assert parse_action(steps[-1][0], "detection").args == {"solution": "No"}
    assert steps[0][1]["phase"] == "observation" and steps[0][1]["thought"] == "check pods"
    assert "Observation:" in llm.seen[-1][-1]["content"]


def test_react_retries_then_sends_raw_text():
    llm = ScriptedLLM(["no idea", "still no idea"], when_exhausted="repeat_last")
    agent = ReActAgent(llm, max_retries=1)
    env = FakeEnv("detection", max_steps=2)
    steps = drive(env, agent)
    assert [a for a, _ in steps] == ["still no idea", "still no idea"]
    assert all(isinstance(parse_action(a, "detection"), ActionError) for a, _ in steps)
    assert any(e.get("rejected") for e in agent.events)
