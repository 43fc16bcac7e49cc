"""Small text helpers shared by the back-ends: approximate token counts, stop strings, input checks.

The approximate count is used where no tokenizer is at hand (the scripted back-end, and an
OpenAI-compatible server that returns no ``usage``). It is a heuristic, not a tokenizer:

* ``approx_tokens(text)`` = ``max(words, ceil(chars / 4))`` where ``words`` is the number of
  whitespace-separated pieces and ``chars`` the number of characters; ``0`` for an empty string.
  English BPE vocabularies average about 4 characters per token, and a token never spans two words,
  so the larger of the two is a fair estimate for prose, code and shell commands alike.
* ``approx_prompt_tokens(conversation)`` adds :data:`MESSAGE_OVERHEAD_TOKENS` per message for the
  role header and separators that chat templates insert (ChatML uses 4 to 5).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from .base import Message

__all__ = [
    "MESSAGE_OVERHEAD_TOKENS",
    "approx_tokens",
    "approx_prompt_tokens",
    "truncate_at_stop",
    "check_conversations",
]

MESSAGE_OVERHEAD_TOKENS = 4
_ROLES = ("system", "user", "assistant", "tool")


def approx_tokens(text: str) -> int:
    """Return the heuristic token count of ``text`` (see the module docstring)."""
    if not text:
        return 0
    return max(len(text.split()), math.ceil(len(text) / 4))


def approx_prompt_tokens(conversation: Sequence[Message]) -> int:
    """Return the heuristic token count of a whole conversation, template overhead included."""
    return sum(approx_tokens(str(m.get("content") or "")) + MESSAGE_OVERHEAD_TOKENS for m in conversation)


def truncate_at_stop(text: str, stop: Sequence[str]) -> tuple[str, bool]:
    """Cut ``text`` just before the earliest occurrence of any stop string.

    Returns ``(text_before_stop, True)`` when a stop string occurs, else ``(text, False)``. The stop
    string itself is not included, as in the OpenAI API. Empty stop strings are ignored.
    """
    cut = min((i for i in (text.find(s) for s in stop if s) if i >= 0), default=-1)
    if cut < 0:
        return text, False
    return text[:cut], True


def check_conversations(conversations: object) -> list[list[Message]]:
    """Validate a batch of conversations and return it as a list of lists.

    A batch is a list of conversations; a conversation is a non-empty list of messages
    ``{"role": "system" | "user" | "assistant" | "tool", "content": str}``. Raises ``TypeError`` or
    ``ValueError`` naming what is wrong (a common mistake is passing one conversation instead of a
    batch of one).
    """
    if not isinstance(conversations, (list, tuple)):
        raise TypeError(f"conversations must be a list of conversations, got {type(conversations).__name__}")
    batch: list[list[Message]] = []
    for i, conv in enumerate(conversations):
        if isinstance(conv, dict):
            raise TypeError(
                f"conversations[{i}] is a message, not a conversation: pass a batch, e.g. generate([messages])"
            )
        if not isinstance(conv, (list, tuple)) or not conv:
            raise ValueError(f"conversations[{i}] must be a non-empty list of messages")
        for j, msg in enumerate(conv):
            if not isinstance(msg, dict) or msg.get("role") not in _ROLES or not isinstance(msg.get("content"), str):
                raise ValueError(
                    f"conversations[{i}][{j}] must be {{'role': one of {list(_ROLES)}, 'content': str}}, got {msg!r}"
                )
        batch.append(list(conv))
    return batch
