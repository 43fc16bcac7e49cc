"""The memo machinery of the simulated controllers' passes (``common`` re-exports every name here).

A controller syncs an object through :func:`memoized` (or :class:`MemoPass`), which skips it while the
object and everything its signature covers are unchanged since a sync that wrote nothing. The memos live
in ``cluster.private`` so that snapshot/restore keep them consistent with the store; the deadline heaps
and the store-kept indexes (:func:`uid_index`, :func:`pod_multi_index`) are derived from state and
rebuilt when missing.
"""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

if TYPE_CHECKING:
    from aoi_gym.cluster.sim.cluster import SimCluster

__all__ = [
    "MemoPass",
    "memo_fresh",
    "memo_store",
    "memo_prune",
    "memoized",
    "pass_window",
    "uid_index",
    "pass_objects",
    "prune_memos",
    "changed_uids",
    "rv_signature",
    "pod_multi_index",
    "memo_holds",
]


def memo_fresh(cluster: "SimCluster", book: str, key: str, signature: str) -> tuple[bool, float | None]:
    """(True, its deadline) when ``key`` was last synced with this ``signature`` and its deadline
    has not come; the memo lives in ``cluster.private[book]``."""
    m = cluster.private.get(book, {}).get(key)
    if m is not None and m[0] == signature and (m[1] is None or m[1] > cluster.t):
        return True, m[1]
    return False, None


def memo_store(cluster: "SimCluster", book: str, key: str, signature: str, due: float | None) -> None:
    cluster.private.setdefault(book, {})[key] = [signature, due]
    heap = _deadline_heaps(cluster).get(book)
    if due is not None and heap is not None:
        heapq.heappush(heap, (due, key))


def _deadline_heaps(cluster: "SimCluster") -> dict[str, list[tuple[float, str]]]:
    """book -> heap of (deadline, key) of its memos (entries go stale when a memo changes: check them)."""
    caches = getattr(cluster, "caches", None)
    return {} if caches is None else caches.setdefault("memo-deadlines", {})


def memo_prune(cluster: "SimCluster", book: str, live: set[str]) -> None:
    memo = cluster.private.get(book)
    if memo and len(memo) > len(live):
        for k in [k for k in memo if k not in live]:
            del memo[k]


def memoized(cluster: "SimCluster", book: str, key: str, signature: str, fn: Callable[[], float | None]) -> float | None:
    """Run ``fn`` (one object's sync, returning its deadline) unless the object and everything it
    depends on (``signature``) are unchanged since a sync that wrote nothing. Returns the deadline."""
    fresh, due = memo_fresh(cluster, book, key, signature)
    if fresh:
        return due
    store = cluster.store
    before = store.resource_version  # (what store_version compares, without the str)
    due = fn()
    if store.resource_version == before and (due is None or due > cluster.t):
        memo_store(cluster, book, key, signature, due)
    else:
        cluster.private.get(book, {}).pop(key, None)
    return due


# ---------------------------------------------------------------------------------------------- incremental passes
# A memoized controller skips an object when the object and everything its memo signature covers are
# unchanged since the memo was written. Instead of recomputing every signature on every pass, a pass can
# ask the store what changed since the start of this controller's previous pass (``changed_since``) and
# recompute only the objects those changes touch: an object untouched since then still has the
# signature its memo holds, so ``memoized`` would skip it anyway. Objects without a fresh memo (never
# synced, wrote something last time, deadline due) are always synced. The bookkeeping lives in
# ``cluster.private`` so that snapshot/restore keep it consistent with the store. The loops inline the
# skip (memo present and its deadline not come) because they run over every object on every pass.
def pass_window(cluster: "SimCluster", name: str) -> int | None:
    """resourceVersion at the start of controller ``name``'s previous incremental pass, or None (first
    pass, or a store without ``changed_since``: do a full pass); records the start of this one."""
    key = "memo:pass-rv:" + name
    prev = cluster.private.get(key)
    if getattr(cluster.store, "changed_since", None) is None:
        return None
    cluster.private[key] = cluster.store.resource_version
    return prev


