"""Environments: AOI-Incident-v0 (single agent, Gymnasium) and the Red-Black team game (PettingZoo)."""

from __future__ import annotations

from aoi_gym.envs.actions import Action, ActionError, parse_action
from aoi_gym.envs.reward import RewardConfig

__all__ = ["Action", "ActionError", "parse_action", "RewardConfig", "IncidentEnv", "RecordTrajectory", "HideInfo"]


def __getattr__(name: str):
    # IncidentEnv and the wrappers are loaded on first use, so `import aoi_gym` stays light.
    if name == "IncidentEnv":
        from aoi_gym.envs.incident import IncidentEnv

        return IncidentEnv
    if name in ("RecordTrajectory", "HideInfo"):
        from aoi_gym.envs import wrappers

        return getattr(wrappers, name)
    raise AttributeError(name)
