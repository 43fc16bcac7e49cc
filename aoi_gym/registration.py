"""Registration of aoi-gym's environment ids with Gymnasium."""

from __future__ import annotations

from gymnasium.envs.registration import register, registry

__all__ = ["ENV_IDS"]

ENV_IDS = ("AOI-Incident-v0",)

if "AOI-Incident-v0" not in registry:
    register(
        id="AOI-Incident-v0",
        entry_point="aoi_gym.envs.incident:IncidentEnv",
        vector_entry_point="aoi_gym.envs.vector:make_incident_vec",
    )
