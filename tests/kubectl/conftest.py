"""Fixtures for tests/kubectl (helpers live in kubectl_helpers.py so that test modules can import them by a unique name)."""

from kubectl_helpers import *  # noqa: F401,F403
