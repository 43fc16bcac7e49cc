"""What one pass of the default-scheduler knows of the nodes: their facts, what the bound pods use on
them, and each owner's pods per node (the spread score). Lives only for one pass: nothing here is
simulation state.

A pass binds pods one after another and every pod looks at every node, so on a large cluster the
filter-and-score loop is O(pods x nodes). :class:`Fleet` makes the common case cheaper: nodes with no
taint that are schedulable are grouped by (allocatable, what their pods use). Nodes of one group give
the same answer to every filter and the same score but for the spread count and the name, so a pod
without a nodeSelector, an affinity or bound volumes is scored once per group, not once per node. On a
cluster of identical workers filled evenly (kind's) that is two or three groups whatever the number
of workers. The result is the node the per-node loop picks, exactly (see :meth:`Fleet.best_plain`).
"""

from __future__ import annotations

from bisect import insort
from typing import TYPE_CHECKING, Any

from aoi_gym.cluster.sim.controllers.common import parse_quantity, pod_multi_index

if TYPE_CHECKING:
    from aoi_gym.cluster.sim.cluster import SimCluster

__all__ = ["NodeFacts", "Fleet", "OwnerCounts", "NOTHING_USED"]

NOTHING_USED = (0.0, 0.0, 0)  # cpu, memory, pods of a node no pod holds resources on (read only)


class NodeFacts:
    """What the filters and the score read of one node, worked out once per pass (not per pod)."""

    __slots__ = ("node", "name", "unschedulable", "taints", "max_pods", "cpu", "memory",
                 "cpu_fit", "memory_fit", "cpu_div", "memory_div")

    def __init__(self, node: dict[str, Any]) -> None:
        nspec = node.get("spec") or {}
        alloc = (node.get("status") or {}).get("allocatable") or {}
        self.node = node
        self.name = node["metadata"]["name"]
        self.unschedulable = bool(nspec.get("unschedulable"))
        # only these effects keep a pod off a node
        self.taints = [t for t in nspec.get("taints") or () if t.get("effect") in ("NoSchedule", "NoExecute")]
        self.max_pods = int(parse_quantity(alloc.get("pods", 110)))
        self.cpu = parse_quantity(alloc.get("cpu"))
        self.memory = parse_quantity(alloc.get("memory"))
        # the float expressions the resource filter and the score evaluate, worked out once (a node's
        # are a function of cpu and memory alone: nodes with equal allocatable share them)
        self.cpu_fit = self.cpu + 1e-9
        self.memory_fit = self.memory + 1e-3
        self.cpu_div = max(self.cpu, 1e-9)
        self.memory_div = max(self.memory, 1e-9)


def fits(f: NodeFacts, u: tuple | list, r0: float, r1: float) -> bool:
    """NodeResourcesFit: whether a pod requesting (``r0`` cpu, ``r1`` memory) fits on ``f`` using ``u``."""
    return not (u[2] + 1 > f.max_pods or (r0 > 0 and u[0] + r0 > f.cpu_fit) or (r1 > 0 and u[1] + r1 > f.memory_fit))


def score(f: NodeFacts, u: tuple | list, r0: float, r1: float, spread: int) -> tuple:
    """The node score (least wins): fewest pods of the same owner, then least loaded, fewest pods, name."""
    return (spread, round((u[0] + r0) / f.cpu_div + (u[1] + r1) / f.memory_div, 6), u[2], f.name)


