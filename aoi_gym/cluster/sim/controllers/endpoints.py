"""The endpoints controller (Service defaults live in ``service_defaults``).

For every Service with a selector, an Endpoints object of the same name lists the matching pods:
ready ones under ``addresses`` and the others under ``notReadyAddresses``, with ports resolved from
``targetPort`` (a number, or a name looked up in each pod's container ports; a pod without that
named port is left out for that port). What a client would reach is recorded only in these real
fields; whether anything listens on the port is the application model's business.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aoi_gym.cluster.sim.controllers.common import (
    SimController,
    derived,
    memo_prune,
    pass_objects,
    prune_memos,
    pass_window,
    rv_signature,
    namespace_terminating,
    pod_is_ready,
    pod_is_terminal,
    put_new,
    remove_object,
)

from aoi_gym.cluster.sim.controllers.service_defaults import _DEFAULTED, default_service as _default_service, defaulted_service

if TYPE_CHECKING:
    from aoi_gym.cluster.sim.cluster import SimCluster

__all__ = ["EndpointsController", "resolve_target_port", "defaulted_service"]


def resolve_target_port(svc_port: dict[str, Any], pod: dict[str, Any]) -> int | None:
    """The container port a Service port sends traffic to on ``pod`` (None: a named port the pod lacks)."""
    target = svc_port.get("targetPort", svc_port.get("port"))
    if isinstance(target, int):
        return target
    if isinstance(target, str) and target.isdigit():
        return int(target)
    proto = svc_port.get("protocol", "TCP")
    for c in pod["spec"].get("containers") or ():
        for p in c.get("ports") or ():
            if p.get("name") == target and p.get("protocol", "TCP") == proto:
                return p.get("containerPort")
    return None


def _pod_label_index(cluster: "SimCluster") -> dict[tuple[str, str, str], list[dict[str, Any]]]:
    """(namespace, label key, label value) -> the live pods with an IP carrying that label, in store order."""
    index: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for p in cluster.iter_objects("Pod"):
        meta = p["metadata"]
        if not _serves(p):
            continue
        ns = meta["namespace"]
        for k, v in (meta.get("labels") or {}).items():
            index.setdefault((ns, k, v), []).append(p)
    return index


def _serves(p: dict[str, Any]) -> bool:
    """Whether an Endpoints object may list pod ``p``: live, not terminal, with an IP."""
    return not ("deletionTimestamp" in p["metadata"] or pod_is_terminal(p) or not (p.get("status") or {}).get("podIP"))


def _pod_label_keys(cluster: "SimCluster") -> dict[tuple[str, str, str], dict[tuple[str, str], None]]:
    """(namespace, label key, label value) -> ``{(namespace, name): None}`` of the pods an Endpoints
    may list (:func:`_serves`) carrying that label, kept by the store: updated with the pods put since
    it was built. A pod put again with the same labels dict (a status write shares it) that still
    serves keeps its entries as they are. Shared: do not modify."""
    store = cluster.store

    def add(index: dict, where: dict, k: tuple[str, str], p: dict[str, Any]) -> None:
        if _serves(p):
            labels = p["metadata"].get("labels") or {}
            ns = p["metadata"]["namespace"]
            for lk, lv in labels.items():
                entry = index.get((ns, lk, lv))
                if entry is None:
                    index[(ns, lk, lv)] = {k: None}
                else:
                    entry[k] = None
            where[k] = (ns, labels)

    def build() -> tuple[dict, dict]:
        index: dict = {}
        where: dict = {}
        for k, p in store.bucket("Pod").items():
            add(index, where, k, p)
        return index, where

    def update(value: tuple[dict, dict], changes: list) -> tuple[dict, dict]:
        index, where = value
        for k, p in changes:
            old = where.get(k)
            if old is not None:
                if p is not None and old[1] is p["metadata"].get("labels") and _serves(p):
                    continue
                del where[k]
                ns = old[0]
                for lk, lv in old[1].items():
                    entry = index.get((ns, lk, lv))
                    if entry is not None:
                        entry.pop(k, None)
                        if not entry:
                            del index[(ns, lk, lv)]
            if p is not None:
                add(index, where, k, p)
        return value

    return store.incremental("endpoints:pod-label-keys", "Pod", build, update)[0]


def _selected_pods(cluster: "SimCluster", ns: str, selector: dict[str, Any], index: dict | None,
                   label_keys: dict | None = None) -> list[dict[str, Any]]:
    """The live pods with an IP in ``ns`` matching ``selector``, in store order (``index``: from
    :func:`_pod_label_index`, or None to use :func:`_pod_label_keys`, which ``label_keys`` may hold)."""
    first = next(iter(selector.items()))
    if index is not None:
        candidates = index.get((ns, first[0], str(first[1])), [])
        return [p for p in candidates if all((p["metadata"].get("labels") or {}).get(k) == v for k, v in selector.items())]
    keys = (_pod_label_keys(cluster) if label_keys is None else label_keys).get((ns, first[0], str(first[1])))
    if not keys:
        return []
    bucket = cluster.store.bucket("Pod")  # what the keys index (this controller writes no pod)
    if len(selector) == 1:
        found = list(keys)  # every pod under the selector's one label matches it
    else:
        found = [k for k in keys if all((bucket[k]["metadata"].get("labels") or {}).get(lk) == v for lk, v in selector.items())]
    if len(found) > 1:
        found.sort(key=cluster.store.positions("Pod").__getitem__)
    return [bucket[k] for k in found]


def _service_selector_index(cluster: "SimCluster") -> dict[tuple[str, str, str], list[dict[str, Any]]]:
    """(namespace, key, value) -> the Services whose selector has ``key: value``."""
    index: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for svc in cluster.iter_objects("Service"):
        ns = svc["metadata"].get("namespace") or ""
        for k, v in ((svc.get("spec") or {}).get("selector") or {}).items():
            index.setdefault((ns, k, v), []).append(svc)
    return index


def _services_selecting(by_item: dict, ns: str, labels: dict[str, str]) -> tuple[str, ...]:
    """uids of the Services in ``ns`` whose selector has one of ``labels``' items (``by_item``: from
    :func:`_service_selector_index`)."""
    return tuple(svc["metadata"].get("uid", "") for k, v in labels.items() for svc in by_item.get((ns, k, v), ()))


def _selecting_memo(cluster: "SimCluster", by_item: dict) -> dict:
    """(namespace, id of a labels dict) -> (the dict, :func:`_services_selecting` it) for this
    ``by_item`` (a new one, after a Service changed, starts afresh). A pod's status writes share its
    labels dict, so a pod changing again costs one lookup. The dict is held in the entry so that its
    id is not reused meanwhile. In ``cluster.caches`` (emptied by restore); a plain dict without."""
    caches = getattr(cluster, "caches", None)
    if caches is None:
        return {}
    memo = caches.get("endpoints:selecting")
    if memo is None or memo[0] is not by_item or len(memo[1]) > 65536:
        memo = caches["endpoints:selecting"] = (by_item, {})
    return memo[1]


def _written(cluster: "SimCluster") -> dict[tuple[str, str], dict[str, Any]]:
    """(namespace, name) -> the Endpoints object this controller last stored there. The memo of its
    Service was written with that version right after the write, and every later memo of that Service
    read the same object while it stays stored, so the Endpoints check of the next pass can skip it (a
    Service replaced since is dirty through its own change). In ``cluster.caches`` (a restore empties
    it); a plain dict without."""
    caches = getattr(cluster, "caches", None)
    if caches is None:
        return {}
    written = caches.get("endpoints:written")
    if written is None or len(written) > 65536:
        written = caches["endpoints:written"] = {}
    return written


def _record_pod_labels(cluster: "SimCluster", name: str) -> None:
    """Remember every pod's labels (the old labels of a pod that changes decide which Services it left)."""
    cluster.private[f"memo:labels:{name}"] = {
        f"{p['metadata'].get('namespace') or ''}/{p['metadata']['name']}": p["metadata"].get("labels") or {}
        for p in cluster.iter_objects("Pod")
    }


