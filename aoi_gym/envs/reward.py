"""The reward of AOI-Incident-v0, configured by one dataclass."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RewardConfig"]


@dataclass(frozen=True)
class RewardConfig:
    """Reward terms. The episode reward is the sum of the per-step terms and the final grade term.

    Attributes:
        success: reward on the submit step when the grade says success.
        failure: reward on the submit step when it does not.
        partial_credit: if True, a failed localization earns ``success * score`` where score is
            AIOpsLab's localization accuracy (e.g. 0.5 for the right service plus one wrong one), and a
            failed analysis earns half of ``success`` per correct field.
        step_cost: subtracted on every step (encourages short diagnoses).
        invalid_action_cost: subtracted when the reply could not be parsed into a valid API call.
        blocked_action_cost: subtracted when a safety wrapper blocks an action (the hook the
            SafetyWrapper uses through ``IncidentEnv.reject``).
        truncation_penalty: subtracted when the episode hits max_steps without a submit.
    """

    success: float = 1.0
    failure: float = 0.0
    partial_credit: bool = True
    step_cost: float = 0.0
    invalid_action_cost: float = 0.05
    blocked_action_cost: float = 0.1
    truncation_penalty: float = 0.0

    def grade_reward(self, success: bool, score: float) -> float:
        if success:
            return self.success
        if self.partial_credit and score > 0:
            return self.failure + (self.success - self.failure) * float(score)
        return self.failure
