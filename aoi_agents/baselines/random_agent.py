"""RandomAgent: valid but aimless API calls (a floor for every benchmark)."""

from __future__ import annotations

import re

import numpy as np

__all__ = ["RandomAgent"]

_READS = (
    'exec_shell("kubectl get pods -n {ns}")',
    'exec_shell("kubectl get svc -n {ns}")',
    'exec_shell("kubectl get events -n {ns}")',
    'get_metrics("{ns}", 5)',
    'get_traces("{ns}", 5)',
)
_SUBMITS = {
    "detection": ['submit("Yes")', 'submit("No")'],
    "localization": ['submit([])', 'submit(["{svc}"])'],
    "analysis": ['submit({{"system_level": "Application", "fault_type": "Misconfiguration"}})', "submit()"],
    "mitigation": ["submit()"],
}


class RandomAgent:
    """Reads a few random things, then submits a random answer of the right shape."""

    name = "random"

    def __init__(self, seed: int = 0, max_reads: int = 4) -> None:
        self.rng = np.random.default_rng(seed)
        self.max_reads = max_reads

    def reset(self, prompt: str) -> None:
        m = re.search(r"Namespace:\s*(\S+)", prompt)
        self.ns = m.group(1) if m else "default"
        self.task = next((t for t in _SUBMITS if _task_in(prompt, t)), "detection")
        self.services = re.findall(r"^\s*-\s*([a-z0-9-]+)\b", prompt, re.M) or ["frontend"]
        self.reads_left = int(self.rng.integers(1, self.max_reads + 1))

    def act(self, observation: str) -> str:
        if self.reads_left > 0:
            self.reads_left -= 1
            return "```\n" + _READS[int(self.rng.integers(len(_READS)))].format(ns=self.ns) + "\n```"
        options = _SUBMITS[self.task]
        svc = self.services[int(self.rng.integers(len(self.services)))]
        return "```\n" + options[int(self.rng.integers(len(options)))].format(svc=svc) + "\n```"


def _task_in(prompt: str, task: str) -> bool:
    sig = {"detection": "has_anomaly", "localization": "faulty_components", "analysis": "analysis: dict", "mitigation": "submit()  #"}
    return sig[task] in prompt
