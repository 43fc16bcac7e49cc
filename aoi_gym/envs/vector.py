"""Vector construction for AOI-Incident-v0 (text observations need ``shared_memory=False`` when async)."""

from __future__ import annotations

from typing import Any

import gymnasium as gym

__all__ = ["make_incident_vec"]


def make_incident_vec(num_envs: int = 1, mode: str = "sync", **env_kwargs: Any) -> gym.vector.VectorEnv:
    """Build ``num_envs`` copies of the env in a SyncVectorEnv or an AsyncVectorEnv.

    Gymnasium's shared-memory transport cannot carry Text observations (they come back as stale
    strings), so the async mode here always passes ``shared_memory=False``. This is the env's
    ``vector_entry_point``: ``gym.make_vec("AOI-Incident-v0", num_envs=8, mode="async")``. With
    ``vectorization_mode="async"`` pass ``vector_kwargs={"shared_memory": False}`` yourself.
    """
    if mode not in ("sync", "async"):
        raise ValueError(f"unknown mode {mode!r}; valid: sync, async")
    from aoi_gym.envs.incident import IncidentEnv

    fns = [lambda: IncidentEnv(**env_kwargs) for _ in range(num_envs)]
    if mode == "sync":
        return gym.vector.SyncVectorEnv(fns)
    return gym.vector.AsyncVectorEnv(fns, shared_memory=False)
