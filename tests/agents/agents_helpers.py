"""Fixtures for the agent SDK tests: a fake env that needs no cluster, and role-aware scripted models."""

from __future__ import annotations

from typing import Any

import pytest

from aoi_gym.envs.actions import ActionError, parse_action
from aoi_gym.envs.prompts import task_prompt

NS = "test-hotel-reservation"
SUMMARY = f"Service Name: Hotel Reservation\nNamespace: {NS}\nDescription: hotels\nSupported Operations:\n  - search"

DEPLOY_YAML = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: geo
  namespace: test-hotel-reservation
spec:
  replicas: {n}
"""


class FakeEnv:
    """reset/step like AOI-Incident-v0, with canned kubectl answers; records every action it gets."""

    def __init__(self, task_type: str = "mitigation", max_steps: int = 30) -> None:
        self.task_type, self.max_steps = task_type, max_steps
        self.actions: list[str] = []
        self.commands: list[str] = []
        self.replicas = 0

    def reset(self, *, seed: int | None = None, options: dict | None = None) -> tuple[str, dict[str, Any]]:
        self.actions, self.commands, self.steps = [], [], 0
        return task_prompt(self.task_type, SUMMARY, self.max_steps), {"problem_id": "fake-1", "task_type": self.task_type}

    def _run(self, cmd: str) -> str:
        self.commands.append(cmd)
        if "--dry-run=server" in cmd:
            return DEPLOY_YAML.format(n=1)
        if cmd.startswith("kubectl get deployments geo") and "-o yaml" in cmd:
            return DEPLOY_YAML.format(n=self.replicas)
        if cmd.startswith("kubectl scale"):
            self.replicas = 1
            return "deployment.apps/geo scaled"
        if cmd.startswith("kubectl get pods"):
            return "NAME   READY   STATUS    RESTARTS   AGE\ngeo-1   1/1     Running   0          1m"
        return f"ran: {cmd}"

    def step(self, action: str):
        self.actions.append(action)
        self.steps += 1
        parsed = parse_action(action, self.task_type)
        info = {"step": self.steps, "action_kind": "read"}
        if isinstance(parsed, ActionError):
            return f"Invalid action ({parsed.kind}): {parsed.message}", -0.1, False, self.steps >= self.max_steps, info
        if parsed.api == "submit":
            info["grade"] = {"success": True, "score": 1.0}
            return "Your submission was recorded.", 1.0, True, False, info
        out = self._run(parsed.args["command"]) if parsed.api == "exec_shell" else f"{parsed.api} output"
        return out, 0.0, False, self.steps >= self.max_steps, info


def role_replies(probe: list[str], observer: list[str]):
    """A reply function for ScriptedLLM: Probe and Observer replies from separate lists, by system prompt."""
    queues = {"probe": list(probe), "observer": list(observer)}

    def reply(conv: list[dict]) -> str:
        role = "probe" if conv[0]["content"].startswith("You are the Probe") else "observer"
        q = queues[role]
        return q.pop(0) if len(q) > 1 else q[0]

    return reply


def drive(env: FakeEnv, agent, limit: int = 40) -> list[tuple[str, dict]]:
    """Play one episode; returns (action, step meta) pairs."""
    obs, _ = env.reset(seed=0)
    agent.reset(obs)
    out = []
    for _ in range(limit):
        action = agent.act(obs)
        out.append((action, dict(agent.last_step_meta or {})))
        obs, _r, term, trunc, _i = env.step(action)
        if term or trunc:
            break
    return out


@pytest.fixture
def fake_env():
    return FakeEnv
