"""Shared helpers of the simulated controllers: the change-skipping base class, object creation,
events, owner references, resource quantities, durations and the pod-template hash.

Every controller derives from :class:`SimController`. Its ``reconcile`` skips the whole pass when
nothing in the store changed since the controller's last pass and no deadline of its own is due;
the memo lives in ``cluster.private`` so that snapshot/restore keep it consistent with the store.
The per-object memos and incremental-pass helpers live in ``pass_memo`` and the owner-index update
in ``pass_index``; every name they had here is still importable from here.
"""

from __future__ import annotations

import calendar
import functools
import hashlib
import json
import math
import re
from typing import TYPE_CHECKING, Any, Callable, Iterable

from aoi_gym.cluster.patch import json_copy
from aoi_gym.cluster.sim.cluster import EPOCH, SUFFIX_ALPHABET
from aoi_gym.cluster.sim.store import ObjectStore
from aoi_gym.cluster.sim.controllers.pass_index import changed_owners, update_owner_index
# the pass memo machinery lives in pass_memo; these names stay importable from here
from aoi_gym.cluster.sim.controllers.pass_memo import (  # noqa: F401
    MemoPass,
    _deadline_heaps,
    changed_uids,
    memo_fresh,
    memo_holds,
    memo_prune,
    memo_store,
    memoized,
    pass_objects,
    pass_window,
    pod_multi_index,
    prune_memos,
    rv_signature,
    uid_index,
)

if TYPE_CHECKING:
    from aoi_gym.cluster.sim.cluster import SimCluster

__all__ = [
    "SimController",
    "MemoPass",
    "store_version",
    "ts_to_t",
    "memo_fresh",
    "memo_store",
    "memo_prune",
    "pass_objects",
    "uid_index",
    "prune_memos",
    "memoized",
    "rv_signature",
    "pass_window",
    "changed_owners",
    "changed_uids",
    "remove_object",
    "put_new",
    "emit",
    "owner_ref",
    "controller_uid",
    "index_by_owner",
    "owner_index",
    "derived",
    "template_hash",
    "stable_hash",
    "parse_quantity",
    "format_go_duration",
    "parse_duration",
    "pod_is_ready",
    "pod_ready_since",
    "pod_is_terminating",
    "pod_is_terminal",
    "namespace_terminating",
    "scaled_value",
    "set_condition",
]


class SimController:
    """Base of the simulated controllers.

    Subclasses implement :meth:`sync` (one full pass; returns the earliest future ``cluster.t`` at
    which the controller will act by itself, or None). ``time_driven`` controllers also run a pass
    whenever the clock moved (they derive something from elapsed time on every pass).
    """

    name = "controller"
    time_driven = False
    #: kinds whose changes can give this controller work (None: any change). Used only when the
    #: store offers ``kind_version(kind)``; otherwise every store change triggers a pass.
    watches: tuple[str, ...] | None = None

    def _memo_key(self) -> str:
        return "ctl:" + self.name

    def _watch_version(self, cluster: "SimCluster") -> str | int:
        store = cluster.store
        if self.watches is None:
            return store_version(cluster)
        # kind versions never go down (a restore brings back the memo too), so the sum changes exactly
        # when one of them does
        versions_sum = getattr(store, "versions_sum", None)
        if versions_sum is not None:
            return versions_sum(self.watches)
        kind_version = getattr(store, "kind_version", None)
        if kind_version is None:
            return store_version(cluster)
        return sum(kind_version(k) for k in self.watches)

    def reconcile(self, cluster: "SimCluster") -> None:
        # called for every controller on every round of every reconcile: keep the no-op path short
        key = self.__dict__.get("_memo_key_str")
        if key is None:
            key = self.__dict__["_memo_key_str"] = self._memo_key()
        memo = cluster.private.get(key)
        watches, store = self.watches, cluster.store
        # the common case inline: a watch list over the simulator's own store
        rv = store.versions_sum(watches) if watches is not None and type(store) is ObjectStore \
            else self._watch_version(cluster)
        if memo is not None and memo[0] == rv:
            if memo[1] == cluster.t:
                return
            if not self.time_driven and (memo[2] is None or cluster.t < memo[2]):
                return
        due = self.sync(cluster)
        if due is not None and due <= cluster.t:
            due = None  # a pass handles everything due up to now; a stale deadline would stall advance()
        # When this pass wrote something, remember the rv from before it, so that the next round runs
        # the pass again and sees its own writes (the loop in SimCluster.reconcile stops once no
        # controller writes anything).
        after = self._watch_version(cluster)
        cluster.private[key] = [rv if after != rv else after, cluster.t, due]

    def next_deadline(self, cluster: "SimCluster") -> float | None:
        key = self.__dict__.get("_memo_key_str")
        memo = cluster.private.get(self._memo_key() if key is None else key)
        if memo is None or memo[2] is None or memo[2] <= cluster.t:
            return None
        return memo[2]

    def sync(self, cluster: "SimCluster") -> float | None:  # pragma: no cover - abstract
        raise NotImplementedError


