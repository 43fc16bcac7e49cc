"""AOI-Incident-v0: diagnose and mitigate a fault injected into a microservice deployment.

The agent acts through AIOpsLab's text interface (``exec_shell``, ``get_logs``, ``get_metrics``,
``get_traces``, ``read_metrics``, ``read_traces``, ``submit``) against an embedded simulated
Kubernetes cluster. Observations and actions are text.

Example:
    >>> import gymnasium as gym, aoi_gym
    >>> env = gym.make("AOI-Incident-v0", split="train", task_types=["localization"])
    >>> obs, info = env.reset(seed=0)
    >>> obs, reward, terminated, truncated, info = env.step('exec_shell("kubectl get pods -A")')
"""

from __future__ import annotations

import functools
import re
import string
from collections import OrderedDict
from typing import Any, Sequence

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from aoi_gym.cluster.base import ApiError
from aoi_gym.envs.actions import Action, ActionError, parse_action
from aoi_gym.envs.prompts import task_prompt
from aoi_gym.envs.reward import RewardConfig
from aoi_gym.envs.spaces import TextObservation
from aoi_gym.envs.telemetry_views import LazyCsv, csv_to_table, metrics_view, traces_view
from aoi_gym.safety import Verdict, classify_command

__all__ = ["IncidentEnv", "CHARSET", "BACKENDS"]

#: Every character an observation or action may contain (printable ASCII, tab, newline, CR).
CHARSET = "".join(c for c in string.printable if c not in "\x0b\x0c")
_OUTSIDE_CHARSET = re.compile("[^" + re.escape(CHARSET) + "]")  # one C scan instead of a check per character
_TRANSLATE = {ord("\u2026"): "...", ord("\u00b5"): "u", ord("\u2018"): "'", ord("\u2019"): "'", ord("\u201c"): '"', ord("\u201d"): '"', ord("\u2013"): "-", ord("\u2014"): "-", ord("\u2192"): "->"}
BACKENDS = ("sim", "kube")
_LABEL_KEYS = ("io.kompose.service", "app", "app.kubernetes.io/name", "app.kubernetes.io/component")
_WARMUP_S = 1800.0  # the app has been running for half an hour when the incident starts
_INJECT_SETTLE_S = 60.0  # the fault has had a minute to show symptoms when the agent arrives