class Fleet:
    """The nodes of a pass (``facts``, sorted by name), what the bound pods use on each (``used``: node
    name -> [cpu, memory, pods], kept up to date through :meth:`add_pod`), the tainted or unschedulable
    nodes (``marked``) and the groups of the others."""

    __slots__ = ("facts", "used", "marked", "_groups", "_key_of", "_by_name")

    def __init__(self, nodes: list[dict[str, Any]], placed: list[tuple[str, float, float]]) -> None:
        self.facts = [NodeFacts(n) for n in nodes]
        used: dict[str, list] = {}
        for node_name, cpu, mem in placed:  # summed in store order, as the per-node loop always did
            u = used.get(node_name)
            if u is None:
                u = used[node_name] = [0.0, 0.0, 0]
            u[0] += cpu
            u[1] += mem
            u[2] += 1
        self.used = used
        self.marked = [f for f in self.facts if f.unschedulable or f.taints]
        # (cpu, memory, max pods, used cpu, used memory, used pods) -> [facts of one of them, (the used
        # three), names sorted, (cpu request, memory request, load score) of the last pod scored there or
        # None]; floats are grouped only when equal, so a group's nodes compute the same
        self._groups: dict[tuple, list] = {}
        self._key_of: dict[str, tuple] = {}
        self._by_name: dict[str, NodeFacts] = {}
        for f in self.facts:
            if not (f.unschedulable or f.taints):
                self._by_name[f.name] = f
                self._group(f)

    def _group(self, f: NodeFacts) -> None:
        u = self.used.get(f.name, NOTHING_USED)
        key = (f.cpu, f.memory, f.max_pods, u[0], u[1], u[2])
        g = self._groups.get(key)
        if g is None:
            self._groups[key] = [f, (u[0], u[1], u[2]), [f.name], None]
        else:
            insort(g[2], f.name)
        self._key_of[f.name] = key

    def add_pod(self, node: str, cpu: float, mem: float) -> None:
        """Account a pod this pass bound to ``node``."""
        u = self.used.get(node)
        if u is None:
            u = self.used[node] = [0.0, 0.0, 0]
        u[0] += cpu
        u[1] += mem
        u[2] += 1
        key = self._key_of.pop(node, None)
        if key is not None:  # a grouped node moves to the group of its new use
            names = self._groups[key][2]
            names.remove(node)
            if not names:
                del self._groups[key]
            self._group(self._by_name[node])

    def best_plain(self, r0: float, r1: float, spread: dict[str, int], best: tuple | None) -> tuple | None:
        """The least of ``best`` and the scores of the grouped nodes a pod requesting (``r0``, ``r1``)
        fits on (``spread``: node -> pods of the pod's owner there).

        Within a group only the spread count and the name differ, and they come first and last in the
        score: the group's least is its node with the least count, the first by name among those.
        Names are unique, so the least score over the groups is the per-node loop's least."""
        for g in self._groups.values():
            f, u, names, last = g
            if u[2] + 1 > f.max_pods or (r0 > 0 and u[0] + r0 > f.cpu_fit) or (r1 > 0 and u[1] + r1 > f.memory_fit):
                continue
            if spread:
                least, name = None, ""
                get = spread.get
                for nm in names:
                    c = get(nm, 0)
                    if least is None or c < least:
                        least, name = c, nm
                        if not c:
                            break  # no count is lower, and later names are greater
            else:
                least, name = 0, names[0]
            # a bind changes one group: the others keep their load score for pods requesting the same
            if last is not None and last[0] == r0 and last[1] == r1:
                load = last[2]
            else:
                load = round((u[0] + r0) / f.cpu_div + (u[1] + r1) / f.memory_div, 6)
                g[3] = (r0, r1, load)
            s = (least, load, u[2], name)
            if best is None or s < best:
                best = s
        return best


def nodes_by_owner(cluster: "SimCluster") -> dict[str, dict[tuple[str, str], str]]:
    """owner uid (any ownerReference) -> {(namespace, name): node} of its bound pods, kept by the store."""
    def entries(p: dict[str, Any]) -> list[tuple[str, str]]:
        node = p["spec"].get("nodeName")
        return [(r.get("uid"), node) for r in p["metadata"].get("ownerReferences") or ()] if node else []

    return pod_multi_index(cluster, "scheduler:nodes-by-owner", entries)


class OwnerCounts:
    """owner uid -> {node: its bound pods there} for the spread score, counted at an owner's first need
    in a pass and kept up to date with the pass's own binds (nothing else in a pass binds a pod).

    With a store that keeps indexes, the store's owner index is fetched once per pass, not once per
    owner (every bind changes the pods, so each fetch would bring the index up to date again); binds
    after the fetch are added from ``late``."""

    __slots__ = ("cluster", "counts", "index", "late")

    def __init__(self, cluster: "SimCluster") -> None:
        self.cluster = cluster
        self.counts: dict[str, dict[str, int]] = {}
        self.index: dict | None = None
        self.late: dict[str, dict[str, int]] = {}

    def get(self, owner: str) -> dict[str, int]:
        out = self.counts.get(owner)
        if out is not None:
            return out
        out = self.counts[owner] = {}
        cluster = self.cluster
        if getattr(cluster.store, "incremental", None) is None or getattr(cluster.store, "bucket", None) is None:
            for p in cluster.iter_objects("Pod"):
                node = p["spec"].get("nodeName")
                if node and any(r.get("uid") == owner for r in p["metadata"].get("ownerReferences") or ()):
                    out[node] = out.get(node, 0) + 1
            return out
        if self.index is None:
            # a fetch brings the index up to date in place; nothing else fetches it during the pass
            self.index = nodes_by_owner(cluster)
        for node in self.index.get(owner, {}).values():
            out[node] = out.get(node, 0) + 1
        for node, k in self.late.get(owner, {}).items():
            out[node] = out.get(node, 0) + k
        return out

    def bound(self, pod: dict[str, Any], node: str) -> None:
        """Count ``pod``, just bound to ``node``, for each of its owners."""
        for owner in {r.get("uid") for r in pod["metadata"].get("ownerReferences") or ()}:
            counted = self.counts.get(owner)
            if counted is not None:
                counted[node] = counted.get(node, 0) + 1
            elif self.index is not None:
                late = self.late.setdefault(owner, {})
                late[node] = late.get(node, 0) + 1
