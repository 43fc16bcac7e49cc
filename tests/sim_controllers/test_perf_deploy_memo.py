"""The Deployment and ReplicaSet passes keep an object's memo through its own status write
(``deploy_memo.run_keeping``) instead of syncing it again next round: the outcome must be exactly what
the re-syncs give (every stored object, resourceVersions, the rng), and the re-syncs must be gone."""

from __future__ import annotations

import json
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st
from simctl_helpers import deployment, service
from test_simctl_determinism import _fresh, apply, op

from aoi_gym.cluster.sim.cluster import SimCluster
from aoi_gym.cluster.sim.controllers import deployment as deployment_mod
from aoi_gym.cluster.sim.controllers import replicaset as replicaset_mod


def _dump(c: SimCluster) -> str:
    objs = [[k, list(c.store.bucket(k).items())] for k in c.store.kinds()]
    return json.dumps([objs, c.t, str(c.rng.bit_generator.state), c.store.resource_version], default=str)


def _no_keeping():
    """Both controllers as before: a sync that wrote anything is synced again."""
    never = lambda *a, **k: None  # noqa: E731
    return mock.patch.multiple(deployment_mod, single_own_write=never), \
        mock.patch.multiple(replicaset_mod, single_own_write=never)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**16), ops=st.lists(op, max_size=12))
def test_keeping_the_memo_through_own_writes_changes_nothing(seed, ops):
    a = _fresh(seed)
    apply(a, ops)
    a.advance(30)
    p1, p2 = _no_keeping()
    with p1, p2:
        b = _fresh(seed)
        apply(b, ops)
        b.advance(30)
    assert _dump(a) == _dump(b)


def test_a_status_write_is_not_followed_by_a_resync():
    c = _fresh(3)
    syncs: list[str] = []
    orig_d = deployment_mod.DeploymentController._sync_one
    orig_rs = replicaset_mod.ReplicaSetController._sync_one

    def d_sync(self, cluster, d, *a, **k):
        syncs.append("D")
        return orig_d(self, cluster, d, *a, **k)

    def rs_sync(self, cluster, rs, owned):
        syncs.append("RS")
        return orig_rs(self, cluster, rs, owned)

    with mock.patch.object(deployment_mod.DeploymentController, "_sync_one", d_sync), \
            mock.patch.object(replicaset_mod.ReplicaSetController, "_sync_one", rs_sync):
        c.create(deployment("web", replicas=2))
        c.create(service("web"))
        c.advance(30)
    d = c.peek("Deployment", "web", "default")
    assert d["status"].get("availableReplicas") == 2
    # Deployment: create the RS, status after the RS's status, status once pods are available (3 writes,
    # no re-sync after any of them); ReplicaSet: make pods, see them bound, status once ready
    assert syncs.count("D") == 3
    assert syncs.count("RS") == 3
