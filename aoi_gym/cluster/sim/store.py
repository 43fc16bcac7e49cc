"""In-memory object store of the simulated API server.

Objects are immutable once stored: every change replaces the stored dict with a new one (copy on
write). That makes ``snapshot()`` a shallow copy of a few index dicts (microseconds) instead of a deep
copy of every object, and lets ``digest()`` cache one hash per stored object.

Internal code reads with :meth:`peek` / :meth:`iter` (no copy: do not mutate what you get) and writes
with :meth:`put` (hand over a fresh dict you will not touch again).

Change tracking: ``resource_version`` goes up on every put and every remove, ``kind_version(kind)`` on
every put or remove of that kind (controllers skip passes over kinds that did not change), and
``changed_since(kind, rv)`` names what changed after ``rv`` (controllers sync only that). ``derived``
caches values computed from stored objects until their kinds change. All of it follows snapshot/restore.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Callable, Iterator

from aoi_gym.cluster.patch import json_copy

__all__ = ["ObjectStore", "object_hash", "fast_json_copy"]

#: kept for importers of the old name: the one implementation is ``aoi_gym.cluster.patch.json_copy``
fast_json_copy = json_copy


# Fields that are bookkeeping or observed state, not the desired state a digest must protect.
_VOLATILE_META = ("resourceVersion", "managedFields")


def object_hash(obj: dict[str, Any]) -> str:
    """Hash of the parts of an object that matter for ``digest()``: everything but status and bookkeeping."""
    meta = {k: v for k, v in obj.get("metadata", {}).items() if k not in _VOLATILE_META}
    body = {k: v for k, v in obj.items() if k not in ("status", "metadata")}
    if obj.get("kind") == "Event":
        # An event's count/lastTimestamp are observations, not state; its existence is what matters.
        body = {k: v for k, v in body.items() if k not in ("count", "lastTimestamp", "eventTime")}
    data = json.dumps([meta, body], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.blake2b(data.encode(), digest_size=16).hexdigest()


class ObjectStore:
    """Objects indexed by kind, then by ``(namespace, name)``; namespace is ``""`` for cluster-scoped."""

    def __init__(self) -> None:
        self._by_kind: dict[str, dict[tuple[str, str], dict[str, Any]]] = {}
        self._hashes: dict[tuple[str, str, str], str] = {}
        self._kind_versions: dict[str, int] = {}
        self._count = 0
        # kind -> (kind version, {namespace: [objects in store order]}): built on demand for namespaced reads
        self._ns_index: dict[str, tuple[int, dict[str, list[dict[str, Any]]]]] = {}
        self._derived: dict[str, tuple[tuple[int, ...], Any]] = {}
        # kind -> {(namespace, name): resourceVersion of its last put or removal}, in order of change
        self._changes: dict[str, dict[tuple[str, str], int]] = {}
        # key -> (resourceVersion, kind version, removals of the kind, value) of incremental caches
        self._incremental: dict[str, tuple[int, int, int, Any]] = {}
        self._removals: dict[str, int] = {}
        # kind -> {(namespace, name): sort key of its place in store order}; built on demand
        self._positions: dict[str, dict[tuple[str, str], int]] = {}
        #: how many puts replaced an object by one with another uid (owners can vanish that way too)
        self.uid_changes = 0
        self.resource_version = 0
        #: bumped by every restore (a restored store can reach an old resource_version with other objects)
        self.epoch = 0

    # -- reads (no copies) ------------------------------------------------------------------
    def peek(self, kind: str, name: str, namespace: str | None = None) -> dict[str, Any] | None:
        bucket = self._by_kind.get(kind)
        return None if bucket is None else bucket.get((namespace or "", name))

    def iter(self, kind: str, namespace: str | None = None) -> Iterator[dict[str, Any]]:
        bucket = self._by_kind.get(kind)
        if not bucket:
            return iter(())
        if namespace is None:
            return iter(list(bucket.values()))
        return iter(self._namespace_index(kind, bucket).get(namespace, ()))

    def list_view(self, kind: str, namespace: str | None = None) -> list[dict[str, Any]]:
        """Like :meth:`iter` but a list; for a namespace it is the cached index itself: do not modify it."""
        bucket = self._by_kind.get(kind)
        if not bucket:
            return []
        if namespace is None:
            return list(bucket.values())
        return self._namespace_index(kind, bucket).get(namespace, [])

    def _namespace_index(self, kind: str, bucket: dict) -> dict[str, list[dict[str, Any]]]:
        version = self._kind_versions.get(kind, 0)
        cached = self._ns_index.get(kind)
        if cached is not None and cached[0] == version:
            return cached[1]
        index: dict[str, list[dict[str, Any]]] = {}
        for (ns, _), o in bucket.items():
            lst = index.get(ns)
            if lst is None:
                index[ns] = [o]
            else:
                lst.append(o)
        self._ns_index[kind] = (version, index)
        return index

    def version_excluding(self, kinds: frozenset[str] | tuple[str, ...]) -> int:
        """Sum of the kind versions of every kind not in ``kinds``: it grows with every put or remove of
        those kinds (versions never go down, so equal sums mean no change)."""
        return sum(v for k, v in self._kind_versions.items() if k not in kinds)

    def derived(self, key: str, kinds: tuple[str, ...], build: Callable[[], Any]) -> Any:
        """``build()``'s result, cached until an object of one of ``kinds`` changes (or a restore).

        ``build`` must be a pure function of the stored objects of ``kinds``; callers must not modify
        the result (it is shared by every caller until the next change).
        """
        versions = tuple([self._kind_versions.get(k, 0) for k in kinds])
        hit = self._derived.get(key)
        if hit is not None and hit[0] == versions:
            return hit[1]
        value = build()
        self._derived[key] = (versions, value)
        return value

    def incremental(self, key: str, kind: str, build: Callable[[], Any], update: Callable[[Any, list], Any]) -> Any:
        """Like :meth:`derived` for one kind, but when only puts happened since the value was built,
        ``update(value, changes)`` (changes as :meth:`changed_since` gives them, oldest first) may
        return the new value instead of a rebuild (None: rebuild). New objects come last in store
        order, so a value in store order stays so by appending them. Shared: do not modify it."""
        version = self._kind_versions.get(kind, 0)
        removals = self._removals.get(kind, 0)
        hit = self._incremental.get(key)
        if hit is not None:
            built_rv, built_version, built_removals, value = hit
            if built_version == version:
                return value
            if built_removals == removals:
                value = update(value, self.changed_since(kind, built_rv)[::-1])
                if value is not None:
                    self._incremental[key] = (self.resource_version, version, removals, value)
                    return value
        value = build()
        self._incremental[key] = (self.resource_version, version, removals, value)
        return value

    def kinds(self) -> list[str]:
        return [k for k, b in self._by_kind.items() if b]

    def count(self) -> int:
        return self._count

    def versions_sum(self, kinds: tuple[str, ...]) -> int:
        """Sum of ``kind_version`` over ``kinds`` (a controller's watch: equal sums mean no change)."""
        versions = self._kind_versions
        total = 0
        for k in kinds:
            if k in versions:
                total += versions[k]
        return total

    def kind_version(self, kind: str) -> int:
        """Counter bumped by every put and remove of ``kind`` (0 for a kind never stored)."""
        return self._kind_versions.get(kind, 0)

    # -- writes -------------------------------------------------------------------------------
    def put(self, obj: dict[str, Any]) -> dict[str, Any]:
        """Store ``obj`` (ownership passes to the store) and stamp a new resourceVersion."""
        # the hottest write path of the simulator (every object and status write, every event): kept to
        # a few dict operations, with _log_change inlined
        rv = self.resource_version = self.resource_version + 1
        meta = obj["metadata"]  # (an object without one has no name either: KeyError as before)
        meta["resourceVersion"] = str(rv)
        kind = obj["kind"]
        key = (meta.get("namespace") or "", meta["name"])
        try:
            bucket = self._by_kind[kind]
        except KeyError:
            bucket = self._by_kind[kind] = {}
        old = bucket.get(key)
        bucket[key] = obj
        if old is None:
            self._count += 1
            positions = self._positions.get(kind)
            if positions is not None:
                positions[key] = rv  # a new key goes last in store order
        else:
            if old["metadata"].get("uid") != meta.get("uid"):
                self.uid_changes += 1
            # (a key not stored has no cached hash: removals drop theirs; none at all until a digest)
            hashes = self._hashes
            if hashes:
                hashes.pop((kind, *key), None)
        versions = self._kind_versions
        versions[kind] = versions.get(kind, 0) + 1
        try:
            changes = self._changes[kind]
        except KeyError:
            self._changes[kind] = {key: rv}
            return obj
        changes.pop(key, None)  # re-insert: the dict's order is the order of last change
        changes[key] = rv
        return obj

    def _log_change(self, kind: str, key: tuple[str, str]) -> None:
        changes = self._changes.get(kind)
        if changes is None:
            changes = self._changes[kind] = {}
        else:
            changes.pop(key, None)  # re-insert: the dict's order is the order of last change
        changes[key] = self.resource_version

    def changed_since(self, kind: str, resource_version: int) -> list[tuple[tuple[str, str], dict[str, Any] | None]]:
        """``((namespace, name), object or None when removed)`` for every object of ``kind`` put or
        removed after ``resource_version`` (most recent first)."""
        changes = self._changes.get(kind)
        if not changes:
            return []
        newest = reversed(changes.items())
        key, rv = next(newest)
        if rv <= resource_version:
            return []  # the common answer on a quiet kind: decided by its last change alone
        bucket = self._by_kind.get(kind) or {}
        out = [(key, bucket.get(key))]
        for key, rv in newest:
            if rv <= resource_version:
                break
            out.append((key, bucket.get(key)))
        return out

    def remove(self, kind: str, name: str, namespace: str | None = None) -> dict[str, Any] | None:
        """Remove and return an object (None when absent); a removal bumps the versions like a put."""
        ns = namespace or ""
        gone = self._by_kind.get(kind, {}).pop((ns, name), None)
        if gone is not None:
            self._hashes.pop((kind, ns, name), None)
            self._count -= 1
            self.resource_version += 1
            self._kind_versions[kind] = self._kind_versions.get(kind, 0) + 1
            self._removals[kind] = self._removals.get(kind, 0) + 1
            self._log_change(kind, (ns, name))
            positions = self._positions.get(kind)
            if positions is not None:
                positions.pop((ns, name), None)
        return gone

    def bucket(self, kind: str) -> dict[tuple[str, str], dict[str, Any]]:
        """The live ``(namespace, name) -> object`` dict of ``kind`` in store order: do not modify it."""
        return self._by_kind.get(kind) or {}

    def positions(self, kind: str) -> dict[tuple[str, str], int]:
        """``(namespace, name) -> sort key`` giving store order (kept up to date): do not modify it."""
        positions = self._positions.get(kind)
        if positions is None:
            positions = self._positions[kind] = {key: i for i, key in enumerate(self._by_kind.get(kind) or ())}
        return positions

    # -- snapshot / digest --------------------------------------------------------------------
    def snapshot(self) -> tuple:
        return (
            {k: dict(b) for k, b in self._by_kind.items()},
            dict(self._hashes),
            self.resource_version,
            dict(self._kind_versions),
            {k: dict(c) for k, c in self._changes.items()},
            self.uid_changes,
        )

    def restore(self, snap: tuple) -> None:
        by_kind, hashes, rv, kind_versions, changes, self.uid_changes = snap
        self._changes = {k: dict(c) for k, c in changes.items()}
        self._by_kind = {k: dict(b) for k, b in by_kind.items()}
        self._hashes = dict(hashes)
        self.resource_version = rv
        self._kind_versions = dict(kind_versions)
        self._count = sum(len(b) for b in self._by_kind.values())
        self._ns_index = {}
        self._derived = {}
        self._incremental = {}
        self._positions = {}
        self.epoch += 1

    def digest_parts(self) -> list[tuple[tuple[str, str, str], str]]:
        out = []
        for kind, bucket in self._by_kind.items():
            for (ns, name), obj in bucket.items():
                key = (kind, ns, name)
                h = self._hashes.get(key)
                if h is None:
                    h = self._hashes[key] = object_hash(obj)
                out.append((key, h))
        out.sort()
        return out
