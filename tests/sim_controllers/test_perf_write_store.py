"""The write path's fast forms against the plain ones they replace (same answers)."""

from __future__ import annotations

import pytest

from aoi_gym.cluster.sim.controllers.common import SUFFIX_ALPHABET, stable_hash, template_hash
from aoi_gym.cluster.sim.store import ObjectStore


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
