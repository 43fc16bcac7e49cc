"""SafetyWrapper: every action is classified and checked against a policy before it reaches the
cluster.

* Allowed actions go to the wrapped env unchanged.
* Blocked actions are not executed: the env's ``reject`` consumes the step (clock, transcript,
  truncation) and applies the reward config's blocked-action cost plus ``policy.penalty``; the
  observation says which rule blocked the action and why, so an LLM can correct itself.
* ``info["safety"]`` on every step: verdict, rule, phase, role, resources, namespaces, verbs,
  reason, blocked (plus ``phase_changes`` when the phase changed since the last step).
* Phases change explicitly: :meth:`SafetyWrapper.set_phase` (the harness, e.g. the Observer/
  Executor runtime) or, when the policy allows it, the agent action ``request_phase("action")``.
  Every change is recorded in ``phase_history`` and in the next step's ``info``.
* Every verdict can go to an append-only :class:`~aoi_gym.safety.audit.AuditLog`.
"""

from __future__ import annotations

import os
import re
from typing import Any

import gymnasium as gym

from aoi_gym.safety.audit import AuditLog
from aoi_gym.safety.classifier import Classification, classify
from aoi_gym.safety.policy import Decision, Phase, Policy, mitigation, read_only, unrestricted
from aoi_gym.safety.preview import WritePreview, preview_write

__all__ = ["SafetyWrapper", "PHASE_REQUEST"]

#: the agent action that asks for a phase change: request_phase("action") or request_phase("observation")
PHASE_REQUEST = re.compile(r"^\s*(?:```[a-z]*\s*)?(?:Action\s*:\s*)?request_phase\(\s*(?:phase\s*=\s*)?[\"']?([A-Za-z_]+)[\"']?\s*\)\s*;?\s*(?:```)?\s*$", re.S)
_PRESETS = ("read_only", "mitigation", "unrestricted")


