"""Fixtures for tests/agents (helpers live in agents_helpers.py so that test modules can import them by a unique name)."""

from agents_helpers import *  # noqa: F401,F403