def store_version(cluster: "SimCluster") -> str:
    """Changes whenever the store does (puts and removes both bump the resourceVersion counter)."""
    return str(cluster.store.resource_version)


# ---------------------------------------------------------------------------------------------- objects
def remove_object(cluster: "SimCluster", kind: str, name: str, namespace: str | None = None) -> None:
    """Remove an object for good (the store bumps its resourceVersion, so every controller and the
    reconcile loop notice)."""
    cluster.store.remove(kind, name, namespace)


def put_new(cluster: "SimCluster", obj: dict[str, Any]) -> dict[str, Any] | None:
    """Store a controller-made object with uid, creationTimestamp and generation filled in.

    Returns the stored object, or None when its namespace is missing or terminating (the API server
    refuses creations there).
    """
    meta = obj["metadata"]
    ns = meta.get("namespace")
    if ns is not None:  # namespace_terminating, inlined (every controller-made object passes here)
        ns_obj = cluster.store.peek("Namespace", ns)
        if ns_obj is None or "deletionTimestamp" in ns_obj["metadata"]:
            return None
    meta.setdefault("uid", cluster.new_uid())
    meta.setdefault("creationTimestamp", cluster.timestamp())
    meta.setdefault("generation", 1)
    return cluster.store.put(obj)


def namespace_terminating(cluster: "SimCluster", namespace: str) -> bool:
    """True when the namespace does not exist or is being deleted."""
    ns = cluster.store.peek("Namespace", namespace)
    return ns is None or "deletionTimestamp" in ns["metadata"]


def emit(
    cluster: "SimCluster",
    obj: dict[str, Any],
    reason: str,
    message: str,
    type: str = "Normal",
    component: str = "kubelet",
    host: str | None = None,
    field_path: str | None = None,
    times: int = 1,
) -> None:
    """Record an event (``times`` occurrences) unless the object's namespace is terminating."""
    ns = obj["metadata"].get("namespace") or "default"
    ns_obj = cluster.store.peek("Namespace", ns)  # namespace_terminating, inlined (~7,600 events a build)
    if ns_obj is None or "deletionTimestamp" in ns_obj["metadata"]:
        return
    # the namespace exists: SimCluster's internal entry skips record_event's second look at it
    record = getattr(cluster, "_record_event", None)
    if times == 1 and record is not None:  # the common case, without the loop
        record(obj, ns, reason, message, type, component, host, field_path)
        return
    for _ in range(max(0, times)):
        if record is None:
            cluster.record_event(obj, reason, message, type=type, component=component, host=host, field_path=field_path)
        else:
            record(obj, ns, reason, message, type, component, host, field_path)


def owner_ref(owner: dict[str, Any], block: bool = True) -> dict[str, Any]:
    """The ownerReferences entry a controller writes on what it creates."""
    return {
        "apiVersion": owner.get("apiVersion", "v1"),
        "kind": owner["kind"],
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": block,
    }


def controller_uid(obj: dict[str, Any]) -> str | None:
    """uid of the object's controlling owner, or None."""
    for ref in obj["metadata"].get("ownerReferences") or ():
        if ref.get("controller"):
            return ref.get("uid")
    return None


