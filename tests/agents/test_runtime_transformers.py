"""The runtime on the local transformers back-end: a tiny random model built offline drives a real
episode; its gibberish is handled (corrections, then inert actions) and nothing is ever written."""

import gymnasium as gym
import pytest

import aoi_gym  # noqa: F401
from aoi_agents.runner import run_episode

torch = pytest.importorskip("torch")


def test_tiny_local_model_runs_an_episode_without_writes(tmp_path):
    from aoi_agents.llm import SamplingParams
    from aoi_agents.llm.testing import build_tiny_model
    from aoi_agents.llm.transformers_backend import TransformersLLM
    from aoi_agents.runtime import AOIRuntime

    torch.set_num_threads(1)
    llm = TransformersLLM(build_tiny_model(tmp_path / "tiny", seed=0))
    agent = AOIRuntime(llm, max_retries=1, max_probe_rounds=2, params=SamplingParams(temperature=0.0, max_tokens=16))
    env = gym.make("AOI-Incident-v0", problem_ids=["k8s_target_port-misconfig-mitigation-1"], max_steps=4)
    env.reset(seed=0)
    healthy_after_inject = env.unwrapped.cluster.digest()
    traj = run_episode(env, agent, seed=0)
    assert len(traj.steps) == 4 and traj.metadata["truncated"]
    # action_kind is "write" whenever a step changed the cluster digest
    assert all(s.info["action_kind"] != "write" for s in traj.steps)
    assert env.unwrapped.cluster.digest() == healthy_after_inject
    assert llm.usage.calls > 0 and llm.usage.completion_tokens > 0
    assert traj.grade == {"success": False, "score": 0.0}
