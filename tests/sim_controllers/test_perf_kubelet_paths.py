"""The kubelet's shortcuts must change nothing: the start-slot deadline index, the status write that
shares the unchanged parts of the kubelet's own last status, the container id hash and the
ContainerPlan constructor give exactly what the plain computations give."""

from __future__ import annotations

import dataclasses
import json
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_simctl_determinism import _fresh, apply, op

from aoi_gym.apps import install_app
from aoi_gym.cluster.sim.cluster import SimCluster
from aoi_gym.cluster.sim.controllers import create_kind_nodes
from aoi_gym.cluster.sim.controllers import kubelet as kubelet_mod
from aoi_gym.cluster.sim.controllers.common import stable_hash
from aoi_gym.cluster.sim.controllers.containers import _container_id
from aoi_gym.cluster.sim.runtime import ContainerPlan


def _dump(c: SimCluster) -> str:
    objs = [[k, list(c.store.bucket(k).items())] for k in c.store.kinds()]
    return json.dumps([objs, c.t, str(c.rng.bit_generator.state), c.store.resource_version], default=str)


def _plain_kubelet():
    """Every kubelet pass a full one and every status built afresh: the pass index and the record of
    the kubelet's own statuses are dropped before each pass."""
    sync = kubelet_mod.Kubelet.sync

    def plain(self, cluster):
        cluster.caches.pop(kubelet_mod._INDEX, None)
        cluster.caches.pop(kubelet_mod._OWN, None)
        return sync(self, cluster)

    return mock.patch.object(kubelet_mod.Kubelet, "sync", plain)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**16), ops=st.lists(op, max_size=12))
def test_index_and_shared_statuses_change_nothing(seed, ops):
    a = _fresh(seed)
    apply(a, ops)
    a.advance(60)
    with _plain_kubelet():
        b = _fresh(seed)
        apply(b, ops)
        b.advance(60)
    assert _dump(a) == _dump(b)


def test_index_and_shared_statuses_change_nothing_on_an_application():
    def run(plain: bool) -> list[str]:
        with _plain_kubelet() if plain else mock.patch.object(kubelet_mod, "_OWN", kubelet_mod._OWN):
            c = SimCluster(seed=3)
            create_kind_nodes(c)
            install_app(c, "hotel_reservation")
            c.advance(60)
            out = [_dump(c)]
            ns = "test-hotel-reservation"
            c.patch("Deployment", "geo", ns, {"spec": {"template": {"spec": {"containers": [
                {"name": "hotel-reserv-geo", "image": "nope/nope:0"}]}}}})
            c.delete("Pod", c.list("Pod", ns)[0]["metadata"]["name"], ns)
            c.advance(400)
            return out + [_dump(c)]

    assert run(False) == run(True)


@pytest.mark.parametrize("parts", [
    ("0b6c6b4e-1b1b-4c3b-a0b0-3f3b3b3b3b3b", "svc", 0, 1.3000000000000003),
    ("u", "c", 3, 2), (None, "c", 1, 0.0), ("u", "c", 1, -0.0), ("u", "c", 2, 1e-7), ("u", "c", 2, 12345.6789),
])
def test_container_id_is_the_stable_hash_of_its_parts(parts):
    assert _container_id(*parts) == "containerd://" + stable_hash(*parts)
    assert _container_id(*parts) == "containerd://" + stable_hash(*parts)  # memoized time text


def test_container_plan_keeps_the_frozen_dataclass_api():
    p = ContainerPlan(False, "x", 2.0)
    assert p == ContainerPlan(image_ok=False, image_error="x", start_delay_s=2.0)
    assert hash(p) == hash(ContainerPlan(image_ok=False, image_error="x", start_delay_s=2.0))
    assert dataclasses.asdict(ContainerPlan()) == {
        "image_ok": True, "image_error": "", "start_delay_s": 1.0, "exit_after_s": None, "exit_code": 1,
        "exit_reason": "Error", "ready": True, "ready_delay_s": 0.0, "live": True, "probe_message": ""}
    assert dataclasses.replace(p, ready=False).ready is False
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.ready = False  # type: ignore[misc]
