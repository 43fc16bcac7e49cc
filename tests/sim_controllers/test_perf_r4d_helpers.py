"""The round-4 Deployment/ReplicaSet/Endpoints shortcuts equal the code they stand for."""

from __future__ import annotations

from aoi_gym.cluster.sim.cluster import SimCluster
from aoi_gym.cluster.sim.controllers import endpoints as ep
from aoi_gym.cluster.sim.controllers.common import pod_is_ready, ts_to_t
from aoi_gym.cluster.sim.controllers.deploy_memo import memo_ts_to_t


def test_memo_ts_to_t_equals_ts_to_t() -> None:
    c = SimCluster(seed=0)
    for ts in ("2026-01-05T09:00:00Z", "2026-01-05T09:00:07Z", "2026-01-05T09:00:07Z", "", None):
        assert memo_ts_to_t(c, ts) == ts_to_t(c, ts)


def _pod(name: str, ip: str, ready: str | None, node: str = "n1", hostname: str | None = None) -> dict:
    conds = [{"type": "PodScheduled", "status": "True"}]
    if ready is not None:
        conds.append({"type": "Ready", "status": ready})
    spec: dict = {"nodeName": node}
    if hostname:
        spec.update(hostname=hostname, subdomain="svc")
    return {"metadata": {"name": name, "namespace": "ns", "uid": "u-" + name}, "spec": spec,
            "status": {"podIP": ip, "conditions": conds}}


def _general(spec: dict, name: str, pods: list[dict]) -> list[dict]:
    """``_subsets`` through its per-pod port groups (the path for named targetPorts)."""
    orig = ep._fixed_ports
    ep._fixed_ports = lambda ports: None
    try:
        return ep._subsets(spec, name, pods)
    finally:
        ep._fixed_ports = orig


def test_fixed_subsets_equal_grouped_subsets() -> None:
    pods = [_pod("b", "10.0.0.2", "True"), _pod("a", "10.0.0.1", "False"), _pod("c", "10.0.0.3", None),
            _pod("d", "10.0.0.0", "True", hostname="d")]
    port_sets = [[], [{"port": 80, "targetPort": 8080}],
                 [{"name": "web", "port": 80, "targetPort": 8080, "protocol": "TCP"}, {"name": "a", "port": 9, "targetPort": "9"}]]
    for ports in port_sets:
        for extra in ({}, {"publishNotReadyAddresses": True}, {"clusterIP": "None"}):
            spec = {"ports": ports, **extra}
            for group in (pods, pods[:1], pods[1:2], []):
                assert ep._subsets(spec, "svc", group) == _general(spec, "svc", group)
    assert pod_is_ready(pods[0]) and not pod_is_ready(pods[2])
