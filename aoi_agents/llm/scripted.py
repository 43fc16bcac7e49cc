"""A deterministic back-end for tests and demos: replies come from a list or a function.

>>> llm = ScriptedLLM(["kubectl get pods", "submit()"])
>>> llm.generate([[{"role": "user", "content": "go"}]])[0].text
'kubectl get pods'

Token counts use the heuristic of :mod:`aoi_agents.llm.textutil` (``max(words, ceil(chars/4))``
per text, plus 4 per message for the prompt), so usage reports are stable across runs.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from .base import Generation, LLMError, Message, SamplingParams, UsageMeter
from .textutil import approx_prompt_tokens, approx_tokens, check_conversations, truncate_at_stop

__all__ = ["ScriptedLLM", "load_replies", "EXHAUSTED_MODES"]

EXHAUSTED_MODES = ("error", "cycle", "repeat_last")
_SEPARATOR = re.compile(r"^---[ \t]*$", re.MULTILINE)

ReplyFn = Callable[[list[Message]], str]


class ScriptedLLM:
    """Replies from a fixed script, in order, or computed by a function of the conversation.

    Args:
        replies: a sequence of reply strings consumed one per conversation (across calls, in batch
            order), or a function ``conversation -> str``.
        name: the model name reported in trajectories.
        when_exhausted: what happens after the last scripted reply: ``"error"`` raises
            :class:`LLMError`, ``"cycle"`` starts again from the first reply, ``"repeat_last"`` keeps
            returning the last one. Ignored for a function.

    Stop strings in :class:`SamplingParams` are applied to the reply (it is cut before the first one,
    ``finish_reason="stop"``); ``max_tokens`` and temperature are ignored. ``.seen`` records a copy of
    every conversation received, in order; ``.usage`` the heuristic token counts.
    """

    def __init__(
        self,
        replies: Sequence[str] | ReplyFn,
        name: str = "scripted",
        when_exhausted: str = "error",
    ) -> None:
        if when_exhausted not in EXHAUSTED_MODES:
            raise ValueError(f"when_exhausted must be one of {list(EXHAUSTED_MODES)}, got {when_exhausted!r}")
        if callable(replies):
            self._fn: ReplyFn | None = replies
            self._replies: list[str] = []
        else:
            if isinstance(replies, str):
                raise TypeError("replies must be a list of strings or a function, not a single string")
            self._fn = None
            self._replies = [str(r) for r in replies]
            if not self._replies and when_exhausted != "error":
                raise ValueError(f"when_exhausted={when_exhausted!r} needs at least one reply")
        self.name = name
        self.when_exhausted = when_exhausted
        self.usage = UsageMeter()
        self.seen: list[list[Message]] = []
        self._next = 0
        self._lock = threading.Lock()

    @classmethod
    def from_file(cls, path: str | Path, name: str | None = None, when_exhausted: str = "error") -> "ScriptedLLM":
        """Build a scripted back-end from a replies file (see :func:`load_replies`); name defaults to the path."""
        return cls(load_replies(path), name=name or f"scripted:{path}", when_exhausted=when_exhausted)

    @property
    def remaining(self) -> int | None:
        """Scripted replies not yet used (``None`` for a function or a cycling script)."""
        if self._fn is not None or self.when_exhausted != "error":
            return None
        return max(0, len(self._replies) - self._next)

    def _reply_for(self, conversation: list[Message]) -> str:
        if self._fn is not None:
            reply = self._fn(conversation)
            if not isinstance(reply, str):
                raise TypeError(f"the reply function must return str, got {type(reply).__name__}")
            return reply
        i = self._next
        if i >= len(self._replies):
            if self.when_exhausted == "error":
                raise LLMError(
                    f"ScriptedLLM {self.name!r} ran out of replies after {len(self._replies)}; "
                    "add replies or pass when_exhausted='cycle' or 'repeat_last'"
                )
            i = i % len(self._replies) if self.when_exhausted == "cycle" else len(self._replies) - 1
        self._next += 1
        return self._replies[i]

    def generate(self, conversations: list[list[Message]], params: SamplingParams | None = None) -> list[Generation]:
        """Return one scripted :class:`Generation` per conversation, in order."""
        params = params or SamplingParams()
        batch = check_conversations(conversations)
        gens: list[Generation] = []
        with self._lock:
            for conv in batch:
                snapshot = [dict(m) for m in conv]
                self.seen.append(snapshot)
                text, stopped = truncate_at_stop(self._reply_for(snapshot), params.stop)
                gens.append(
                    Generation(
                        text=text,
                        prompt_tokens=approx_prompt_tokens(conv),
                        completion_tokens=approx_tokens(text),
                        finish_reason="stop",
                    )
                )
            self.usage.add(gens)
        return gens


def load_replies(path: str | Path) -> list[str]:
    """Read scripted replies from a file.

    * ``*.json``: a JSON list of strings, or an object ``{"replies": [...]}``.
    * any other file: plain text, replies separated by lines that hold only ``---`` (so a reply may
      span several lines); leading/trailing blank lines of each reply are dropped, empty replies skipped.

    Raises ``FileNotFoundError`` for a missing file and ``ValueError`` for a malformed one.
    """
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"scripted replies file not found: {p}")
    raw = p.read_text(encoding="utf-8")
    if p.suffix.lower() == ".json":
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as e:
            raise ValueError(f"{p}: not valid JSON ({e})") from None
        if isinstance(data, dict):
            data = data.get("replies")
        if not isinstance(data, list) or not all(isinstance(r, str) for r in data):
            raise ValueError(f'{p}: expected a JSON list of strings or {{"replies": [strings]}}')
        return data
    return [part.strip("\n") for part in _SEPARATOR.split(raw) if part.strip()]
