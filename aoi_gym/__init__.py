"""aoi-gym: Gymnasium environments for LLM agents that diagnose and mitigate Kubernetes incidents.

``import aoi_gym`` registers ``AOI-Incident-v0``; it needs only gymnasium, numpy, pyyaml and rich.
"""

from __future__ import annotations

__version__ = "0.1.0"

from aoi_gym import registration as _registration  # noqa: F401  (registers the env ids)

from aoi_gym.envs.reward import RewardConfig  # noqa: E402
from aoi_gym.trajectory import Trajectory, read_trajectories  # noqa: E402

__all__ = ["RewardConfig", "Trajectory", "read_trajectories", "__version__"]
