"""The action grammar of AOI-Incident-v0: AIOpsLab-compatible API calls written as text.

An agent's reply may hold one fenced code block with one call, a line ``Action: <call>``, or a bare
call. ``parse_action(text, task_type)`` returns an :class:`Action` (api name + bound arguments) or an
:class:`ActionError` whose ``message`` tells the agent what was wrong and what is accepted. Parsing
never raises.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Action",
    "ActionError",
    "API_DOCS",
    "READ_APIS",
    "SUBMIT_SIGNATURES",
    "parse_action",
    "api_names",
]

# A block closes at ``` that starts a line or ends one, so backticks inside the call's string
# (exec_shell("echo '```'")) do not end it.
# A language tag counts only when a newline follows it, so a one-line block (```exec_shell("ls")```)
# keeps its call.
_FENCE = re.compile(r"```[ \t]*(?:([A-Za-z0-9_+-]*)[ \t]*\n)?(.*?)(?:(?<=\n)```|```(?=[ \t]*(?:\n|$)))", re.S)
_ACTION_LINE = re.compile(r"^\s*Action\s*:\s*(.+)$", re.M | re.S)

#: APIs that only read (the safety layer still classifies exec_shell by its command line).
READ_APIS = ("get_logs", "get_metrics", "get_traces", "read_metrics", "read_traces")

# name -> list of (param, python type, default or ...): ... means required.
_PARAMS: dict[str, list[tuple[str, type, Any]]] = {
    "exec_shell": [("command", str, ...), ("timeout", int, 30)],
    "get_logs": [("namespace", str, ...), ("service", str, ...)],
    "get_metrics": [("namespace", str, ...), ("duration", int, 5)],
    "get_traces": [("namespace", str, ...), ("duration", int, 5)],
    "read_metrics": [("file_path", str, ...)],
    "read_traces": [("file_path", str, ...)],
}

SUBMIT_SIGNATURES = {
    "detection": 'submit(has_anomaly: str)  # "Yes" or "No"',
    "localization": 'submit(faulty_components: list[str])  # e.g. ["geo"]; [] if you found no fault',
    "analysis": 'submit(analysis: dict[str, str])  # {"system_level": ..., "fault_type": ...}; submit() if no fault',
    "mitigation": "submit()  # call once your mitigation is in place",
}

API_DOCS = {
    "exec_shell": (
        'exec_shell(command: str) -> str\n    Run a shell command line (kubectl, helm, pipes into grep/awk/jq...). '
        "Returns its output. Interactive commands (kubectl edit, logs -f, port-forward) are not supported."
    ),
    "get_logs": (
        "get_logs(namespace: str, service: str) -> str\n    Logs of the first pod of a service in a namespace."
    ),
    "get_metrics": (
        "get_metrics(namespace: str, duration: int = 5) -> str\n    Metrics of the namespace over the last `duration` "
        "minutes: a compact table inline, and the path of the full export for read_metrics."
    ),
    "get_traces": (
        "get_traces(namespace: str, duration: int = 5) -> str\n    Trace spans of the namespace over the last "
        "`duration` minutes: a summary inline, and the path of the full export for read_traces."
    ),
    "read_metrics": "read_metrics(file_path: str) -> str\n    Read a metrics export written by get_metrics.",
    "read_traces": "read_traces(file_path: str) -> str\n    Read a traces export written by get_traces.",
}


def api_names() -> tuple[str, ...]:
    return (*_PARAMS, "submit")


@dataclass(frozen=True)
class Action:
    """A parsed call. ``args`` maps parameter names to Python values; for ``submit``, ``args`` holds
    ``{"solution": value}`` where value is the single argument (None for ``submit()``)."""

    api: str
    args: dict[str, Any] = field(default_factory=dict)
    raw: str = ""

    @property
    def command(self) -> str | None:
        return self.args.get("command") if self.api == "exec_shell" else None

    def to_text(self) -> str:
        if self.api == "submit":
            sol = self.args.get("solution")
            return "submit()" if sol is None else f"submit({sol!r})"
        return f"{self.api}({', '.join(repr(v) for v in self.args.values())})"


@dataclass(frozen=True)
class ActionError:
    """Why a reply could not be turned into an action. ``kind`` is one of: no_action, multiple_blocks,
    syntax, unknown_api, bad_arguments, submit_signature."""

    kind: str
    message: str
    raw: str = ""


def _format_help(task_type: str | None) -> str:
    submit = SUBMIT_SIGNATURES.get(task_type or "", "submit(...)")
    return (
        "Reply with exactly one API call, preferably in one fenced code block, e.g.\n"
        '```\nexec_shell("kubectl get pods -n <namespace>")\n```\n'
        f"Available: exec_shell, get_logs, get_metrics, get_traces, read_metrics, read_traces, and {submit}."
    )


def _extract_call(text: str) -> tuple[str | None, ActionError | None]:
    blocks = _FENCE.findall(text)
    if len(blocks) > 1:
        return None, ActionError("multiple_blocks", f"Your reply has {len(blocks)} code blocks; send exactly one call per turn.")
    if len(blocks) == 1:
        body = blocks[0][1].strip()
    elif text.count("```") % 2 == 1:
        return None, ActionError("syntax", "Your reply opens a code block (```) that is never closed.")
    else:
        m = _ACTION_LINE.search(text)
        body = (m.group(1) if m else text).strip()
    if not body:
        return None, ActionError("no_action", "Your reply contains no API call.")
    return body, None


def _split_call(body: str) -> tuple[str, str] | None:
    m = re.match(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*\((.*)\)\s*;?\s*$", body, re.S)
    if not m:
        return None
    return m.group(1), m.group(2)


def _literal_args(argtext: str) -> tuple[list[Any], dict[str, Any]]:
    node = ast.parse(f"_f({argtext})", mode="eval").body
    assert isinstance(node, ast.Call)
    args = [ast.literal_eval(a) for a in node.args]
    kwargs = {k.arg: ast.literal_eval(k.value) for k in node.keywords if k.arg is not None}
    if any(k.arg is None for k in node.keywords):
        raise ValueError("**kwargs are not accepted")
    return args, kwargs


def _lenient_shell_arg(argtext: str) -> str | None:
    """AIOpsLab's tolerant exec_shell parse: strip ``command=`` and one pair of outer quotes."""
    s = argtext.strip()
    s = re.sub(r"^command\s*=\s*", "", s)
    for q in ('"""', "'''", '"', "'"):
        if len(s) >= 2 * len(q) and s.startswith(q) and s.endswith(q):
            inner = s[len(q) : -len(q)]
            return inner.replace('\\"', '"').replace("\\'", "'")
    return None