def uid_index(cluster: "SimCluster", kind: str) -> dict[str, tuple[str, str]]:
    """uid -> (namespace, name) of every stored object of ``kind`` with a uid, kept by the store
    (rebuilt after a removal or a uid replaced). Shared: do not modify."""
    store = cluster.store

    def build() -> tuple[int, dict[str, tuple[str, str]]]:
        return store.uid_changes, {u: key for key, o in store.bucket(kind).items() if (u := o["metadata"].get("uid"))}

    def update(value: tuple, changes: list) -> tuple | None:
        if value[0] != store.uid_changes:
            return None
        index = value[1]
        for key, obj in changes:
            if obj is None:
                return None
            uid = obj["metadata"].get("uid")
            if uid:
                index[uid] = key
        return value

    return store.incremental("uid-index:" + kind, kind, build, update)[1]


def pass_objects(cluster: "SimCluster", kind: str, book: str, dirty: set[str] | None,
                 skip_deleting: bool = True) -> tuple[list[dict[str, Any]] | None, float | None]:
    """For a memoized pass over ``kind`` that skips an object when its uid is not in ``dirty`` and its
    memo in ``cluster.private[book]`` has no deadline or a later one: the objects the pass must visit
    (a superset of those it does not skip, in store order; None: visit all) and the earliest memo
    deadline among the objects left out (``skip_deleting``: objects being deleted count for nothing).
    The pass keeps its own skip test, so visiting a few extra objects changes nothing."""
    store = cluster.store
    if dirty is None or getattr(store, "positions", None) is None or getattr(store, "incremental", None) is None:
        return None, None
    memo = cluster.private.get(book) or {}
    now = cluster.t
    uid_key = uid_index(cluster, kind)
    bucket = store.bucket(kind)
    visit = {uid_key[u] for u in dirty if u in uid_key}
    if not memo.keys() >= uid_key.keys():  # (a subset test allocates nothing: most passes find no memo-less object)
        visit.update(uid_key[u] for u in uid_key.keys() - memo.keys())
    heaps = _deadline_heaps(cluster)
    heap = heaps.get(book)
    if heap is None or len(heap) > 4 * len(memo) + 64:  # none yet, or mostly stale entries
        heap = heaps[book] = [(m[1], uid) for uid, m in memo.items() if m[1] is not None]
        heapq.heapify(heap)
    while heap and heap[0][0] <= now:  # deadlines that have come: visit those objects
        d, uid = heapq.heappop(heap)
        m = memo.get(uid)
        if m is not None and m[1] == d and uid in uid_key:
            visit.add(uid_key[uid])
    due: float | None = None
    held = []
    while heap:  # the earliest deadline of an object the pass will skip
        d, uid = heap[0]
        m = memo.get(uid)
        key = uid_key.get(uid)
        obj = bucket.get(key) if key is not None else None
        if m is None or m[1] != d or obj is None or obj["metadata"].get("uid", "") != uid:
            heapq.heappop(heap)  # stale: the memo changed or the object is gone
        elif uid in dirty or (skip_deleting and "deletionTimestamp" in obj["metadata"]):
            held.append(heapq.heappop(heap))
        else:
            due = d
            break
    for x in held:
        heapq.heappush(heap, x)
    positions = store.positions(kind)
    return [bucket[k] for k in sorted(visit, key=positions.__getitem__) if k in bucket], due


