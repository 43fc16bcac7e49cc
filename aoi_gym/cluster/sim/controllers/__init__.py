"""Controllers of the simulated cluster: they derive status from spec (see ``runtime.Controller``)."""

from __future__ import annotations

__all__ = ["default_controllers"]


def default_controllers() -> list:
    """The controllers a kind cluster runs, in the order they act on one reconcile pass."""
    return []
