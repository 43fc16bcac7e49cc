"""PettingZoo AEC environment of the Red-Black Game (``AOI-RedBlack-v0``).

Agents ``a_0 .. a_{n-1}`` are Team A's members; Team B is scripted. The agent to act is always one whose
answer the game awaits: all members in turn for the willingness and vote phases, the chosen speaker for
an opinion turn. Observation: ``{"prompt": <the text prompt of the current phase>, "phase": 0..3}``
(willingness, opinion, vote, waiting/done). Action: free text. Reward: Team A's score for a round, given
to every member when the round resolves.

Example:
    >>> from aoi_gym.envs.redblack import make_multiagent
    >>> env = make_multiagent("AOI-RedBlack-v0", scenario="trade_war")
    >>> env.reset(seed=0)
    >>> for agent in env.agent_iter():
    ...     obs, reward, terminated, truncated, info = env.last()
    ...     env.step(None if terminated or truncated else "VOTE: A")
"""

from __future__ import annotations

import string
from typing import Any, Mapping

import numpy as np
from gymnasium import spaces
from pettingzoo import AECEnv
from pettingzoo.utils import wrappers

from aoi_gym.envs.redblack.deliberation import PHASES, RedBlackGame
from aoi_gym.envs.redblack.game import DEFAULT_MULTIPLIERS, GameConfig

__all__ = ["raw_env", "env", "PROMPT_CHARSET", "MAX_PROMPT_CHARS", "MAX_ACTION_CHARS"]

PROMPT_CHARSET = "".join(ch for ch in string.printable if ch not in "\x0b\x0c")
MAX_PROMPT_CHARS = 200_000
MAX_ACTION_CHARS = 8_000


def env(**kwargs: Any) -> AECEnv:
    """The Red-Black env with PettingZoo's order-enforcing wrapper (see :class:`raw_env` for kwargs)."""
    return wrappers.OrderEnforcingWrapper(raw_env(**kwargs))


class raw_env(AECEnv):
    """The unwrapped AEC env.

    Args:
        team_size, num_rounds, multipliers, opponent, scenario, discussion_rounds, clear_history,
        max_message_chars: as in :class:`~aoi_gym.envs.redblack.game.GameConfig`.
        render_mode: ``None``, ``"ansi"`` (render returns the transcript) or ``"human"`` (prints it).
    """

    metadata = {"name": "aoi_redblack_v0", "render_modes": ["ansi", "human"], "is_parallelizable": False, "render_fps": 1}

    def __init__(
        self,
        team_size: int = 5,
        num_rounds: int = 10,
        multipliers: Mapping[int, int] | None = None,
        opponent: str = "always_defect",
        scenario: str = "baseline",
        discussion_rounds: int = 1,
        clear_history: bool = True,
        max_message_chars: int = 1200,
        render_mode: str | None = None,
    ) -> None:
        super().__init__()
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode must be one of {self.metadata['render_modes']} or None, got {render_mode!r}")
        self.config = GameConfig(
            team_size=team_size,
            num_rounds=num_rounds,
            multipliers=dict(multipliers if multipliers is not None else DEFAULT_MULTIPLIERS),
            opponent=opponent,
            scenario=scenario,
            discussion_rounds=discussion_rounds,
            clear_history=clear_history,
            max_message_chars=max_message_chars,
        )
        self.render_mode = render_mode
        self.possible_agents = [f"a_{i}" for i in range(team_size)]
        obs_space = spaces.Dict(
            {
                "prompt": spaces.Text(MAX_PROMPT_CHARS, min_length=0, charset=PROMPT_CHARSET),
                "phase": spaces.Discrete(len(PHASES)),
            }
        )
        act_space = spaces.Text(MAX_ACTION_CHARS, min_length=0, charset=PROMPT_CHARSET)
        self._observation_spaces = {a: obs_space for a in self.possible_agents}
        self._action_spaces = {a: act_space for a in self.possible_agents}
        self._rng: np.random.Generator | None = None
        self.game: RedBlackGame | None = None

    def observation_space(self, agent: str) -> spaces.Space:
        return self._observation_spaces[agent]

    def action_space(self, agent: str) -> spaces.Space:
        return self._action_spaces[agent]

    # ------------------------------------------------------------------ AEC API
    def reset(self, seed: int | None = None, options: dict | None = None) -> None:
        """Start a new game; ``seed`` seeds speaking-order ties, vote ties and random opponents."""
        if seed is not None or self._rng is None:
            self._rng = np.random.default_rng(seed)
        self.game = RedBlackGame(self.config, self._rng, self.possible_agents)
        self.agents = list(self.possible_agents)
        self.rewards = {a: 0 for a in self.agents}
        self._cumulative_rewards = {a: 0 for a in self.agents}
        self.terminations = {a: False for a in self.agents}
        self.truncations = {a: False for a in self.agents}
        self.infos = {a: self._info(a) for a in self.agents}
        self.agent_selection = self.game.pending()[0]

    def observe(self, agent: str) -> dict:
        phase = self.game.phase if agent in self.game.pending() or self.game.done else "waiting"
        index = PHASES.index(phase) if phase in PHASES[:3] else len(PHASES) - 1
        return {"prompt": self.game.observation_text(agent), "phase": index}

    def step(self, action: str | None) -> None:
        """Submit the selected agent's text; unreadable text never raises (it abstains / falls back)."""
        agent = self.agent_selection
        if self.terminations[agent] or self.truncations[agent]:
            self._was_dead_step(action)
            return
        self._cumulative_rewards[agent] = 0
        self._clear_rewards()
        record = self.game.submit(agent, action if isinstance(action, str) else "")
        if record is not None:
            for a in self.agents:
                self.rewards[a] = record.score_a
        if self.game.done:
            for a in self.agents:
                self.terminations[a] = True
        for a in self.agents:
            self.infos[a] = self._info(a, record)
        pending = self.game.pending()
        self.agent_selection = pending[0] if pending else self.agents[0]
        self._accumulate_rewards()
        if self.render_mode == "human" and record is not None:
            print(self.render())

    def _info(self, agent: str, record=None) -> dict:
        game = self.game
        info = {"phase": game.phase, "round": game.round_no if not game.done else game.config.num_rounds}
        if record is not None:
            info["round_result"] = {
                "round": record.round_no,
                "decision_a": record.decision_a,
                "choice_b": record.choice_b,
                "score_a": record.score_a,
                "score_b": record.score_b,
                "no_valid_votes": record.no_valid_votes,
            }
        if game.done:
            info["score_a"], info["score_b"] = game.score_a, game.score_b
        return info

    def render(self) -> str | None:
        if self.render_mode is None or self.game is None:
            return None
        return self.game.transcript()

    def close(self) -> None:
        """Nothing to release: the game holds no external resources."""
