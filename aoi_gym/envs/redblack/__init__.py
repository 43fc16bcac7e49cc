"""The Red-Black Game: a multi-agent deliberation environment (PettingZoo AEC) and its shared game logic.

``make_multiagent("AOI-RedBlack-v0", **kwargs)`` builds the PettingZoo env; :class:`RedBlackGame` runs the
same game for experiment runners that drive Team A outside the AEC loop. PettingZoo is imported only
when the env itself is built, so the game logic needs nothing beyond numpy.
"""

from __future__ import annotations

from aoi_gym.envs.redblack.deliberation import RedBlackGame, TurnRequest
from aoi_gym.envs.redblack.game import BLACK, RED, GameConfig, Opinion, RoundRecord
from aoi_gym.envs.redblack.registry import MULTIAGENT_ENV_IDS, make_multiagent
from aoi_gym.envs.redblack.scenarios import SCENARIOS, SPLITS, get_scenario, scenario_ids

__all__ = [
    "BLACK",
    "RED",
    "GameConfig",
    "Opinion",
    "RoundRecord",
    "RedBlackGame",
    "TurnRequest",
    "MULTIAGENT_ENV_IDS",
    "make_multiagent",
    "SCENARIOS",
    "SPLITS",
    "get_scenario",
    "scenario_ids",
]
