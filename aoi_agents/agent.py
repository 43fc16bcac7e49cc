"""The agent interface of the SDK: text in, text out, one episode at a time.

An agent sees only observations (the task prompt first, then each action's output); it never receives
the env's ``info``, the problem object or the grader. ``runner.run_episode`` enforces that.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

__all__ = ["Agent"]


@runtime_checkable
class Agent(Protocol):
    """``reset(prompt)`` starts an episode; ``act(observation)`` returns the next action text."""

    name: str

    def reset(self, prompt: str) -> None: ...

    def act(self, observation: str) -> str: ...
