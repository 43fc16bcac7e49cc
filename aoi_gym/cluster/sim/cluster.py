"""SimCluster: the embedded simulated Kubernetes cluster (the default backend).

Implements :class:`aoi_gym.cluster.base.Cluster` over an in-memory object store, a simulated clock,
controllers that derive status from spec, and an application model that decides what runs inside
containers. Everything random comes from one seeded ``numpy.random.Generator``.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import gc
import hashlib
import re
from typing import Any, Iterable, Iterator

import numpy as np

from aoi_gym.cluster.base import AlreadyExists, BadRequest, ExecResult, Invalid, MetricSeries, NotFound, Span
from aoi_gym.cluster.kinds import KINDS, kind_info
from aoi_gym.cluster.patch import apply_patch, json_copy
from aoi_gym.cluster.selectors import parse_field_selector, parse_label_selector
from aoi_gym.cluster.sim import events
from aoi_gym.cluster.sim.admission import admit
from aoi_gym.cluster.sim.clock import TIME_TEXT, EPOCH, format_time, time_text
from aoi_gym.cluster.sim.gc_pause import gc_paused, gc_resume
from aoi_gym.cluster.sim.runtime import AppModel, Controller
from aoi_gym.cluster.sim.store import ObjectStore
from aoi_gym.cluster.sim.suffix_draw import SUFFIX_ALPHABET, random_suffix
from aoi_gym.cluster.sim.uid_draw import uid_source

__all__ = ["SimCluster", "EPOCH", "format_time", "SUFFIX_ALPHABET"]


# Kinds whose metadata.generation the API server maintains (Services, ConfigMaps... have none).
_GENERATION_KINDS = frozenset(
    {"Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "HorizontalPodAutoscaler", "NetworkPolicy",
     "PodChaos", "NetworkChaos", "CustomResourceDefinition"}
)
_NAME_RE = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
# kind -> whether it is namespaced (SimCluster.peek runs on every controller read)
_NAMESPACED = {k: info.namespaced for k, info in KINDS.items()}


def _namespace_name(obj: dict[str, Any]) -> tuple[str, str]:
    meta = obj["metadata"]
    return meta.get("namespace", ""), meta["name"]


class SimCluster:
    """The simulated cluster.

    Args:
        seed: seeds every random choice (pod-name hashes, noise, jitter).
        controllers: controller objects run on every change and every clock deadline; defaults to
            :func:`aoi_gym.cluster.sim.controllers.default_controllers`.
        app_model: the application model; defaults to :class:`aoi_gym.cluster.sim.appmodel.AppModel`.
    """

    def __init__(
        self,
        seed: int = 0,
        controllers: list[Controller] | None = None,
        app_model: AppModel | None = None,
    ) -> None:
        self.rng = np.random.default_rng(seed)
        self.store = ObjectStore()
        self.t = 0.0
        #: private simulator state, invisible through the API (kept small: deep-copied on snapshot)
        self.private: dict[str, Any] = {}
        #: caches derived from the state (never part of it): invisible, emptied by ``restore``
        self.caches: dict[Any, Any] = {}
        if controllers is None:
            from aoi_gym.cluster.sim.controllers import default_controllers

            controllers = default_controllers()
        if app_model is None:
            from aoi_gym.cluster.sim.appmodel import AppModel as _DefaultAppModel

            app_model = _DefaultAppModel()
        self.controllers = controllers
        self.app = app_model
        self._reconciling = False
        self._batch_depth = 0
        self._uid_draw: tuple | None = None  # (rng, its uid_source) for new_uid

    # ------------------------------------------------------------------ clock and randomness
    def now(self) -> float:
        """Simulated epoch seconds."""
        return EPOCH + self.t

    def timestamp(self, t: float | None = None) -> str:
        when = EPOCH + (self.t if t is None else t)
        text = TIME_TEXT.get(when)  # format_time inlined: ~14,000 calls per synthetic(1000) build
        return time_text(when) if text is None else text

    def parse_timestamp(self, ts: str | None) -> float:
        """Inverse of :meth:`timestamp`: RFC 3339 -> simulated ``t`` (seconds since cluster start)."""
        if not ts:
            return self.t
        d = _dt.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=_dt.timezone.utc)
        return d.timestamp() - EPOCH

    def random_suffix(self, n: int = 5) -> str:
        """``n`` characters of SUFFIX_ALPHABET drawn from the cluster's generator (generated names, pods of
        ReplicaSets and DaemonSets): see :mod:`aoi_gym.cluster.sim.suffix_draw`."""
        return random_suffix(self.rng, n)

    def __getstate__(self) -> dict[str, Any]:
        # The cached ctypes hook of new_uid cannot be pickled; it is rebuilt on first use.
        state = dict(self.__dict__)
        state["_uid_draw"] = None
        return state

    def new_uid(self) -> str:
        # The 16 bytes ``rng.bytes(16)`` would give (same bytes, same rng state afterwards) through the
        # bit generator's C entry points: ~2-4 us instead of ~17 (thousands of uids a build).
        draw = self._uid_draw
        if draw is None or draw[0] is not self.rng:
            draw = self._uid_draw = (self.rng, uid_source(self.rng))
        return draw[1]()

    def advance(self, seconds: float) -> None:
        """Move simulated time forward, letting controllers act at each deadline on the way."""
        if seconds < 0:
            raise ValueError(f"cannot advance by a negative time ({seconds})")
        if self._batch_depth:
            raise RuntimeError("advance() inside SimCluster.batch(): leave the batch first")
        target = self.t + seconds
        with gc_paused():
            for _ in range(100000):
                self.reconcile()
                deadlines = [d for c in self.controllers if (d := c.next_deadline(self)) is not None]
                nxt = min(deadlines, default=None)
                if nxt is None or nxt > target:
                    break
                self.t = max(self.t, nxt)
            self.t = target
            self.reconcile()

    @contextlib.contextmanager
    def batch(self) -> Iterator["SimCluster"]:
        """Defer reconciling until the block exits, then reconcile once (like ``kubectl apply -f dir/``:
        every object exists before the controllers act). Nested batches reconcile at the outermost exit;
        a block that raises leaves its writes to the next reconcile. ``advance()`` inside raises.

            with cluster.batch():
                for obj in manifests:
                    cluster.create(obj)
        """
        self._batch_depth += 1
        with gc_paused():
            try:
                yield self
            finally:
                self._batch_depth -= 1
            if not self._batch_depth:
                self.reconcile()

    def reconcile(self) -> None:
        """Run every controller until none changes anything (bounded). A no-op inside :meth:`batch`."""
        if self._reconciling or self._batch_depth:
            return
        self._reconciling = True
        paused = gc.isenabled()
        if paused:
            gc.disable()  # see gc_paused
        try:
            for _ in range(20):
                rv = self.store.resource_version
                for c in self.controllers:
                    c.reconcile(self)
                if self.store.resource_version == rv:
                    break
        finally:
            self._reconciling = False
            if paused:
                gc_resume()

    # ------------------------------------------------------------------ object API
    def _info(self, kind: str):
        info = KINDS.get(kind)
        if info is not None:
            return info
        try:
            return kind_info(kind)
        except KeyError as e:
            raise BadRequest(str(e.args[0])) from None

    def _ns(self, kind: str, namespace: str | None) -> str | None:
        return (namespace or "default") if self._info(kind).namespaced else None

    def get(self, kind: str, name: str, namespace: str | None = None, readonly: bool = False) -> dict[str, Any]:
        """A copy of one object (``readonly=True``: the stored object itself; do not modify it)."""
        info = self._info(kind)
        obj = self.store.peek(kind, name, self._ns(kind, namespace))
        if obj is None:
            raise NotFound(f'{info.resource_ref} "{name}" not found')
        return obj if readonly else json_copy(obj)

    def list(
        self,
        kind: str,
        namespace: str | None = None,
        label_selector: str | None = None,
        field_selector: str | None = None,
        readonly: bool = False,
    ) -> list[dict[str, Any]]:
        """Copies of the matching objects sorted by (namespace, name); ``readonly=True``: the stored
        objects themselves, in a new list (do not modify the objects)."""
        info = self._info(kind)
        ns = namespace if info.namespaced else None
        objs = self.store.list_view(kind, ns)
        if label_selector or field_selector:
            lp = parse_label_selector(label_selector)
            fp = parse_field_selector(field_selector)
            objs = [o for o in objs if lp(o["metadata"].get("labels") or {}) and fp(o)]
        out = sorted(objs, key=_namespace_name)
        return out if readonly else [json_copy(o) for o in out]

    def iter_objects(self, kind: str, namespace: str | None = None) -> Iterable[dict[str, Any]]:
        """Internal fast path: stored objects without copies. Do not mutate them."""
        return self.store.iter(kind, namespace)

    def peek(self, kind: str, name: str, namespace: str | None = None) -> dict[str, Any] | None:
        """Internal fast path: one stored object without a copy, or None. Do not mutate it."""
        namespaced = _NAMESPACED.get(kind)
        if namespaced is None:
            namespaced = kind_info(kind).namespaced  # an unknown kind: KeyError
        return self.store.peek(kind, name, namespace if namespaced else None)

    def _validate_new(self, obj: dict[str, Any], owned: bool = False) -> tuple[dict[str, Any], Any]:
        if not isinstance(obj, dict) or "kind" not in obj:
            raise BadRequest("Object 'Kind' is missing in the object")
        info = self._info(obj["kind"])
        if not owned:
            obj = json_copy(obj)
        obj.setdefault("apiVersion", info.api_version)
        meta = obj.setdefault("metadata", {})
        if not meta.get("name"):
            if meta.get("generateName"):
                meta["name"] = meta["generateName"] + self.random_suffix()
            else:
                raise Invalid(f"{info.kind} in version \"{info.api_version}\" cannot be handled: name is required")
        name = meta["name"]
        if not _NAME_RE.match(name) or len(name) > 253:
            raise Invalid(
                f'{info.kind} "{name}" is invalid: metadata.name: Invalid value: "{name}": a lowercase RFC 1123 '
                "subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and "
                "end with an alphanumeric character"
            )
        if info.namespaced:
            meta["namespace"] = meta.get("namespace") or "default"
            if info.kind != "Namespace" and self.store.peek("Namespace", meta["namespace"]) is None:
                raise NotFound(f'namespaces "{meta["namespace"]}" not found')
        else:
            meta.pop("namespace", None)
        return obj, info

    def create(self, obj: dict[str, Any], dry_run: bool = False) -> dict[str, Any]:
        stored = self._create(obj, owned=False, dry_run=dry_run)
        return stored if dry_run else json_copy(stored)

    def create_owned(self, obj: dict[str, Any]) -> None:
        """Internal fast path of :meth:`create` for a fresh JSON-like object the caller hands over (it
        is stored as is, not copied, and must not be touched afterwards); returns nothing."""
        self._create(obj, owned=True, dry_run=False, want_stored=False)

    def _create(self, obj: dict[str, Any], owned: bool, dry_run: bool, want_stored: bool = True) -> dict[str, Any]:
        obj, info = self._validate_new(obj, owned)
        obj = admit(self, obj)
        meta = obj["metadata"]
        kind, name, ns = info.kind, meta["name"], meta.get("namespace")
        store = self.store
        if store.peek(kind, name, ns) is not None:
            raise AlreadyExists(f'{info.resource_ref} "{name}" already exists')
        meta.setdefault("uid", self.new_uid())  # (a uid is drawn even when the object brings one)
        meta.setdefault("creationTimestamp", format_time(EPOCH + self.t))
        if kind in _GENERATION_KINDS:
            meta["generation"] = 1
        if dry_run:
            return obj
        store.put(obj)
        self.reconcile()
        if not want_stored:
            return obj
        return store.peek(kind, name, ns) or obj

    def replace(self, obj: dict[str, Any], dry_run: bool = False) -> dict[str, Any]:
        obj, info = self._validate_new(obj)
        meta = obj["metadata"]
        cur = self.store.peek(info.kind, meta["name"], meta.get("namespace"))
        if cur is None:
            raise NotFound(f'{info.resource_ref} "{meta["name"]}" not found')
        return self._store_update(cur, obj, dry_run)

    def _store_update(self, cur: dict[str, Any], new: dict[str, Any], dry_run: bool) -> dict[str, Any]:
        new = admit(self, new)
        cm, nm = cur["metadata"], new.setdefault("metadata", {})
        for k in ("uid", "creationTimestamp", "name", "namespace", "deletionTimestamp", "ownerReferences"):
            if k in cm and k not in nm:
                nm[k] = cm[k]
        if nm.get("name") != cm["name"] or nm.get("namespace") != cm.get("namespace"):
            raise Invalid("metadata.name and metadata.namespace are immutable")
        if "status" in cur and "status" not in new:
            new["status"] = json_copy(cur["status"])
        spec_changed = {k: v for k, v in new.items() if k not in ("metadata", "status")} != {
            k: v for k, v in cur.items() if k not in ("metadata", "status")
        }
        if "generation" in cm:
            nm["generation"] = cm["generation"] + (1 if spec_changed else 0)
        if dry_run:
            return new
        self.store.put(new)
        self.reconcile()
        return json_copy(self.store.peek(new["kind"], nm["name"], nm.get("namespace")) or new)

    def patch(
        self,
        kind: str,
        name: str,
        namespace: str | None,
        patch: Any,
        patch_type: str = "strategic",
        dry_run: bool = False,
    ) -> dict[str, Any]:
        info = self._info(kind)
        cur = self.store.peek(kind, name, self._ns(kind, namespace))
        if cur is None:
            raise NotFound(f'{info.resource_ref} "{name}" not found')
        new = apply_patch(cur, patch, patch_type)
        if not isinstance(new, dict) or new.get("kind") != cur["kind"]:
            raise Invalid(f"{info.kind} \"{name}\" is invalid: kind may not be changed")
        return self._store_update(cur, new, dry_run)

    def update_status(self, obj: dict[str, Any]) -> None:
        """Controllers' write path: store ``obj`` (a fresh dict) as is, without bumping generation."""
        self.store.put(obj)

    def delete(
        self,
        kind: str,
        name: str,
        namespace: str | None = None,
        grace_period: int | None = None,
        dry_run: bool = False,
    ) -> dict[str, Any]:
        """Delete an object. Pods and namespaces terminate gracefully (controllers finish the job)."""
        info = self._info(kind)
        ns = self._ns(kind, namespace)
        cur = self.store.peek(kind, name, ns)
        if cur is None:
            raise NotFound(f'{info.resource_ref} "{name}" not found')
        if dry_run:
            return json_copy(cur)
        graceful = kind in ("Pod", "Namespace") and grace_period != 0
        if graceful:
            if "deletionTimestamp" not in cur["metadata"]:
                new = json_copy(cur)
                grace = 30 if grace_period is None else grace_period
                new["metadata"]["deletionTimestamp"] = self.timestamp(self.t + (grace if kind == "Pod" else 0))
                new["metadata"]["deletionGracePeriodSeconds"] = grace
                self.store.put(new)
        else:
            self.store.remove(kind, name, ns)
            if kind == "Namespace":
                for k in list(self.store.kinds()):
                    if KINDS[k].namespaced:
                        for o in list(self.store.iter(k, name)):
                            self.store.remove(k, o["metadata"]["name"], name)
        self.reconcile()
        return json_copy(cur)

    # ------------------------------------------------------------------ events
    # module functions bound as methods: the hot path (~7,600 events per synthetic(1000) build) pays no
    # extra call
    record_event = events.record_event
    _record_event = events.record_event_in

    # ------------------------------------------------------------------ inside containers
    def _pod_container(self, pod: str, namespace: str, container: str | None) -> tuple[dict, str]:
        p = self.store.peek("Pod", pod, namespace)
        if p is None:
            raise NotFound(f'pods "{pod}" not found')
        names = [c["name"] for c in p["spec"].get("containers", [])]
        if container is None:
            return p, names[0]
        if container not in names:
            raise BadRequest(f"container {container} is not valid for pod {pod}")
        return p, container

    def logs(
        self,
        pod: str,
        namespace: str,
        container: str | None = None,
        tail: int | None = None,
        previous: bool = False,
        since_s: float | None = None,
        timestamps: bool = False,
    ) -> str:
        p, c = self._pod_container(pod, namespace, container)
        since_t = None if since_s is None else self.t - since_s
        lines = self.app.logs(self, p, c, previous, since_t)
        if tail is not None and tail >= 0:
            lines = lines[-tail:] if tail else []
        if timestamps:
            return "".join(f"{self.timestamp(t)[:-1]}.000000000Z {line}\n" for t, line in lines)
        return "".join(line + "\n" for _, line in lines)

    def exec(
        self, pod: str, namespace: str, argv: list[str], container: str | None = None, stdin: str | None = None
    ) -> ExecResult:
        p, c = self._pod_container(pod, namespace, container)
        return self.app.exec(self, p, c, list(argv), stdin)

    def metrics(self, namespace: str, window_s: float) -> list[MetricSeries]:
        return self.app.metrics(self, namespace, window_s)

    def traces(self, namespace: str, window_s: float) -> list[Span]:
        return self.app.traces(self, namespace, window_s)

    # ------------------------------------------------------------------ snapshot / digest
    def snapshot(self) -> tuple:
        """A cheap copy of the whole state; ``restore`` brings the cluster back to it exactly."""
        return (
            self.store.snapshot(),
            self.t,
            self.rng.bit_generator.state,
            json_copy(self.private),
            self.app.snapshot(),
        )

    def restore(self, snap: tuple) -> None:
        store, t, rng_state, private, app = snap
        self.store.restore(store)
        self.t = t
        self.rng.bit_generator.state = rng_state
        self.private = json_copy(private)
        self.caches = {}
        self.app.restore(app)

    def digest(self) -> str:
        """Stable hash of the desired state: objects (minus status and bookkeeping) and application state."""
        h = hashlib.blake2b(digest_size=16)
        for (kind, ns, name), oh in self.store.digest_parts():
            if kind == "Event":
                continue  # events record what happened; they are not state an action could change
            h.update(f"{kind}/{ns}/{name}={oh};".encode())
        h.update(self.app.digest_state().encode())
        return h.hexdigest()

