"""The contract every fault family implements, and the ground truth it hands to the grader.

A fault family is a :class:`Fault` subclass registered under its family id (``revoke_auth_mongodb``).
An instance is one concrete fault: an application plus parameters (target service, severity, ...);
parameters the caller leaves out are drawn from the episode's ``numpy.random.Generator`` at inject
time. The life cycle is::

    fault = make_fault("memory_limit_oom", app="hotel_reservation")
    gt = fault.inject(cluster, rng)           # Kubernetes operations only; returns the GroundTruth
    fault.condition_problems(cluster)         # [] once the faulty condition is gone (mitigation oracle)
    fault.remediation(cluster)                # a reference fix: shell command lines an agent could send
    fault.recover(cluster)                    # undo the fault (the harness, not the agent)

Ground truth never goes into a Kubernetes object, a log line or an event: faults change spec or
application state the way an operator's mistake would, and the symptoms follow from the simulation.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Callable, ClassVar, Mapping

import numpy as np

from aoi_gym.faults import ops

__all__ = [
    "SYSTEM_LEVELS",
    "FAULT_TYPES",
    "APP_NAMESPACES",
    "GroundTruth",
    "Fault",
    "FAMILIES",
    "register",
    "make_fault",
]

#: AIOpsLab's closed vocabularies for the analysis task (tasks/analysis.py).
SYSTEM_LEVELS = ("Hardware", "Operating System", "Virtualization", "Application")
FAULT_TYPES = (
    "Misconfiguration",
    "Code Defect",
    "Authentication Issue",
    "Network/Storage Issue",
    "Operation Error",
    "Dependency Problem",
)

#: Application name -> namespace it is installed in (AIOpsLab's namespaces).
APP_NAMESPACES = {
    "hotel_reservation": "test-hotel-reservation",
    "social_network": "test-social-network",
    "astronomy_shop": "astronomy-shop",
}


@dataclass(frozen=True)
class GroundTruth:
    """What the graders compare a submission against. Never shown to an agent.

    ``localization`` holds the accepted answers for the faulty component: each entry is one accepted
    name (AIOpsLab accepts ``mongodb-geo`` or ``geo`` for the MongoDB auth faults). ``faulty_components``
    is the canonical list (what a perfect localization submits). ``has_anomaly`` is False only for noop.
    ``expires_at`` is the cluster time (``cluster.t``) when a time-limited chaos fault ends by itself.
    """

    family: str
    app: str
    namespace: str
    has_anomaly: bool
    faulty_components: tuple[str, ...]
    localization: tuple[str, ...]
    system_level: str
    fault_type: str
    params: Mapping[str, Any] = field(default_factory=dict)
    expires_at: float | None = None
    oracle: str = ""

    @property
    def detection(self) -> str:
        """The expected detection answer, ``"Yes"`` or ``"No"``."""
        return "Yes" if self.has_anomaly else "No"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serializable copy (for trajectories and reports written after an episode)."""
        return {
            "family": self.family,
            "app": self.app,
            "namespace": self.namespace,
            "detection": self.detection,
            "faulty_components": list(self.faulty_components),
            "localization": list(self.localization),
            "system_level": self.system_level,
            "fault_type": self.fault_type,
            "params": dict(self.params),
            "expires_at": self.expires_at,
            "oracle": self.oracle,
        }


