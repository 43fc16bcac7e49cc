"""``kubectl rollout restart|status|history|undo|pause|resume``.

``status`` prints kubectl's current progress line and returns at once (no blocking watch); undo and
history read the revisions recorded on the Deployment's ReplicaSets.
"""

from __future__ import annotations

from typing import Any

from aoi_gym.cluster.base import ApiError
from aoi_gym.cluster.patch import json_copy
from aoi_gym.shell.kubectl.describe.pods import describe_pod_template
from aoi_gym.shell.kubectl.describe.workloads import owned_by
from aoi_gym.shell.kubectl.describe.writer import Writer
from aoi_gym.shell.kubectl.errors import KubectlError
from aoi_gym.shell.kubectl.flags import Flag
from aoi_gym.shell.kubectl.invocation import DRY_RUN_FLAGS, Invocation, dry_run_mode, dry_suffix
from aoi_gym.shell.kubectl.timefmt import rfc3339
from aoi_gym.shell.kubectl.verbs.targets import fetch_targets, ref, split_targets

__all__ = ["run_rollout", "deployment_status"]

ROLLOUT_FLAGS = DRY_RUN_FLAGS + [
    Flag("watch", "w", "bool", True), Flag("timeout", default="0s"), Flag("revision", kind="int", default=0),
    Flag("to-revision", kind="int", default=0), Flag("selector", "l"), Flag("filename", "f", "list"),
    Flag("output", "o"), Flag("recursive", "R", "bool", False), Flag("field-manager"),
]
_SUBS = ("history", "pause", "restart", "resume", "status", "undo")
_KINDS = {"restart": ("Deployment", "StatefulSet", "DaemonSet"), "status": ("Deployment", "StatefulSet", "DaemonSet"),
          "history": ("Deployment", "StatefulSet", "DaemonSet"), "undo": ("Deployment",), "pause": ("Deployment",),
          "resume": ("Deployment",)}


def deployment_status(d: dict[str, Any]) -> tuple[str, bool]:
    """kubectl's DeploymentStatusViewer: (message, done)."""
    meta, spec, st = d.get("metadata") or {}, d.get("spec") or {}, d.get("status") or {}
    name = meta.get("name", "")
    if meta.get("generation", 1) <= st.get("observedGeneration", meta.get("generation", 1)):
        for c in st.get("conditions") or []:
            if c.get("type") == "Progressing" and c.get("reason") == "ProgressDeadlineExceeded":
                raise KubectlError(f'error: deployment "{name}" exceeded its progress deadline')
        replicas = spec.get("replicas", 1)
        upd = st.get("updatedReplicas", 0)
        if upd < replicas:
            return f'Waiting for deployment "{name}" rollout to finish: {upd} out of {replicas} new replicas have been updated...\n', False
        if st.get("replicas", 0) > upd:
            return f'Waiting for deployment "{name}" rollout to finish: {st.get("replicas", 0) - upd} old replicas are pending termination...\n', False
        if st.get("availableReplicas", 0) < upd:
            return f'Waiting for deployment "{name}" rollout to finish: {st.get("availableReplicas", 0)} of {upd} updated replicas are available...\n', False
        return f'deployment "{name}" successfully rolled out\n', True
    return "Waiting for deployment spec update to be observed...\n", False


def _sts_status(s: dict[str, Any]) -> tuple[str, bool]:
    meta, spec, st = s.get("metadata") or {}, s.get("spec") or {}, s.get("status") or {}
    if (spec.get("updateStrategy") or {}).get("type", "RollingUpdate") != "RollingUpdate":
        raise KubectlError("error: rollout status is only available for RollingUpdate strategy type")
    if not st.get("observedGeneration") or meta.get("generation", 1) > st.get("observedGeneration", 0):
        return "Waiting for statefulset spec update to be observed...\n", False
    replicas = spec.get("replicas", 1)
    if st.get("readyReplicas", 0) < replicas:
        return f"Waiting for {replicas - st.get('readyReplicas', 0)} pods to be ready...\n", False
    if st.get("updateRevision") != st.get("currentRevision"):
        return (f"waiting for statefulset rolling update to complete {st.get('updatedReplicas', 0)} pods at revision "
                f"{st.get('updateRevision', '')}...\n"), False
    return f"statefulset rolling update complete {st.get('currentReplicas', 0)} pods at revision {st.get('currentRevision', '')}...\n", True


def _ds_status(d: dict[str, Any]) -> tuple[str, bool]:
    meta, st = d.get("metadata") or {}, d.get("status") or {}
    name = meta.get("name", "")
    if meta.get("generation", 1) <= st.get("observedGeneration", meta.get("generation", 1)):
        want = st.get("desiredNumberScheduled", 0)
        if st.get("updatedNumberScheduled", 0) < want:
            return f'Waiting for daemon set "{name}" rollout to finish: {st.get("updatedNumberScheduled", 0)} out of {want} new pods have been updated...\n', False
        if st.get("numberAvailable", 0) < want:
            return f'Waiting for daemon set "{name}" rollout to finish: {st.get("numberAvailable", 0)} of {want} updated pods are available...\n', False
        return f'daemon set "{name}" successfully rolled out\n', True
    return "Waiting for daemon set spec update to be observed...\n", False


