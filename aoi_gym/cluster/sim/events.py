"""Events as the real components record them: one Event per (object, reason, message, field path),
named ``<object>.<hex nanoseconds>``; a repeat bumps ``count`` and ``lastTimestamp``.

Both functions are also :class:`SimCluster` methods (``cluster.record_event(...)``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aoi_gym.cluster.sim.clock import TIME_TEXT, EPOCH, time_text

if TYPE_CHECKING:
    from aoi_gym.cluster.sim.cluster import SimCluster

__all__ = ["record_event", "record_event_in"]


def record_event(
    cluster: "SimCluster",
    obj: dict[str, Any],
    reason: str,
    message: str,
    type: str = "Normal",
    component: str = "kubelet",
    host: str | None = None,
    field_path: str | None = None,
) -> None:
    """Emit an Event about ``obj`` the way the real components do (repeats bump ``count``)."""
    ns = obj["metadata"].get("namespace") or "default"
    if cluster.store.peek("Namespace", ns) is None:
        return
    record_event_in(cluster, obj, ns, reason, message, type, component, host, field_path)


def record_event_in(
    cluster: "SimCluster", obj: dict[str, Any], ns: str, reason: str, message: str, type: str, component: str,
    host: str | None, field_path: str | None,
) -> None:
    """:func:`record_event` once namespace ``ns`` is known to exist (``common.emit`` has looked)."""
    # (~7,600 calls per synthetic(1000) build: kept to the few dict operations an event needs)
    meta = obj["metadata"]
    private = cluster.private
    seen = private.get("events")
    if seen is None:
        seen = private["events"] = {}
    key = f"{meta.get('uid')}|{reason}|{message}|{field_path}"
    name = seen.get(key)
    when = EPOCH + cluster.t
    ts = TIME_TEXT.get(when) or time_text(when)
    store = cluster.store
    if name:
        cur = store.bucket("Event").get((ns, name))
        if cur is not None:
            # a repeat: a new version sharing the unchanged parts (stored objects are never modified;
            # metadata is fresh because the store stamps resourceVersion into it)
            store.put({**cur, "metadata": {**cur["metadata"]}, "count": cur.get("count", 1) + 1, "lastTimestamp": ts})
            return
    # As the API server's recorder names them: <object>.<hex of the first occurrence's UnixNano>,
    # so one object's events list in the order they happened.
    seq = private["event_seq"] = private.get("event_seq", 0) + 1
    name = seen[key] = f"{meta['name']}.{int(when * 1e9) + seq:x}"
    involved = {
        "apiVersion": obj.get("apiVersion", "v1"),
        "kind": obj["kind"],
        "name": meta["name"],
        "namespace": ns,
        "uid": meta.get("uid", ""),
    }
    if field_path:
        involved["fieldPath"] = field_path
    draw = cluster._uid_draw  # new_uid inlined
    uid = draw[1]() if draw is not None and draw[0] is cluster.rng else cluster.new_uid()
    store.put(
        {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"name": name, "namespace": ns, "creationTimestamp": ts, "uid": uid},
            "involvedObject": involved,
            "reason": reason,
            "message": message,
            "type": type,
            "source": {"component": component, "host": host} if host else {"component": component},
            "count": 1,
            "firstTimestamp": ts,
            "lastTimestamp": ts,
            "reportingComponent": component,
        }
    )
