"""The Cluster interface: one seam that the simulated and the real Kubernetes backends implement.

Everything above the cluster (kubectl interpreter, faults, graders, the env, the safety layer) talks to
a cluster only through this protocol, with Kubernetes-shaped dicts (apiVersion, kind, metadata, spec,
status), so the same code runs on the embedded simulator and on a kind cluster.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

__all__ = [
    "ApiError",
    "NotFound",
    "AlreadyExists",
    "Invalid",
    "Conflict",
    "BadRequest",
    "ExecResult",
    "MetricSeries",
    "Span",
    "Cluster",
    "PATCH_TYPES",
]

PATCH_TYPES = ("strategic", "merge", "json")


class ApiError(Exception):
    """An error the API server would answer with (HTTP status + reason + kubectl-style message)."""

    status: int = 500
    reason: str = "InternalError"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def kubectl_message(self) -> str:
        """The line kubectl prints for this error, e.g. ``Error from server (NotFound): pods "x" not found``."""
        return f"Error from server ({self.reason}): {self.message}"


class NotFound(ApiError):
    status, reason = 404, "NotFound"


class AlreadyExists(ApiError):
    status, reason = 409, "AlreadyExists"


class Conflict(ApiError):
    status, reason = 409, "Conflict"


class Invalid(ApiError):
    status, reason = 422, "Invalid"


class BadRequest(ApiError):
    status, reason = 400, "BadRequest"


@dataclass(frozen=True)
class ExecResult:
    """Result of running argv inside a container: what kubectl exec would print, and the exit code."""

    stdout: str
    stderr: str = ""
    exit_code: int = 0


@dataclass
class MetricSeries:
    """One Prometheus series: metric name, labels (namespace, pod, container, service, ...), samples.

    ``points`` are ``(timestamp_seconds, value)`` pairs in simulated time, oldest first.
    """

    name: str
    labels: dict[str, str]
    points: list[tuple[float, float]] = field(default_factory=list)


@dataclass
class Span:
    """A Jaeger-shaped trace span. Times are microseconds since the Unix epoch of the simulated clock."""

    trace_id: str
    span_id: str
    parent_span_id: str | None
    service: str
    operation: str
    start_us: int
    duration_us: int
    error: bool = False
    status_code: str = "Unknown"


@runtime_checkable
class Cluster(Protocol):
    """What a backend must offer. ``kind`` is the Kubernetes kind (``"Pod"``, ``"Deployment"``...).

    ``get`` and ``list`` return objects the caller owns, unless it passes ``readonly=True`` (optional for a
    backend to accept): then the returned objects may be shared with the backend (no copy) and the caller
    must not modify them.
    """

    def get(self, kind: str, name: str, namespace: str | None = None, readonly: bool = False) -> dict[str, Any]: ...

    def list(
        self,
        kind: str,
        namespace: str | None = None,
        label_selector: str | None = None,
        field_selector: str | None = None,
        readonly: bool = False,
    ) -> list[dict[str, Any]]: ...

    def create(self, obj: dict[str, Any], dry_run: bool = False) -> dict[str, Any]: ...

    def replace(self, obj: dict[str, Any], dry_run: bool = False) -> dict[str, Any]: ...

    def patch(
        self,
        kind: str,
        name: str,
        namespace: str | None,
        patch: Any,
        patch_type: str = "strategic",
        dry_run: bool = False,
    ) -> dict[str, Any]: ...

    def delete(
        self,
        kind: str,
        name: str,
        namespace: str | None = None,
        grace_period: int | None = None,
        dry_run: bool = False,
    ) -> dict[str, Any]: ...

    def logs(
        self,
        pod: str,
        namespace: str,
        container: str | None = None,
        tail: int | None = None,
        previous: bool = False,
        since_s: float | None = None,
        timestamps: bool = False,
    ) -> str: ...

    def exec(
        self, pod: str, namespace: str, argv: list[str], container: str | None = None, stdin: str | None = None
    ) -> ExecResult: ...

    def metrics(self, namespace: str, window_s: float) -> list[MetricSeries]: ...

    def traces(self, namespace: str, window_s: float) -> list[Span]: ...

    def advance(self, seconds: float) -> None: ...

    def now(self) -> float: ...

    def digest(self) -> str: ...

    def snapshot(self) -> Any: ...

    def restore(self, snap: Any) -> None: ...
