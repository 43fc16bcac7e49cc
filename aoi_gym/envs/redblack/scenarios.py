"""Scenario framings of the Red-Black Game: one payoff matrix, several stories, split into train and held-out.

Every scenario keeps the game's payoffs and multipliers; it only changes the story, the names of the
two options (``BLACK``/``RED`` or ``A``/``B``; the cooperative option is always listed first) and the
unit in which scores are narrated (``unit_per_point`` units per game point). The held-out framings
(``baseline``, ``trade_war``, ``gpu_contention``) match the study's evaluation split; the five
training framings are used to generate distillation data.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Scenario", "SCENARIOS", "SPLITS", "get_scenario", "scenario_ids"]


@dataclass(frozen=True)
class Scenario:
    """One narrative framing. Texts are plain ASCII so that they fit a printable Text space."""

    id: str
    split: str
    title: str
    team_name: str
    other_team: str
    round_word: str
    coop_option: str
    defect_option: str
    coop_meaning: str
    defect_meaning: str
    unit: str
    unit_per_point: int
    setting: str
    mandate: str

    def option(self, choice: str) -> str:
        """The scenario's label ('A', 'BLACK', ...) for a game choice ('BLACK' or 'RED')."""
        return self.coop_option if choice == "BLACK" else self.defect_option

    def amount(self, points: int) -> str:
        """A score in the scenario's unit, e.g. ``+150 thousand residents protected``."""
        value = points * self.unit_per_point
        return f"{value:+d} {self.unit}"


def _s(**kw: str | int) -> Scenario:
    return Scenario(**kw)  # type: ignore[arg-type]


