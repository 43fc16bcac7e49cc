"""AOIRuntime: the read-write separated agent (Observer, Probe, Compressor, Executor) as one Agent.

It plays the env like any agent (``reset(prompt)``, ``act(observation) -> action text``) and runs its
role state machine inside each ``act`` call until one env action is due:

* the **Observer** (an LLM) reads the task and compressed evidence and chooses the next move:
  ``probe("sub-task")``, ``plan([...])`` in a mitigation task (this starts the action phase), or
  ``submit(...)``. It never emits a command itself.
* the **Probe** (an LLM, by default the same back-end) runs a few read commands for one sub-task,
  each checked by the safety layer's ``read_only()`` policy before it is emitted, then reports.
* the **Compressor** reduces every observation and folds long conversations (rules first, the model
  when given one).
* the **Executor** (deterministic) checks each plan command against ``mitigation(namespace)``,
  dry-runs and diffs it, applies it and verifies with reads.

``last_step_meta`` = ``{"role", "phase", ...}`` describes the action just returned; ``events`` lists
the reasoning steps (model replies, compressions, refusals) that emitted no env action.

    from aoi_agents.llm import make_llm
    agent = AOIRuntime(make_llm("openai:http://127.0.0.1:8000/v1#Qwen/Qwen3-8B"))
    traj = run_episode(gym.make("AOI-Incident-v0"), agent, seed=0)
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from aoi_agents.llm.base import LLM, Message, SamplingParams
from aoi_agents.runtime.compressor import Compressor
from aoi_agents.runtime.decisions import log_replies, ask, inert_action, parse_observer_reply
from aoi_agents.runtime.executor import Executor, ExecStep
from aoi_agents.runtime.probe import Probe
from aoi_agents.runtime.prompts import observer_system
from aoi_agents.runtime.taskinfo import TaskInfo, parse_task_prompt
from aoi_gym.envs.actions import SUBMIT_SIGNATURES

__all__ = ["AOIRuntime"]


class AOIRuntime:
    """The AOI agent runtime. See the module docstring.

    Args:
        llm: the Observer's back-end (and the Probe's and Compressor's unless given).
        probe_llm: the Probe's back-end (default ``llm``).
        compressor_llm: back-end that summarizes folded history (default: rules only).
        max_probe_rounds: reads per Probe sub-task.
        max_retries: corrections per model turn before giving up on that turn.
        max_internal_turns: model turns per ``act`` call before an inert action is emitted (so a model
            that never decides still uses up env steps and the episode ends).
        params: sampling settings for every role.
        compressor: a configured :class:`Compressor` (budgets).
        verify: whether the Executor verifies its changes with reads.
    """

    name = "aoi-runtime"

    def __init__(self, llm: LLM, probe_llm: LLM | None = None, compressor_llm: LLM | None = None,
                 max_probe_rounds: int = 4, max_retries: int = 2, max_internal_turns: int = 8,
                 params: SamplingParams | None = None, compressor: Compressor | None = None,
                 verify: bool = True) -> None:
        if max_probe_rounds < 1 or max_internal_turns < 1 or max_retries < 0:
            raise ValueError("max_probe_rounds and max_internal_turns must be >= 1, max_retries >= 0")
        self.llm = llm
        self.probe_llm = probe_llm or llm
        self.max_probe_rounds, self.max_retries, self.max_internal_turns = max_probe_rounds, max_retries, max_internal_turns
        self.params = params
        self._compressor_cfg = compressor
        self.compressor_llm = compressor_llm
        self.verify = verify
        self.name = f"aoi-runtime[{getattr(llm, 'name', 'llm')}]"
        self.reset("")

    # ------------------------------------------------------------------ episode
    def reset(self, prompt: str) -> None:
        """Start an episode from the task prompt (the env's first observation)."""
        self.task: TaskInfo = parse_task_prompt(prompt)
        self.phase = "observation"
        self.events: list[dict[str, Any]] = []
        base = self._compressor_cfg
        self.compressor = Compressor(**{k: getattr(base, k) for k in ("max_observation_chars", "context_chars", "keep_recent")}) if base else Compressor()
        self.compressor.llm = self.compressor_llm
        self.compressor.events = self.events
        self.observer_messages: list[Message] = [
            {"role": "system", "content": observer_system(prompt, self.task.task_type, SUBMIT_SIGNATURES[self.task.task_type])},
            {"role": "user", "content": "Begin. What should the Probe find out first?"},
        ]
        self.probe: Probe | None = None
        self._exec: Generator[ExecStep, str, None] | None = None
        self.executor: Executor | None = None
        self.executed_plans = 0
        self.last_step_meta: dict[str, Any] | None = None
        self._awaiting: str | None = None  # which role reads the next observation
        self.env_steps = 0

    def act(self, observation: str) -> str:
        """Return the next env action; runs the roles until one is due (never raises)."""
        if self._awaiting == "probe" and self.probe is not None:
            self.probe.observe(observation)
        self._awaiting = None
        for _ in range(self.max_internal_turns):
            if self._exec is not None:
                step = self._executor_next(observation)
                if step is not None:
                    return self._emit(step.action, "executor", "action", step.meta)
                continue
            if self.probe is not None:
                turn = self.probe.next_turn()
                if turn.action is not None:
                    self._awaiting = "probe"
                    return self._emit(turn.action, "probe", "observation", turn.meta)
                self._observer_hears(f"Probe report on {self.probe.subtask!r}:\n{turn.report}")
                self.probe = None
                continue
            out = self._observer_turn()
            if out is not None:
                return out
        self.events.append({"role": "observer", "phase": "reasoning", "note": "no env action after the internal turn budget"})
        return self._emit(inert_action("", "no decision within the turn budget"), "observer", "reasoning", {"inert": True})

    # ------------------------------------------------------------------ roles
    def _emit(self, action: str, role: str, phase: str, meta: dict[str, Any] | None = None) -> str:
        for ev in self.events:
            ev.setdefault("before_step", self.env_steps + 1)
        self.env_steps += 1
        self.last_step_meta = {"role": role, "phase": phase, **(meta or {})}
        return action

    def _observer_hears(self, text: str) -> None:
        self.observer_messages.append({"role": "user", "content": text})

    def _observer_turn(self) -> str | None:
        task = self.task.task_type
        may_submit = task != "mitigation" or (self.executor is not None and self.executor.verified)
        self.observer_messages = self.compressor.fit(self.observer_messages, role="observer")
        asked = ask(self.llm, self.observer_messages, lambda t: parse_observer_reply(t, task, may_submit),
                    self.max_retries, self.params, self._observer_correction)
        log_replies(self.events, "observer", asked)
        d = asked.decision
        if d is None:
            why = asked.error or "the Observer's reply was not a valid move after corrections"
            self.events.append({"role": "observer", "phase": "reasoning", "note": why})
            self._observer_hears(f"(Your last reply could not be used: {why}. Use exactly one move.)")
            return self._emit(inert_action(asked.last_text, why), "observer", "reasoning", {"invalid": True})
        self.observer_messages.append({"role": "assistant", "content": asked.last_text})
        if d.kind == "submit":
            return self._emit("```\n" + d.action.to_text() + "\n```", "observer", "action", {"decision": "submit"})
        if d.kind == "probe":
            self.events.append({"role": "observer", "phase": "reasoning", "delegate": d.value})
            self.probe = Probe(self.probe_llm, d.value, self.task.namespace, self.compressor, self.max_probe_rounds,
                               self.max_retries, self.params, self.events)
            return None
        # plan: hand it to the Executor; the action phase starts
        self.phase = "action"
        self.executed_plans += 1
        self.events.append({"role": "observer", "phase": "reasoning", "plan": list(d.value)})
        self.executor = Executor(d.value, self.task.namespace, self.compressor, self.verify)
        self._exec = self.executor.steps()
        self._exec_started = False
        return None

    def _executor_next(self, observation: str) -> ExecStep | None:
        gen = self._exec
        assert gen is not None and self.executor is not None
        try:
            step = gen.send(observation) if self._exec_started else next(gen)
            self._exec_started = True
            return step
        except StopIteration:
            self._exec = None
            self._observer_hears(self.executor.report())
            return None

    def _observer_correction(self, err: str) -> str:
        moves = "probe, plan or submit" if self.task.task_type == "mitigation" else "probe or submit"
        return f"{err}\nEnd your reply with exactly one call ({moves}) in a fenced code block."
