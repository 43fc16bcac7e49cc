"""ReActAgent: one LLM with every API, answering Thought/Action each turn (AIOpsLab-style baseline).

No role separation and no safety gate of its own: whatever call the model writes is sent to the env
(wrap the env with the safety layer to compare). Malformed replies are retried with a correction
message; after the retries the raw text is sent and the env answers with an invalid-action message.

    agent = ReActAgent(make_llm("openai:http://127.0.0.1:8000/v1#my-model"))
"""

from __future__ import annotations

from typing import Any

from aoi_agents.llm import LLMError, retry_on_malformed
from aoi_agents.llm.base import LLM, Message, SamplingParams
from aoi_agents.runtime.taskinfo import parse_task_prompt
from aoi_gym.envs.actions import ActionError, parse_action

__all__ = ["ReActAgent"]

_INSTRUCTIONS = (
    "Work in turns. In each turn write\nThought: <your reasoning about what you know and what to check next>\n"
    "Action: <exactly one API call>\nThe call may also be given in one fenced code block. You will then see its output."
)


class ReActAgent:
    """A single-model Thought/Action agent.

    Args:
        llm: any :mod:`aoi_agents.llm` back-end.
        max_retries: corrections per turn for replies the action grammar rejects.
        params: sampling settings.
        max_observation_chars: observations are cut to this length (head and tail) in the context.
        max_context_chars: older turns are dropped (after the prompt) to stay under this size.
    """

    def __init__(self, llm: LLM, max_retries: int = 1, params: SamplingParams | None = None,
                 max_observation_chars: int = 6000, max_context_chars: int = 48000) -> None:
        self.llm = llm
        self.max_retries = max_retries
        self.params = params
        self.max_observation_chars = max_observation_chars
        self.max_context_chars = max_context_chars
        self.name = f"react[{getattr(llm, 'name', 'llm')}]"
        self.reset("")

    def reset(self, prompt: str) -> None:
        self.task_type = parse_task_prompt(prompt).task_type
        self.messages: list[Message] = [{"role": "system", "content": (prompt.strip() + "\n\n" + _INSTRUCTIONS).strip()}]
        self.events: list[dict[str, Any]] = []
        self.last_step_meta: dict[str, Any] | None = None
        self._first = True

    def _validate(self, text: str) -> str | None:
        parsed = parse_action(text, self.task_type)
        return parsed.message if isinstance(parsed, ActionError) else None

    def act(self, observation: str) -> str:
        """Append the observation, ask the model, return its action text (never raises)."""
        content = "Begin." if self._first else "Observation:\n" + _cut(observation, self.max_observation_chars)
        self._first = False
        self.messages.append({"role": "user", "content": content})
        self._trim()
        try:
            text, gens = retry_on_malformed(
                self.llm, self.messages, self._validate,
                lambda err: f"{err}\nAnswer again: Thought: ... then Action: <one API call>.",
                max_retries=self.max_retries, params=self.params)
        except (LLMError, Exception) as e:  # a failing back-end must not crash the episode
            self.events.append({"role": "agent", "phase": "reasoning", "error": f"{type(e).__name__}: {e}"})
            text, gens = None, []
            reply = f"(no reply: the model back-end failed: {type(e).__name__})"
        else:
            reply = text if text is not None else (gens[-1].text if gens else "")
        for g in gens[:-1] if text is not None else gens:
            self.events.append({"role": "agent", "phase": "reasoning", "text": g.text, "rejected": self._validate(g.text) or ""})
        self.messages.append({"role": "assistant", "content": reply})
        self.last_step_meta = {"role": "agent", "phase": "reasoning" if text is None else _phase(reply, self.task_type),
                               "thought": _thought(reply)}
        return reply

    def _trim(self) -> None:
        # keep the system prompt, the first turn and as many recent turns as fit
        while sum(len(m["content"]) for m in self.messages) > self.max_context_chars and len(self.messages) > 4:
            del self.messages[2:4]


def _phase(text: str, task_type: str) -> str:
    parsed = parse_action(text, task_type)
    if isinstance(parsed, ActionError):
        return "reasoning"
    if parsed.api == "submit":
        return "action"
    from aoi_agents.runtime.guard import is_read

    return "observation" if parsed.api != "exec_shell" or is_read(parsed.args["command"], "default") else "action"


def _thought(text: str) -> str:
    head = text.split("Action:", 1)[0].split("```", 1)[0]
    return head.replace("Thought:", "").strip()[:2000]


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: limit * 2 // 3] + f"\n[... {len(text) - limit} characters cut ...]\n" + text[-(limit // 3):]
