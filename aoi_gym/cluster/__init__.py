"""The Cluster interface and its backends (``sim``: embedded simulator; ``kube``: a real cluster)."""

from aoi_gym.cluster.base import (
    AlreadyExists,
    ApiError,
    BadRequest,
    Cluster,
    Conflict,
    ExecResult,
    Invalid,
    MetricSeries,
    NotFound,
    Span,
)

__all__ = [
    "AlreadyExists",
    "ApiError",
    "BadRequest",
    "Cluster",
    "Conflict",
    "ExecResult",
    "Invalid",
    "MetricSeries",
    "NotFound",
    "Span",
]
