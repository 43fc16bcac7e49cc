"""The scheduler's node groups (sched_pass.Fleet) pick exactly the node the per-node loop picks."""

import random

from aoi_gym.cluster.sim.controllers.sched_pass import NOTHING_USED, Fleet, fits, score


def _node(name, cpu, mem, pods=110, taint=False):
    node = {"metadata": {"name": name}, "spec": {},
            "status": {"allocatable": {"cpu": cpu, "memory": mem, "pods": str(pods)}}}
    if taint:
        node["spec"]["taints"] = [{"key": "x", "effect": "NoSchedule"}]
    return node


def _per_node_best(fleet, r0, r1, spread):
    best = None
    for f in fleet.facts:
        if f.unschedulable or f.taints:
            continue
        u = fleet.used.get(f.name, NOTHING_USED)
        if fits(f, u, r0, r1):
            s = score(f, u, r0, r1, spread.get(f.name, 0))
            best = s if best is None or s < best else best
    return best


def test_groups_pick_the_per_node_best_through_a_pass():
    rng = random.Random(7)
    for trial in range(40):
        shapes = [("8", "16Gi"), ("4", "8Gi"), ("8", "16Gi", 3)]
        nodes = []
        for i in range(rng.randint(1, 12)):
            shape = rng.choice(shapes)
            nodes.append(_node(f"n{rng.randint(0, 99):02d}-{i}", shape[0], shape[1],
                               shape[2] if len(shape) > 2 else 110, taint=rng.random() < 0.1))
        nodes.sort(key=lambda n: n["metadata"]["name"])
        names = [n["metadata"]["name"] for n in nodes]
        reqs = [(0.05, 33554432.0), (0.0, 0.0), (0.1, 52428800.0), (3.0, 0.0)]
        placed = [(rng.choice(names), *rng.choice(reqs)) for _ in range(rng.randint(0, 20))]
        fleet = Fleet(nodes, placed)
        for _ in range(60):
            r0, r1 = rng.choice(reqs)
            spread = {rng.choice(names): rng.randint(0, 2) for _ in range(rng.randint(0, 3))}
            want = _per_node_best(fleet, r0, r1, spread)
            assert fleet.best_plain(r0, r1, spread, None) == want
            if want is not None:
                fleet.add_pod(want[3], r0, r1)


def test_used_sums_in_store_order_and_follows_binds():
    fleet = Fleet([_node("a", "1", "1Gi"), _node("b", "1", "1Gi")], [("a", 0.5, 10.0), ("c", 0.1, 1.0)])
    assert fleet.used == {"a": [0.5, 10.0, 1], "c": [0.1, 1.0, 1]}
    # b is empty: it wins on load; a full node is left out
    assert fleet.best_plain(0.5, 0.0, {}, None)[3] == "b"
    fleet.add_pod("b", 0.5, 0.0)
    assert fleet.best_plain(0.6, 0.0, {}, None) is None
    assert fleet.used["b"] == [0.5, 0.0, 1]
