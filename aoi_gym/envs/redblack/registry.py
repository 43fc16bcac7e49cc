"""Names under which the multi-agent environments can be created (PettingZoo has no registry of its own)."""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["MULTIAGENT_ENV_IDS", "make_multiagent"]

# id -> "module:factory"; the factory returns a wrapped PettingZoo AECEnv.
MULTIAGENT_ENV_IDS: dict[str, str] = {
    "AOI-RedBlack-v0": "aoi_gym.envs.redblack.env:env",
}


def make_multiagent(name: str, **kwargs: Any):
    """Create a registered multi-agent env by id.

    Args:
        name: an id from :data:`MULTIAGENT_ENV_IDS` (``"AOI-RedBlack-v0"``).
        **kwargs: passed to the env's constructor (team_size, num_rounds, scenario, opponent, ...).

    Returns:
        The PettingZoo ``AECEnv`` (wrapped with PettingZoo's order-enforcing wrapper).

    Raises:
        ValueError: for an unknown id; the message names the valid ids.
    """
    try:
        target = MULTIAGENT_ENV_IDS[name]
    except KeyError:
        raise ValueError(f"unknown multi-agent env {name!r}; valid ids: {', '.join(MULTIAGENT_ENV_IDS)}") from None
    module_name, factory = target.split(":")
    return getattr(importlib.import_module(module_name), factory)(**kwargs)