class SafetyWrapper(gym.Wrapper, gym.utils.RecordConstructorArgs):
    """Classify and police every action of an AOI-Incident env.

    Args:
        env: an AOI-Incident env (``env.unwrapped`` has ``cluster``, ``task_type``, ``namespace``,
            ``shell`` and ``reject``).
        policy: a :class:`Policy`, or a preset name: ``"read_only"``, ``"unrestricted"`` or
            ``"mitigation"`` (built at each reset for the episode's app namespace).
        audit_log: path of a JSONL audit log (or an :class:`AuditLog`); None for no log.
    """

    def __init__(self, env: gym.Env, policy: Policy | str = "read_only", audit_log: str | os.PathLike | AuditLog | None = None) -> None:
        gym.utils.RecordConstructorArgs.__init__(self, policy=policy if isinstance(policy, str) else policy.name, audit_log=None if audit_log is None else str(getattr(audit_log, "path", audit_log)))
        gym.Wrapper.__init__(self, env)
        if isinstance(policy, str) and policy not in _PRESETS:
            raise ValueError(f"unknown policy preset {policy!r}; valid: {', '.join(_PRESETS)} (or pass a Policy)")
        if not isinstance(policy, (str, Policy)):
            raise TypeError(f"policy must be a Policy or one of {', '.join(_PRESETS)}, got {type(policy).__name__}")
        self._policy_spec = policy
        self.policy: Policy = policy if isinstance(policy, Policy) else self._build(policy, None)
        self.audit = audit_log if isinstance(audit_log, AuditLog) or audit_log is None else AuditLog(audit_log)
        self.phase: Phase = self.policy.initial_phase
        self.phase_history: list[dict[str, Any]] = []
        self._pending_changes: list[dict[str, Any]] = []
        self.blocked_count = 0

    # ------------------------------------------------------------------ policy and phase
    @staticmethod
    def _build(name: str, namespace: str | None) -> Policy:
        if name == "read_only":
            return read_only()
        if name == "unrestricted":
            return unrestricted()
        return mitigation(namespace or "default")

    @property
    def role(self) -> str:
        return self.policy.role_for(self.phase)

    def set_phase(self, phase: Phase | str, reason: str = "", by: str = "harness") -> dict[str, Any]:
        """Switch phase (``"observation"`` or ``"action"``); returns the recorded change."""
        new = Phase.parse(phase)
        change = {"from": self.phase.value, "to": new.value, "reason": reason, "by": by, "step": self._step_no()}
        self.phase = new
        self.phase_history.append(change)
        self._pending_changes.append(change)
        self._audit(command=None, event="phase", **{k: v for k, v in change.items() if k != "step"})
        return change

    def _step_no(self) -> int:
        return int(getattr(self.env.unwrapped, "step_count", 0))

    def _namespace(self) -> str:
        shell = getattr(self.env.unwrapped, "shell", None)
        ns = getattr(shell, "namespace", None)
        return ns if isinstance(ns, str) and ns else "default"

    # ------------------------------------------------------------------ gym API
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        obs, info = self.env.reset(seed=seed, options=options)
        if isinstance(self._policy_spec, str):
            self.policy = self._build(self._policy_spec, getattr(self.env.unwrapped, "namespace", None))
        self.phase = self.policy.initial_phase
        self.phase_history = []
        self._pending_changes = []
        info = dict(info)
        info["safety"] = {"policy": self.policy.name, "phase": self.phase.value, "role": self.role}
        self._audit(command=None, event="reset", problem_id=info.get("problem_id"))
        return obs, info

    def classify(self, action: Any) -> Classification:
        """The classifier's verdict on ``action`` in this env (kubectl's default namespace)."""
        return classify(action, self._namespace(), getattr(self.env.unwrapped, "task_type", None))

    def check(self, action: Any) -> tuple[Classification, Decision]:
        """What would happen to ``action`` now, without running anything."""
        c = self.classify(action)
        return c, self.policy.check(c, self.phase)

    def preview(self, action: Any) -> WritePreview:
        """Dry-run diff of a write (an ``exec_shell`` action or a command line) on a snapshot.
        Raises PermissionError if the policy would block it now, NotImplementedError on a real cluster."""
        c, d = self.check(action)
        if not d.allowed:
            raise PermissionError(f"blocked by {d.rule}: {d.message}")
        return preview_write(self.env.unwrapped.cluster, c.command, self._namespace())

    def step(self, action: Any):
        m = PHASE_REQUEST.match(action) if isinstance(action, str) else None
        if m:
            return self._phase_request(action, m.group(1))
        from aoi_gym.envs.actions import ActionError, parse_action

        parsed = parse_action(action, getattr(self.env.unwrapped, "task_type", None))
        if isinstance(parsed, ActionError):
            obs, reward, term, trunc, info = self.env.step(action)
            safety = self._safety_info(None, None, blocked=False, reason="not an API call: the env answers with the accepted grammar")
            self._audit(command=str(action)[:2000], event="invalid", verdict=None, rule=None, blocked=False)
            return obs, reward, term, trunc, {**info, "safety": safety}
        c, d = self.check(parsed)
        safety = self._safety_info(c, d, blocked=not d.allowed)
        self._audit(command=c.command, event="action", verdict=c.verdict.value, rule=d.rule, blocked=not d.allowed, reason=c.reason, touches=[t.to_dict() for t in c.touches])
        if d.allowed:
            obs, reward, term, trunc, info = self.env.step(action)
            return obs, reward, term, trunc, {**info, "safety": safety}
        self.blocked_count += 1
        message = f"Blocked by the safety policy ({self.policy.name}, phase {self.phase.value}, rule {d.rule}): {d.message} Nothing was executed."
        return self.env.unwrapped.reject(action, message, kind="blocked", penalty=self.policy.penalty, info_extra={"safety": safety})

    def _phase_request(self, action: str, target: str):
        try:
            phase = Phase.parse(target)
        except ValueError as e:
            phase, err = None, str(e)
        else:
            err = None
        unwrapped = self.env.unwrapped
        if phase is None or not self.policy.agent_phase_requests:
            why = err or f"the {self.policy.name} policy does not let the agent change phase"
            safety = self._safety_info(None, None, blocked=True, reason=why, rule="phase-request")
            self._audit(command=action, event="phase_request", blocked=True, reason=why)
            self.blocked_count += 1
            return unwrapped.reject(action, f"Phase change refused: {why}.", kind="blocked", penalty=self.policy.penalty, info_extra={"safety": safety})
        self.set_phase(phase, reason="requested by the agent", by="agent")
        safety = self._safety_info(None, None, blocked=False, reason=f"phase is now {phase.value}", rule="phase-request")
        # a granted request is not a blocked action: the step costs only the env's step cost
        return unwrapped.reject(action, f"Phase changed to {phase.value} (role {self.role}).", kind="phase", info_extra={"safety": safety}, charge_blocked=False)

    # ------------------------------------------------------------------ records
    def _safety_info(self, c: Classification | None, d: Decision | None, blocked: bool, reason: str = "", rule: str | None = None) -> dict[str, Any]:
        out = {
            "verdict": c.verdict.value if c is not None else None,
            "rule": d.rule if d is not None else rule,
            "phase": self.phase.value,
            "role": self.role,
            "resources": list(c.resources) if c is not None else [],
            "namespaces": list(c.namespaces) if c is not None else [],
            "verbs": list(c.verbs) if c is not None else [],
            "reason": c.reason if c is not None else reason,
            "blocked": blocked,
        }
        if self._pending_changes:
            out["phase_changes"] = self._pending_changes
            self._pending_changes = []
        return out

    def _audit(self, **fields: Any) -> None:
        if self.audit is None:
            return
        u = self.env.unwrapped
        cluster = getattr(u, "cluster", None)
        self.audit.record(
            phase=self.phase.value,
            role=self.role,
            policy=self.policy.name,
            step=self._step_no(),
            sim_time=round(float(getattr(cluster, "t", 0.0) or 0.0), 3),
            **fields,
        )

    def close(self) -> None:
        if self.audit is not None:
            self.audit.close()
        super().close()
