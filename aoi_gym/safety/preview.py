"""Write preview: what an allowed write would change, computed before committing it.

On a cluster with snapshot/restore (the simulator) the command runs through the same shell on the
live cluster, the desired state of every object (spec and metadata, not status) and the
application state are diffed against a snapshot, and the snapshot is restored, so the cluster,
its clock and its random generator end exactly as they were. A real cluster cannot be snapshotted:
there ``preview_write`` raises NotImplementedError (use ``kubectl ... --dry-run=server`` there).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

import yaml

__all__ = ["ObjectChange", "WritePreview", "preview_write"]

_BOOKKEEPING = ("resourceVersion", "managedFields", "generation", "uid", "creationTimestamp")


@dataclass(frozen=True)
class ObjectChange:
    """One object the write would create, delete or modify; ``diff`` is a unified YAML diff."""

    kind: str
    namespace: str | None
    name: str
    op: str  # created | deleted | modified
    diff: str = ""


@dataclass(frozen=True)
class WritePreview:
    """``changes`` per object; ``app_state_changed`` when the application state (e.g. database
    users) would change; ``output`` what the command printed; ``text`` a summary for an agent."""

    changes: list[ObjectChange] = field(default_factory=list)
    app_state_changed: bool = False
    output: str = ""
    exit_code: int = 0
    text: str = ""


def _desired(obj: dict[str, Any] | None) -> dict[str, Any] | None:
    if obj is None:
        return None
    out = {k: v for k, v in obj.items() if k != "status"}
    meta = {k: v for k, v in (obj.get("metadata") or {}).items() if k not in _BOOKKEEPING}
    out["metadata"] = meta
    return out


def _dump(obj: dict[str, Any] | None) -> list[str]:
    if obj is None:
        return []
    return yaml.safe_dump(obj, sort_keys=True, default_flow_style=False).splitlines(keepends=True)


def preview_write(cluster: Any, command_line: str, namespace: str = "default", max_diff_lines: int = 60) -> WritePreview:
    """Run ``command_line`` on ``cluster`` inside a snapshot, report what changed, and restore.

    Args:
        cluster: a cluster with ``snapshot``/``restore`` and an object store (the simulator).
        command_line: what ``exec_shell`` would run.
        namespace: kubectl's default namespace for the command.
    Raises:
        NotImplementedError: on a backend without snapshots (a real cluster).
    """
    store = getattr(cluster, "store", None)
    if store is None or not hasattr(cluster, "snapshot"):
        raise NotImplementedError(
            "write preview needs a snapshot-able backend; on a real cluster use a server-side dry run "
            "(kubectl ... --dry-run=server -o yaml, or kubectl diff -f ...)"
        )
    from aoi_gym.shell.interpreter import Shell

    snap = cluster.snapshot()
    try:
        before = dict(store.digest_parts())
        app_before = cluster.app.digest_state() if getattr(cluster, "app", None) is not None else ""
        before_objs = {k: _desired(store.peek(k[0], k[2], k[1] or None)) for k in before}
        res = Shell(cluster, namespace=namespace).run(command_line)
        after = dict(store.digest_parts())
        app_after = cluster.app.digest_state() if getattr(cluster, "app", None) is not None else ""
        changes: list[ObjectChange] = []
        for key in sorted(set(before) | set(after)):
            kind, ns, name = key
            if kind == "Event" or before.get(key) == after.get(key):
                continue
            old = before_objs.get(key)
            new = _desired(store.peek(kind, name, ns or None)) if key in after else None
            if old == new:
                continue  # only status/bookkeeping changed
            op = "created" if old is None else "deleted" if new is None else "modified"
            diff = list(difflib.unified_diff(_dump(old), _dump(new), f"{kind}/{name} (before)", f"{kind}/{name} (after)", n=2))
            if len(diff) > max_diff_lines:
                diff = diff[:max_diff_lines] + [f"... ({len(diff) - max_diff_lines} more diff lines)\n"]
            changes.append(ObjectChange(kind, ns or None, name, op, "".join(diff)))
    finally:
        cluster.restore(snap)
    lines = [f"{c.op} {c.kind}/{c.name}" + (f" in {c.namespace}" if c.namespace else "") for c in changes]
    if app_before != app_after:
        lines.append("application state (e.g. database users, feature flags) would change")
    text = "Preview (nothing was committed):\n" + ("\n".join(f"  {l}" for l in lines) if lines else "  no change to the cluster's desired state")
    return WritePreview(changes, app_before != app_after, res.output, res.exit_code, text)
