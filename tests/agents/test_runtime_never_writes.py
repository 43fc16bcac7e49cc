"""Property: whatever text the model returns, the Observer and the Probe never change the cluster."""

from __future__ import annotations

import gymnasium as gym
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import aoi_gym  # noqa: F401
from aoi_agents.llm import ScriptedLLM
from aoi_agents.runtime import AOIRuntime

NS = "test-hotel-reservation"
WRITES = [
    f"kubectl delete pod --all -n {NS}",
    f"kubectl scale deployment geo --replicas=0 -n {NS}",
    f"kubectl patch service geo -n {NS} -p '{{\"spec\":{{\"selector\":{{\"app\":\"x\"}}}}}}'",
    f"sh -c 'kubectl delete deployment geo -n {NS}'",
    f"echo $(kubectl delete deployment geo -n {NS})",
    f"kubectl get pods -n {NS}; kubectl delete svc geo -n {NS}",
    f"kubectl exec deploy/mongodb-geo -n {NS} -- mongo admin -u root -p root --eval 'db.dropUser(\"admin\")'",
    f"kubectl get pods -n {NS} | xargs kubectl delete pod -n {NS}",
    f"bash -c \"kubectl set image deployment/geo hotel-reserv-geo=x -n {NS}\"",
    f"kubectl rollout restart deployment geo -n {NS}",
]
READS = [f"kubectl get pods -n {NS}", f"kubectl describe deployment geo -n {NS}"]


def _wrap(cmd_or_call: str, style: int) -> str:
    call = cmd_or_call if "(" in cmd_or_call.split(" ")[0] else f"exec_shell({cmd_or_call!r})"
    return [f"```\n{call}\n```", f"Thought: go\nAction: {call}", call, f"```\n{call}\n```\n```\n{call}\n```"][style]


command = st.sampled_from(WRITES + READS) | st.text(max_size=60)
call = st.one_of(
    command.map(lambda c: f"exec_shell({c!r})"),
    command.map(lambda c: f"probe({c!r})"),
    st.lists(command, min_size=1, max_size=3).map(lambda cs: f"plan({cs!r})"),
    st.sampled_from(['submit("Yes")', "submit()", 'report("done")', 'get_logs("test-hotel-reservation", "geo")']),
    st.text(max_size=80),
)
reply = st.builds(_wrap, call, st.integers(0, 3)) | st.text(max_size=120)


@pytest.fixture(scope="module")
def env():
    e = gym.make("AOI-Incident-v0", split="all", seconds_per_step=0.0, max_steps=8)
    yield e
    e.close()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(replies=st.lists(reply, min_size=1, max_size=12), task=st.sampled_from(["detection", "mitigation"]))
def test_observer_and_probe_never_change_the_cluster(env, replies, task):
    pid = "revoke_auth_mongodb-detection-1" if task == "detection" else "revoke_auth_mongodb-mitigation-1"
    llm = ScriptedLLM(replies, when_exhausted="cycle")
    agent = AOIRuntime(llm, max_probe_rounds=2, max_retries=1, max_internal_turns=4)
    obs, _ = env.reset(seed=0, options={"problem_id": pid})
    cluster = env.unwrapped.cluster
    agent.reset(obs)
    for _ in range(8):
        before = cluster.digest()
        action = agent.act(obs)
        role = agent.last_step_meta["role"]
        obs, _r, term, trunc, info = env.step(action)
        if role != "executor":
            assert cluster.digest() == before, (role, action)
            assert info["action_kind"] != "write"
        if term or trunc:
            break
