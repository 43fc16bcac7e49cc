"""The one small protocol every generation back-end implements: chat messages in, text out, batched.

A message is ``{"role": "system" | "user" | "assistant", "content": str}``. Back-ends return one
:class:`Generation` per conversation, with token counts so that runs can report their cost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

__all__ = ["Message", "Generation", "SamplingParams", "LLM", "UsageMeter", "LLMError"]

Message = dict  # {"role": ..., "content": ...}


class LLMError(RuntimeError):
    """A back-end could not produce a generation (server error after retries, bad request, script exhausted)."""


@dataclass(frozen=True)
class SamplingParams:
    """Decoding settings shared by all back-ends (each maps them onto its own API)."""

    temperature: float = 0.7
    top_p: float = 1.0
    max_tokens: int = 512
    stop: tuple[str, ...] = ()
    seed: int | None = None


@dataclass
class Generation:
    """One completion: its text and the token counts of prompt and completion."""

    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    finish_reason: str = "stop"


@dataclass
class UsageMeter:
    """Running totals of calls and tokens, kept by every back-end as ``backend.usage``."""

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    history: list[tuple[int, int]] = field(default_factory=list, repr=False)

    def add(self, gens: list[Generation]) -> None:
        for g in gens:
            self.calls += 1
            self.prompt_tokens += g.prompt_tokens
            self.completion_tokens += g.completion_tokens
            self.history.append((g.prompt_tokens, g.completion_tokens))


@runtime_checkable
class LLM(Protocol):
    """A generation back-end.

    ``generate`` takes a batch of conversations and returns one :class:`Generation` for each, in order.
    ``name`` identifies the model (path, served model name, or script name) in trajectories and results.
    """

    name: str
    usage: UsageMeter

    def generate(self, conversations: list[list[Message]], params: SamplingParams | None = None) -> list[Generation]: ...
