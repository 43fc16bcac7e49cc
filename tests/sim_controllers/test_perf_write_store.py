"""The write path's fast forms against the plain ones they replace (same answers)."""

from __future__ import annotations

import random

import pytest

from aoi_gym.cluster.sim.controllers.common import SUFFIX_ALPHABET, stable_hash, template_hash
from aoi_gym.cluster.sim.store import ObjectStore


def _changed_since_walk(store: ObjectStore, kind: str, since: int) -> list:
    """The former walk: newest first, one entry at a time until an older one."""
    out = []
    bucket = store.bucket(kind)
    for key, rv in reversed(store._changes.get(kind, {}).items()):
        if rv <= since:
            break
        out.append((key, bucket.get(key)))
    return out


@pytest.mark.parametrize("seed", range(4))
def test_changed_since_matches_the_walk(seed):
    rng = random.Random(seed)
    store = ObjectStore()
    marks = [0]
    for _ in range(600):
        name = f"p{rng.randrange(120)}"
        if rng.random() < 0.15:
            store.remove("Pod", name, "ns")
        else:
            store.put({"kind": "Pod", "metadata": {"name": name, "namespace": "ns", "uid": str(rng.random())}})
        marks.append(store.resource_version)
    for since in sorted(set(marks)) + [-1, store.resource_version + 5]:
        want = _changed_since_walk(store, "Pod", since)
        assert store.changed_since("Pod", since) == want
        assert store._changed_oldest_first("Pod", since) == want[::-1]
    assert store.changed_since("Node", 0) == [] and store._changed_oldest_first("Node", 0) == []


def test_incremental_sees_every_put_oldest_first():
    store = ObjectStore()
    seen: list = []

    def update(value, changes):
        seen.append([k for k, _ in changes])
        return value + len(changes)

    assert store.incremental("n", "Pod", lambda: 0, update) == 0
    for batch in (1, 3, 40, 2):
        names = [f"p{len(seen)}-{i}" for i in range(batch)]
        for name in names:
            store.put({"kind": "Pod", "metadata": {"name": name, "namespace": "ns"}})
        store.incremental("n", "Pod", lambda: 0, update)
        assert seen[-1] == [("ns", n) for n in names]


def _template_hash_join(template: dict, collision_count: int = 0) -> str:
    """The former digit mapping: a generator over the decimal digits."""
    import hashlib
    from aoi_gym.cluster.sim.controllers.common import _sorted_compact_json

    data = _sorted_compact_json(template) + (str(collision_count) if collision_count else "")
    n = int.from_bytes(hashlib.blake2b(data.encode(), digest_size=4).digest(), "big")
    return "".join(SUFFIX_ALPHABET[ord(c) % len(SUFFIX_ALPHABET)] for c in str(n))


@pytest.mark.parametrize("i", range(50))
def test_template_hash_digit_mapping(i):
    t = {"metadata": {"labels": {"app": f"svc-{i}"}}, "spec": {"containers": [{"name": "c", "image": f"img:{i}"}]}}
    assert template_hash(t) == _template_hash_join(t)
    assert template_hash(t, 3) == _template_hash_join(t, 3)


def test_cluster_ip_hash_is_stable_hash():
    from hashlib import blake2b

    for ns, name in [("default", "a"), ("ns-1", "svc-99"), ("x" * 60, "y-z")]:
        fast = int.from_bytes(blake2b(f"clusterip|{ns}|{name}".encode(), digest_size=32).digest()[:4], "big")
        assert fast == int(stable_hash("clusterip", ns, name, n=8), 16)
