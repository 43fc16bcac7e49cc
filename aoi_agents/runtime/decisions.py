"""Parsing what the Observer and the Probe reply, and asking a role's model with retries.

Observer replies hold one call: ``probe("...")``, ``plan([...])`` (mitigation only) or the task's
``submit(...)``. Probe replies hold one env read call (``exec_shell``, ``get_logs``, ...) or
``report("...")``. Parsing never raises: a reply that does not fit is an error message, which
:func:`ask` feeds back to the model as a correction before giving up.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aoi_agents.llm import LLMError, retry_on_malformed
from aoi_agents.llm.base import LLM, Generation, Message, SamplingParams
from aoi_gym.envs.actions import Action, ActionError, parse_action

__all__ = ["log_replies", "Decision", "parse_observer_reply", "parse_probe_reply", "ask", "Asked", "extract_call", "inert_action"]

_FENCE = re.compile(r"```[ \t]*[A-Za-z0-9_+-]*[ \t]*\n?(.*?)```", re.S)
_ACTION_LINE = re.compile(r"^\s*Action\s*:\s*(.+)$", re.M | re.S)
_CALL = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*\((.*)\)\s*;?\s*$", re.S)


@dataclass(frozen=True)
class Decision:
    """A parsed role reply. ``kind``: probe | plan | submit | report | read. ``value``: the sub-task
    (probe), the command list (plan), the findings (report); ``action``: the env action (submit, read)."""

    kind: str
    value: Any = None
    action: Action | None = None


def extract_call(text: str) -> tuple[str, str] | str:
    """``(name, argument text)`` of the one call in a reply (last fenced block, else an ``Action:``
    line, else the whole text), or an error message."""
    if not isinstance(text, str) or not text.strip():
        return "The reply is empty."
    blocks = _FENCE.findall(text)
    if blocks:
        body = blocks[-1].strip()
    else:
        m = _ACTION_LINE.search(text)
        body = (m.group(1) if m else text).strip()
    m = _CALL.match(body)
    if not m:
        return f"No call found in {body[:120]!r}."
    return m.group(1), m.group(2)


def _literal(argtext: str) -> list[Any] | str:
    try:
        node = ast.parse(f"_f({argtext})", mode="eval").body
        assert isinstance(node, ast.Call)
        if node.keywords:
            return [ast.literal_eval(k.value) for k in node.keywords] if not node.args else "Use positional arguments."
        return [ast.literal_eval(a) for a in node.args]
    except Exception:
        return "The arguments are not Python literals (quote strings; lists in [...])."


def parse_observer_reply(text: str, task_type: str, may_submit: bool = True) -> Decision | str:
    """Parse an Observer reply into a :class:`Decision`, or return what is wrong with it."""
    call = extract_call(text)
    if isinstance(call, str):
        return call
    name, argtext = call
    if name == "submit":
        if not may_submit:
            return "submit() is accepted only after the Executor has applied and verified a plan; send plan([...]) first."
        parsed = parse_action(f"submit({argtext})", task_type)
        if isinstance(parsed, ActionError):
            return parsed.message
        return Decision("submit", action=parsed)
    if name not in ("probe", "plan"):
        allowed = "probe, plan, submit" if task_type == "mitigation" else "probe, submit"
        return f"{name}(...) is not one of your moves ({allowed}); you cannot run commands yourself."
    args = _literal(argtext)
    if isinstance(args, str):
        return args
    if name == "probe":
        if len(args) != 1 or not isinstance(args[0], str) or not args[0].strip():
            return 'probe takes one non-empty string: probe("what to find out").'
        return Decision("probe", args[0].strip())
    if task_type != "mitigation":
        return "plan(...) exists only in mitigation tasks; this task asks for a diagnosis: use probe or submit."
    cmds = args[0] if len(args) == 1 else None
    if isinstance(cmds, str):
        cmds = [cmds]
    if not isinstance(cmds, (list, tuple)) or not cmds or not all(isinstance(c, str) and c.strip() for c in cmds):
        return 'plan takes one list of command strings: plan(["kubectl ...", "kubectl ..."]).'
    return Decision("plan", [c.strip() for c in cmds])


def parse_probe_reply(text: str) -> Decision | str:
    """Parse a Probe reply: ``report("...")`` or one env read call (not yet safety-checked)."""
    call = extract_call(text)
    if isinstance(call, str):
        return call
    name, argtext = call
    if name == "report":
        args = _literal(argtext)
        if isinstance(args, str):
            return args
        if len(args) != 1 or not isinstance(args[0], str):
            return 'report takes one string: report("what you found").'
        return Decision("report", args[0])
    body = f"{name}({argtext})"
    parsed = parse_action(f"```\n{body}\n```")
    if isinstance(parsed, ActionError):
        return parsed.message
    if parsed.api == "submit":
        return "A probe cannot submit; report your findings with report(\"...\")."
    return Decision("read", action=parsed)


@dataclass
class Asked:
    """The outcome of :func:`ask`: the accepted decision (None if none), the raw last reply, every
    reply text, an error (back-end failure) if any, and why each rejected reply was rejected."""

    decision: Decision | None
    last_text: str = ""
    texts: list[str] = field(default_factory=list)
    error: str = ""
    generations: list[Generation] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)  # why each rejected reply was rejected


def ask(
    llm: LLM,
    messages: list[Message],
    parse: Callable[[str], Decision | str],
    max_retries: int,
    params: SamplingParams | None,
    correction: Callable[[str], str],
) -> Asked:
    """Ask ``llm`` for a reply that ``parse`` accepts, re-asking with a correction (see
    :func:`aoi_agents.llm.retry_on_malformed`); back-end errors are caught and reported, never raised."""
    def validate(text: str) -> str | None:
        out = parse(text)
        return out if isinstance(out, str) else None

    try:
        text, gens = retry_on_malformed(llm, messages, validate, correction, max_retries=max_retries, params=params)
    except LLMError as e:
        return Asked(None, "", [], f"the model back-end failed: {e}")
    except Exception as e:  # a broken back-end must not crash the episode
        return Asked(None, "", [], f"the model back-end raised {type(e).__name__}: {e}")
    texts = [g.text for g in gens]
    rejected = [r for r in (parse(t) for t in texts) if isinstance(r, str)]
    if text is None:
        return Asked(None, texts[-1] if texts else "", texts, "", gens, rejected)
    decision = parse(text)
    assert not isinstance(decision, str)
    return Asked(decision, text, texts, "", gens, rejected)


_INERT = "[runtime] no valid action this turn"


def inert_action(raw: str, why: str = "") -> str:
    """An env action text that executes nothing: ``raw`` itself when the env's grammar rejects it
    (the env then answers with its invalid-action message), else a fixed note that cannot parse."""
    if isinstance(raw, str) and raw.strip() and isinstance(parse_action(raw), ActionError):
        return raw
    note = f"{_INERT}: {why}".strip().rstrip(":")
    note = re.sub(r"[()`]", " ", note)[:300]
    return note if isinstance(parse_action(note), ActionError) else _INERT


def log_replies(events: list[dict[str, Any]], role: str, asked: Asked) -> None:
    """Append one reasoning event per model reply (with the correction it drew, if rejected)."""
    errs = iter(asked.rejected)
    for i, t in enumerate(asked.texts):
        ev: dict[str, Any] = {"role": role, "phase": "reasoning", "text": t}
        if i < len(asked.texts) - 1 or asked.decision is None:
            ev["rejected"] = next(errs, "")
        events.append(ev)
