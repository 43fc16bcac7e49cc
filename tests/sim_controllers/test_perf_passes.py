"""The pass helpers of the fourth performance round: the owner-index update and changed_owners in
pass_index, the memo machinery split into pass_memo (still importable from common), the GC's memo of
ownerReferences already found live, and the endpoints controller's per-labels memo."""

from __future__ import annotations

from aoi_gym.apps import install_app
from aoi_gym.cluster.sim.cluster import SimCluster
from aoi_gym.cluster.sim.controllers import common, create_kind_nodes, pass_index, pass_memo
from aoi_gym.cluster.sim.controllers.common import index_by_owner, owner_index


def _cluster(seed: int = 0) -> SimCluster:
    c = SimCluster(seed=seed)
    create_kind_nodes(c)
    install_app(c, "synthetic", n_services=12)
    return c


def test_common_reexports_the_moved_helpers() -> None:
    assert common.changed_owners is pass_index.changed_owners
    assert common._update_owner_index is pass_index.update_owner_index
    for name in pass_memo.__all__:
        assert getattr(common, name) is getattr(pass_memo, name)


def test_owner_index_kept_up_to_date_equals_a_rebuild() -> None:
    c = _cluster()
    for _ in range(6):
        c.advance(7)
        for kind in ("Pod", "ReplicaSet"):
            assert owner_index(c, kind) == index_by_owner(c.iter_objects(kind))


def test_gc_collects_pods_of_a_removed_replicaset_after_its_memo_filled() -> None:
    c = _cluster()
    c.advance(30)  # the GC has checked (and memoized) every pod's ownerReferences by now
    rs = next(iter(c.iter_objects("ReplicaSet")))
    uid = rs["metadata"]["uid"]
    pods = [p["metadata"]["name"] for p in c.iter_objects("Pod") if common.controller_uid(p) == uid]
    assert pods
    snap = c.snapshot()
    for _ in range(2):  # the second time after a restore, which empties cluster.caches
        c.store.remove("ReplicaSet", rs["metadata"]["name"], rs["metadata"]["namespace"])
        c.reconcile()
        for name in pods:
            p = c.peek("Pod", name, rs["metadata"]["namespace"])
            assert p is None or "deletionTimestamp" in p["metadata"]
        c.restore(snap)


def test_endpoints_follow_pod_readiness_with_the_labels_memo() -> None:
    c = _cluster()
    c.advance(60)
    for svc in c.iter_objects("Service"):
        sel = (svc.get("spec") or {}).get("selector")
        if not sel:
            continue
        ns, name = svc["metadata"]["namespace"], svc["metadata"]["name"]
        pods = [p for p in c.iter_objects("Pod") if p["metadata"]["namespace"] == ns
                and all((p["metadata"].get("labels") or {}).get(k) == v for k, v in sel.items())
                and "deletionTimestamp" not in p["metadata"]]
        ep = c.peek("Endpoints", name, ns)
        assert ep is not None
        listed = {a["targetRef"]["name"] for s in ep.get("subsets", []) for a in s.get("addresses", [])}
        assert listed == {p["metadata"]["name"] for p in pods if common.pod_is_ready(p)}
