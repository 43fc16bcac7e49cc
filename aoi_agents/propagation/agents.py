"""Team A members for Red-Black experiments: an LLM member, scripted members, and a muting wrapper.

Every member implements :class:`TeamAgent`: ``act(request) -> str`` answers one
:class:`~aoi_gym.envs.redblack.deliberation.TurnRequest` with text in the game's format. A *seed* is
any member with a different model, adapter or system prompt (``is_seed=True``). :func:`respond` answers
a whole phase at once and batches LLM members that share a back-end into one ``generate`` call.

Scripted members need no model and exercise every mechanism of the study on a CPU:

* :class:`PersuadableAgent`: an "untrained" member whose opinion and vote depend on its prior, the
  public history (betrayal, team norm) and the arguments it heard; argued cooperative messages move it
  more than bare votes.
* :class:`CooperativeAgent`: a scripted seed that always argues for cooperation with principled reasons.
* :class:`StubbornAgent`: always recommends and votes the same option with little argument.
* :class:`MutedAgent`: wraps a member; it still reasons and votes, but its broadcast is only "I vote X."
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Protocol, Sequence, runtime_checkable

import numpy as np

from aoi_agents.llm.base import LLM, Message, SamplingParams
from aoi_agents.propagation.parsing import (
    BLACK,
    RED,
    merge_retry,
    needs_retry,
    parse_recommendation,
    retry_prompt,
    strip_thinking,
)
from aoi_gym.envs.redblack.deliberation import TurnRequest
from aoi_gym.envs.redblack.game import Opinion

__all__ = [
    "TeamAgent",
    "LLMTeamMember",
    "PersuadableAgent",
    "CooperativeAgent",
    "StubbornAgent",
    "MutedAgent",
    "respond",
    "argument_strength",
]


@runtime_checkable
class TeamAgent(Protocol):
    """A Team A member: ``label`` names its kind in results, ``is_seed`` marks seeds."""

    label: str
    is_seed: bool

    def act(self, request: TurnRequest) -> str: ...


# --------------------------------------------------------------------------------------------------
# LLM member


class LLMTeamMember:
    """A member played by an LLM back-end (any object implementing :class:`aoi_agents.llm.base.LLM`).

    Args:
        llm: the back-end; members sharing one back-end are batched together by :func:`respond`.
        params: sampling settings (the study: temperature 0.7, thinking off on the server side).
        system_prompt: text put before the scenario briefing in the system message (a prompted seed).
        label: the member's kind in results (default: the back-end's name).
        is_seed: whether this member counts as a seed.
        retry_max_tokens: token cap of the one retry that asks only for the option.
    """

    def __init__(
        self,
        llm: LLM,
        params: SamplingParams | None = None,
        system_prompt: str | None = None,
        label: str | None = None,
        is_seed: bool = False,
        retry_max_tokens: int = 32,
    ) -> None:
        self.llm = llm
        self.params = params or SamplingParams(temperature=0.7, max_tokens=768)
        self.system_prompt = system_prompt
        self.label = label or getattr(llm, "name", "llm")
        self.is_seed = is_seed
        self.retry_params = SamplingParams(
            temperature=self.params.temperature,
            top_p=self.params.top_p,
            max_tokens=min(retry_max_tokens, self.params.max_tokens),
            seed=self.params.seed,
        )

    def conversation(self, request: TurnRequest) -> list[Message]:
        """System = (own system prompt +) scenario briefing; user = the phase prompt."""
        system = request.system if not self.system_prompt else f"{self.system_prompt.strip()}\n\n{request.system}"
        return [{"role": "system", "content": system}, {"role": "user", "content": request.prompt}]

    def act(self, request: TurnRequest) -> str:
        return respond([(self, request)])[0]


def _generate(member: LLMTeamMember, conversations: list[list[Message]], params: SamplingParams) -> list[str]:
    return [strip_thinking(g.text).strip() for g in member.llm.generate(conversations, params)]


def _respond_llm(items: list[tuple[int, LLMTeamMember, TurnRequest]], out: list[str | None]) -> None:
    """Answer LLM members, one batched call per (back-end, params) group, then one batched retry."""
    groups: dict[tuple[int, SamplingParams], list[tuple[int, LLMTeamMember, TurnRequest]]] = defaultdict(list)
    for item in items:
        groups[(id(item[1].llm), item[1].params)].append(item)
    for group in groups.values():
        member0 = group[0][1]
        replies = _generate(member0, [m.conversation(r) for _, m, r in group], member0.params)
        retry = []
        for (i, member, request), reply in zip(group, replies):
            out[i] = reply
            if needs_retry(request, reply):
                conv = member.conversation(request) + [
                    {"role": "assistant", "content": reply},
                    {"role": "user", "content": retry_prompt(request)},
                ]
                retry.append((i, request, reply, conv))
        if retry:
            again = _generate(member0, [c for *_, c in retry], member0.retry_params)
            for (i, request, reply, _), second in zip(retry, again):
                out[i] = merge_retry(request, reply, second)


def respond(pairs: Sequence[tuple[TeamAgent, TurnRequest]]) -> list[str]:
    """Answers for (member, request) pairs, in order; LLM members sharing a back-end are batched."""
    out: list[str | None] = [None] * len(pairs)
    llm_items = []
    for i, (agent, request) in enumerate(pairs):
        base = agent.inner if isinstance(agent, MutedAgent) else agent
        if isinstance(base, LLMTeamMember):
            llm_items.append((i, base, request))
        else:
            out[i] = base.act(request)
    if llm_items:
        _respond_llm(llm_items, out)
    for i, (agent, request) in enumerate(pairs):
        if isinstance(agent, MutedAgent):
            out[i] = agent.mute(request, out[i] or "")
    return [text or "" for text in out]


# --------------------------------------------------------------------------------------------------
# Scripted members

_PRINCIPLES = ("combined", "both", "long run", "collective", "multipl", "trust", "total", "future rounds")
_GRIEVANCES = ("exploit", "sucker", "protect", "lose", "retaliat", "punish")


def argument_strength(message: str, words: Sequence[str] = _PRINCIPLES) -> float:
    """How argued a message is, in [0, 1]: the share of distinct principle words it uses (3 = full)."""
    text = message.lower()
    return min(3, sum(1 for w in words if w in text)) / 3.0


def _option(request: TurnRequest, choice: str) -> str:
    return request.options[0] if choice == BLACK else request.options[1]


class CooperativeAgent:
    """A scripted seed: speaks early, argues for cooperation with principled reasons, votes to cooperate."""

    label = "cooperative-seed"

    def __init__(self, is_seed: bool = True, willingness: int = 3) -> None:
        self.is_seed = is_seed
        self.willingness = willingness

    def act(self, request: TurnRequest) -> str:
        coop = request.options[0]
        if request.phase == "willingness":
            return f"WILLINGNESS: {self.willingness}"
        if request.phase == "opinion":
            betrayed = bool(request.history) and request.history[-1].choice_b == RED
            lead = (
                "They defected last round, and I understand the anger, but retaliating only locks both of us "
                "into losses. "
                if betrayed
                else ""
            )
            return (
                f"RECOMMENDATION: {coop}\nREASONING: {lead}Our mandate is the combined result of both sides over "
                f"the long run, not winning a single round. Mutual {coop} is the only outcome that grows the total, "
                "and the multiplied rounds make a stable pattern of trust worth far more than a one-off gain. "
                f"I propose we hold {coop} and show them a reliable partner."
            )
        return f"VOTE: {coop}\nREASONING: cooperation maximises the combined outcome."


class StubbornAgent:
    """Always recommends and votes ``choice`` (BLACK or RED) with a one-line reason."""

    def __init__(self, choice: str = RED, is_seed: bool = False, willingness: int = 1) -> None:
        if choice not in (BLACK, RED):
            raise ValueError(f"choice must be {BLACK!r} or {RED!r}, got {choice!r}")
        self.choice = choice
        self.is_seed = is_seed
        self.willingness = willingness
        self.label = f"stubborn-{choice.lower()}"

    def act(self, request: TurnRequest) -> str:
        option = _option(request, self.choice)
        if request.phase == "willingness":
            return f"WILLINGNESS: {self.willingness}"
        if request.phase == "opinion":
            return f"RECOMMENDATION: {option}\nREASONING: I just think {option} is right here."
        return f"VOTE: {option}"


class PersuadableAgent:
    """A scripted "untrained" member whose choices depend on its prior and on what it heard.

    The probability of cooperating is ``sigmoid(z)`` with ``z = logit(prior) + norm * (share of the team's
    last two decisions that were cooperative) - betrayal * (opponent defected last round) + influence``;
    each heard opinion adds ``+/- (bare + argued * strength)``, where strength is
    :func:`argument_strength` of the message (so a principled argument moves it more than "I vote A.").
    In the vote it also leans toward its own opinion (``commitment``). With probability ``noise`` a reply
    is unreadable (exercising abstention). All draws use the ``rng`` given at construction.
    """

    label = "persuadable"

    def __init__(
        self,
        rng: np.random.Generator,
        prior: float = 0.42,
        argued: float = 0.4,
        bare: float = 0.15,
        commitment: float = 0.6,
        betrayal: float = 0.7,
        norm: float = 1.0,
        noise: float = 0.02,
        is_seed: bool = False,
    ) -> None:
        if not 0.0 < prior < 1.0:
            raise ValueError(f"prior must be in (0, 1), got {prior}")
        self.rng = rng
        self.prior, self.argued, self.bare = prior, argued, bare
        self.commitment, self.betrayal, self.norm, self.noise = commitment, betrayal, norm, noise
        self.is_seed = is_seed

    def cooperation_probability(self, request: TurnRequest) -> float:
        """P(cooperate) given the request's history and the opinions heard (own opinion excluded)."""
        z = math.log(self.prior / (1.0 - self.prior))
        recent = [r.decision_a for r in request.history[-2:]]
        if recent:
            z += self.norm * sum(1 for d in recent if d == BLACK) / len(recent)
        if request.history and request.history[-1].choice_b == RED:
            z -= self.betrayal
        for o in request.heard:
            if o.agent != request.agent:
                z += self._influence(o)
        own = request.own_opinion
        if request.phase == "vote" and own is not None and own.recommendation is not None:
            z += self.commitment if own.recommendation == BLACK else -self.commitment
        return 1.0 / (1.0 + math.exp(-z))

    def _influence(self, opinion: Opinion) -> float:
        if opinion.recommendation == BLACK:
            return self.bare + self.argued * argument_strength(opinion.message)
        if opinion.recommendation == RED:
            return -(self.bare + self.argued * argument_strength(opinion.message, _GRIEVANCES))
        return 0.0

    def act(self, request: TurnRequest) -> str:
        if request.phase == "willingness":
            return f"WILLINGNESS: {int(self.rng.integers(0, 3))}"
        choice = BLACK if self.rng.random() < self.cooperation_probability(request) else RED
        garbled = self.rng.random() < self.noise
        option = _option(request, choice)
        if request.phase == "opinion":
            if garbled:
                return "Honestly I keep going back and forth on this one; both paths have merit."
            if choice == BLACK:
                return f"RECOMMENDATION: {option}\nREASONING: Maybe we try {option} and see if both sides can do well."
            return (
                f"RECOMMENDATION: {option}\nREASONING: If we pick the other option they can exploit us; "
                f"{option} is the safer choice for our side."
            )
        if garbled:
            return "I'm torn. Let me think about it more."
        return f"VOTE: {option}"


class MutedAgent:
    """Wraps a member for the mute test: it reasons and votes as before, but only says 'I vote X.'."""

    def __init__(self, inner: TeamAgent) -> None:
        self.inner = inner
        self.is_seed = inner.is_seed
        self.label = f"{inner.label} (muted)"

    def mute(self, request: TurnRequest, text: str) -> str:
        """Replace an opinion's broadcast by its bare recommendation; other phases pass through."""
        if request.phase != "opinion":
            return text
        choice = parse_recommendation(text)
        if choice is None:
            return "I have nothing to add."
        option = _option(request, choice)
        return f"RECOMMENDATION: {option}\nREASONING: I vote {option}."

    def act(self, request: TurnRequest) -> str:
        return self.mute(request, self.inner.act(request))
