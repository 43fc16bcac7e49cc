"""Fixtures for tests/sim_apps (helpers live in simapps_helpers.py so that test modules can import them by a unique name)."""

from simapps_helpers import *  # noqa: F401,F403