def _revisions(inv: Invocation, d: dict[str, Any]) -> dict[int, dict[str, Any]]:
    rss = [r for r in inv.cluster.list("ReplicaSet", namespace=d["metadata"].get("namespace")) if owned_by(r, d)]
    out = {}
    for r in rss:
        rev = ((r.get("metadata") or {}).get("annotations") or {}).get("deployment.kubernetes.io/revision")
        if rev is not None and str(rev).isdigit():
            out[int(rev)] = r
    return out


def _clean_template(t: dict[str, Any]) -> dict[str, Any]:
    t = json_copy(t)
    labels = (t.get("metadata") or {}).get("labels") or {}
    labels.pop("pod-template-hash", None)
    return t


def run_rollout(inv: Invocation) -> int:
    p = inv.parse(ROLLOUT_FLAGS, verb="rollout")
    if not p.args:
        raise KubectlError("error: Required subcommand not specified. Use one of: " + ", ".join(_SUBS))
    sub = p.args[0]
    if sub not in _SUBS:
        raise KubectlError(f'error: unknown command "{sub}" for "kubectl rollout"\nRun \'kubectl rollout --help\' for usage.')
    mode = dry_run_mode(p)
    items, rest = split_targets(p.args[1:], f"rollout {sub}")
    # a bare type restarts every object of it in the namespace (kubectl's "restart all deployments" example)
    targets, errors = fetch_targets(inv, items, p["selector"], all_objs=sub == "restart")
    if not targets and not errors and sub == "restart":
        inv.warn(f"No resources found in {inv.namespace} namespace.\n")
    code = 0
    for info, obj in targets:
        name = obj["metadata"]["name"]
        ns = obj["metadata"].get("namespace")
        if info.kind not in _KINDS[sub]:
            errors.append(f"error: {ref(info, obj)} is not supported by rollout {sub}")
            continue
        spec = obj.get("spec") or {}
        try:
            if sub == "status":
                msg, done = {"Deployment": deployment_status, "StatefulSet": _sts_status, "DaemonSet": _ds_status}[info.kind](obj)
                inv.print(msg)
            elif sub == "restart":
                if spec.get("paused"):
                    errors.append(f'error: {info.resource_ref} "{name}" can\'t restart paused deployment (run rollout resume first)')
                    continue
                patch = {"spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": rfc3339(inv.now())}}}}}
                inv.cluster.patch(info.kind, name, ns, patch, "strategic", dry_run=mode != "none")
                inv.print(f"{ref(info, obj)} restarted{dry_suffix(mode)}\n")
            elif sub in ("pause", "resume"):
                want = sub == "pause"
                if bool(spec.get("paused")) == want:
                    errors.append(f'error: {info.resource_ref} "{name}" is already {"paused" if want else "resumed"}')
                    continue
                inv.cluster.patch(info.kind, name, ns, {"spec": {"paused": want if want else None}}, "merge", dry_run=mode != "none")
                inv.print(f"{ref(info, obj)} {'paused' if want else 'resumed'}{dry_suffix(mode)}\n")
            elif sub == "history":
                _history(inv, info, obj, p["revision"])
            elif sub == "undo":
                _undo(inv, info, obj, p["to-revision"], mode)
        except ApiError as e:
            errors.append(e.kubectl_message())
    if errors:
        inv.warn("".join(e + "\n" for e in errors))
        return 1
    return code


def _history(inv: Invocation, info, obj: dict[str, Any], revision: int) -> None:
    if info.kind != "Deployment":
        inv.print(f"{ref(info, obj)}\nNo rollout history found.\n")
        return
    revs = _revisions(inv, obj)
    if revision:
        if revision not in revs:
            raise KubectlError(f"error: unable to find the specified revision")
        w = Writer()
        describe_pod_template(w, _clean_template(revs[revision]["spec"].get("template") or {}))
        inv.print(f"{ref(info, obj)} with revision #{revision}\n{w.text()}\n")
        return
    from aoi_gym.shell.kubectl.tabwriter import tabwrite

    lines = "REVISION\tCHANGE-CAUSE\n" + "".join(
        f"{r}\t{(revs[r]['metadata'].get('annotations') or {}).get('kubernetes.io/change-cause') or '<none>'}\n" for r in sorted(revs))
    inv.print(f"{ref(info, obj)}\n{tabwrite(lines, 0, 2)}\n")


def _undo(inv: Invocation, info, obj: dict[str, Any], to_revision: int, mode: str) -> None:
    name = obj["metadata"]["name"]
    revs = _revisions(inv, obj)
    current = max(revs) if revs else 0
    if to_revision:
        if to_revision not in revs:
            raise KubectlError(f"error: unable to find specified revision {to_revision} in history")
        target = to_revision
    else:
        older = [r for r in revs if r < current]
        if not older:
            raise KubectlError(f'error: no rollout history found for deployment "{name}"')
        target = max(older)
    tmpl = _clean_template(revs[target]["spec"].get("template") or {})
    if tmpl == _clean_template((obj.get("spec") or {}).get("template") or {}):
        inv.print(f"{ref(info, obj)} skipped rollback (current template already matches revision {target})\n")
        return
    new = json_copy(obj)
    new["spec"]["template"] = tmpl
    new.pop("status", None)
    inv.cluster.replace(new, dry_run=mode != "none")
    inv.print(f"{ref(info, obj)} rolled back{dry_suffix(mode)}\n")
