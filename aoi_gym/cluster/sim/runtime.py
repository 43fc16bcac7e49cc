"""Contracts inside the simulated backend: controllers and the application model.

``SimCluster`` owns the object store and the clock; it delegates:

* status derivation to **controllers** (``aoi_gym.cluster.sim.controllers``): stateless objects whose
  ``reconcile`` brings status in line with spec at the current simulated time, and whose
  ``next_deadline`` tells the clock when something will change by itself (a container starts, a
  crash-loop back-off expires, a chaos experiment ends). ``advance`` jumps from deadline to deadline,
  so simulated time costs nothing while nothing happens.
* what runs inside containers to the **application model** (``aoi_gym.cluster.sim.appmodel``): whether
  a container starts, crashes, passes probes (decided at container start from its spec and the
  application state: MongoDB users, feature flags, ...), its logs, ``exec`` inside it, and the request
  model behind metrics and traces.

Neither may keep state outside the store or the snapshot-able ``SimCluster.private`` dict, so that
``snapshot``/``restore`` are complete.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from aoi_gym.cluster.base import ExecResult, MetricSeries, Span

if TYPE_CHECKING:
    from aoi_gym.cluster.sim.cluster import SimCluster

__all__ = ["ContainerPlan", "Controller", "AppModel", "QuietAppModel"]


@dataclass(frozen=True, init=False)
class ContainerPlan:
    """How one container instance behaves once started, decided by the application model at start.

    The kubelet turns a plan into container states, restart counts, back-off and events.
    """

    image_ok: bool = True  # False: ErrImagePull then ImagePullBackOff
    image_error: str = ""  # the registry's message when image_ok is False
    start_delay_s: float = 1.0  # ContainerCreating -> Running
    exit_after_s: float | None = None  # the process exits this long after start (None: keeps running)
    exit_code: int = 1
    exit_reason: str = "Error"  # "Error", "OOMKilled" or "Completed"
    ready: bool = True  # the readiness probe (if any) passes
    ready_delay_s: float = 0.0  # time after start before readiness passes
    live: bool = True  # the liveness probe (if any) passes
    probe_message: str = ""  # e.g. 'Get "http://10.244.1.7:8081/health": dial tcp ...: connect: connection refused'

    def __init__(self, image_ok: bool = True, image_error: str = "", start_delay_s: float = 1.0,
                 exit_after_s: float | None = None, exit_code: int = 1, exit_reason: str = "Error", ready: bool = True,
                 ready_delay_s: float = 0.0, live: bool = True, probe_message: str = "") -> None:
        # the generated __init__ of a frozen dataclass sets each field through object.__setattr__
        # (~4 us a plan, one plan per container start); filling the instance dict is the same state
        d = self.__dict__
        d["image_ok"] = image_ok
        d["image_error"] = image_error
        d["start_delay_s"] = start_delay_s
        d["exit_after_s"] = exit_after_s
        d["exit_code"] = exit_code
        d["exit_reason"] = exit_reason
        d["ready"] = ready
        d["ready_delay_s"] = ready_delay_s
        d["live"] = live
        d["probe_message"] = probe_message


class Controller(Protocol):
    name: str

    def reconcile(self, cluster: "SimCluster") -> None:
        """Bring observed state in line with desired state at ``cluster.t``; idempotent."""

    def next_deadline(self, cluster: "SimCluster") -> float | None:
        """Earliest simulated time (``cluster.t`` scale) when this controller has work, or None."""


class AppModel(Protocol):
    def container_plan(self, cluster: "SimCluster", pod: dict, container: dict) -> ContainerPlan: ...

    def logs(
        self, cluster: "SimCluster", pod: dict, container: str, previous: bool, since_t: float | None
    ) -> list[tuple[float, str]]: ...

    def exec(self, cluster: "SimCluster", pod: dict, container: str, argv: list[str], stdin: str | None) -> ExecResult: ...

    def metrics(self, cluster: "SimCluster", namespace: str, window_s: float) -> list[MetricSeries]: ...

    def traces(self, cluster: "SimCluster", namespace: str, window_s: float) -> list[Span]: ...

    def snapshot(self) -> Any: ...

    def restore(self, snap: Any) -> None: ...

    def digest_state(self) -> str: ...


class QuietAppModel:
    """An :class:`AppModel` with no logs, metrics or traces and no state, whose containers start after
    1 s and keep running: the simulator's Kubernetes behaviour alone. Benchmarks and tests subclass it
    to add the one thing they need (a log style, an exec, a metric)."""

    def container_plan(self, cluster: "SimCluster", pod: dict, container: dict) -> ContainerPlan:
        return ContainerPlan(start_delay_s=1.0)

    def logs(self, cluster: "SimCluster", pod: dict, container: str, previous: bool, since_t: float | None) -> list[tuple[float, str]]:
        return []

    def exec(self, cluster: "SimCluster", pod: dict, container: str, argv: list[str], stdin: str | None) -> ExecResult:
        return ExecResult("")

    def metrics(self, cluster: "SimCluster", namespace: str, window_s: float) -> list[MetricSeries]:
        return []

    def traces(self, cluster: "SimCluster", namespace: str, window_s: float) -> list[Span]:
        return []

    def snapshot(self) -> Any:
        return None

    def restore(self, snap: Any) -> None:
        return None

    def digest_state(self) -> str:
        return ""
