"""Wrappers for AOI-Incident-v0, each doing one thing.

* :class:`RecordTrajectory`: one JSON line per finished episode (see :mod:`aoi_gym.trajectory`).
* :class:`HideInfo`: an agent-facing view whose ``info`` carries nothing but the step number, so a
  policy provably sees only observations (the problem id in ``info`` names the fault family).
"""

from __future__ import annotations

import os
from typing import Any

import gymnasium as gym

from aoi_gym.trajectory import Step, Trajectory, append_trajectory

__all__ = ["RecordTrajectory", "HideInfo"]


class RecordTrajectory(gym.Wrapper, gym.utils.RecordConstructorArgs):
    """Append every finished episode (terminated or truncated) to a JSONL file.

    Args:
        env: an AOI-Incident env (or a wrapper around one).
        path: the ``.jsonl`` file; created if missing, appended to otherwise.
        agent: a name stored with each trajectory (the agent or model that played).

    An episode abandoned by a new ``reset()`` before it ended is not written. Each line is appended
    with one write and an fsync; a crash never leaves earlier episodes unreadable.
    """

    def __init__(self, env: gym.Env, path: str | os.PathLike, agent: str = "") -> None:
        gym.utils.RecordConstructorArgs.__init__(self, path=str(path), agent=agent)
        gym.Wrapper.__init__(self, env)
        self.path = str(path)
        self.agent = agent
        self._traj: Trajectory | None = None
        self.episodes_written = 0

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        obs, info = self.env.reset(seed=seed, options=options)
        self._traj = Trajectory(
            problem_id=str(info.get("problem_id", "")),
            seed=seed,
            task_type=str(info.get("task_type", "")),
            prompt=obs,
            app=str(info.get("app", "")),
            agent=self.agent,
        )
        return obs, info

    def step(self, action: Any):
        obs, reward, terminated, truncated, info = self.env.step(action)
        if self._traj is not None:
            phase = info.get("phase", "") or info.get("action_kind", "")
            role = info.get("role", "agent")
            self._traj.steps.append(Step(str(action), obs, float(reward), _jsonable(info), role=role, phase=phase))
            if terminated or truncated:
                self._traj.grade = dict(info.get("grade") or {})
                self._traj.metadata["terminated"] = bool(terminated)
                self._traj.metadata["truncated"] = bool(truncated)
                append_trajectory(self.path, self._traj)
                self.episodes_written += 1
                self._traj = None
        return obs, reward, terminated, truncated, info


class HideInfo(gym.Wrapper, gym.utils.RecordConstructorArgs):
    """Replace ``info`` by ``{"step": n}`` (plus ``"grade"`` on the last step if ``keep_grade``)."""

    def __init__(self, env: gym.Env, keep_grade: bool = False) -> None:
        gym.utils.RecordConstructorArgs.__init__(self, keep_grade=keep_grade)
        gym.Wrapper.__init__(self, env)
        self.keep_grade = keep_grade

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        obs, info = self.env.reset(seed=seed, options=options)
        return obs, {"step": 0}

    def step(self, action: Any):
        obs, reward, terminated, truncated, info = self.env.step(action)
        out = {"step": info.get("step", 0)}
        if self.keep_grade and "grade" in info:
            out["grade"] = info["grade"]
        return obs, reward, terminated, truncated, out


def _jsonable(d: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        if hasattr(v, "item"):
            v = v.item()
        out[k] = v if isinstance(v, (str, int, float, bool, type(None), list, dict)) else str(v)
    return out
