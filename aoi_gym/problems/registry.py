"""The problem registry: problem id -> (app, fault family, parameters, task type), and the splits.

Ids follow AIOpsLab exactly where the fault exists there (89 ids minus the two Flower docker ids), with
its irregular spellings (``container_kill-detection`` has no ``-1``, ``noop_detection_<app>-1``). Families
new in aoi-gym get ``<family>-<task>-<n>`` for all four task types, ``n`` numbering the applications the
family runs on (1 = hotel_reservation, 2 = social_network, in the family's ``apps`` order); parameters a
problem leaves open (the target service, ...) are drawn from the episode's seed at inject time.

Splits (by fault family, so no family is in two of train / heldout):

* ``train`` / ``heldout``: aoi-gym's own split; at least a quarter of the families are held out, AIOpsLab
  ones and new ones, and no held-out family's answer key (app, accepted components, analysis labels)
  matches a training family's (see :func:`answer_key`).
* ``aiopslab``: every AIOpsLab-compatible id.
* ``aoi-paper-train`` / ``aoi-paper-heldout``: the AIOpsLab ids split as the AOI study held fault types out.
* ``all``: every problem.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Iterable, Mapping

from aoi_gym.faults import FAMILIES, load_all
from aoi_gym.faults.flagd import FLAG_FAMILIES

__all__ = [
    "TASK_TYPES",
    "SPLITS",
    "APPS",
    "ProblemSpec",
    "UnknownProblemError",
    "get_problem_spec",
    "list_problems",
    "all_problem_ids",
    "HELDOUT_FAMILIES",
    "AOI_PAPER_HELDOUT",
    "NEW_FAMILIES",
    "UNSUPPORTED_AIOPSLAB_IDS",
    "answer_key",
    "family_split",
]

TASK_TYPES = ("detection", "localization", "analysis", "mitigation")
SPLITS = ("train", "heldout", "aiopslab", "aoi-paper-train", "aoi-paper-heldout", "all")
APPS = ("hotel_reservation", "social_network", "astronomy_shop")
_SHORT = {"d": "detection", "l": "localization", "a": "analysis", "m": "mitigation"}

#: AIOpsLab ids aoi-gym does not offer, and why.
UNSUPPORTED_AIOPSLAB_IDS = {
    "flower_node_stop-detection": "Flower runs on Docker, not Kubernetes (AIOpsLab's DOCKER_REGISTRY)",
    "flower_model_misconfig-detection": "Flower runs on Docker, not Kubernetes (AIOpsLab's DOCKER_REGISTRY)",
}

#: Fault families new in aoi-gym (no peer benchmark has them).
NEW_FAMILIES: tuple[str, ...] = (
    "memory_limit_oom",
    "liveness_probe_wrong_port",
    "readiness_probe_failure",
    "wrong_env_db_host",
    "configmap_key_missing",
    "missing_secret",
    "image_tag_typo",
    "service_selector_mismatch",
    "node_cordon_drain",
    "cache_down",
    "bad_rollout",
    "cpu_limit_throttling",
    "network_policy_deny",
    "coredns_scaled_zero",
    "hpa_capped",
    "pvc_missing_storage_class",
)

#: Families implemented in aoi_gym.faults whose symptoms the simulated application model does not produce
#: yet; they get no problem ids until it does (none today).
EXPERIMENTAL_FAMILIES: tuple[str, ...] = ()

#: aoi-gym's held-out families (the rest are train). See the module doc for the rules they satisfy.
HELDOUT_FAMILIES = frozenset({
    # AIOpsLab families
    "user_unregistered_mongodb",
    "network_loss_hotel_res",
    "network_delay_hotel_res",
    "astronomy_shop_payment_service_unreachable",
    "astronomy_shop_kafka_queue_problems",
    "astronomy_shop_image_slow_load",
    # new families
    "missing_secret",
    "node_cordon_drain",
    "cache_down",
    "bad_rollout",
    "network_policy_deny",
    "coredns_scaled_zero",
})

#: Families the AOI study held out (its paper's held-out fault types, plus the no-fault problems).
AOI_PAPER_HELDOUT = frozenset({
    "revoke_auth_mongodb",
    "user_unregistered_mongodb",
    "assign_to_non_existent_node_social_net",
    "wrong_bin_usage",
    "astronomy_shop_ad_service_failure",
    "astronomy_shop_ad_service_high_cpu",
    "astronomy_shop_ad_service_manual_gc",
    "network_delay_hotel_res",
    "pod_kill_hotel_res",
    "pod_failure_hotel_res",
    "astronomy_shop_image_slow_load",
    "astronomy_shop_kafka_queue_problems",
    "astronomy_shop_loadgenerator_flood_homepage",
    "astronomy_shop_payment_service_unreachable",
    "container_kill",
    "noop",
})


def family_split(family: str) -> str:
    """``"heldout"`` or ``"train"`` for a family id."""
    return "heldout" if family in HELDOUT_FAMILIES else "train"


@dataclass(frozen=True)
class ProblemSpec:
    """One problem: what to install, what to inject, which task to grade.

    ``params`` fixes fault parameters (others are drawn at inject time); ``split`` is the family's
    aoi-gym split (train/heldout); ``aiopslab`` whether the id exists in AIOpsLab; ``paper_split`` the
    AOI-study split of AIOpsLab ids (``"train"``/``"heldout"``, None for new families).
    """

    id: str
    app: str
    family: str
    task_type: str
    params: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    split: str = "train"
    aiopslab: bool = False
    paper_split: str | None = None

    def in_split(self, split: str) -> bool:
        if split == "all":
            return True
        if split in ("train", "heldout"):
            return self.split == split
        if split == "aiopslab":
            return self.aiopslab
        if split == "aoi-paper-train":
            return self.paper_split == "train"
        if split == "aoi-paper-heldout":
            return self.paper_split == "heldout"
        raise ValueError(f"unknown split {split!r}; valid splits: {', '.join(SPLITS)}")


class UnknownProblemError(KeyError, ValueError):
    """An id that is not in the registry (message lists close matches)."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