def sanitize(text: str, limit: int) -> str:
    """Map text into CHARSET and cut it to ``limit`` characters, saying how much was cut."""
    if _OUTSIDE_CHARSET.search(text):
        text = _OUTSIDE_CHARSET.sub("?", text.translate(_TRANSLATE))
    if len(text) > limit:
        note = f"\n[... output cut: {len(text) - limit + 80} more characters; narrow your command (grep, --tail, -l) ...]\n"
        keep = max(0, limit - len(note))
        text = text[: keep // 2] + note + text[len(text) - (keep - keep // 2) :]
    return text


class IncidentEnv(gym.Env[str, str]):
    """An incident on a microservice deployment, posed as a detection/localization/analysis/mitigation task.

    Args:
        backend: ``"sim"`` (embedded simulated cluster). ``"kube"`` (a real cluster) is announced and
            raises NotImplementedError until that backend lands.
        split: problem split (see ``aoi_gym.problems.SPLITS``), e.g. ``"train"`` or ``"heldout"``.
        task_types: restrict to these task types (detection, localization, analysis, mitigation).
        apps: restrict to these apps (hotel_reservation, social_network, astronomy_shop).
        problem_ids: an explicit list of problem ids (overrides split/task_types/apps).
        max_steps: actions per episode before truncation.
        seconds_per_step: simulated seconds that pass per action (faults evolve, chaos expires).
        noise: scale of background noise in telemetry (1.0 = realistic, 0 = none).
        reward: a :class:`RewardConfig`.
        max_observation_chars: observations longer than this are cut in the middle, with a note.
        render_mode: ``"ansi"`` (render returns the transcript) or ``"human"`` (prints it with rich).
        cluster_variants: how many differently seeded installs of each app an episode is drawn from
            (pod-name hashes, IPs and noise differ between variants). Each variant is built once per
            process and then restored from a snapshot, so resets cost milliseconds; everything after
            the restore (fault parameters, later pod names, telemetry noise) follows the episode's seed.
            ``0`` builds a fresh cluster from the episode's seed on every reset (slow, fully unique).

    Observation: text (the task prompt first, then each action's output). Action: text holding one
    API call. ``info`` carries problem_id, task_type, step, sim_time and action_kind, and on the last
    step the grade (success, score) but never the expected answer. Policies should not read ``info``:
    it is for training harnesses (the problem id names the fault family).
    """

    metadata = {"render_modes": ["ansi", "human"], "render_fps": 4}

    def __init__(
        self,
        backend: str = "sim",
        split: str = "train",
        task_types: Sequence[str] | None = None,
        apps: Sequence[str] | None = None,
        problem_ids: Sequence[str] | None = None,
        max_steps: int = 30,
        seconds_per_step: float = 30.0,
        noise: float = 1.0,
        reward: RewardConfig | None = None,
        max_observation_chars: int = 12000,
        render_mode: str | None = None,
        cluster_variants: int = 8,
        snapshot_cache_size: int = 32,
    ) -> None:
        if backend not in BACKENDS:
            raise ValueError(f"unknown backend {backend!r}; valid: {', '.join(BACKENDS)}")
        if backend == "kube":
            raise NotImplementedError(
                "the real-cluster backend ('kube') is not available in this release; use backend='sim'"
            )
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"unknown render_mode {render_mode!r}; valid: {', '.join(self.metadata['render_modes'])}")
        if max_steps < 1:
            raise ValueError(f"max_steps must be >= 1, got {max_steps}")
        from aoi_gym.problems import get_problem_spec, list_problems

        if problem_ids:
            self._specs = [get_problem_spec(p) for p in problem_ids]
        else:
            self._specs = list_problems(split=split, task_types=task_types, apps=apps)
        if not self._specs:
            raise ValueError(f"no problem matches split={split!r}, task_types={task_types!r}, apps={apps!r}")
        self.backend = backend
        self.max_steps = int(max_steps)
        self.seconds_per_step = float(seconds_per_step)
        if noise < 0:
            raise ValueError(f"noise must be >= 0 (1.0 realistic, 0.0 none), got {noise}")
        self.noise = float(noise)
        self.reward_config = reward or RewardConfig()
        self.max_observation_chars = int(max_observation_chars)
        self.render_mode = render_mode
        self.observation_space = TextObservation(max_length=max(self.max_observation_chars, 16384), min_length=0, charset=CHARSET)
        self.action_space = spaces.Text(max_length=8192, min_length=0, charset=CHARSET)
        self._cache: OrderedDict[tuple[str, int], Any] = OrderedDict()
        self._cache_size = snapshot_cache_size
        if cluster_variants < 0:
            raise ValueError(f"cluster_variants must be >= 0, got {cluster_variants}")
        self.cluster_variants = int(cluster_variants)
        self.cluster = None
        self.problem = None
        self._ground_truth = None
        self._reset_episode_state()

    # ------------------------------------------------------------------ episode state
    def _reset_episode_state(self) -> None:
        self.step_count = 0
        self.transcript: list[tuple[str, str]] = []
        self.files: dict[str, str | LazyCsv] = {}  # exports of get_metrics/get_traces, by path
        self.done = False
        self.last_grade: dict[str, Any] | None = None

    @property
    def task_type(self) -> str | None:
        return self.problem.spec.task_type if self.problem is not None else None

    @property
    def problem_id(self) -> str | None:
        return self.problem.spec.id if self.problem is not None else None

    @property
    def namespace(self) -> str | None:
        return self._namespace

    @property
    def problems(self) -> list:
        """The problem specs this env draws from."""
        return list(self._specs)

    def _fresh_cluster(self, app: str, cluster_seed: int):
        from aoi_gym.cluster.sim import SimCluster

        key = (app, cluster_seed)
        snap = self._cache.get(key)
        if snap is not None:
            self._cache.move_to_end(key)
            if self.cluster is None:
                self.cluster = SimCluster(seed=cluster_seed)
            self.cluster.restore(snap)  # a snapshot is the whole state: any SimCluster can take it
            return self.cluster
        self.cluster = SimCluster(seed=cluster_seed)
        self.problem.setup(self.cluster, np.random.default_rng(cluster_seed))
        if self.cluster.t < _WARMUP_S:
            self.cluster.advance(_WARMUP_S - self.cluster.t)
        self._cache[key] = self.cluster.snapshot()
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return self.cluster

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
        """Start an episode. ``options={"problem_id": ...}`` picks a problem; otherwise one is drawn
        uniformly from the env's problems with the env's seeded generator."""
        super().reset(seed=seed)
        from aoi_gym.problems import get_problem_spec, make_problem
        from aoi_gym.shell.interpreter import Shell

        options = options or {}
        if options.get("problem_id"):
            spec = get_problem_spec(options["problem_id"])
        else:
            spec = self._specs[int(self.np_random.integers(len(self._specs)))]
        if self.cluster_variants:
            cluster_seed = int(self.np_random.integers(self.cluster_variants))
        else:
            cluster_seed = int(self.np_random.integers(2**31 - 1))
        episode_seed = int(self.np_random.integers(2**63 - 1))
        fault_rng = np.random.default_rng(episode_seed)
        self.problem = make_problem(spec)
        self._fresh_cluster(spec.app, cluster_seed)
        # From here on the cluster's randomness (new pod names, noise) follows this episode's seed.
        self.cluster.rng = np.random.default_rng(episode_seed ^ 0x5EED)
        if hasattr(self.cluster.app, "noise"):
            self.cluster.app.noise = self.noise
        self._namespace, self._app_summary = _app_facts(spec.app)
        self._ground_truth = self.problem.inject(self.cluster, fault_rng)
        self.cluster.advance(_INJECT_SETTLE_S)
        self.shell = Shell(self.cluster)
        self._reset_episode_state()
        self._episode_seed = seed
        obs = task_prompt(spec.task_type, self._app_summary, self.max_steps)
        self.transcript.append(("task", obs))
        info = self._info("reset")
        info["app"] = spec.app
        info["seed"] = seed
        return sanitize(obs, self.observation_space.max_length), info

    def _info(self, kind: str) -> dict[str, Any]:
        return {
            "problem_id": self.problem.spec.id,
            "task_type": self.problem.spec.task_type,
            "step": self.step_count,
            "sim_time": round(float(self.cluster.t), 3),
            "action_kind": kind,
        }

    # ------------------------------------------------------------------ step
    def step(self, action: str) -> tuple[str, float, bool, bool, dict[str, Any]]:
        if self.problem is None:
            raise gym.error.ResetNeeded("call reset() before step()")
        if self.done:
            raise gym.error.ResetNeeded("the episode is over; call reset()")
        self.step_count += 1
        rc = self.reward_config
        reward = -rc.step_cost
        terminated = False
        parsed = parse_action(action, self.task_type)
        if isinstance(parsed, ActionError):
            kind, obs = "invalid", f"Invalid action ({parsed.kind}): {parsed.message}"
            reward -= rc.invalid_action_cost
        elif parsed.api == "submit":
            kind, terminated = "submit", True
            obs, grade_reward = self._submit(parsed)
            reward += grade_reward
        else:
            kind, obs = self._execute(parsed)
        return self._finish_step(action, obs, reward, terminated, kind)

    def _finish_step(self, action: Any, obs: str, reward: float, terminated: bool, kind: str, extra: dict | None = None):
        if not terminated:
            self.cluster.advance(self.seconds_per_step)
        truncated = not terminated and self.step_count >= self.max_steps
        if truncated:
            reward -= self.reward_config.truncation_penalty
            self.last_grade = self._grade_dict(self.problem.grade(None, self.cluster))
        obs = sanitize(obs if obs else "(no output)", self.max_observation_chars)
        self.transcript.append(("action", str(action)))
        self.transcript.append(("observation", obs))
        self.done = terminated or truncated
        info = self._info(kind)
        if extra:
            info.update(extra)
        if self.done:
            info["grade"] = dict(self.last_grade or {})
        if self.render_mode == "human":
            self.render()
        return obs, float(reward), terminated, truncated, info

    def reject(
        self,
        action: Any,
        message: str,
        kind: str = "blocked",
        penalty: float = 0.0,
        info_extra: dict | None = None,
        charge_blocked: bool = True,
    ) -> tuple[str, float, bool, bool, dict[str, Any]]:
        """Consume a step without executing ``action`` (used by wrappers that block or answer actions).

        The step counts toward max_steps, simulated time passes, the transcript records the message,
        and the reward is ``-(step_cost + blocked_action_cost + penalty)``; ``charge_blocked=False``
        leaves out the blocked-action cost (for actions a wrapper answers itself, e.g. a phase change).
        """
        if self.problem is None or self.done:
            raise gym.error.ResetNeeded("call reset() before step()")
        self.step_count += 1
        blocked = self.reward_config.blocked_action_cost if charge_blocked else 0.0
        reward = -(self.reward_config.step_cost + blocked + penalty)
        return self._finish_step(action, message, reward, False, kind, info_extra)

    def _execute(self, act: Action) -> tuple[str, str]:
        a = act.args
        if act.api == "exec_shell":
            # The safety classifier's READ is proven (property tests) never to change the cluster;
            # anything else is a write attempt, whether or not it succeeds.
            kind = "read" if classify_command(a["command"]).verdict is Verdict.READ else "write"
            return kind, self.shell.run(a["command"]).output
        if act.api == "get_logs":
            return "read", self._get_logs(a["namespace"], a["service"])
        if act.api in ("get_metrics", "get_traces"):
            minutes = max(1, min(int(a["duration"]), 60))
            window = minutes * 60.0
            if self.cluster.peek("Namespace", a["namespace"]) is None:
                return "read", f"Error: namespace {a['namespace']!r} does not exist. Use kubectl to check."
            if act.api == "get_metrics":
                text, files = metrics_view(self.cluster.metrics(a["namespace"], window), a["namespace"], self.cluster.now(), minutes)
            else:
                text, files = traces_view(self.cluster.traces(a["namespace"], window), a["namespace"], self.cluster.now(), minutes)
            self.files.update(files)
            return "read", text
        # read_metrics / read_traces
        path = a["file_path"].strip().rstrip("/")
        if path in self.files:
            return "read", csv_to_table(str(self.files[path]))
        inside = sorted(p for p in self.files if p.startswith(path + "/"))
        if inside:
            return "read", "Directory " + path + " holds:\n" + "\n".join(f"  {p}" for p in inside)
        what = "Metrics" if act.api == "read_metrics" else "Traces"
        return "read", f"error: {what} file '{a['file_path']}' not found."

    def _get_logs(self, namespace: str, service: str) -> str:
        missing = "Error: Your service/namespace does not exist. Use kubectl to check."
        if self.cluster.peek("Namespace", namespace) is None:
            return missing
        for key in _LABEL_KEYS:
            pods = self.cluster.list("Pod", namespace, label_selector=f"{key}={service}")
            if pods:
                try:
                    return self.cluster.logs(pods[0]["metadata"]["name"], namespace) or "(the log is empty)"
                except ApiError as e:  # e.g. the container is still waiting to start: say so, as kubectl logs does
                    return e.kubectl_message()
        return missing

    def _grade_dict(self, grade: Any) -> dict[str, Any]:
        return {"success": bool(grade.success), "score": float(grade.score)}

    def _submit(self, act: Action) -> tuple[str, float]:
        from aoi_gym.problems import MITIGATION_SETTLE_S

        if self.task_type == "mitigation":
            # judge the cluster after it settles, on a branch: submit itself changes nothing, so the
            # episode ends with the cluster exactly as the agent left it
            snap = self.cluster.snapshot()
            try:
                self.cluster.advance(MITIGATION_SETTLE_S)
                grade = self.problem.grade(act.args.get("solution"), self.cluster)
            finally:
                self.cluster.restore(snap)
        else:
            grade = self.problem.grade(act.args.get("solution"), self.cluster)
        self.last_grade = self._grade_dict(grade)
        reward = self.reward_config.grade_reward(grade.success, grade.score)
        return "Your submission was recorded. The episode is over.", reward

    # ------------------------------------------------------------------ snapshot / render
    def get_state(self) -> Any:
        """Everything needed to branch this episode (GRPO groups, search): restore with set_state."""
        return (
            self.cluster.snapshot(),
            self.problem,
            self._ground_truth,
            self.step_count,
            list(self.transcript),
            dict(self.files),
            self.done,
            self.last_grade,
            self._namespace,
            self._app_summary,
        )

    def set_state(self, state: Any) -> None:
        from aoi_gym.shell.interpreter import Shell

        snap, self.problem, self._ground_truth, self.step_count, transcript, files, self.done, self.last_grade, self._namespace, self._app_summary = state
        self.cluster.restore(snap)
        self.transcript, self.files = list(transcript), dict(files)
        self.shell = Shell(self.cluster)

    def render(self) -> str | None:
        text = _transcript_text(self.transcript)
        if self.render_mode == "human":
            from rich.console import Console

            Console().print(text, markup=False, highlight=False)
            return None
        return text

    def close(self) -> None:
        self.cluster = None
        self._cache.clear()


def _transcript_text(transcript: list[tuple[str, str]]) -> str:
    out = []
    for role, text in transcript:
        head = {"task": "=== TASK ===", "action": ">>> ACTION", "observation": "<<< OBSERVATION"}.get(role, role)
        out.append(f"{head}\n{text}")
    return "\n\n".join(out) + "\n"


@functools.lru_cache(maxsize=None)
def _app_facts(app_name: str) -> tuple[str | None, str]:
    """(namespace, summary) of an app by name: building the App object costs more than the rest of a reset's
    bookkeeping, and both facts are fixed per app."""
    from aoi_gym.apps import get_app

    app = get_app(app_name)
    return getattr(app, "namespace", None), _app_summary(app)


def _app_summary(app: Any) -> str:
    for attr in ("summary", "description"):
        v = getattr(app, attr, None)
        if callable(v):
            v = v()
        if isinstance(v, str) and v.strip():
            return v
    return f"Service Name: {getattr(app, 'name', app)}\nNamespace: {getattr(app, 'namespace', '')}"