def derived(cluster: "SimCluster", key: str, kinds: tuple[str, ...], build: Callable[[], Any]) -> Any:
    """``build()``, cached by the store until an object of ``kinds`` changes when the store offers
    ``derived`` (the result is shared: do not modify it)."""
    cached = getattr(cluster.store, "derived", None)
    return build() if cached is None else cached(key, kinds, build)


def owner_index(cluster: "SimCluster", kind: str) -> dict[str, list[dict[str, Any]]]:
    """:func:`index_by_owner` over every stored object of ``kind``, kept by the store (rebuilt after a
    removal, else updated with the objects put since); shared: do not modify the dict or its lists."""
    incremental = getattr(cluster.store, "incremental", None)
    if incremental is None:
        return derived(cluster, "owner-index:" + kind, (kind,), lambda: index_by_owner(cluster.iter_objects(kind)))
    return incremental("owner-index:" + kind, kind, lambda: _build_owner_index(cluster, kind), _update_owner_index)[0]


def _build_owner_index(cluster: "SimCluster", kind: str) -> tuple[dict, dict]:
    """(owner uid -> objects in store order, (namespace, name) -> (owner uid, uid) of every object)."""
    owners = {}
    for o in cluster.iter_objects(kind):
        m = o["metadata"]
        owners[(m.get("namespace") or "", m["name"])] = (controller_uid(o), m.get("uid"))
    return index_by_owner(cluster.iter_objects(kind)), owners


# (the update runs over every put of the kind since the previous fetch: its loop lives in pass_index)
_update_owner_index = update_owner_index


