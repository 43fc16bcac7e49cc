"""The runtime over the OpenAI-compatible back-end (local stub server) and with malformed model output."""

from __future__ import annotations

from agents_helpers import NS, FakeEnv, drive, role_replies

from aoi_agents.llm import LLMError, OpenAICompatibleLLM, ScriptedLLM
from aoi_agents.llm.stub_server import StubServer
from aoi_agents.runtime import AOIRuntime, inert_action
from aoi_gym.envs.actions import ActionError, parse_action


def test_runtime_over_openai_compatible_stub_server():
    script = role_replies(
        probe=[f'```\nexec_shell("kubectl get pods -n {NS}")\n```', 'report("geo down")'],
        observer=['```\nprobe("pods?")\n```', f'```\nplan(["kubectl scale deployment geo --replicas=1 -n {NS}"])\n```', "```\nsubmit()\n```"],
    )
    with StubServer(lambda req: script(req.messages)) as server:
        agent = AOIRuntime(OpenAICompatibleLLM(server.base_url, "stub-model"))
        env = FakeEnv("mitigation")
        steps = drive(env, agent)
        assert parse_action(steps[-1][0], "mitigation").api == "submit"
        assert {m["role"] for _, m in steps} == {"probe", "executor", "observer"}
        assert len(server.requests) >= 5 and all(r.json["model"] == "stub-model" for r in server.requests)
        assert any(r.messages[0]["content"].startswith("You are the Probe") for r in server.requests)
        assert not server.errors
    assert f"kubectl scale deployment geo --replicas=1 -n {NS}" in env.commands


def test_malformed_output_is_retried_with_a_correction_then_becomes_an_invalid_action():
    llm = ScriptedLLM(["I think the geo pod is broken.", "```\nkubectl get pods\n```"], when_exhausted="cycle")
    agent = AOIRuntime(llm, max_retries=1)
    env = FakeEnv("localization", max_steps=3)
    steps = drive(env, agent)
    assert len(steps) == 3 and env.commands == []
    for action, meta in steps:
        assert isinstance(parse_action(action, "localization"), ActionError)
        assert meta["role"] == "observer" and meta.get("invalid")
    corrections = [m["content"] for conv in llm.seen for m in conv if m["role"] == "user" and "fenced code block" in m["content"]]
    assert corrections, "the model was never told what was wrong"


def test_failing_backend_never_crashes_the_episode():
    class Broken:
        name, usage = "broken", None

        def generate(self, conversations, params=None):
            raise LLMError("server down")

    agent = AOIRuntime(Broken())
    env = FakeEnv("detection", max_steps=2)
    steps = drive(env, agent)
    assert len(steps) == 2 and all(isinstance(parse_action(a, "detection"), ActionError) for a, _ in steps)
    assert any("back-end failed" in e.get("note", "") for e in agent.events)


def test_inert_action_never_parses_as_an_env_call():
    for raw in ['```\nexec_shell("kubectl delete ns x")\n```', "submit()", "", "garbage (", 'Action: get_logs("a", "b")']:
        assert isinstance(parse_action(inert_action(raw, "why (x)")), ActionError)