def _aiopslab_rows() -> list[tuple[str, str, str, str, dict[str, Any]]]:
    """(id, app, family, task, params) for every supported AIOpsLab id."""
    rows: list[tuple[str, str, str, str, dict[str, Any]]] = []

    def add(family: str, app: str, tasks: str, variants: Iterable[tuple[str, dict[str, Any]]]) -> None:
        for suffix, params in variants:
            for t in tasks:
                task = _SHORT[t]
                rows.append((f"{family}-{task}{suffix}", app, family, task, params))

    sn, hr, ast = "social_network", "hotel_reservation", "astronomy_shop"
    add("k8s_target_port-misconfig", sn, "dlam",
        [(f"-{i}", {"target": t}) for i, t in enumerate(("user-service", "text-service", "post-storage-service"), 1)])
    add("auth_miss_mongodb", sn, "dlam", [("-1", {"target": "url-shorten-mongodb"})])
    for fam in ("revoke_auth_mongodb", "user_unregistered_mongodb"):
        add(fam, hr, "dlam", [("-1", {"target": "mongodb-geo"}), ("-2", {"target": "mongodb-rate"})])
    add("misconfig_app_hotel_res", hr, "dlam", [("-1", {"target": "geo"})])
    add("scale_pod_zero_social_net", sn, "dlam", [("-1", {"target": "user-service"})])
    add("assign_to_non_existent_node_social_net", sn, "dlam", [("-1", {"target": "user-service"})])
    add("container_kill", hr, "dl", [("", {"target": "geo"})])
    for fam in ("pod_failure_hotel_res", "pod_kill_hotel_res", "network_loss_hotel_res", "network_delay_hotel_res"):
        add(fam, hr, "dl", [("-1", {"target": "user"})])
    for app in (hr, sn, ast):
        rows.append((f"noop_detection_{app}-1", app, "noop", "detection", {}))
    for fam in FLAG_FAMILIES:
        add(fam, ast, "dlm" if fam == "astronomy_shop_kafka_queue_problems" else "dl", [("-1", {})])
    add("redeploy_without_PV", hr, "dam", [("-1", {})])
    add("wrong_bin_usage", hr, "dlam", [("-1", {"target": "profile"})])
    return rows


def _new_rows() -> list[tuple[str, str, str, str, dict[str, Any]]]:
    rows = []
    for family in NEW_FAMILIES:
        cls = FAMILIES.get(family)
        if cls is None:
            continue
        for n, app in enumerate(cls.apps, 1):
            for task in TASK_TYPES:
                rows.append((f"{family}-{task}-{n}", app, family, task, {}))
    return rows


