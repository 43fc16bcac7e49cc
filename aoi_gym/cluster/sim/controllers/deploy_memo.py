"""A memoized sync that keeps its memo through its own status write (Deployment and ReplicaSet passes).

:func:`~aoi_gym.cluster.sim.controllers.common.memoized` drops an object's memo whenever its sync wrote
anything, so the next round syncs the object again only to find the write it just made. When the sync's
one write was the object's own status (or defaults), and the status is a function of inputs that the
write did not change, that re-sync is known to write nothing and to return the same deadline: the
memo can be kept under the signature the object has after the write. The callers decide when that
holds (see their ``after`` signatures); everything else is :func:`memoized` as it is.
"""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING, Any

from aoi_gym.cluster.sim.controllers.common import MemoPass, SimController, ts_to_t

if TYPE_CHECKING:
    from aoi_gym.cluster.sim.cluster import SimCluster

__all__ = ["KeepingPass", "NoRepassOfKeptWrites", "changed_uids_not_kept", "memo_ts_to_t", "single_own_write"]


_TS_T: dict[str, float] = {}


def memo_ts_to_t(cluster: "SimCluster", ts: Any) -> float:
    """``ts_to_t`` through a memo for a timestamp text: a pure function of the text (calendar.timegm
    each time otherwise); the Deployment and ReplicaSet syncs parse their conditions' few distinct
    timestamps on every status they compute."""
    if not ts or type(ts) is not str:
        return ts_to_t(cluster, ts)
    t = _TS_T.get(ts)
    if t is None:
        if len(_TS_T) > 4096:
            _TS_T.clear()
        t = _TS_T[ts] = ts_to_t(cluster, ts)
    return t


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


class KeepingPass(MemoPass):
    """A :class:`MemoPass` that keeps memos through the objects' own writes (:meth:`fresh`, then the
    sync, then :meth:`done`, in place of :meth:`run`); ``all_kept`` stays True while every object the
    pass synced ends it with a memo."""

    def __init__(self, cluster: "SimCluster", kind: str, book: str, dirty: set[str] | None) -> None:
        super().__init__(cluster, kind, book, dirty)
        self.all_kept = True
        self.kept: set[str] = set()  # resourceVersions of the writes whose memo was kept
        # the memo book (None until a memo is stored: the book is created as memo_store would) and the
        # book's deadline heap, looked up once: fresh and done run for every object the pass syncs, and
        # no one else touches either during the pass (pass_objects, which may rebuild the heap, ran above)
        self._memos: dict[str, list] | None = cluster.private.get(book)
        caches = getattr(cluster, "caches", None)
        self._heap = None if caches is None else caches.setdefault("memo-deadlines", {}).get(book)

    def fresh(self, uid: str, signature: str) -> bool:
        """Whether ``uid``'s memo holds for ``signature`` (then its deadline counts for the pass and the
        sync is skipped, as in :meth:`run`)."""
        memos = self._memos
        m = None if memos is None else memos.get(uid)
        if m is None or m[0] != signature:
            return False
        due = m[1]
        if due is not None:
            if due <= self.cluster.t:
                return False
            if self.due is None or due < self.due:
                self.due = due
        return True

    def _store(self, uid: str, signature: str, due: float | None) -> None:
        """``memo_store(cluster, book, uid, signature, due)``."""
        memos = self._memos
        if memos is None:
            memos = self._memos = self.cluster.private.setdefault(self.book, {})
        memos[uid] = [signature, due]
        if due is not None and self._heap is not None:
            heapq.heappush(self._heap, (due, uid))

    def _drop(self, uid: str) -> None:
        memos = self._memos
        if memos is not None:
            memos.pop(uid, None)
        self.all_kept = False

    def done(self, uid: str, signature: str, before: int, due: float | None, after: str | None) -> None:
        """Record the sync of ``uid`` (not :meth:`fresh` for ``signature``) that started at store
        resourceVersion ``before`` and returned deadline ``due``, as :meth:`run` does, except that a sync
        that wrote something keeps its memo under ``after`` when that is given: the object's signature
        once its writes are stored, given only when the sync's one write was the object itself and
        syncing that version again is known to write nothing and to find the same deadline."""
        cluster = self.cluster
        if due is not None and due <= cluster.t:
            self._drop(uid)
        else:
            rv = cluster.store.resource_version
            if rv == before:
                self._store(uid, signature, due)
            elif after is not None:
                self._store(uid, after, due)
                self.kept.add(str(rv))
            else:
                self._drop(uid)
        if due is not None and (self.due is None or due < self.due):
            self.due = due

    def finish(self) -> float | None:
        caches = getattr(self.cluster, "caches", None)
        if caches is not None:
            caches["kept-writes:" + self.book] = self.kept
        return super().finish()


def changed_uids_not_kept(cluster: "SimCluster", kind: str, since: int, into: set[str], book: str) -> set[str]:
    """``changed_uids`` less the objects whose last change is a write of the previous pass that kept
    its memo (``KeepingPass`` in ``cluster.private[book]``): that memo holds their current version, so
    the pass would only find it fresh. (Without the record, e.g. after a restore, nothing is left out.)"""
    caches = getattr(cluster, "caches", None)
    kept = (caches or {}).get("kept-writes:" + book) or ()
    for _key, obj in cluster.store.changed_since(kind, since):
        if obj is not None:
            meta = obj["metadata"]
            if meta.get("resourceVersion") not in kept:
                into.add(meta.get("uid", ""))
    return into


class NoRepassOfKeptWrites(SimController):
    """Base of a controller whose pass is a :class:`KeepingPass` (``sync`` sets ``self._all_kept``).

    ``SimController.reconcile`` runs a pass that wrote something again next round, so that it sees its
    own writes. When every object the pass synced ended it with a memo, that re-pass is known to do
    nothing: the objects it wrote hold memos under their new versions, every other object's memo is
    as the pass left it, and no object is without one (those are always synced). The controller's
    memo then records the store as the pass left it, and the next pass comes with the next change.
    """

    _all_kept = False

    def reconcile(self, cluster: "SimCluster") -> None:
        self._all_kept = False
        super().reconcile(cluster)
        if self._all_kept:
            memo = cluster.private.get(self._memo_key())
            if memo is not None and memo[1] == cluster.t:
                memo[0] = self._watch_version(cluster)
