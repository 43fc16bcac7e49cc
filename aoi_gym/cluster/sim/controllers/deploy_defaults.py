"""What a Deployment's spec says before the controller acts on it: the fields the API server
defaults (admission calls :func:`defaulted_deployment` on every write) and a rolling update's budget
of surge and unavailable pods.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aoi_gym.cluster.patch import json_copy
from aoi_gym.cluster.sim.controllers.common import scaled_value
from aoi_gym.cluster.sim.controllers.podtemplate import defaulted_template, note_defaulted_template

if TYPE_CHECKING:
    from aoi_gym.cluster.sim.cluster import SimCluster

__all__ = ["defaulted_deployment", "default_stored_deployment", "surge_unavailable", "own_copy"]


def own_copy(parent: dict[str, Any], key: str, default: Any) -> Any:
    """``parent.setdefault(key, default)`` where ``parent`` is a fresh copy sharing its values with a
    stored object: a dict value is copied first so that it can be changed (other values as they are)."""
    v = parent.get(key, default)
    if type(v) is dict:
        v = dict(v)
    parent[key] = v
    return v


def default_stored_deployment(cluster: "SimCluster", d: dict[str, Any]) -> dict[str, Any]:
    """Write the fields the API server defaults on a Deployment (for one stored without admission,
    e.g. straight into the store by a test); returns the stored object."""
    new = defaulted_deployment(d)
    if new is not d:
        cluster.update_status(new)
    return new


def defaulted_deployment(d: dict[str, Any]) -> dict[str, Any]:
    """``d`` with the fields the API server defaults on a Deployment (``d`` itself when it has them; else
    a new object sharing what did not change: ``d`` may be a stored object). Admission calls this on
    every Deployment write, as the API server does."""
    spec = d.get("spec") or {}
    if "progressDeadlineSeconds" in spec and "strategy" in spec and "replicas" in spec:
        return d
    # copy on write (stored objects are immutable): fresh dicts down to what changes, the rest shared;
    # metadata is copied because the store stamps resourceVersion into it
    new = dict(d)
    new["metadata"] = dict(d["metadata"])
    s = own_copy(new, "spec", {})
    s.setdefault("replicas", 1)
    s.setdefault("revisionHistoryLimit", 10)
    s.setdefault("progressDeadlineSeconds", 600)
    if "strategy" in s:
        s["strategy"] = json_copy(s["strategy"])
    strategy = s.setdefault("strategy", {"type": "RollingUpdate"})
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        ru = strategy.setdefault("rollingUpdate", {})
        ru.setdefault("maxSurge", "25%")
        ru.setdefault("maxUnavailable", "25%")
    s["template"] = tmpl = defaulted_template(s.get("template"))
    note_defaulted_template(tmpl)
    return new


_SURGE_UNAVAILABLE: dict[tuple[Any, Any, int], tuple[int, int]] = {}


def surge_unavailable(max_surge: Any, max_unavailable: Any, want: int) -> tuple[int, int]:
    """A rolling update's (surge, unavailable) for ``want`` replicas, as pods (unavailable 1 when both
    would be 0, as the real controller has it), through a memo (a pure function's; few distinct values)."""
    try:
        return _SURGE_UNAVAILABLE[max_surge, max_unavailable, want]
    except KeyError:
        pass
    except TypeError:  # an unhashable (invalid) value
        return _surge_unavailable_of(max_surge, max_unavailable, want)
    out = _SURGE_UNAVAILABLE[max_surge, max_unavailable, want] = _surge_unavailable_of(max_surge, max_unavailable, want)
    if len(_SURGE_UNAVAILABLE) > 4096:
        _SURGE_UNAVAILABLE.clear()
    return out


def _surge_unavailable_of(max_surge: Any, max_unavailable: Any, want: int) -> tuple[int, int]:
    surge = scaled_value(max_surge, want, True)
    unavailable = scaled_value(max_unavailable, want, False)
    return surge, 1 if surge == 0 and unavailable == 0 else unavailable
