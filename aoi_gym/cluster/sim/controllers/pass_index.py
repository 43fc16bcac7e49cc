"""The hot loops of the incremental pass helpers in ``common`` (which re-exports them under their old
names): they run over every change of a kind on every pass of the controllers that keep an owner
index (ReplicaSets over pods, Deployments over ReplicaSets, DaemonSets over pods), so
:func:`common.controller_uid` is inlined and the common one-object owner takes no scan.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aoi_gym.cluster.sim.cluster import SimCluster

__all__ = ["update_owner_index", "changed_owners"]


def update_owner_index(value: tuple[dict, dict], changes: list) -> tuple[dict, dict] | None:
    """Apply puts (oldest first) to an owner index without copying what did not change; None when an
    object changed owner or uid (its place in store order is not known here: rebuild)."""
    index, owners = value
    index, owners = dict(index), dict(owners)
    grown: set[str] = set()
    for key, obj in changes:
        if obj is None:
            return None
        m = obj["metadata"]
        owner = None
        for ref in m.get("ownerReferences") or ():  # controller_uid, inlined
            if ref.get("controller"):
                owner = ref.get("uid")
                break
        uid = m.get("uid")
        known = owners.get(key)
        if known is None:  # a new object: after every older one in store order
            if owner in grown:
                return None  # two new objects of one owner: the change log's order is not their store order
            owners[key] = (owner, uid)
            if owner is not None:
                grown.add(owner)
                objs = index.get(owner)
                index[owner] = [obj] if objs is None else [*objs, obj]
        elif known[0] != owner or known[1] != uid:
            return None
        elif owner is not None:  # same place, new version
            objs = index[owner]
            if len(objs) == 1:  # (the object itself: the index and the owner record agree)
                index[owner] = [obj]
            else:
                ns, name = key
                index[owner] = [obj if o["metadata"]["name"] == name and (o["metadata"].get("namespace") or "") == ns
                                else o for o in objs]
    return index, owners


def changed_owners(cluster: "SimCluster", name: str, kind: str, since: int | None) -> set[str] | None:
    """uids of the controlling owners of objects of ``kind`` changed, added or removed since ``since``,
    including the owner an object had before its change (kept in ``cluster.private``). None when
    ``since`` is None; then the owner record is rebuilt from the whole store."""
    key = f"memo:owners:{name}:{kind}"
    owners = cluster.private.get(key)
    if since is None or owners is None:
        record = {}
        for o in cluster.iter_objects(kind):
            m = o["metadata"]
            record[f"{m.get('namespace') or ''}/{m['name']}"] = _controller(m)
        cluster.private[key] = record
        return None
    dirty: set[str] = set()
    for (ns, obj_name), obj in cluster.store.changed_since(kind, since):
        k = f"{ns}/{obj_name}"
        old = owners.pop(k, None)
        if old is not None:
            dirty.add(old)
        if obj is not None:
            uid = None
            for ref in obj["metadata"].get("ownerReferences") or ():  # controller_uid, inlined
                if ref.get("controller"):
                    uid = ref.get("uid")
                    break
            owners[k] = uid
            if uid is not None:
                dirty.add(uid)
    return dirty


def _controller(meta: dict[str, Any]) -> str | None:
    for ref in meta.get("ownerReferences") or ():
        if ref.get("controller"):
            return ref.get("uid")
    return None