class MemoPass:
    """One incremental pass of a controller that syncs objects of ``kind`` one at a time through
    :func:`memoized` (memos in ``cluster.private[book]``):

        p = MemoPass(cluster, "ReplicaSet", "memo:rs", dirty)
        for rs, uid in p.objects():   # skips objects being deleted and those whose memo holds
            p.run(uid, signature, lambda: sync_one(rs))
        return p.finish()             # prunes memos of gone objects; the pass's earliest deadline
    """

    def __init__(self, cluster: "SimCluster", kind: str, book: str, dirty: set[str] | None) -> None:
        self.cluster, self.kind, self.book, self.dirty = cluster, kind, book, dirty
        self.visit, self.due = pass_objects(cluster, kind, book, dirty)
        self.live: set[str] = set()

    def objects(self) -> Iterator[tuple[dict[str, Any], str]]:
        cluster, dirty, live = self.cluster, self.dirty, self.live
        book = cluster.private.get(self.book) or {}
        now = cluster.t
        for obj in cluster.iter_objects(self.kind) if self.visit is None else self.visit:
            if "deletionTimestamp" in obj["metadata"]:
                continue
            uid = obj["metadata"]["uid"]
            live.add(uid)
            if dirty is not None and uid not in dirty:
                held, self.due = memo_holds(book, uid, now, self.due)
                if held:
                    continue
            yield obj, uid

    def run(self, uid: str, signature: str, fn: Callable[[], float | None]) -> None:
        x = memoized(self.cluster, self.book, uid, signature, fn)
        if x is not None and (self.due is None or x < self.due):
            self.due = x

    def finish(self) -> float | None:
        if self.visit is None:
            memo_prune(self.cluster, self.book, self.live)
        else:
            prune_memos(self.cluster, self.kind, self.book)
        return self.due


def prune_memos(cluster: "SimCluster", kind: str, book: str) -> None:
    """Drop the memos in ``cluster.private[book]`` of objects of ``kind`` no longer stored."""
    memo = cluster.private.get(book)
    if memo and len(memo) > len(cluster.store.bucket(kind)):
        memo_prune(cluster, book, {o["metadata"].get("uid", "") for o in cluster.store.bucket(kind).values()})


def changed_uids(cluster: "SimCluster", kind: str, since: int, into: set[str]) -> set[str]:
    """Add the uids of the objects of ``kind`` put since ``since`` (still stored) to ``into``."""
    for _key, obj in cluster.store.changed_since(kind, since):
        if obj is not None:
            into.add(obj["metadata"].get("uid", ""))
    return into


def rv_signature(objs: Iterable[dict[str, Any]]) -> str:
    """Signature of a group of objects: changes whenever any of them changes, appears or goes."""
    if type(objs) is list and len(objs) < 2:  # (most groups: a new owner's none, or one object)
        return objs[0]["metadata"].get("resourceVersion", "") if objs else ""
    return ",".join([o["metadata"].get("resourceVersion", "") for o in objs])


def pod_multi_index(cluster: Any, key: str, entries_of: Callable[[dict[str, Any]], list[tuple[Any, Any]]]) -> dict:
    """An index ``entry -> {(namespace, name): value}`` over the stored pods, kept by the store
    (updated with the pods put since it was built). ``entries_of(pod)`` lists the pod's
    ``(entry, value)`` pairs. Shared: do not modify."""
    store = cluster.store

    def add(index: dict, where: dict, k: tuple[str, str], p: dict[str, Any]) -> None:
        pairs = entries_of(p)
        for e, v in pairs:
            index.setdefault(e, {})[k] = v
        if pairs:
            where[k] = [e for e, _ in pairs]

    def build() -> tuple[dict, dict]:
        index: dict = {}
        where: dict = {}
        for k, p in store.bucket("Pod").items():
            add(index, where, k, p)
        return index, where

    def update(value: tuple[dict, dict], changes: list) -> tuple[dict, dict]:
        index, where = value
        for k, p in changes:
            for e in where.pop(k, ()):
                entry = index.get(e)
                if entry is not None:
                    entry.pop(k, None)
                    if not entry:
                        del index[e]
            if p is not None:
                add(index, where, k, p)
        return value

    return store.incremental(key, "Pod", build, update)[0]


def memo_holds(book: dict, uid: str, now: float, due: float | None) -> tuple[bool, float | None]:
    """Whether ``uid``'s memo in ``book`` still holds at ``now`` (so its sync can be skipped), and
    ``due`` lowered to the memo's deadline when it has one."""
    m = book.get(uid)
    if m is None or (m[1] is not None and m[1] <= now):
        return False, due
    if m[1] is not None and (due is None or m[1] < due):
        due = m[1]
    return True, due
