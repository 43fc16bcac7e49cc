"""Garbage collector and namespace controller.

* Objects whose every ownerReference points at an object that no longer exists are deleted
  (background propagation: pods terminate gracefully, other objects go at once).
* A Namespace gets ``status.phase: Active``, a ``default`` ServiceAccount and the
  ``kube-root-ca.crt`` ConfigMap (what the serviceaccount and root-ca-cert-publisher controllers
  create). A Namespace with ``deletionTimestamp`` turns ``Terminating``, everything in it is deleted
  (pods gracefully), and the namespace itself goes once it is empty.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aoi_gym.cluster.kinds import KINDS
from aoi_gym.cluster.patch import json_copy
from aoi_gym.cluster.sim.controllers.common import SimController, derived, pass_window, put_new, remove_object, stable_hash, uid_index

if TYPE_CHECKING:
    from aoi_gym.cluster.sim.cluster import SimCluster

__all__ = ["GarbageCollector", "NamespaceController"]

_EVENTS = ("Event",)
_NAMESPACE_READS = ("Namespace", "ServiceAccount", "ConfigMap")  # what a pass over live namespaces reads

_ROOT_CA = (
    "-----BEGIN CERTIFICATE-----\n"
    "MIIDBTCCAe2gAwIBAgIIQ2lN3KvFGEowDQYJKoZIhvcNAQELBQAwFTETMBEGA1UEAxMKa3ViZXJuZXRlczAeFw0yNjAx\n"
    "MDUwODUwMDBaFw0zNjAxMDMwODU1MDBaMBUxEzARBgNVBAMTCmt1YmVybmV0ZXMwggEiMA0GCSqGSIb3DQEBAQUAA4IB\n"
    "-----END CERTIFICATE-----\n"
)


def _delete(cluster: "SimCluster", obj: dict[str, Any]) -> None:
    m = obj["metadata"]
    if obj["kind"] == "Pod":
        if "deletionTimestamp" not in m:
            cluster.delete("Pod", m["name"], m.get("namespace"))
    else:
        remove_object(cluster, obj["kind"], m["name"], m.get("namespace"))


def _owners_and_dependents(cluster: "SimCluster", kind: str) -> tuple[set[str], list[dict[str, Any]]]:
    """The uids of the stored objects of ``kind`` and those of them that have ownerReferences."""
    uids: set[str] = set()
    dependents: list[dict[str, Any]] = []
    for o in cluster.iter_objects(kind):
        m = o["metadata"]
        uid = m.get("uid")
        if uid:
            uids.add(uid)
        if m.get("ownerReferences"):
            dependents.append(o)
    return uids, dependents


def _uids(cluster: "SimCluster", kind: str) -> set[str]:
    return {u for o in cluster.iter_objects(kind) if (u := o["metadata"].get("uid"))}


def _checked_refs(cluster: "SimCluster") -> tuple[dict[int, list], set[str]]:
    """(id -> ownerReferences list found to name a live owner, uids found live) since the last removal
    or uid change (every such event makes the caller run a full pass and empty both). Status writes
    share the list with the object's earlier versions, so most changed dependents need no new lookup,
    and the pods of one owner share its uid. A list is kept as the value so that its id cannot be
    reused while it is here. In ``cluster.caches``: a restore empties it."""
    caches = getattr(cluster, "caches", None)
    if caches is None:
        return {}, set()
    memo = caches.get("gc:checked-refs")
    if memo is None:
        memo = caches["gc:checked-refs"] = ({}, set())
    return memo


class GarbageCollector(SimController):
    """Deletes dependents whose owners are all gone."""

    name = "garbage-collector"

    def sync(self, cluster: "SimCluster") -> float | None:
        # Owners vanish and dangling dependents appear only when the number of objects changes (every
        # API call reconciles at once, so a removal is never hidden behind a creation).
        count = cluster.store.count()
        if cluster.private.get("gc:count") == count:
            return None
        cluster.private["gc:count"] = count
        version_excluding = getattr(cluster.store, "version_excluding", None)
        if version_excluding is not None:
            # the version before a pass: if the pass deletes something, what that leaves dangling is
            # found by the next pass; if it deletes nothing, the same objects give the same result
            version = version_excluding(_EVENTS)
            if cluster.private.get("memo:gc-version") == version:
                return None
            cluster.private["memo:gc-version"] = version
        since = pass_window(cluster, self.name)
        uid_changes = getattr(cluster.store, "uid_changes", None)
        uids_moved = cluster.private.get("memo:gc-uid-changes") != uid_changes
        cluster.private["memo:gc-uid-changes"] = uid_changes
        if since is None or uids_moved or not self._collect_changed(cluster, since):
            for memo in _checked_refs(cluster):
                memo.clear()  # an owner may have gone: every list and uid is checked afresh
            self._collect(cluster)
        return None

    def _collect_changed(self, cluster: "SimCluster", since: int) -> bool:
        """The incremental form of :meth:`_collect`: with no object removed (and no uid replaced) since
        the previous pass, only dependents added or changed since then can dangle. Returns False (the
        caller does the full pass) when something was removed, or when more than one dependent dangles
        (the full pass deletes them in its order)."""
        kinds = [k for k in cluster.store.kinds() if k != "Event"]
        checked, live = _checked_refs(cluster)
        if len(checked) > 65536:
            checked.clear()
        changed: list[dict[str, Any]] = []
        for k in kinds:
            for _key, o in cluster.store.changed_since(k, since):
                if o is None:
                    return False
                refs = o["metadata"].get("ownerReferences")
                # a list already checked had a live owner, and nothing was removed since
                if refs and checked.get(id(refs)) is not refs:
                    changed.append(o)
        if not changed:
            return True
        incremental = getattr(cluster.store, "incremental", None) is not None
        uid_sets: dict[str, Any] = {}  # kind -> its stored uids, fetched when first needed

        def uids_of(k: str) -> Any:
            u = uid_sets.get(k)
            if u is None:
                u = uid_sets[k] = uid_index(cluster, k) if incremental \
                    else derived(cluster, "gc-uids:" + k, (k,), lambda: _uids(cluster, k))
            return u

        kind_set = set(kinds)
        dangling = []
        for o in changed:
            refs = o["metadata"]["ownerReferences"]
            for r in refs:  # whether an object of any kind has one of the owners' uids
                uid = r.get("uid")
                if uid in live:
                    break
                # the reference's own kind first (where the owner nearly always is), so most checks need
                # one kind's uids, not every kind's
                kind = r.get("kind")
                if isinstance(kind, str) and kind in kind_set and uid in uids_of(kind) \
                        or any(uid in uids_of(k) for k in kinds if k != kind):
                    live.add(uid)
                    break
            else:
                dangling.append(o)
                continue
            checked[id(refs)] = refs
        if len(dangling) > 1:
            return False
        for o in dangling:
            _delete(cluster, o)
        return True

    def _collect(self, cluster: "SimCluster") -> None:
        kinds = [k for k in cluster.store.kinds() if k != "Event"]
        uids: set[str] = set()
        dependents: list[dict[str, Any]] = []
        for k in kinds:  # per kind, rebuilt only when that kind changed
            kind_uids, kind_dependents = derived(cluster, "gc:" + k, (k,), lambda k=k: _owners_and_dependents(cluster, k))
            uids |= kind_uids
            dependents += kind_dependents
        for o in dependents:
            refs = o["metadata"]["ownerReferences"]
            if all(r.get("uid") not in uids for r in refs):
                _delete(cluster, o)


class NamespaceController(SimController):
    """Namespace phase, per-namespace defaults, and namespace deletion."""

    name = "namespace-controller"

    def sync(self, cluster: "SimCluster") -> float | None:
        since = pass_window(cluster, self.name)
        if since is not None and not any(cluster.store.changed_since(k, since) for k in _NAMESPACE_READS) \
                and not any("deletionTimestamp" in ns["metadata"] for ns in cluster.store.bucket("Namespace").values()):
            # A pass over namespaces that are not being deleted reads only these kinds; none changed since
            # the previous pass began, and that pass left every namespace complete: nothing to do.
            return None
        for ns in cluster.iter_objects("Namespace"):
            name = ns["metadata"]["name"]
            if "deletionTimestamp" in ns["metadata"]:
                self._terminate(cluster, ns)
                continue
            if (ns.get("status") or {}).get("phase") != "Active":
                new = json_copy(ns)
                new["status"] = {"phase": "Active"}
                new.setdefault("spec", {"finalizers": ["kubernetes"]})
                new["metadata"].setdefault("labels", {})["kubernetes.io/metadata.name"] = name
                cluster.update_status(new)
            if cluster.peek("ServiceAccount", "default", name) is None:
                put_new(cluster, {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": name}})
            if cluster.peek("ConfigMap", "kube-root-ca.crt", name) is None:
                put_new(cluster, {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": "kube-root-ca.crt", "namespace": name,
                                 "annotations": {"kubernetes.io/description": "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters."}},
                    "data": {"ca.crt": _ROOT_CA + "# " + stable_hash("ca", n=16) + "\n"},
                })
        return None

    def _terminate(self, cluster: "SimCluster", ns: dict[str, Any]) -> None:
        name = ns["metadata"]["name"]
        remaining: dict[str, int] = {}
        for kind in list(cluster.store.kinds()):
            if kind not in KINDS or not KINDS[kind].namespaced:
                continue
            for o in list(cluster.store.iter(kind, name)):
                if kind == "Pod":
                    remaining["pods"] = remaining.get("pods", 0) + 1
                _delete(cluster, o)
        if not remaining:
            for kind in list(cluster.store.kinds()):
                if kind in KINDS and KINDS[kind].namespaced:
                    for o in list(cluster.store.iter(kind, name)):
                        remove_object(cluster, kind, o["metadata"]["name"], name)
            remove_object(cluster, "Namespace", name)
            return
        content = ", ".join(f"{k} has {n} resource instances" for k, n in sorted(remaining.items()))
        status = {
            "phase": "Terminating",
            "conditions": [
                {"type": "NamespaceDeletionDiscoveryFailure", "status": "False", "reason": "ResourcesDiscovered",
                 "message": "All resources successfully discovered", "lastTransitionTime": ns["metadata"]["deletionTimestamp"]},
                {"type": "NamespaceDeletionGroupVersionParsingFailure", "status": "False", "reason": "ParsedGroupVersions",
                 "message": "All legacy kube types successfully parsed", "lastTransitionTime": ns["metadata"]["deletionTimestamp"]},
                {"type": "NamespaceDeletionContentFailure", "status": "False", "reason": "ContentDeleted",
                 "message": "All content successfully deleted, may be waiting on finalization", "lastTransitionTime": ns["metadata"]["deletionTimestamp"]},
                {"type": "NamespaceContentRemaining", "status": "True", "reason": "SomeResourcesRemain",
                 "message": f"Some resources are remaining: {content}", "lastTransitionTime": ns["metadata"]["deletionTimestamp"]},
                {"type": "NamespaceFinalizersRemaining", "status": "False", "reason": "ContentHasNoFinalizers",
                 "message": "All content-preserving finalizers finished", "lastTransitionTime": ns["metadata"]["deletionTimestamp"]},
            ],
        }
        if ns.get("status") != status:
            new = json_copy(ns)
            new["status"] = status
            cluster.update_status(new)
