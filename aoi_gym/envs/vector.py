"""Vector construction for AOI-Incident-v0: ``gym.make_vec("AOI-Incident-v0", num_envs=8, mode="async")``."""

from __future__ import annotations

from typing import Any

import gymnasium as gym

__all__ = ["make_incident_vec"]


def make_incident_vec(num_envs: int = 1, mode: str = "sync", **env_kwargs: Any) -> gym.vector.VectorEnv:
    """Build ``num_envs`` copies of the env in a SyncVectorEnv or an AsyncVectorEnv.

    This is the env's ``vector_entry_point``. ``gym.make_vec(..., vectorization_mode="sync"|"async")``
    works as well: the observation space (:class:`aoi_gym.envs.spaces.TextObservation`) carries text
    through AsyncVectorEnv's shared memory correctly. Text travels through pipes here
    (``shared_memory=False``), which is cheaper for long observations that are mostly short.
    """
    if mode not in ("sync", "async"):
        raise ValueError(f"unknown mode {mode!r}; valid: sync, async")
    from aoi_gym.envs.incident import IncidentEnv

    fns = [lambda: IncidentEnv(**env_kwargs) for _ in range(num_envs)]
    if mode == "sync":
        return gym.vector.SyncVectorEnv(fns)
    return gym.vector.AsyncVectorEnv(fns, shared_memory=False)