def _bind(api: str, args: list[Any], kwargs: dict[str, Any]) -> dict[str, Any] | str:
    params = _PARAMS[api]
    names = [p[0] for p in params]
    if len(args) > len(params):
        return f"{api} takes at most {len(params)} argument(s) ({', '.join(names)}), got {len(args)}"
    bound: dict[str, Any] = {}
    for (name, _, _), v in zip(params, args):
        bound[name] = v
    for k, v in kwargs.items():
        if k not in names:
            return f"{api} has no parameter {k!r}; parameters: {', '.join(names)}"
        if k in bound:
            return f"{api} got two values for {k!r}"
        bound[k] = v
    for name, typ, default in params:
        if name not in bound:
            if default is ...:
                return f"{api} is missing the required argument {name!r}"
            bound[name] = default
        v = bound[name]
        if typ is int and isinstance(v, str) and v.strip().isdigit():
            v = bound[name] = int(v)
        if not isinstance(v, typ) or (typ is int and isinstance(v, bool)):
            return f"{api}: argument {name!r} must be {typ.__name__}, got {type(v).__name__} {v!r}"
    return bound


def _parse_submit(args: list[Any], kwargs: dict[str, Any], task_type: str | None) -> dict[str, Any] | str:
    values = args + list(kwargs.values())
    sig = SUBMIT_SIGNATURES.get(task_type or "", "submit(...)")
    if len(values) > 1:
        return f"submit takes one argument for this task: {sig}"
    sol = values[0] if values else None
    if task_type == "detection":
        if not isinstance(sol, str):
            return f'submit needs "Yes" or "No" for this task: {sig}'
    elif task_type == "localization":
        if isinstance(sol, tuple):
            sol = list(sol)
        if isinstance(sol, str):
            sol = [sol]
        if sol is None or not (isinstance(sol, list) and all(isinstance(x, str) for x in sol)):
            return f"submit needs a list of service names for this task: {sig}"
    elif task_type == "analysis":
        if sol is not None and not (isinstance(sol, dict) and all(isinstance(v, str) for v in sol.values())):
            return f"submit needs a dict with system_level and fault_type for this task: {sig}"
    elif task_type == "mitigation":
        if sol is not None:
            return f"submit takes no argument for this task: {sig}"
    return {"solution": sol}


def parse_action(text: Any, task_type: str | None = None) -> Action | ActionError:
    """Parse an agent's reply into an Action or an ActionError (never raises)."""
    if not isinstance(text, str):
        return ActionError("no_action", f"An action must be text, got {type(text).__name__}.\n{_format_help(task_type)}")
    body, err = _extract_call(text)
    if err is not None:
        return ActionError(err.kind, f"{err.message}\n{_format_help(task_type)}", text)
    assert body is not None
    split = _split_call(body)
    if split is None:
        return ActionError("syntax", f"Could not read an API call in {body[:200]!r}.\n{_format_help(task_type)}", text)
    name, argtext = split
    if name not in _PARAMS and name != "submit":
        return ActionError("unknown_api", f"Invalid action: {name}. Valid APIs: {', '.join(api_names())}.", text)
    try:
        args, kwargs = _literal_args(argtext)
    except Exception:
        if name == "exec_shell":
            cmd = _lenient_shell_arg(argtext)
            if cmd is not None:
                return Action("exec_shell", {"command": cmd, "timeout": 30}, text)
        return ActionError(
            "bad_arguments",
            f"Could not read the arguments of {name}(...): use Python literals (quoted strings, numbers, lists, "
            f"dicts).\n{_format_help(task_type)}",
            text,
        )
    if name == "submit":
        bound = _parse_submit(args, kwargs, task_type)
        if isinstance(bound, str):
            return ActionError("submit_signature", bound, text)
        return Action("submit", bound, text)
    bound = _bind(name, args, kwargs)
    if isinstance(bound, str):
        return ActionError("bad_arguments", f"{bound}.\nSignature: {API_DOCS[name].splitlines()[0]}", text)
    return Action(name, bound, text)
