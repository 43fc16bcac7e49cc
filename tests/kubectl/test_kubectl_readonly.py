"""kubectl's read-only verbs read the simulated cluster's stored objects without copies
(``Cluster.get/list(readonly=True)``); these tests check that nothing they run modifies a shared object."""

from __future__ import annotations

import json
import pathlib
import shlex

import pytest

from aoi_gym.apps import install_app
from aoi_gym.cluster.sim.cluster import SimCluster
from aoi_gym.cluster.sim.controllers import create_kind_nodes
from aoi_gym.cluster.sim.store import object_hash
from aoi_gym.shell.context import ShellContext
from aoi_gym.shell.kubectl import READ_VERBS, run_kubectl
from aoi_gym.cluster.readview import SharedReadView, read_view
from kubectl_helpers import build_cluster

_READ_LINES = [
    line.split("|", 1)[1].strip()
    for line in (pathlib.Path(__file__).parent / "corpus.txt").read_text().splitlines()
    if line.startswith(("R |", "E |"))
]


def _hotel() -> SimCluster:
    c = SimCluster(seed=4)
    create_kind_nodes(c)
    install_app(c, "hotel_reservation")
    c.advance(60)
    return c


def _stored(c: SimCluster) -> list[dict]:
    return [o for k in c.store.kinds() for o in c.store.iter(k)]


def _full_dump(c: SimCluster) -> str:
    objs = sorted(_stored(c), key=lambda o: (o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"]))
    return json.dumps(objs, sort_keys=True, default=str)


@pytest.mark.parametrize("make", [build_cluster, _hotel], ids=["fixture", "hotel"])
def test_read_corpus_leaves_every_shared_object_intact(make):
    c = make()
    c.store.digest_parts()  # caches object_hash for every stored object
    cached = dict(c.store._hashes)
    before = _full_dump(c)
    ran = 0
    for line in _READ_LINES:
        argv = shlex.split(line)
        if len(argv) > 1 and argv[1] in READ_VERBS or any(w in READ_VERBS for w in argv[1:3]):
            ran += 1
        for ns in ("default", "test-hotel-reservation"):
            res = run_kubectl(argv, "", ShellContext(cluster=c, namespace=ns))
            assert "Traceback" not in res.stderr
    assert ran >= 100
    for o in _stored(c):
        m = o["metadata"]
        key = (o["kind"], m.get("namespace") or "", m["name"])
        assert object_hash(o) == cached[key], f"{key} was modified by a read command"
    assert _full_dump(c) == before, "a read command modified an object's status or bookkeeping"


def test_readonly_list_and_get_share_stored_objects():
    c = build_cluster()
    shared = c.list("Pod", "test-hotel-reservation", readonly=True)
    copies = c.list("Pod", "test-hotel-reservation")
    assert shared == copies and len(shared) > 3
    assert all(s is c.store.peek("Pod", s["metadata"]["name"], "test-hotel-reservation") for s in shared)
    assert all(a is not b for a, b in zip(shared, copies))
    sel = c.list("Pod", "test-hotel-reservation", label_selector="io.kompose.service=geo", readonly=True)
    assert sel == c.list("Pod", "test-hotel-reservation", label_selector="io.kompose.service=geo") and sel
    name = shared[0]["metadata"]["name"]
    assert c.get("Pod", name, "test-hotel-reservation", readonly=True) is shared[0]
    assert c.get("Pod", name, "test-hotel-reservation") is not shared[0]


def test_read_view_falls_back_for_backends_without_readonly():
    class Legacy:
        def get(self, kind, name, namespace=None):
            return {"kind": kind}

        def list(self, kind, namespace=None, label_selector=None, field_selector=None):
            return []

    legacy = Legacy()
    assert read_view(legacy) is legacy
    assert isinstance(read_view(build_cluster()), SharedReadView)


def test_mutating_verbs_get_copies():
    c = build_cluster()
    ctx = ShellContext(cluster=c, namespace="test-hotel-reservation")
    pod = c.list("Pod", "test-hotel-reservation")[0]["metadata"]["name"]
    before = c.digest()
    res = run_kubectl(["kubectl", "label", "pod", pod, "extra=yes"], "", ctx)
    assert res.code == 0, res.stderr
    assert c.digest() != before
    assert c.get("Pod", pod, "test-hotel-reservation")["metadata"]["labels"]["extra"] == "yes"
