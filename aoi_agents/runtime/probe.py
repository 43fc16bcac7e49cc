"""The Probe: runs a diagnostic sub-task with read commands of its own choosing, then reports.

Every action the Probe's model proposes is checked with the safety layer's ``read_only()`` policy
*before* it is emitted; a refused action never reaches the env (the model gets a correction and tries
again). When the model cannot produce an acceptable action after the retries, or its rounds are spent,
the Probe reports what it has.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aoi_agents.llm.base import LLM, Message, SamplingParams
from aoi_agents.runtime.compressor import Compressor
from aoi_agents.runtime.decisions import log_replies, Decision, ask, parse_probe_reply
from aoi_agents.runtime.guard import check_read
from aoi_agents.runtime.prompts import PROBE_GRAMMAR, probe_system

__all__ = ["Probe", "ProbeTurn"]


@dataclass
class ProbeTurn:
    """What the Probe wants next: an env ``action`` to emit, or its ``report`` (then it is done)."""

    action: str | None = None
    report: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


class Probe:
    """One diagnostic sub-task. ``next_turn()`` asks the model; ``observe(text)`` feeds the env's answer.

    Args:
        llm: the Probe's back-end.
        subtask: what the Observer wants found out.
        namespace: the app's namespace (for the prompt and the safety check).
        compressor: reduces observations before they enter the Probe's context.
        max_rounds: env reads the Probe may run for this sub-task.
        max_retries: corrections per turn before the Probe gives up and reports.
        events: the runtime's event list (reasoning steps are appended here).
    """

    def __init__(self, llm: LLM, subtask: str, namespace: str, compressor: Compressor, max_rounds: int = 4,
                 max_retries: int = 2, params: SamplingParams | None = None,
                 events: list[dict[str, Any]] | None = None) -> None:
        self.llm, self.subtask, self.namespace = llm, subtask, namespace
        self.compressor, self.max_rounds, self.max_retries, self.params = compressor, max_rounds, max_retries, params
        self.events = events if events is not None else []
        self.rounds = 0
        self.evidence: list[tuple[str, str]] = []  # (action, compressed observation)
        self.messages: list[Message] = [
            {"role": "system", "content": probe_system(namespace, max_rounds)},
            {"role": "user", "content": f"Sub-task from the Observer: {subtask}"},
        ]
        self._last_action: str | None = None

    def observe(self, observation: str) -> None:
        """Record the env's answer to the Probe's last action."""
        text = self.compressor.observation(observation, role="probe")
        self.evidence.append((self._last_action or "", text))
        left = self.max_rounds - self.rounds
        tail = f"\n\n({left} round(s) left.)" if left > 0 else "\n\nNo rounds left: report your findings now."
        self.messages.append({"role": "user", "content": f"Output:\n{text}{tail}"})

    def _parse(self, text: str) -> Decision | str:
        d = parse_probe_reply(text)
        if isinstance(d, str) or d.kind == "report":
            return d
        if self.rounds >= self.max_rounds:
            return "You have no rounds left; reply with report(\"...\")."
        chk = check_read(d.action, self.namespace)
        return d if chk.allowed else f"Refused, not run: {chk.message}"

    def next_turn(self) -> ProbeTurn:
        """Ask the model for the next read or for its report (never raises)."""
        self.messages = self.compressor.fit(self.messages, role="probe")
        asked = ask(self.llm, self.messages, self._parse, self.max_retries, self.params,
                    lambda err: f"{err}\nReply with exactly one of:\n{PROBE_GRAMMAR}")
        log_replies(self.events, "probe", asked)
        d = asked.decision
        if d is None:
            why = asked.error or "no acceptable action after corrections"
            self.events.append({"role": "probe", "phase": "reasoning", "note": f"probe gave up: {why}"})
            return ProbeTurn(report=self._fallback_report(why), meta={"gave_up": why})
        self.messages.append({"role": "assistant", "content": asked.last_text})
        if d.kind == "report":
            return ProbeTurn(report=self._with_evidence(str(d.value)))
        self.rounds += 1
        self._last_action = "```\n" + d.action.to_text() + "\n```"
        return ProbeTurn(action=self._last_action, meta={"subtask": self.subtask, "round": self.rounds})

    def _with_evidence(self, findings: str) -> str:
        ev = "\n\n".join(f"$ {a.strip('`').strip()}\n{o}" for a, o in self.evidence)
        return f"Findings: {findings.strip() or '(none stated)'}" + (f"\n\nEvidence:\n{ev}" if ev else "")

    def _fallback_report(self, why: str) -> str:
        return self._with_evidence(f"(the probe stopped early: {why})")
