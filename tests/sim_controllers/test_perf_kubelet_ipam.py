"""The kubelet's pod IP allocation: its fast path (the next address is free) and the wrap-around scan
give the addresses the one loop gave: in order from .2; past .254 back to .2, skipping the addresses in use then."""

from __future__ import annotations

from typing import Any

from aoi_gym.cluster.sim.controllers.kubelet import _alloc_ip, _cidr_prefix


class _Cluster:
    def __init__(self, pods: list[dict[str, Any]]) -> None:
        self.private: dict[str, Any] = {}
        self.pods = pods

    def iter_objects(self, kind: str):
        return iter(self.pods if kind == "Pod" else [])


def _node(name: str, cidr: str) -> dict[str, Any]:
    return {"metadata": {"name": name}, "spec": {"podCIDR": cidr}}


def test_cidr_prefix():
    assert _cidr_prefix("10.244.3.0/24") == "10.244.3."
    assert _cidr_prefix("10.244.12.0") == "10.244.12."


def test_addresses_in_order_then_wrap_around_skipping_used():
    node = _node("w1", "10.244.1.0/24")
    in_use = [{"spec": {"nodeName": "w1"}, "status": {"podIP": f"10.244.1.{n}"}} for n in (2, 3, 5)]
    in_use.append({"spec": {"nodeName": "w2"}, "status": {"podIP": "10.244.1.4"}})  # another node's: not in the way
    cluster = _Cluster(in_use)
    pod = {"spec": {}}
    got = [_alloc_ip(cluster, pod, node) for _ in range(256)]
    assert got[:253] == [f"10.244.1.{n}" for n in range(2, 255)]
    # the scan runs when the counter wraps; after it the counter goes on from there as before
    assert got[253:] == ["10.244.1.4", "10.244.1.5", "10.244.1.6"]
    assert cluster.private["ipam"]["w1"] == 7


def test_host_network_pod_takes_the_node_ip():
    node = {"metadata": {"name": "w1"}, "spec": {"podCIDR": "10.244.1.0/24"},
            "status": {"addresses": [{"type": "InternalIP", "address": "172.18.0.3"}]}}
    cluster = _Cluster([])
    assert _alloc_ip(cluster, {"spec": {"hostNetwork": True}}, node) == "172.18.0.3"
    assert "ipam" not in cluster.private
