"""The task prompt: the first observation of an episode (own wording, AIOpsLab's structure)."""

from __future__ import annotations

from aoi_gym.envs.actions import API_DOCS, SUBMIT_SIGNATURES
from aoi_gym.faults.base import FAULT_TYPES, SYSTEM_LEVELS

__all__ = ["task_prompt", "TASK_GOALS", "ANALYSIS_VOCABULARY"]

TASK_GOALS = {
    "detection": "find out whether the deployed service currently has an anomaly",
    "localization": "find which component(s) of the deployed service are faulty",
    "analysis": "determine the root cause of the fault in the deployed service",
    "mitigation": "bring the deployed service back to health",
}

ANALYSIS_VOCABULARY = {"system_level": SYSTEM_LEVELS, "fault_type": FAULT_TYPES}

_SUBMIT_HELP = {
    "detection": 'Submit "Yes" if you found an anomaly and "No" if the service is healthy.',
    "localization": (
        "Submit the list of faulty components by their service names (for example [\"geo\"]); "
        "an empty list means you found no fault. Name only what you are confident about."
    ),
    "analysis": (
        "Submit a dict with two keys: system_level, one of "
        + ", ".join(ANALYSIS_VOCABULARY["system_level"])
        + "; and fault_type, one of "
        + ", ".join(ANALYSIS_VOCABULARY["fault_type"])
        + ". Call submit() with no argument if there is no fault."
    ),
    "mitigation": (
        "Fix the problem with the APIs above (exec_shell can run kubectl and helm), then call submit(). "
        "Your fix is checked against the live cluster: the service must serve its traffic normally again, "
        "and nothing else may have been broken or deleted on the way."
    ),
}


def task_prompt(task_type: str, app_summary: str, max_steps: int) -> str:
    """The first observation: the role, the service, the APIs, and how to answer."""
    if task_type not in TASK_GOALS:
        raise ValueError(f"unknown task type {task_type!r}; valid: {', '.join(TASK_GOALS)}")
    apis = "\n".join(f"- {doc}" for doc in API_DOCS.values())
    return (
        f"You are the on-call site reliability engineer. Your task: {TASK_GOALS[task_type]}.\n\n"
        f"Service details:\n{app_summary.strip()}\n\n"
        f"Available APIs:\n{apis}\n- {SUBMIT_SIGNATURES[task_type]}\n    {_SUBMIT_HELP[task_type]}\n\n"
        f"You have at most {max_steps} actions. Each turn, answer with exactly one API call in a fenced code "
        "block, for example:\n```\nexec_shell(\"kubectl get pods -n <namespace>\")\n```\n"
        "You may think before the block; only the call inside the block is executed."
    )
