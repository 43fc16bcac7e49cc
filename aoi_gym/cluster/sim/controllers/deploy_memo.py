"""A memoized sync that keeps its memo through its own status write (Deployment and ReplicaSet passes).

:func:`~aoi_gym.cluster.sim.controllers.common.memoized` drops an object's memo whenever its sync wrote
anything, so the next round syncs the object again only to find the write it just made. When the sync's
one write was the object's own status (or defaults), and the status is a function of inputs that the
write did not change, that re-sync is known to write nothing and to return the same deadline: the
memo can be kept under the signature the object has after the write. The callers decide when that
holds (see their ``after`` signatures); everything else is :func:`memoized` as it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from aoi_gym.cluster.sim.controllers.common import MemoPass, memo_fresh, memo_store

if TYPE_CHECKING:
    from aoi_gym.cluster.sim.cluster import SimCluster

__all__ = ["run_keeping", "single_own_write"]


def single_own_write(cluster: "SimCluster", before: int, obj: dict[str, Any]) -> str | None:
    """The new resourceVersion of ``obj`` (stored when ``before`` was read) when the store's only write
    since then was a put of a new version of it (else None)."""
    store = cluster.store
    if store.resource_version != before + 1:
        return None
    meta = obj["metadata"]
    cur = store.peek(obj["kind"], meta["name"], meta.get("namespace"))
    rv = str(before + 1)
    return rv if cur is not None and cur["metadata"].get("resourceVersion") == rv else None


def run_keeping(p: MemoPass, uid: str, signature: str,
                fn: Callable[[int], tuple[float | None, str | None]]) -> None:
    """``p.run(uid, signature, ...)`` where ``fn(rv before the sync)`` returns (deadline, ``after``):
    ``after`` is the object's signature once the sync's writes are stored when syncing again with it
    is known to write nothing and to give the same deadline (None: not known). A sync that wrote
    something keeps its memo under ``after``; one that wrote nothing under ``signature``."""
    cluster = p.cluster
    fresh, due = memo_fresh(cluster, p.book, uid, signature)
    if not fresh:
        store = cluster.store
        before = store.resource_version
        due, after = fn(before)
        if due is not None and due <= cluster.t:
            cluster.private.get(p.book, {}).pop(uid, None)
        elif store.resource_version == before:
            memo_store(cluster, p.book, uid, signature, due)
        elif after is not None:
            memo_store(cluster, p.book, uid, after, due)
        else:
            cluster.private.get(p.book, {}).pop(uid, None)
    if due is not None and (p.due is None or due < p.due):
        p.due = due
