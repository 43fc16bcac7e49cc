"""A cluster view for code that only reads: ``get``/``list`` ask the backend for shared objects.

Copying every listed object is most of the cost of ``kubectl get pods`` on the simulated cluster, and of
the oracle's records at every reset. kubectl's read-only verbs (``READ_VERBS``) and the oracle only format
or summarise what they read, so they may read the backend's own objects without a copy
(``readonly=True`` in the Cluster protocol). Backends whose ``get``/``list`` do not take ``readonly``
are used as they are. Everything else (logs, exec, metrics, now, ...) passes through unchanged.

Code running under this view must never modify an object it got from ``get``/``list``
(tests/kubectl/test_kubectl_readonly.py checks the kubectl corpus against the store's hashes).
"""

from __future__ import annotations

import inspect
from typing import Any

__all__ = ["SharedReadView", "read_view"]

_SUPPORT: dict[type, bool] = {}


def _supports_readonly(cluster: Any) -> bool:
    t = type(cluster)
    ok = _SUPPORT.get(t)
    if ok is None:
        try:
            ok = all("readonly" in inspect.signature(getattr(cluster, m)).parameters for m in ("get", "list"))
        except (AttributeError, TypeError, ValueError):
            ok = False
        _SUPPORT[t] = ok
    return ok


class SharedReadView:
    """Wraps a cluster; ``get``/``list`` return shared (read-only) objects, other attributes pass through."""

    def __init__(self, cluster: Any) -> None:
        self._cluster = cluster

    def get(self, kind: str, name: str, namespace: str | None = None) -> dict[str, Any]:
        return self._cluster.get(kind, name, namespace, readonly=True)

    def list(self, kind: str, namespace: str | None = None, label_selector: str | None = None,
             field_selector: str | None = None) -> list[dict[str, Any]]:
        return self._cluster.list(kind, namespace=namespace, label_selector=label_selector,
                                  field_selector=field_selector, readonly=True)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cluster, name)


def read_view(cluster: Any) -> Any:
    """``cluster`` itself when it cannot share objects, else a :class:`SharedReadView` over it."""
    return SharedReadView(cluster) if _supports_readonly(cluster) else cluster