@lru_cache(maxsize=1)
def _build() -> dict[str, ProblemSpec]:
    load_all()
    specs: dict[str, ProblemSpec] = {}
    for rows, aiopslab in ((_aiopslab_rows(), True), (_new_rows(), False)):
        for pid, app, family, task, params in rows:
            if family not in FAMILIES:
                continue  # a family whose module is not available: its ids do not resolve
            paper = ("heldout" if family in AOI_PAPER_HELDOUT else "train") if aiopslab else None
            specs[pid] = ProblemSpec(pid, app, family, task, MappingProxyType(dict(params)), family_split(family),
                                     aiopslab, paper)
    return specs


def all_problem_ids() -> list[str]:
    """Every registered id, in registry order (AIOpsLab ids first)."""
    return list(_build())


def get_problem_spec(problem_id: str) -> ProblemSpec:
    """The spec of ``problem_id``; raises :class:`UnknownProblemError` (a KeyError and ValueError) naming
    close matches when the id is unknown."""
    specs = _build()
    try:
        return specs[problem_id]
    except (KeyError, TypeError):
        pass
    if problem_id in UNSUPPORTED_AIOPSLAB_IDS:
        raise UnknownProblemError(f"{problem_id!r} is not supported: {UNSUPPORTED_AIOPSLAB_IDS[problem_id]}")
    close = difflib.get_close_matches(str(problem_id), specs, n=5, cutoff=0.5)
    hint = f"; close matches: {', '.join(close)}" if close else "; see aoi_gym.problems.list_problems()"
    raise UnknownProblemError(f"unknown problem id {problem_id!r}{hint}")


def _check_choice(name: str, values: Iterable[str] | str | None, valid: tuple[str, ...]) -> set[str] | None:
    if values is None:
        return None
    vals = {values} if isinstance(values, str) else set(values)
    bad = sorted(v for v in vals if v not in valid)
    if bad:
        raise ValueError(f"unknown {name} {', '.join(map(repr, bad))}; valid: {', '.join(valid)}")
    return vals


def list_problems(
    split: str = "all",
    task_types: Iterable[str] | str | None = None,
    apps: Iterable[str] | str | None = None,
    families: Iterable[str] | str | None = None,
) -> list[ProblemSpec]:
    """Problems in ``split`` (one of :data:`SPLITS`), optionally only some task types, apps, families.

    Raises ValueError naming the valid values on an unknown split, task type, app or family.
    """
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; valid splits: {', '.join(SPLITS)}")
    tasks = _check_choice("task type", task_types, TASK_TYPES)
    app_set = _check_choice("app", apps, APPS)
    fams = _check_choice("fault family", families, tuple(sorted(FAMILIES)) or tuple(sorted(load_all())))
    return [
        s for s in _build().values()
        if s.in_split(split)
        and (tasks is None or s.task_type in tasks)
        and (app_set is None or s.app in app_set)
        and (fams is None or s.family in fams)
    ]


def answer_key(family: str, app: str) -> tuple[str, frozenset[str], str, str]:
    """What a perfect agent answers for ``family`` on ``app``, across tasks: (app, every component the
    family can blame there, system_level, fault_type). Held-out keys must not overlap training keys."""
    cls = load_all()[family]
    fault = cls(app)
    comps = frozenset(fault.candidate_components())
    return (app, comps, cls.system_level if family != "noop" else "", cls.fault_type if family != "noop" else "")


def family_table() -> str:
    """A Markdown table of every family: apps, split, AOI-study split, tasks, problem count, analysis labels.

    docs/problems.md embeds it (a test keeps the two in sync).
    """
    rows = ["| family | apps | split | aoi-paper | tasks | problems | system_level / fault_type |",
            "|---|---|---|---|---|---|---|"]
    by_family: dict[str, list[ProblemSpec]] = {}
    for s in _build().values():
        by_family.setdefault(s.family, []).append(s)
    for family, specs in by_family.items():
        cls = FAMILIES[family]
        apps = ", ".join(dict.fromkeys(s.app for s in specs))
        tasks = "".join(t[0].upper() for t in TASK_TYPES if any(s.task_type == t for s in specs))
        paper = specs[0].paper_split or "-"
        labels = "-" if family == "noop" else f"{cls.system_level} / {cls.fault_type}"
        name = f"`{family}`" + ("" if specs[0].aiopslab else " (new)")
        rows.append(f"| {name} | {apps} | {specs[0].split} | {paper} | {tasks} | {len(specs)} | {labels} |")
    return "\n".join(rows) + "\n"
