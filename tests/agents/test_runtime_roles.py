"""The AOI runtime's role state machine on a fake env, driven by the scripted back-end."""

from __future__ import annotations

from agents_helpers import NS, FakeEnv, drive, role_replies

from aoi_agents.llm import ScriptedLLM
from aoi_agents.runtime import AOIRuntime, Executor
from aoi_gym.envs.actions import parse_action

PLAN = f'plan(["kubectl scale deployment geo --replicas=1 -n {NS}"])'


def test_mitigation_walks_observation_then_action_phase():
    llm = ScriptedLLM(role_replies(
        probe=[f'```\nexec_shell("kubectl get pods -n {NS}")\n```', 'report("geo has no replicas")'],
        observer=['Let me look.\n```\nprobe("which pods are down?")\n```', f"```\n{PLAN}\n```", "```\nsubmit()\n```"],
    ))
    agent = AOIRuntime(llm)
    env = FakeEnv("mitigation")
    steps = drive(env, agent)
    roles = [(m["role"], m["phase"]) for _, m in steps]
    assert roles[0] == ("probe", "observation")
    first_action = next(i for i, (_r, p) in enumerate(roles) if p == "action")
    assert all(p == "observation" for _r, p in roles[:first_action])
    assert roles[-1] == ("observer", "action") and parse_action(steps[-1][0], "mitigation").api == "submit"
    stages = [m.get("stage") for _, m in steps if m["role"] == "executor"]
    assert stages[:3] == ["dry-run", "current", "apply"] and "verify" in stages
    apply_meta = next(m for _, m in steps if m.get("stage") == "apply")
    assert "-  replicas: 0" in apply_meta["diff"] and "+  replicas: 1" in apply_meta["diff"]
    assert env.commands.count(f"kubectl scale deployment geo --replicas=1 -n {NS}") == 1
    # reasoning steps (no env action) are kept as events
    assert any(e["role"] == "observer" and e.get("plan") for e in agent.events)
    assert all(e["phase"] == "reasoning" for e in agent.events)


def test_observer_cannot_submit_mitigation_before_executor_verified():
    llm = ScriptedLLM(role_replies(probe=['report("ok")'], observer=["```\nsubmit()\n```"]))
    agent = AOIRuntime(llm, max_retries=1)
    env = FakeEnv("mitigation", max_steps=3)
    steps = drive(env, agent)
    assert len(steps) == 3  # truncated: the Observer's submit never reached the env
    assert not any(getattr(parse_action(a, "mitigation"), "api", None) == "submit" for a, _ in steps)
    assert any("accepted only after the Executor" in m["content"] for conv in llm.seen for m in conv if m["role"] == "user")


def test_plan_is_not_a_move_in_diagnosis_tasks():
    llm = ScriptedLLM(role_replies(probe=['report("x")'], observer=[f"```\n{PLAN}\n```", '```\nsubmit("Yes")\n```']))
    agent = AOIRuntime(llm)
    env = FakeEnv("detection")
    steps = drive(env, agent)
    assert not any("scale" in c for c in env.commands)
    assert parse_action(steps[-1][0], "detection").args == {"solution": "Yes"}


def test_executor_refuses_what_the_mitigation_policy_forbids():
    plan = [f"kubectl delete namespace {NS}", "kubectl delete pod x -n kube-system", f"kubectl scale deployment geo --replicas=1 -n {NS}"]
    ex = Executor(plan, NS, verify=False)
    gen = ex.steps()
    emitted = []
    try:
        step = next(gen)
        while True:
            emitted.append(step.action)
            step = gen.send(FakeEnv()._run(parse_action(step.action).args["command"]))
    except StopIteration:
        pass
    assert [r["status"] for r in ex.results] == ["refused", "refused", "applied"]
    assert not any("delete" in a for a in emitted)
    assert "deny list" in ex.results[0]["reason"]


def test_probe_write_is_never_emitted_and_probe_reports_after_retries():
    bad = f'```\nexec_shell("kubectl delete pod geo-1 -n {NS}")\n```'
    llm = ScriptedLLM(role_replies(probe=[bad], observer=['```\nprobe("look")\n```', '```\nsubmit("No")\n```']))
    agent = AOIRuntime(llm, max_retries=2)
    env = FakeEnv("detection")
    drive(env, agent)
    assert not any("delete" in c for c in env.commands)
    rejected = [e for e in agent.events if e["role"] == "probe" and e.get("rejected")]
    assert len(rejected) == 3 and "observation phase allows reads only" in rejected[0]["rejected"]
    assert any("Probe report" in m["content"] and "stopped early" in m["content"] for conv in llm.seen for m in conv)