def _endpoint_port(sp: dict[str, Any], num: int) -> dict[str, Any]:
    """The Endpoints port for Service port ``sp`` resolved to container port ``num``."""
    ep: dict[str, Any] = {}
    if sp.get("name"):
        ep["name"] = sp["name"]
    ep["port"] = num
    ep["protocol"] = sp.get("protocol", "TCP")
    return ep


# id -> (a Service's ports list, :func:`_fixed_ports` of it as a tuple): a pure function's memo (stored
# lists never change; the entry holds the list, so its id is not reused while the entry lives). The
# versions of a Service share its ports list, and each of its Endpoints writes needs the same ports.
_FIXED_PORTS: dict[int, tuple[list, tuple | None]] = {}


def _fixed_ports(svc_ports: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    """The Endpoints ports of a Service whose every targetPort is a number (the same for every pod, as
    :func:`resolve_target_port` gives them; a fresh list of port dicts shared between the Endpoints
    versions, which never modify them), or None when one names a container port."""
    hit = _FIXED_PORTS.get(id(svc_ports))
    if hit is None or hit[0] is not svc_ports:
        if len(_FIXED_PORTS) > 16384:
            _FIXED_PORTS.clear()
        fixed = _build_fixed_ports(svc_ports)
        hit = _FIXED_PORTS[id(svc_ports)] = (svc_ports, None if fixed is None else tuple(fixed))
    return None if hit[1] is None else list(hit[1])


def _build_fixed_ports(svc_ports: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    out = []
    for sp in svc_ports:
        target = sp.get("targetPort", sp.get("port"))
        if isinstance(target, int):
            num = target
        elif isinstance(target, str) and target.isdigit():
            num = int(target)
        else:
            return None
        out.append(_endpoint_port(sp, num))
    return out


def _addr_key(a: dict[str, Any]) -> tuple:
    return a["ip"], a["targetRef"]["uid"]


def _port_key(e: dict[str, Any]) -> tuple:
    return e.get("name", ""), e["port"]


def _subsets(spec: dict[str, Any], svc_name: str, pods: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The Endpoints subsets of a Service (``spec``, ``svc_name``) selecting ``pods``: pods grouped by
    their resolved ports, ready ones under ``addresses``, others under ``notReadyAddresses``."""
    publish = bool(spec.get("publishNotReadyAddresses"))
    headless = spec.get("clusterIP") == "None"
    svc_ports = spec.get("ports") or ()
    fixed = _fixed_ports(svc_ports)  # numbered targetPorts: one port list for every pod, built once
    if fixed is not None:
        return _fixed_subsets(fixed, publish, headless, svc_name, pods)
    groups: dict[tuple, dict[str, list]] = {}
    for p in pods:  # a named targetPort resolves per pod: pods are grouped by the ports they get
        ports = [_endpoint_port(sp, num) for sp in svc_ports if (num := resolve_target_port(sp, p)) is not None]
        if not ports and svc_ports:
            continue
        key = tuple(sorted((e.get("name", ""), e["port"], e["protocol"]) for e in ports))
        g = groups.get(key)
        if g is None:
            g = groups[key] = {"ports": ports, "ready": [], "notready": []}
        addr = _address(p, headless, svc_name)
        (g["ready"] if publish or pod_is_ready(p) else g["notready"]).append(addr)
    subsets = []
    for key in sorted(groups):
        g = groups[key]
        sub: dict[str, Any] = {}
        if g["ready"]:
            sub["addresses"] = sorted(g["ready"], key=_addr_key)
        if g["notready"]:
            sub["notReadyAddresses"] = sorted(g["notready"], key=_addr_key)
        sub["ports"] = sorted(g["ports"], key=_port_key)
        subsets.append(sub)
    return subsets


def _address(p: dict[str, Any], headless: bool, svc_name: str) -> dict[str, Any]:
    """The endpoint address of pod ``p`` (with its hostname on a headless Service of its subdomain)."""
    pm, pspec = p["metadata"], p["spec"]
    addr = {
        "ip": p["status"]["podIP"],
        "nodeName": pspec.get("nodeName"),
        "targetRef": {"kind": "Pod", "name": pm["name"], "namespace": pm["namespace"], "uid": pm.get("uid")},
    }
    if headless and pspec.get("hostname") and pspec.get("subdomain") == svc_name:
        addr = {"hostname": pspec["hostname"], **addr}
    return addr


def _fixed_subsets(ports: list[dict[str, Any]], publish: bool, headless: bool, svc_name: str,
                   pods: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """:func:`_subsets` when every pod gets the same ports (``ports``, from :func:`_fixed_ports`, a
    fresh list): one subset, or none without pods. (Most Services: this runs for every write.)"""
    if not pods:
        return []
    ready: list[dict[str, Any]] = []
    notready: list[dict[str, Any]] = []
    for p in pods:
        addr = _address(p, headless, svc_name)
        if publish:
            ready.append(addr)
            continue
        for c in (p.get("status") or {}).get("conditions") or ():  # pod_is_ready inlined
            if c.get("type") == "Ready":
                (ready if c.get("status") == "True" else notready).append(addr)
                break
        else:
            notready.append(addr)
    sub: dict[str, Any] = {}
    if ready:
        sub["addresses"] = sorted(ready, key=_addr_key) if len(ready) > 1 else ready
    if notready:
        sub["notReadyAddresses"] = sorted(notready, key=_addr_key) if len(notready) > 1 else notready
    sub["ports"] = sorted(ports, key=_port_key) if len(ports) > 1 else ports
    return [sub]


class EndpointsController(SimController):
    """Allocates Service IPs/ports and keeps each selector Service's Endpoints current."""

    name = "endpoint-controller"
    watches = ("Service", "Endpoints", "Pod", "Namespace")

    def sync(self, cluster: "SimCluster") -> float | None:
        since = pass_window(cluster, self.name)
        dirty = None if since is None else self._dirty_services(cluster, since)
        if since is None:
            _record_pod_labels(cluster, self.name)
        index = None if getattr(cluster.store, "incremental", None) is not None and getattr(cluster.store, "positions", None) \
            else derived(cluster, "endpoints:pod-label-index", ("Pod",), lambda: _pod_label_index(cluster))
        services: set[tuple[str, str]] = set()
        label_keys = None
        # the memo book (created by the first memo this pass stores when there is none yet); memo_fresh
        # and memo_store inlined: this controller's memos never have a deadline
        book = cluster.private.get("memo:ep")
        now = cluster.t
        terminating: dict[str, bool] = {}  # per namespace, this pass (the controller writes none)
        store = cluster.store
        written = None
        visit, _ = pass_objects(cluster, "Service", "memo:ep", dirty, skip_deleting=False)
        for svc in cluster.iter_objects("Service") if visit is None else visit:
            meta = svc["metadata"]
            if dirty is not None and meta.get("uid") not in dirty:
                m = book.get(meta.get("uid")) if book is not None else None  # memo present, deadline not come
                if m is not None and (m[1] is None or m[1] > now):
                    # unchanged since a sync that wrote nothing: defaults in place, memoized() would skip it
                    services.add((meta["namespace"], meta["name"]))
                    continue
            if _DEFAULTED.get(id(svc)) is not svc:  # (default_service's own first test, without the call)
                svc = _default_service(cluster, svc)
                meta = svc["metadata"]
            ns, name = meta["namespace"], meta["name"]
            services.add((ns, name))
            selector = (svc.get("spec") or {}).get("selector")
            if not selector or "deletionTimestamp" in meta:
                continue
            dead = terminating.get(ns)
            if dead is None:
                dead = terminating[ns] = namespace_terminating(cluster, ns)
            if dead:
                continue
            if index is None and label_keys is None:
                label_keys = _pod_label_keys(cluster)  # once per pass: this controller writes no pod
            pods = _selected_pods(cluster, ns, selector, index, label_keys)
            ep = store.peek("Endpoints", name, ns)
            # rv_signature, the one-pod case (the common one) without the join
            svc_rv = meta.get("resourceVersion", "")
            pods_sig = pods[0]["metadata"].get("resourceVersion", "") if len(pods) == 1 else rv_signature(pods)
            sig = "|".join((svc_rv, ep["metadata"].get("resourceVersion", "") if ep else "-", pods_sig))
            uid = meta["uid"]
            m = book.get(uid) if book is not None else None
            if m is not None and m[0] == sig and (m[1] is None or m[1] > now):
                continue
            stored = self._write(cluster, svc, pods, ep)
            if stored is not ep and stored is not None:
                if written is None:
                    written = _written(cluster)
                written[(ns, name)] = stored
                # The write stored only this Service's Endpoints, which is all _write reads besides the
                # Service and the pods: memoize the signature as of after it, so that the next pass,
                # which finds the Endpoints changed, does not recompute them only to write nothing.
                sig = "|".join((svc_rv, stored["metadata"].get("resourceVersion", ""), pods_sig))
            if book is None:
                book = cluster.private.setdefault("memo:ep", {})
            book[uid] = [sig, None]
        if visit is None:
            memo_prune(cluster, "memo:ep", {s["metadata"]["uid"] for s in cluster.iter_objects("Service")})
        else:
            prune_memos(cluster, "Service", "memo:ep")
        if since is not None:
            svc_changes = cluster.store.changed_since("Service", since)
            ep_changes = cluster.store.changed_since("Endpoints", since)
            if not svc_changes and not ep_changes:
                return None  # no Service or Endpoints came or went since the last pass removed every orphan
        if visit is not None:  # (only with a pass window: the changes above are at hand)
            # The previous pass left no orphan, so only an Endpoints put or a Service removed since its
            # start can be one now: check those, removing in store order as the full scan does.
            svc_bucket, ep_bucket = cluster.store.bucket("Service"), cluster.store.bucket("Endpoints")
            keys = {key for key, o in ep_changes if o is not None}
            keys.update(key for key, o in svc_changes if o is None)
            doomed = [k for k in keys if k in ep_bucket and k not in svc_bucket and k != ("default", "kubernetes")]
            if doomed:
                positions = cluster.store.positions("Endpoints")
                for ns, name in sorted(doomed, key=positions.__getitem__):
                    remove_object(cluster, "Endpoints", name, ns)
            return None
        for ep in cluster.iter_objects("Endpoints"):
            m = ep["metadata"]
            key = (m["namespace"], m["name"])
            if key not in services and key != ("default", "kubernetes"):
                remove_object(cluster, "Endpoints", m["name"], m["namespace"])
        return None

    def _dirty_services(self, cluster: "SimCluster", since: int) -> set[str]:
        """uids of the Services whose memo signature may have changed since ``since``: changed Services,
        Services whose Endpoints changed, and Services selecting a changed pod by its old or new labels."""
        book = cluster.private.get("memo:ep") or {}
        dirty: set[str] = set()
        for _key, svc in cluster.store.changed_since("Service", since):
            if svc is not None:
                uid = svc["metadata"].get("uid", "")
                m = book.get(uid)
                # the memo already holds this Service (the previous pass defaulted it): the signature stands
                if m is None or m[0].split("|", 1)[0] != svc["metadata"].get("resourceVersion", ""):
                    dirty.add(uid)
        store = cluster.store
        written = _written(cluster)
        for (ns, name), ep in store.changed_since("Endpoints", since):
            if ep is not None and written.get((ns, name)) is ep:
                continue  # this controller's own write, which its Service's memo holds (see _written)
            svc = store.peek("Service", name, ns)
            if svc is not None:
                uid = svc["metadata"].get("uid", "")
                m = book.get(uid)
                # the memo already holds this Endpoints (the previous pass wrote it): the signature stands
                if m is None or m[0].split("|", 2)[1] != (ep["metadata"].get("resourceVersion", "") if ep else "-"):
                    dirty.add(uid)
        pod_changes = cluster.store.changed_since("Pod", since)
        if pod_changes:
            by_item = derived(cluster, "endpoints:service-selector-index", ("Service",), lambda: _service_selector_index(cluster))
            selecting = _selecting_memo(cluster, by_item)
            record = cluster.private.setdefault(f"memo:labels:{self.name}", {})
            for (ns, name), pod in pod_changes:
                key = f"{ns}/{name}"
                old = record.pop(key, None)
                new = (pod["metadata"].get("labels") or {}) if pod is not None else None
                if new is not None:
                    record[key] = new
                for labels in (old, new) if old is not new else (new,):
                    if not labels:
                        continue
                    hit = selecting.get((ns, id(labels)))
                    if hit is None or hit[0] is not labels:
                        hit = selecting[(ns, id(labels))] = (labels, _services_selecting(by_item, ns, labels))
                    dirty.update(hit[1])
        return dirty

    def _write(self, cluster: "SimCluster", svc: dict[str, Any], pods: list[dict[str, Any]],
               cur: dict[str, Any] | None) -> dict[str, Any] | None:
        """Store the Endpoints of ``svc`` selecting ``pods`` (``cur``: the stored ones, or None); returns
        what is stored after (``cur`` when it was right; None when the namespace refused a creation)."""
        meta, spec = svc["metadata"], svc.get("spec") or {}
        subsets = _subsets(spec, meta["name"], pods) if pods else []
        labels = dict(meta.get("labels") or {})
        if spec.get("clusterIP") == "None":
            labels["service.kubernetes.io/headless"] = ""
        if cur is None:
            obj: dict[str, Any] = {"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": meta["name"], "namespace": meta["namespace"]}}
            if labels:
                obj["metadata"]["labels"] = labels
            if subsets:
                obj["subsets"] = subsets
            return put_new(cluster, obj)
        if cur.get("subsets", []) == subsets and (cur["metadata"].get("labels") or {}) == labels:
            return cur
        new = {**cur, "metadata": dict(cur["metadata"])}  # copy on write: only these two levels change
        if labels:
            new["metadata"]["labels"] = labels
        else:
            new["metadata"].pop("labels", None)
        if subsets:
            new["subsets"] = subsets
        else:
            new.pop("subsets", None)
        cluster.update_status(new)
        return new