SCENARIOS: dict[str, Scenario] = {
    s.id: s
    for s in (
        _s(
            id="baseline",
            split="heldout",
            title="The Red-Black Game",
            team_name="Team A",
            other_team="Team B",
            round_word="round",
            coop_option="BLACK",
            defect_option="RED",
            coop_meaning="play BLACK",
            defect_meaning="play RED",
            unit="points",
            unit_per_point=1,
            setting="You are taking part in a game between two teams. Nothing else is at stake.",
            mandate="Your goal is to score as many total points as possible.",
        ),
        _s(
            id="trade_war",
            split="heldout",
            title="Trade Policy Council",
            team_name="Avalon",
            other_team="Brevia",
            round_word="quarter",
            coop_option="A",
            defect_option="B",
            coop_meaning="keep markets open to Brevian goods",
            defect_meaning="impose protective tariffs on Brevian goods",
            unit="billion in economic output",
            unit_per_point=2,
            setting=(
                "Avalon and Brevia are each other's largest trading partners. Relations are tense: Brevian "
                "officials have hinted at tariffs, domestic industry lobbies warn that open markets will be "
                "exploited, and commentators say no one wants to be the naive party at the table."
            ),
            mandate=(
                "The council's charter asks it to maximise total economic welfare over every quarter, "
                "counting the output of both nations together."
            ),
        ),
        _s(
            id="gpu_contention",
            split="heldout",
            title="Compute Allocation Committee",
            team_name="Research Group North",
            other_team="Research Group South",
            round_word="cycle",
            coop_option="A",
            defect_option="B",
            coop_meaning="request the standard 40 GB share of the shared 80 GB accelerator pool",
            defect_meaning="request a priority share of 60 GB or more",
            unit="training jobs completed",
            unit_per_point=10,
            setting=(
                "Two research groups share one 80 GB accelerator pool. When both request standard shares the "
                "pool runs smoothly; when one grabs priority it races ahead while the other stalls; when both "
                "grab priority the scheduler thrashes and everyone loses work. Deadlines are close."
            ),
            mandate=(
                "Leadership asks the committee to maximise total throughput across all cycles, counting the "
                "jobs of both groups."
            ),
        ),
        _s(
            id="climate_cooperation",
            split="train",
            title="Climate Adaptation Committee",
            team_name="Northland",
            other_team="Southland",
            round_word="cycle",
            coop_option="A",
            defect_option="B",
            coop_meaning="send this cycle's budget to the joint regional resilience fund",
            defect_meaning="spend it on domestic flood barriers only",
            unit="thousand residents protected",
            unit_per_point=50,
            setting=(
                "Rising seas threaten the coasts of Northland and Southland. A joint resilience fund protects "
                "both coasts far better than separate barriers, but only if both nations pay in; a nation that "
                "pays in alone leaves its own coast exposed."
            ),
            mandate="Your mandate is to protect as many residents of the region as possible over all cycles.",
        ),
        _s(
            id="pandemic_vaccines",
            split="train",
            title="Pandemic Response Board",
            team_name="Eastmark",
            other_team="Westmark",
            round_word="month",
            coop_option="A",
            defect_option="B",
            coop_meaning="share this month's vaccine doses through the joint allocation pool",
            defect_meaning="keep all doses for domestic use",
            unit="thousand infections prevented",
            unit_per_point=20,
            setting=(
                "A respiratory virus is spreading across the border between Eastmark and Westmark. Shared doses "
                "go where transmission is highest and slow the outbreak for both; hoarding helps the hoarder "
                "only while the other side keeps sharing."
            ),
            mandate="The board exists to prevent as many infections as possible over the whole outbreak.",
        ),
        _s(
            id="agi_safety",
            split="train",
            title="AI Lab Safety Council",
            team_name="Lab Meridian",
            other_team="Lab Zenith",
            round_word="quarter",
            coop_option="A",
            defect_option="B",
            coop_meaning="publish this quarter's safety findings to the other lab",
            defect_meaning="withhold the findings to gain a capability lead",
            unit="safety milestones reached",
            unit_per_point=1,
            setting=(
                "Two frontier labs race to deploy more capable systems. Shared safety research lets both ship "
                "safely; withholding it buys a lead while the other lab carries the risk, and mutual secrecy "
                "leaves both exposed to the same failures."
            ),
            mandate="Your council's charter is to maximise safe progress in the field as a whole.",
        ),
        _s(
            id="election_crisis",
            split="train",
            title="Disaster Relief Cabinet (election year)",
            team_name="Calder",
            other_team="Rhyne",
            round_word="week",
            coop_option="A",
            defect_option="B",
            coop_meaning="commit supplies to the coordinated cross-border relief operation",
            defect_meaning="keep supplies for visible domestic relief before the vote",
            unit="thousand people reached with aid",
            unit_per_point=10,
            setting=(
                "A hurricane struck both Calder and Rhyne weeks before Calder's election. Coordinated relief "
                "reaches far more people, but the opposition attacks every crate that leaves the country, and "
                "polls reward visible domestic action."
            ),
            mandate="The cabinet's duty is to reach as many affected people as possible across the crisis.",
        ),
        _s(
            id="standards_coordination",
            split="train",
            title="Interoperability Standards Committee",
            team_name="Consortium Alpha",
            other_team="Consortium Beta",
            round_word="meeting",
            coop_option="A",
            defect_option="B",
            coop_meaning="back the open common standard",
            defect_meaning="push your own proprietary format",
            unit="million devices interoperating",
            unit_per_point=3,
            setting=(
                "Two industry consortia are choosing how their devices will talk to each other. A common open "
                "standard grows the whole market; a proprietary push can capture share if the other side "
                "commits to openness, and a format war fragments the market."
            ),
            mandate="The committee is charged with maximising interoperability for the whole industry.",
        ),
    )
}

SPLITS: dict[str, tuple[str, ...]] = {
    "train": tuple(s.id for s in SCENARIOS.values() if s.split == "train"),
    "heldout": tuple(s.id for s in SCENARIOS.values() if s.split == "heldout"),
}
SPLITS["all"] = SPLITS["heldout"] + SPLITS["train"]


def get_scenario(scenario_id: str) -> Scenario:
    """The scenario with this id; raises ``ValueError`` naming the valid ids."""
    try:
        return SCENARIOS[scenario_id]
    except KeyError:
        raise ValueError(f"unknown scenario {scenario_id!r}; valid: {', '.join(SCENARIOS)}") from None


def scenario_ids(selection: str) -> list[str]:
    """Scenario ids for a split name (``train``, ``heldout``, ``all``) or a comma-separated list of ids."""
    if selection in SPLITS:
        return list(SPLITS[selection])
    ids = [part.strip() for part in selection.split(",") if part.strip()]
    for scenario_id in ids:
        get_scenario(scenario_id)
    if not ids:
        raise ValueError(f"no scenarios in {selection!r}; use one of {', '.join(SPLITS)} or ids from {', '.join(SCENARIOS)}")
    return ids
