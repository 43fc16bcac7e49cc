"""The game as a state machine that asks Team A's members for text and resolves rounds.

:class:`RedBlackGame` is shared by the PettingZoo env (which feeds it one agent's action per ``step``)
and by experiment runners (which collect all pending answers at once, e.g. in one batched LLM call).
Each round: until everyone has spoken, every member who has not spoken states a willingness (0-3) and
the highest speaks next (ties random); each speaker broadcasts once per discussion pass; then all vote
privately and simultaneously; the majority of valid votes decides; Team B's scripted move is drawn and
the round is scored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from aoi_gym.envs.redblack import prompts
from aoi_gym.envs.redblack.game import (
    GameConfig,
    Opinion,
    RoundRecord,
    multiplier_for,
    opponent_choice,
    pick_speaker,
    round_scores,
    tally_votes,
)
from aoi_gym.envs.redblack.parsing import parse_opinion, parse_vote, parse_willingness
from aoi_gym.envs.redblack.scenarios import get_scenario

__all__ = ["PHASES", "TurnRequest", "RedBlackGame", "DEFAULT_WILLINGNESS"]

PHASES = ("willingness", "opinion", "vote", "done")
DEFAULT_WILLINGNESS = 1  # an unreadable willingness counts as 1, as in the study


@dataclass(frozen=True)
class TurnRequest:
    """What one member is asked now: the prompt text plus the structured public state behind it.

    ``system`` is the scenario briefing and ``prompt`` the phase prompt; ``text`` joins them (the env's
    observation). ``heard`` holds this round's broadcasts so far (all of them in the vote phase).
    """

    agent: str
    name: str
    phase: str
    round_no: int
    num_rounds: int
    multiplier: int
    pass_no: int
    scenario: str
    options: tuple[str, str]
    system: str
    prompt: str
    heard: tuple[Opinion, ...]
    own_opinion: Opinion | None
    history: tuple[RoundRecord, ...]

    @property
    def text(self) -> str:
        return f"{self.system}\n\n{self.prompt}"


class RedBlackGame:
    """One game between a deliberating Team A and a scripted Team B.

    Args:
        config: the game settings.
        rng: the generator for speaking-order ties, vote ties and random opponents.
        agent_ids: ids of Team A's members (default ``a_0 .. a_{n-1}``), length ``config.team_size``.
        names: display names by agent id (default persona names).
    """

    def __init__(
        self,
        config: GameConfig,
        rng: np.random.Generator,
        agent_ids: Sequence[str] | None = None,
        names: Mapping[str, str] | None = None,
    ) -> None:
        self.config = config
        self.scenario = get_scenario(config.scenario)
        self.rng = rng
        self.agent_ids = list(agent_ids) if agent_ids is not None else [f"a_{i}" for i in range(config.team_size)]
        if len(self.agent_ids) != config.team_size or len(set(self.agent_ids)) != len(self.agent_ids):
            raise ValueError(f"need {config.team_size} distinct agent ids, got {self.agent_ids}")
        self.names = dict(names) if names else {a: prompts.persona_name(i) for i, a in enumerate(self.agent_ids)}
        self._briefings = {a: prompts.briefing(self.scenario, config, self.names[a]) for a in self.agent_ids}
        self.records: list[RoundRecord] = []
        self.round_no = 1
        self._start_round()

    # ------------------------------------------------------------------ state
    def _start_round(self) -> None:
        self.pass_no = 1
        self.opinions: list[Opinion] = []
        self._spoken: list[str] = []
        self._order: list[str] = []
        self._willingness: dict[str, int] = {}
        self._votes: dict[str, str | None] = {}
        self.phase = "willingness"
        self._pending = list(self.agent_ids)

    @property
    def done(self) -> bool:
        return self.phase == "done"

    @property
    def score_a(self) -> int:
        return sum(r.score_a for r in self.records)

    @property
    def score_b(self) -> int:
        return sum(r.score_b for r in self.records)

    def pending(self) -> list[str]:
        """Members whose answer the game waits for now, in team order (empty when done)."""
        return list(self._pending)

    # ------------------------------------------------------------------ prompts
    def request(self, agent: str) -> TurnRequest:
        """The request for a pending member; raises ``ValueError`` if it is not that member's turn."""
        if agent not in self._pending:
            raise ValueError(f"{agent!r} is not asked anything now (pending: {self._pending}, phase {self.phase})")
        cfg, sc, hist = self.config, self.scenario, self.records
        if self.phase == "willingness":
            prompt = prompts.willingness_prompt(sc, cfg, self.round_no, hist, self.opinions, self.names)
        elif self.phase == "opinion":
            prompt = prompts.opinion_prompt(sc, cfg, self.round_no, hist, self.opinions, self.names, self.pass_no)
        else:
            prompt = prompts.vote_prompt(sc, cfg, self.round_no, hist, self.opinions)
        own = [o for o in self.opinions if o.agent == agent]
        return TurnRequest(
            agent=agent,
            name=self.names[agent],
            phase=self.phase,
            round_no=self.round_no,
            num_rounds=cfg.num_rounds,
            multiplier=multiplier_for(self.round_no, cfg.multipliers),
            pass_no=self.pass_no,
            scenario=sc.id,
            options=(sc.coop_option, sc.defect_option),
            system=self._briefings[agent],
            prompt=prompt,
            heard=tuple(self.opinions),
            own_opinion=own[-1] if own else None,
            history=tuple(hist),
        )

    def requests(self) -> list[TurnRequest]:
        """Requests for every pending member."""
        return [self.request(a) for a in self._pending]

    def observation_text(self, agent: str) -> str:
        """The prompt if ``agent`` is pending, else a short status line (what an idle member sees)."""
        if agent in self._pending:
            return self.request(agent).text
        if self.done:
            return f"The game is over. Final scores: Team A {self.score_a}, Team B {self.score_b}."
        return f"Round {self.round_no}, phase {self.phase}: waiting for teammates."

    # ------------------------------------------------------------------ answers
    def submit(self, agent: str, text: str) -> RoundRecord | None:
        """Record one pending member's answer; returns the round's record if this answer resolved a round.

        A non-string or unreadable answer never raises: willingness falls back to 1, an opinion without
        a clear option is broadcast with no recommendation, and a vote abstains.
        """
        if agent not in self._pending:
            raise ValueError(f"{agent!r} is not asked anything now (pending: {self._pending}, phase {self.phase})")
        text = text if isinstance(text, str) else ""
        self._pending.remove(agent)
        if self.phase == "willingness":
            value = parse_willingness(text)
            self._willingness[agent] = DEFAULT_WILLINGNESS if value is None else value
            if not self._pending:
                self._next_speaker()
        elif self.phase == "opinion":
            choice, reasoning = parse_opinion(text)
            self.opinions.append(Opinion(agent, self.pass_no, choice, reasoning))
            self._spoken.append(agent)
            self._order.append(agent)
            self._after_turn()
        elif self.phase == "vote":
            self._votes[agent] = parse_vote(text)
            if not self._pending:
                return self._resolve_round()
        return None

    def submit_all(self, answers: Mapping[str, str]) -> RoundRecord | None:
        """Submit answers for every pending member (in team order); returns a record if a round resolved."""
        missing = [a for a in self._pending if a not in answers]
        if missing:
            raise ValueError(f"answers missing for {missing}")
        record = None
        for agent in list(self._pending):
            record = self.submit(agent, answers[agent]) or record
        return record

    def _next_speaker(self) -> None:
        ordered = {a: self._willingness[a] for a in self.agent_ids if a in self._willingness}
        speaker = pick_speaker(ordered, self.rng)
        self._willingness = {}
        self.phase = "opinion"
        self._pending = [speaker]

    def _after_turn(self) -> None:
        remaining = [a for a in self.agent_ids if a not in self._spoken]
        if not remaining and self.pass_no < self.config.discussion_rounds:
            self.pass_no += 1
            self._spoken = []
            remaining = list(self.agent_ids)
        if remaining:
            self.phase = "willingness"
            self._pending = remaining
        else:
            self.phase = "vote"
            self._pending = list(self.agent_ids)

    def _resolve_round(self) -> RoundRecord:
        cfg = self.config
        votes = {a: self._votes.get(a) for a in self.agent_ids}
        decision, tie = tally_votes(list(votes.values()), self.rng)
        a_hist = [r.decision_a for r in self.records]
        b_hist = [r.choice_b for r in self.records]
        choice_b = opponent_choice(cfg.opponent, self.round_no, a_hist, b_hist, self.rng, cfg.multipliers, cfg.num_rounds)
        mult = multiplier_for(self.round_no, cfg.multipliers)
        score_a, score_b = round_scores(decision, choice_b, mult) if decision else (0, 0)
        record = RoundRecord(
            round_no=self.round_no,
            multiplier=mult,
            decision_a=decision,
            choice_b=choice_b,
            score_a=score_a,
            score_b=score_b,
            speaking_order=tuple(self._order),
            opinions=tuple(self.opinions),
            votes=votes,
            tie_broken=tie,
        )
        self.records.append(record)
        if self.round_no >= cfg.num_rounds:
            self.phase = "done"
            self._pending = []
        else:
            self.round_no += 1
            self._start_round()
        return record

    # ------------------------------------------------------------------ rendering
    def transcript(self) -> str:
        """A readable log of every finished round (speaking order, broadcasts, votes, outcome)."""
        out = []
        for rec in self.records:
            out.append(
                f"Round {rec.round_no} (x{rec.multiplier}): Team A {rec.decision_a or 'NO VALID VOTES'} "
                f"vs Team B {rec.choice_b} -> {rec.score_a:+d} / {rec.score_b:+d}"
            )
            for o in rec.opinions:
                out.append(f"  {self.names[o.agent]} [{o.recommendation or '?'}]: {o.message[:200]}")
            out.append("  votes: " + ", ".join(f"{self.names[a]}={v or 'abstain'}" for a, v in rec.votes.items()))
        out.append(f"Total: Team A {self.score_a:+d}, Team B {self.score_b:+d}, combined {self.score_a + self.score_b:+d}")
        return "\n".join(out)
