"""The runtime's door to the safety layer: may this read run for a Probe, this write for the Executor?

Everything is decided by :mod:`aoi_gym.safety` (its classifier and its policy presets), before an
action is emitted to the env: a Probe's action must pass :func:`~aoi_gym.safety.policy.read_only` in
the observation phase; an Executor's command must pass ``mitigation(namespace)`` in the action phase.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aoi_gym.envs.actions import Action, parse_action
from aoi_gym.safety.classifier import Classification, classify, classify_command
from aoi_gym.safety.policy import Phase, Policy, mitigation, read_only
from aoi_gym.safety.verdicts import Verdict

__all__ = ["Verdict", "Check", "check_read", "check_write", "classify_line", "is_read"]


@dataclass(frozen=True)
class Check:
    """A decision: ``allowed``, a ``message`` for the role (why not), and the classification."""

    allowed: bool
    message: str
    classification: Classification | None = None


_READ_ONLY: Policy = read_only()


def classify_line(command: str, namespace: str) -> Classification:
    """The safety classifier's verdict on one shell command line (never raises)."""
    return classify_command(command, namespace)


def is_read(command: str, namespace: str) -> bool:
    """True when the classifier judges the command line READ (changes nothing)."""
    return classify_command(command, namespace).verdict is Verdict.READ


def check_read(action: Action | str, namespace: str) -> Check:
    """May a Probe emit ``action`` (a parsed env action or an action text)? Submitting is never a Probe's
    to do; everything else must be allowed by ``read_only()`` in the observation phase."""
    if isinstance(action, str):
        parsed = parse_action(action)
        if not isinstance(parsed, Action):
            return Check(False, parsed.message)
        action = parsed
    if action.api == "submit":
        return Check(False, "A probe only gathers evidence; it cannot submit. Report your findings instead.")
    c = classify(action, namespace)
    d = _READ_ONLY.check(c, Phase.OBSERVATION)
    if not d.allowed:
        return Check(False, d.message, c)
    if c.verdict is not Verdict.READ:  # belt and braces: a read-only role emits READ verdicts only
        return Check(False, f"Only read commands are allowed here ({c.reason}).", c)
    return Check(True, "allowed", c)


def check_write(command: str, namespace: str, policy: Policy | None = None) -> Check:
    """May the Executor run ``command`` in the action phase under ``mitigation(namespace)``?"""
    pol = policy or mitigation(namespace)
    c = classify_command(command, namespace)
    d = pol.check(c, Phase.ACTION)
    return Check(d.allowed, d.message, c)


def describe(c: Classification | None) -> dict[str, Any]:
    """A JSON-able summary of a classification for step metadata."""
    return c.to_dict() if c is not None else {}
