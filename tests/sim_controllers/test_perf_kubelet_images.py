"""image_present with the node's preloaded names memoized per stored node answers as the scan of
``status.images`` it replaced: pulled before, preloaded under any of an entry's names, malformed lists."""

from __future__ import annotations

from typing import Any

import pytest

from aoi_gym.cluster.sim.controllers.containers import image_present, normalize_image


class _Cluster:
    def __init__(self, nodes: dict[str, dict[str, Any]], pulled: dict[str, list[str]] | None = None) -> None:
        self.nodes = nodes
        self.private: dict[str, Any] = {"images": pulled or {}}

    def peek(self, kind: str, name: str, namespace: str | None = None):
        assert kind == "Node"
        return self.nodes.get(name)


def _scan(cluster: _Cluster, node: str, image: str) -> bool:
    if image in cluster.private.get("images", {}).get(node, ()):
        return True
    full = normalize_image(image)
    for entry in (((cluster.nodes.get(node) or {}).get("status") or {}).get("images") or ()):
        if full in (entry.get("names") or ()):
            return True
    return False


_NODE = {"metadata": {"name": "w1"}, "status": {"images": [
    {"names": ["docker.io/kindest/kindnetd:v20240202-8f1494ea", "docker.io/kindest/kindnetd@sha256:abc"]},
    {"names": ["registry.k8s.io/pause:3.9"]},
    {"sizeBytes": 5},
    {"names": None},
]}}


@pytest.mark.parametrize("image", ["kindest/kindnetd:v20240202-8f1494ea", "registry.k8s.io/pause:3.9", "nginx:1.25",
                                   "registry.k8s.io/pause:3.8", "mongo:4.4.6"])
@pytest.mark.parametrize("node", ["w1", "w2", "gone"])
def test_image_present_equals_the_scan(image, node):
    nodes = {"w1": _NODE, "w2": {"metadata": {"name": "w2"}}}
    cluster = _Cluster(nodes, {"w2": ["nginx:1.25"]})
    pod = {"spec": {"nodeName": node}}
    for _ in range(2):  # the second answer comes from the memo
        assert image_present(cluster, pod, image) == _scan(cluster, node, image)


def test_a_new_node_version_is_read_again():
    cluster = _Cluster({"w1": _NODE})
    pod = {"spec": {"nodeName": "w1"}}
    assert not image_present(cluster, pod, "nginx:1.25")
    cluster.nodes["w1"] = {**_NODE, "status": {"images": [{"names": ["docker.io/library/nginx:1.25"]}]}}
    assert image_present(cluster, pod, "nginx:1.25")


def test_malformed_entries_behave_as_the_scan():
    node = {"metadata": {"name": "w1"}, "status": {"images": [{"names": ["docker.io/library/nginx:1.25"]}, "junk"]}}
    cluster = _Cluster({"w1": node})
    pod = {"spec": {"nodeName": "w1"}}
    assert image_present(cluster, pod, "nginx:1.25")  # found before the bad entry, as the scan would
    with pytest.raises(AttributeError):
        image_present(cluster, pod, "redis:7")
    unhashable = {"metadata": {"name": "w1"}, "status": {"images": [{"names": [["x"], "docker.io/library/redis:7"]}]}}
    cluster = _Cluster({"w1": unhashable})
    assert image_present(cluster, pod, "redis:7")
    assert not image_present(cluster, pod, "nginx:1.25")