class Fault(ABC):
    """One fault family. Subclasses set the class attributes and implement the abstract methods.

    Class attributes:
        family: the family id (also the prefix of its problem ids).
        apps: applications the family can be injected into.
        system_level, fault_type: analysis answers (AIOpsLab vocabulary).
        settle_s: simulated seconds ``inject`` lets pass so the symptoms appear (AIOpsLab sleeps too).
        param_choices: for parameters drawn from the rng, app -> parameter -> candidate values.
        oracle: one-line description of the fault-specific mitigation condition.
    """

    family: ClassVar[str] = ""
    apps: ClassVar[tuple[str, ...]] = ()
    system_level: ClassVar[str] = ""
    fault_type: ClassVar[str] = ""
    settle_s: ClassVar[float] = 30.0
    param_choices: ClassVar[Mapping[str, Mapping[str, tuple[Any, ...]]]] = {}
    oracle: ClassVar[str] = ""

    def __init__(self, app: str, **params: Any) -> None:
        if app not in self.apps:
            raise ValueError(f"fault family {self.family!r} does not support app {app!r}; supported: {', '.join(self.apps)}")
        choices = self.param_choices.get(app, {})
        for key, value in params.items():
            if key in choices and value not in choices[key]:
                raise ValueError(
                    f"{self.family}: {key}={value!r} is not valid for {app}; choose one of {list(choices[key])}"
                )
        self.app = app
        self.namespace = APP_NAMESPACES[app]
        self.fixed_params: dict[str, Any] = dict(params)
        self.params: dict[str, Any] = dict(params)
        self.saved: dict[str, Any] = {}  # what recover() needs (original values), filled by inject
        self.injected = False

    # ------------------------------------------------------------------ parameters
    def draw_params(self, rng: np.random.Generator) -> dict[str, Any]:
        """Fill the parameters the caller left out from ``rng`` (deterministic per seed)."""
        params = dict(self.fixed_params)
        for key, values in sorted(self.param_choices.get(self.app, {}).items()):
            if key not in params:
                params[key] = values[int(rng.integers(0, len(values)))]
        return params

    # ------------------------------------------------------------------ life cycle
    def inject(self, cluster: Any, rng: np.random.Generator) -> GroundTruth:
        """Inject the fault into ``cluster`` (app already installed and healthy); returns its ground truth."""
        if self.injected:
            raise RuntimeError(f"{self.family} is already injected; recover it first")
        self.params = self.draw_params(rng)
        self.saved = {}
        self._inject(cluster, rng)
        self.injected = True
        if self.settle_s:
            cluster.advance(self.settle_s)
        return self.ground_truth(cluster)

    def recover(self, cluster: Any) -> None:
        """Undo the fault (idempotent); the caller lets the cluster settle afterwards."""
        if self.injected:
            self._recover(cluster)
            self.injected = False

    @abstractmethod
    def _inject(self, cluster: Any, rng: np.random.Generator) -> None: ...

    @abstractmethod
    def _recover(self, cluster: Any) -> None: ...

    @abstractmethod
    def condition_problems(self, cluster: Any) -> list[str]:
        """Reasons the faulty condition still holds; empty once it is gone (whoever removed it)."""

    @abstractmethod
    def remediation(self, cluster: Any) -> list[str]:
        """A reference fix, valid after :meth:`inject`: shell command lines an agent could send, in order."""

    # ------------------------------------------------------------------ ground truth
    def faulty_components(self) -> tuple[str, ...]:
        """The canonical localization answer (default: the ``target`` parameter)."""
        target = self.params.get("target")
        return (target,) if target else ()

    def localization_aliases(self) -> tuple[str, ...]:
        """Every accepted localization answer (default: the faulty components)."""
        return self.faulty_components()

    def candidate_components(self) -> tuple[str, ...]:
        """Every component this family can blame in ``self.app`` (used to check split disjointness)."""
        choices = self.param_choices.get(self.app, {}).get("target")
        if choices:
            return tuple(choices)
        return self.localization_aliases()

    def expires_at(self, cluster: Any) -> float | None:
        return None

    # ------------------------------------------------------------------ the target Deployment
    def target_container_name(self) -> str | None:
        """Name of the ``target`` service's main container (None: the first container)."""
        return ops.container_name(self.app, self.params["target"])

    def target_container(self, cluster: Any) -> dict | None:
        """The main container of the ``target`` Deployment as it is now; None when the Deployment is gone."""
        dep = ops.find(cluster, "Deployment", self.params["target"], self.namespace)
        return None if dep is None else ops.template_container(dep, self.target_container_name())

    def change_target_container(self, cluster: Any, change: Callable[[dict], Any], recreate: bool = False) -> None:
        """Let ``change`` modify the ``target`` Deployment's main container, written back in place (a
        rolling update) or, with ``recreate``, by delete and re-apply (AIOpsLab's injectors)."""
        name = self.target_container_name()
        if recreate:
            ops.recreate_with(cluster, "Deployment", self.params["target"], self.namespace,
                              lambda dep: change(ops.template_container(dep, name)))
        else:
            ops.update_container(cluster, self.namespace, self.params["target"], change, name)

    def missing_target(self, kind: str = "deployment") -> list[str]:
        """The condition problem reported when the ``target`` object itself is gone."""
        return [f"{kind} {self.params['target']} does not exist"]

    def ground_truth(self, cluster: Any) -> GroundTruth:
        return GroundTruth(
            family=self.family,
            app=self.app,
            namespace=self.namespace,
            has_anomaly=True,
            faulty_components=self.faulty_components(),
            localization=self.localization_aliases(),
            system_level=self.system_level,
            fault_type=self.fault_type,
            params=MappingProxyType(dict(self.params)),
            expires_at=self.expires_at(cluster),
            oracle=self.oracle,
        )


#: family id -> Fault subclass (filled by :func:`register` as the family modules are imported).
FAMILIES: dict[str, type[Fault]] = {}


def register(cls: type[Fault]) -> type[Fault]:
    """Class decorator: add a family to :data:`FAMILIES` (ids must be unique)."""
    if not cls.family or cls.family in FAMILIES:
        raise ValueError(f"fault family id {cls.family!r} is empty or registered twice")
    if cls.system_level not in SYSTEM_LEVELS or cls.fault_type not in FAULT_TYPES:
        raise ValueError(f"{cls.family}: analysis labels must come from the AIOpsLab vocabularies")
    FAMILIES[cls.family] = cls
    return cls


def make_fault(family: str, app: str, **params: Any) -> Fault:
    """Build a fault of ``family`` for ``app``; raises ValueError naming the valid families."""
    from aoi_gym.faults import load_all

    load_all()
    cls = FAMILIES.get(family)
    if cls is None:
        raise ValueError(f"unknown fault family {family!r}; known: {', '.join(sorted(FAMILIES))}")
    return cls(app, **params)
