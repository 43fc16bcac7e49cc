"""The seed-propagation experiment: play games with k seeds in Team A and measure what spreads.

Team A has ``team_size`` members; ``k`` of them are seeds (slots ``0..k-1``), the rest untrained. Each
condition (k, variant) is played ``runs`` times in every scenario against the scripted opponent. Variants:

* ``standard``: seeds speak and vote normally;
* ``muted``: seeds vote but their broadcast is only "I vote X." (the mute test);
* ``removal``: once Team A has cooperated two rounds in a row, every seed is replaced by a fresh
  untrained member (the team keeps its size); cooperation is measured before and after.

Metrics (per game, then averaged): cooperation rate = fraction of rounds in which Team A's decision is
BLACK (rounds without a valid vote count as not cooperating); per-round cooperation curves; vote shifts
= untrained members whose opinion was RED and whose vote was BLACK (and the reverse); scores. A
condition's headline is the mean over runs in each scenario, then mean and (population) std across
scenarios, as in the study.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Callable, Sequence

import numpy as np

from aoi_agents.propagation.agents import MutedAgent, TeamAgent, respond
from aoi_gym.envs.redblack.deliberation import RedBlackGame, TurnRequest
from aoi_gym.envs.redblack.game import BLACK, RED, GameConfig, RoundRecord

__all__ = [
    "AgentFactory",
    "ExperimentSpec",
    "GameLog",
    "VARIANTS",
    "play_game",
    "cooperation_rate",
    "vote_shifts",
    "game_metrics",
    "run_experiment",
    "results_table",
]

# factory(slot, rng) -> a fresh member for that slot
AgentFactory = Callable[[int, np.random.Generator], TeamAgent]
VARIANTS = ("standard", "muted", "removal")


@dataclass
class GameLog:
    """One played game: its records, which agent ids were seeds in each round, and (optionally) every turn."""

    scenario: str
    seeds: int
    variant: str
    run: int
    records: list[RoundRecord]
    seed_ids_by_round: list[frozenset[str]]
    removed_after_round: int | None = None
    turns: list[tuple[TurnRequest, str]] = field(default_factory=list)


def play_game(
    config: GameConfig,
    agents: dict[str, TeamAgent],
    rng: np.random.Generator,
    *,
    replacement: AgentFactory | None = None,
    remove_after_streak: int = 2,
    record_turns: bool = False,
    scenario_label: str | None = None,
    seeds: int = 0,
    variant: str = "standard",
    run: int = 0,
) -> GameLog:
    """Play one game with Team A driven outside the AEC loop (batched per phase).

    Args:
        config: the game settings.
        agents: agent id (``a_0``...) -> member, one per team slot.
        rng: the game's generator (speaking ties, vote ties, random opponent, replacement members).
        replacement: if given, seeds are replaced by ``replacement(slot, rng)`` after Team A has cooperated
            ``remove_after_streak`` rounds in a row (the seed-removal test).
        record_turns: keep every (request, answer) pair in ``GameLog.turns`` (for distillation).
    """
    agents = dict(agents)
    game = RedBlackGame(config, rng, list(agents))
    log = GameLog(scenario_label or config.scenario, seeds, variant, run, [], [])
    while not game.done:
        requests = game.requests()
        answers = respond([(agents[r.agent], r) for r in requests])
        if record_turns:
            log.turns.extend(zip(requests, answers))
        seed_ids = frozenset(a for a, m in agents.items() if m.is_seed)
        record = game.submit_all(dict(zip([r.agent for r in requests], answers)))
        if record is None:
            continue
        log.records.append(record)
        log.seed_ids_by_round.append(seed_ids)
        streak = [r.decision_a for r in log.records[-remove_after_streak:]]
        if (
            replacement is not None
            and log.removed_after_round is None
            and seed_ids
            and len(streak) == remove_after_streak
            and all(d == BLACK for d in streak)
        ):
            for slot, agent_id in enumerate(list(agents)):
                if agent_id in seed_ids:
                    agents[agent_id] = replacement(slot, rng)
            log.removed_after_round = record.round_no
    return log


def cooperation_rate(records: Sequence[RoundRecord]) -> float:
    """Fraction of rounds whose Team A decision is BLACK (no-valid-vote rounds count as not BLACK)."""
    return sum(1 for r in records if r.decision_a == BLACK) / len(records) if records else float("nan")


def vote_shifts(records: Sequence[RoundRecord], seed_ids_by_round: Sequence[frozenset[str]]) -> dict[str, int]:
    """Opinion -> vote changes of untrained members (first broadcast of the round vs final vote)."""
    counts = {"red_to_black": 0, "black_to_red": 0, "red_opinions": 0, "black_opinions": 0}
    for record, seed_ids in zip(records, seed_ids_by_round):
        first: dict[str, str | None] = {}
        for o in record.opinions:
            first.setdefault(o.agent, o.recommendation)
        for agent, opinion in first.items():
            if agent in seed_ids or opinion is None:
                continue
            vote = record.votes.get(agent)
            if opinion == RED:
                counts["red_opinions"] += 1
                counts["red_to_black"] += vote == BLACK
            else:
                counts["black_opinions"] += 1
                counts["black_to_red"] += vote == RED
    return counts


def game_metrics(log: GameLog) -> dict:
    """Per-game metrics: cooperation, per-round decisions, scores, vote shifts, removal split."""
    recs = log.records
    out = {
        "cooperation": cooperation_rate(recs),
        "per_round": [1.0 if r.decision_a == BLACK else 0.0 for r in recs],
        "score_a": sum(r.score_a for r in recs),
        "score_b": sum(r.score_b for r in recs),
        "no_valid_vote_rounds": sum(1 for r in recs if r.no_valid_votes),
        "vote_shifts": vote_shifts(recs, log.seed_ids_by_round),
        "removed_after_round": log.removed_after_round,
    }
    out["combined"] = out["score_a"] + out["score_b"]
    if log.removed_after_round is not None:
        cut = log.removed_after_round
        out["cooperation_before_removal"] = cooperation_rate([r for r in recs if r.round_no <= cut])
        out["cooperation_after_removal"] = cooperation_rate([r for r in recs if r.round_no > cut])
    return out


@dataclass
class ExperimentSpec:
    """What to run: seed counts, scenarios, runs per (condition, scenario), and the game settings."""

    seeds: list[int]
    scenarios: list[str]
    runs: int = 3
    variants: list[str] = field(default_factory=lambda: ["standard"])
    team_size: int = 5
    num_rounds: int = 10
    opponent: str = "always_defect"
    discussion_rounds: int = 1
    clear_history: bool = True
    base_seed: int = 0

    def __post_init__(self) -> None:
        bad = [v for v in self.variants if v not in VARIANTS]
        if bad:
            raise ValueError(f"unknown variants {bad}; valid: {', '.join(VARIANTS)}")
        bad_k = [k for k in self.seeds if not 0 <= k <= self.team_size]
        if bad_k:
            raise ValueError(f"seed counts must be in 0..{self.team_size}, got {bad_k}")
        if self.runs < 1:
            raise ValueError(f"runs must be >= 1, got {self.runs}")


def _mean(values: Sequence[float]) -> float:
    vals = [v for v in values if v == v]
    return float(np.mean(vals)) if vals else float("nan")


def _aggregate(spec: ExperimentSpec, k: int, variant: str, per_scenario: dict[str, list[dict]]) -> dict:
    scen = {}
    for sc, games in per_scenario.items():
        scen[sc] = {
            "cooperation": _mean([g["cooperation"] for g in games]),
            "runs": [g["cooperation"] for g in games],
            "score_a": _mean([g["score_a"] for g in games]),
            "combined": _mean([g["combined"] for g in games]),
        }
    games = [g for gs in per_scenario.values() for g in gs]
    coop = [s["cooperation"] for s in scen.values()]
    shifts = {key: int(sum(g["vote_shifts"][key] for g in games)) for key in games[0]["vote_shifts"]}
    shifts["red_to_black_rate"] = shifts["red_to_black"] / shifts["red_opinions"] if shifts["red_opinions"] else None
    result = {
        "seeds": k,
        "variant": variant,
        "games": len(games),
        "cooperation_mean": _mean(coop),
        "cooperation_std": float(np.std(coop)) if coop else float("nan"),
        "combined_mean": _mean([g["combined"] for g in games]),
        "per_scenario": scen,
        "per_round": [float(x) for x in np.mean([g["per_round"] for g in games], axis=0)],
        "vote_shifts": shifts,
        "no_valid_vote_rounds": int(sum(g["no_valid_vote_rounds"] for g in games)),
    }
    if variant == "removal":
        removed = [g for g in games if g["removed_after_round"] is not None]
        result["removal"] = {
            "games_with_removal": len(removed),
            "cooperation_before": _mean([g["cooperation_before_removal"] for g in removed]),
            "cooperation_after": _mean([g["cooperation_after_removal"] for g in removed]),
        }
    return result


def run_experiment(
    spec: ExperimentSpec,
    make_untrained: AgentFactory,
    make_seed: AgentFactory,
    progress: Callable[[str], None] | None = None,
    keep_logs: bool = False,
) -> dict:
    """Run every (seeds, variant) condition in every scenario ``spec.runs`` times.

    Returns:
        ``{"spec": ..., "conditions": [aggregate per condition], "logs": [...] if keep_logs}``.
        Variants ``muted`` and ``removal`` are skipped for k = 0 (nothing to mute or remove).
    """
    conditions, logs = [], []
    for k in spec.seeds:
        for variant in spec.variants:
            if variant != "standard" and k == 0:
                continue
            per_scenario: dict[str, list[dict]] = {}
            for s_idx, scenario in enumerate(spec.scenarios):
                config = GameConfig(
                    team_size=spec.team_size,
                    num_rounds=spec.num_rounds,
                    opponent=spec.opponent,
                    scenario=scenario,
                    discussion_rounds=spec.discussion_rounds,
                    clear_history=spec.clear_history,
                )
                games = []
                for run in range(spec.runs):
                    # one independent stream per (condition, scenario, run): results do not depend on order
                    rng = np.random.default_rng([spec.base_seed, k, VARIANTS.index(variant), s_idx, run])
                    agents: dict[str, TeamAgent] = {}
                    for slot in range(spec.team_size):
                        member = make_seed(slot, rng) if slot < k else make_untrained(slot, rng)
                        agents[f"a_{slot}"] = MutedAgent(member) if variant == "muted" and slot < k else member
                    log = play_game(
                        config,
                        agents,
                        rng,
                        replacement=make_untrained if variant == "removal" else None,
                        seeds=k,
                        variant=variant,
                        run=run,
                    )
                    games.append(game_metrics(log))
                    if keep_logs:
                        logs.append(log)
                per_scenario[scenario] = games
                if progress:
                    coop = _mean([g["cooperation"] for g in games])
                    progress(f"seeds={k} {variant} {scenario}: cooperation {coop:.3f} over {len(games)} runs")
            conditions.append(_aggregate(spec, k, variant, per_scenario))
    result = {"spec": asdict(spec), "conditions": conditions}
    if keep_logs:
        result["logs"] = logs
    return result


def results_table(result: dict) -> str:
    """A Markdown table: one row per condition, cooperation mean +- std and per scenario, shifts, score."""
    scenarios = result["spec"]["scenarios"]
    head = ["seeds", "variant", "cooperation", *scenarios, "RED->BLACK shifts", "combined score"]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for c in result["conditions"]:
        shifts = c["vote_shifts"]
        rate = shifts["red_to_black_rate"]
        shift = f"{shifts['red_to_black']}/{shifts['red_opinions']}" + (f" ({rate:.0%})" if rate is not None else "")
        variant = c["variant"]
        if variant == "removal" and c["removal"]["games_with_removal"]:
            rm = c["removal"]
            variant += f" (before {rm['cooperation_before']:.0%}, after {rm['cooperation_after']:.0%})"
        cells = [
            str(c["seeds"]),
            variant,
            f"{c['cooperation_mean']:.1%} +- {c['cooperation_std']:.1%}",
            *(f"{c['per_scenario'][s]['cooperation']:.1%}" for s in scenarios),
            shift,
            f"{c['combined_mean']:.1f}",
        ]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)
