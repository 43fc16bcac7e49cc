"""The command classifier: any action -> READ, WRITE or DENY, with what it touches and why.

``classify(action, namespace)`` accepts a command line (what ``exec_shell`` runs), an
:class:`aoi_gym.envs.actions.Action`, or an agent's raw reply text. A command line is parsed with
the same parser the shell interpreter runs (:func:`aoi_gym.shell.parse.parse`), and every program
it can run is judged: each command of every pipeline and list, ``$(...)`` and backticks, ``sh -c``
and ``bash -c`` strings, ``xargs``/``env``/``timeout`` wrappers, absolute paths, the ``k`` alias.
The classifier never raises: anything it cannot judge with confidence is DENY (fail closed).

Example::

    >>> c = classify("kubectl get pods -n test-hotel-reservation | grep geo")
    >>> c.verdict, c.verbs
    (<Verdict.READ: 'READ'>, ('list',))
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from aoi_gym.safety.programs import classify_local_argv
from aoi_gym.safety.shellwalk import Ctx, walk_script
from aoi_gym.safety.verdicts import Finding, Touch, Verdict
from aoi_gym.shell.parse import parse

__all__ = ["Classification", "classify", "classify_command", "Verdict", "Touch", "MAX_COMMAND_CHARS"]

#: longer command lines are denied outright (no agent needs them; parsing them costs time)
MAX_COMMAND_CHARS = 16384
_READ_API_TOUCH = {"get_logs": ("get", "pods/log"), "get_metrics": ("get", "metrics"), "get_traces": ("get", "traces"), "read_metrics": ("get", "exports"), "read_traces": ("get", "exports")}


@dataclass(frozen=True)
class Classification:
    """The verdict on one action.

    ``verdict``: READ (changes nothing), WRITE (may change the cluster, an app or a local file) or
    DENY (cannot be judged: never run). ``touches``: what it reads/writes as (verb, resource,
    namespace, name). ``reason``: one line for humans and LLMs. ``findings``: the per-program
    verdicts it was combined from. ``command``: the command line (or API call) judged.
    """

    verdict: Verdict
    touches: tuple[Touch, ...] = ()
    reason: str = ""
    findings: tuple[Finding, ...] = field(default=(), repr=False)
    command: str = ""
    api: str = "exec_shell"

    @property
    def resources(self) -> tuple[str, ...]:
        return tuple(sorted({t.resource for t in self.touches}))

    @property
    def namespaces(self) -> tuple[str, ...]:
        return tuple(sorted({t.namespace for t in self.touches if t.namespace is not None}))

    @property
    def verbs(self) -> tuple[str, ...]:
        return tuple(sorted({t.verb for t in self.touches}))

    @property
    def writes(self) -> tuple[Touch, ...]:
        """The touches of the findings that write."""
        return tuple(t for f in self.findings if f.verdict is Verdict.WRITE for t in f.touches)

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict.value,
            "reason": self.reason,
            "resources": list(self.resources),
            "namespaces": list(self.namespaces),
            "verbs": list(self.verbs),
            "touches": [t.to_dict() for t in self.touches],
        }


def _classification(verdict: Verdict, touches: tuple, reason: str, findings: tuple, command: str) -> Classification:
    """``Classification(...)`` without the frozen dataclass's per-field __init__ cost."""
    c = object.__new__(Classification)
    d = c.__dict__
    d["verdict"], d["touches"], d["reason"], d["findings"], d["command"], d["api"] = verdict, touches, reason, findings, command, "exec_shell"
    return c


def _combine(findings: list[Finding], command: str) -> Classification:
    if not findings:
        return _classification(Verdict.READ, (), "the command line runs nothing", (), command)
    touches: dict = {}
    denied = writes = None
    for f in findings:
        for t in f.touches:
            touches[t] = None
        v = f.verdict
        if v is Verdict.DENY:
            denied = denied or f
        elif v is Verdict.WRITE:
            writes = writes or []
            writes.append(f)
    if denied is not None:
        return _classification(Verdict.DENY, tuple(touches), f"{denied.program}: {denied.reason}", tuple(findings), command)
    if writes:
        reason = "; ".join(dict.fromkeys(f"{f.program}: {f.reason}" for f in writes))
        return _classification(Verdict.WRITE, tuple(touches), reason, tuple(findings), command)
    return _classification(Verdict.READ, tuple(touches), "every command only reads", tuple(findings), command)


@lru_cache(maxsize=4096)
def _classify_cached(line: str, namespace: str) -> Classification:
    try:
        script = parse(line)
    except Exception as e:  # ParseError (bash's message) or anything unexpected
        msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        return Classification(Verdict.DENY, (), f"the command line cannot be parsed: {msg[:200]}", (), line)
    findings = walk_script(script, Ctx(namespace), classify_local_argv)
    return _combine(findings, line)


def classify_command(line: Any, namespace: str = "default") -> Classification:
    """Classify one shell command line (as given to ``exec_shell``). Never raises."""
    if not isinstance(line, str):
        return Classification(Verdict.DENY, (), f"a command line must be text, got {type(line).__name__}", (), repr(line)[:200])
    if len(line) > MAX_COMMAND_CHARS:
        return Classification(Verdict.DENY, (), f"the command line is longer than {MAX_COMMAND_CHARS} characters", (), line[:200])
    if "\x00" in line:
        return Classification(Verdict.DENY, (), "the command line contains a NUL byte", (), line[:200])
    try:
        return _classify_cached(line, namespace if isinstance(namespace, str) else "default")
    except RecursionError:
        return Classification(Verdict.DENY, (), "the command line is nested too deeply", (), line[:200])
    except Exception as e:  # a classifier bug must never open the gate
        return Classification(Verdict.DENY, (), f"internal classifier error ({type(e).__name__}): denied to be safe", (), line[:200])


def classify(action: Any, namespace: str = "default", task_type: str | None = None) -> Classification:
    """Classify an action: a command line string, an ``Action``, or an agent's reply text.

    A string that parses as an API call (``exec_shell("...")``, ``get_logs(...)``, ``submit(...)``,
    possibly in a code block) is classified as that call; any other string is taken as a command
    line. ``submit`` and the telemetry APIs are READ. Never raises.
    """
    try:
        from aoi_gym.envs.actions import Action, ActionError, parse_action

        if isinstance(action, str):
            parsed = parse_action(action, task_type)
            if isinstance(parsed, ActionError):
                return classify_command(action, namespace)
            action = parsed
        if isinstance(action, Action):
            if action.api == "exec_shell":
                c = classify_command(action.args.get("command"), namespace)
                return c
            if action.api == "submit":
                return Classification(Verdict.READ, (), "submit ends the episode and changes nothing", (), action.to_text(), "submit")
            verb, res = _READ_API_TOUCH.get(action.api, ("get", action.api))
            ns = action.args.get("namespace")
            ns = ns if isinstance(ns, str) else None
            return Classification(Verdict.READ, (Touch(verb, res, ns, action.args.get("service")),), f"{action.api} only reads telemetry", (), action.to_text(), action.api)
        return classify_command(action, namespace)
    except Exception as e:
        return Classification(Verdict.DENY, (), f"internal classifier error ({type(e).__name__}): denied to be safe", (), str(action)[:200])
