"""What an agent may learn from the task prompt: the task type, the namespace and the service name.

The prompt is the env's first observation; nothing here reads ``info`` or the problem object. The task
type is recognised by the submit signature the prompt documents (the env's own
:data:`aoi_gym.envs.actions.SUBMIT_SIGNATURES`), the namespace by the ``Namespace:`` line of the
service details.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from aoi_gym.envs.actions import SUBMIT_SIGNATURES

__all__ = ["TaskInfo", "parse_task_prompt", "TASK_TYPES"]

TASK_TYPES = tuple(SUBMIT_SIGNATURES)
_NAMESPACE = re.compile(r"^\s*Namespace:\s*(\S+)", re.M)
_SERVICE = re.compile(r"^\s*Service Name:\s*(.+)$", re.M)
_KEYWORDS = {
    "detection": "has_anomaly",
    "localization": "faulty_components",
    "analysis": "system_level",
    "mitigation": "mitigat",
}


@dataclass(frozen=True)
class TaskInfo:
    """``task_type`` (detection | localization | analysis | mitigation), ``namespace`` of the app
    (``"default"`` when the prompt names none) and ``service`` (the app's title, may be empty)."""

    task_type: str
    namespace: str
    service: str = ""


def parse_task_prompt(prompt: str) -> TaskInfo:
    """Read the task type, namespace and service name from a task prompt (never raises)."""
    text = prompt if isinstance(prompt, str) else ""
    task = next((t for t, sig in SUBMIT_SIGNATURES.items() if sig in text), None)
    if task is None:  # a prompt written by someone else: fall back to keywords
        low = text.lower()
        task = next((t for t, k in _KEYWORDS.items() if k in low), "detection")
    ns = _NAMESPACE.search(text)
    svc = _SERVICE.search(text)
    return TaskInfo(task, ns.group(1) if ns else "default", svc.group(1).strip() if svc else "")