def index_by_owner(objs: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Group objects by the uid of their controlling owner."""
    out: dict[str, list[dict[str, Any]]] = {}
    for o in objs:
        uid = controller_uid(o)
        if uid is not None:
            out.setdefault(uid, []).append(o)
    return out


# ---------------------------------------------------------------------------------------------- hashing
#: ``json.dumps(o, sort_keys=True, separators=(",", ":"))`` without building an encoder per call, nor
#: the circular-reference bookkeeping (API objects are trees: the output is the same)
_sorted_compact_json = json.JSONEncoder(sort_keys=True, separators=(",", ":"), check_circular=False).encode
#: SafeEncodeString of a decimal number: each digit maps to ``SUFFIX_ALPHABET[ord(digit) % 27]``
_SAFE_DIGITS = str.maketrans({d: SUFFIX_ALPHABET[ord(d) % len(SUFFIX_ALPHABET)] for d in "0123456789"})


def template_hash(template: dict[str, Any], collision_count: int = 0) -> str:
    """pod-template-hash the way the deployment controller forms it: a 32-bit hash of the template,
    printed in decimal and mapped through Kubernetes' SafeEncodeString alphabet (9-10 characters)."""
    meta = template.get("metadata") or {}
    if "pod-template-hash" in (meta.get("labels") or {}):
        template = json_copy(template)
        template["metadata"]["labels"].pop("pod-template-hash", None)
    data = _sorted_compact_json(template)
    if collision_count:
        data += str(collision_count)
    # (no memo keyed by the JSON text: hashing the ~500-character key costs about what blake2b does)
    return str(int.from_bytes(hashlib.blake2b(data.encode(), digest_size=4).digest(), "big")).translate(_SAFE_DIGITS)


@functools.lru_cache(maxsize=8192)
def _epoch_of(ts: str) -> float:
    return float(calendar.timegm((int(ts[0:4]), int(ts[5:7]), int(ts[8:10]), int(ts[11:13]), int(ts[14:16]), int(ts[17:19]), 0, 0, 0)))


def ts_to_t(cluster: "SimCluster", ts: str | None) -> float:
    """``cluster.parse_timestamp`` without strptime (controllers parse timestamps on hot paths)."""
    if not ts:
        return cluster.t
    try:
        return _epoch_of(ts) - EPOCH
    except (ValueError, IndexError):
        return cluster.parse_timestamp(ts)


def stable_hash(*parts: Any, n: int = 64) -> str:
    """Deterministic hex digest of ``parts`` (container ids, image digests)."""
    h = hashlib.blake2b("|".join([str(p) for p in parts]).encode(), digest_size=32).hexdigest()
    return h[:n]


# ---------------------------------------------------------------------------------------------- quantities
_QTY = re.compile(r"^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)([a-zA-Z]*)$")
_SUFFIX = {
    "": 1.0, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18,
    "Ki": 1024.0, "Mi": 1024.0**2, "Gi": 1024.0**3, "Ti": 1024.0**4, "Pi": 1024.0**5, "Ei": 1024.0**6,
}


def parse_quantity(q: Any) -> float:
    """Kubernetes resource quantity (``100m``, ``1``, ``128Mi``, ``2Gi``) -> float (cores or bytes).

    Unparseable values count as 0 (the API server would have rejected them at admission).
    """
    if q is None:
        return 0.0
    if isinstance(q, (int, float)):
        return float(q)
    return _parse_quantity_text(str(q))


@functools.lru_cache(maxsize=4096)
def _parse_quantity_text(text: str) -> float:
    m = _QTY.match(text.strip())
    if not m or m.group(2) not in _SUFFIX:
        return 0.0
    try:
        return float(m.group(1)) * _SUFFIX[m.group(2)]
    except ValueError:
        return 0.0


def format_go_duration(seconds: float) -> str:
    """Go's time.Duration String for whole seconds: ``10s``, ``1m20s``, ``5m0s``, ``1h0m0s``."""
    s = int(round(seconds))
    if s < 60:
        return f"{s}s"
    m, s = divmod(s, 60)
    if m < 60:
        return f"{m}m{s}s"
    h, m = divmod(m, 60)
    return f"{h}h{m}m{s}s"


_DUR = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")


def parse_duration(text: Any) -> float | None:
    """Go-style duration string (``100s``, ``5m``, ``1h30m``) -> seconds, or None if unparseable."""
    if not isinstance(text, str) or not text:
        return None
    pos, total = 0, 0.0
    for m in _DUR.finditer(text):
        if m.start() != pos:
            return None
        total += float(m.group(1)) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[m.group(2)]
        pos = m.end()
    return total if pos == len(text) else None


def scaled_value(value: Any, total: int, round_up: bool) -> int:
    """An int-or-percent field (``maxSurge: 25%``) resolved against ``total``."""
    if value is None:
        value = "25%"
    if isinstance(value, str) and value.endswith("%"):
        try:
            pct = float(value[:-1])
        except ValueError:
            return 0
        x = pct * total / 100.0
        return int(math.ceil(x - 1e-9)) if round_up else int(math.floor(x + 1e-9))
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


# ---------------------------------------------------------------------------------------------- pods
def _condition(pod: dict[str, Any], ctype: str) -> dict[str, Any] | None:
    for c in (pod.get("status") or {}).get("conditions") or ():
        if c.get("type") == ctype:
            return c
    return None


def pod_is_ready(pod: dict[str, Any]) -> bool:
    c = _condition(pod, "Ready")
    return c is not None and c.get("status") == "True"


def pod_ready_since(cluster: "SimCluster", pod: dict[str, Any]) -> float | None:
    """``cluster.t`` at which the pod became Ready, or None when it is not ready."""
    c = _condition(pod, "Ready")
    if c is None or c.get("status") != "True":
        return None
    return ts_to_t(cluster, c.get("lastTransitionTime"))


def pod_is_terminating(pod: dict[str, Any]) -> bool:
    return "deletionTimestamp" in pod["metadata"]


def pod_is_terminal(pod: dict[str, Any]) -> bool:
    return (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")


def set_condition(
    conditions: list[dict[str, Any]],
    ctype: str,
    status: str,
    now: str,
    reason: str | None = None,
    message: str | None = None,
    old: list[dict[str, Any]] | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    """Append a condition to ``conditions``, keeping lastTransitionTime from ``old`` when the status
    did not change."""
    prev = next((c for c in old or () if c.get("type") == ctype), None)
    cond: dict[str, Any] = {"type": ctype, "status": status}
    if extra:
        cond.update(extra)
    cond["lastTransitionTime"] = prev["lastTransitionTime"] if prev and prev.get("status") == status else now
    if reason:
        cond["reason"] = reason
    if message:
        cond["message"] = message
    conditions.append(cond)
