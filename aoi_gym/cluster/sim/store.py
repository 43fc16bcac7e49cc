"""In-memory object store of the simulated API server.

Objects are immutable once stored: every change replaces the stored dict with a new one (copy on
write). That makes ``snapshot()`` a shallow copy of a few index dicts (microseconds) instead of a deep
copy of every object, and lets ``digest()`` cache one hash per stored object.

Internal code reads with :meth:`peek` / :meth:`iter` (no copy: do not mutate what you get) and writes
with :meth:`put` (hand over a fresh dict you will not touch again).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Iterator

__all__ = ["ObjectStore", "object_hash"]

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
        self.resource_version = 0

    # -- reads (no copies) ------------------------------------------------------------------
    def peek(self, kind: str, name: str, namespace: str | None = None) -> dict[str, Any] | None:
        return self._by_kind.get(kind, {}).get((namespace or "", name))

    def iter(self, kind: str, namespace: str | None = None) -> Iterator[dict[str, Any]]:
        bucket = self._by_kind.get(kind)
        if not bucket:
            return iter(())
        if namespace is None:
            return iter(list(bucket.values()))
        return iter([o for (ns, _), o in bucket.items() if ns == namespace])

    def kinds(self) -> list[str]:
        return [k for k, b in self._by_kind.items() if b]

    def count(self) -> int:
        return sum(len(b) for b in self._by_kind.values())

    # -- writes -------------------------------------------------------------------------------
    def put(self, obj: dict[str, Any]) -> dict[str, Any]:
        """Store ``obj`` (ownership passes to the store) and stamp a new resourceVersion."""
        self.resource_version += 1
        meta = obj.setdefault("metadata", {})
        meta["resourceVersion"] = str(self.resource_version)
        kind, ns, name = obj["kind"], meta.get("namespace") or "", meta["name"]
        self._by_kind.setdefault(kind, {})[(ns, name)] = obj
        self._hashes.pop((kind, ns, name), None)
        return obj

    def remove(self, kind: str, name: str, namespace: str | None = None) -> dict[str, Any] | None:
        ns = namespace or ""
        self._hashes.pop((kind, ns, name), None)
        return self._by_kind.get(kind, {}).pop((ns, name), None)

    # -- snapshot / digest --------------------------------------------------------------------
    def snapshot(self) -> tuple:
        return ({k: dict(b) for k, b in self._by_kind.items()}, dict(self._hashes), self.resource_version)

    def restore(self, snap: tuple) -> None:
        by_kind, hashes, rv = snap
        self._by_kind = {k: dict(b) for k, b in by_kind.items()}
        self._hashes = dict(hashes)
        self.resource_version = rv

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
