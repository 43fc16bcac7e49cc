"""The Executor: applies a mitigation plan, and nothing else.

For each command of the plan, in order:

1. check it against the ``mitigation(namespace)`` policy in the action phase; a refused command is
   skipped (and reported), never emitted;
2. for a single ``kubectl`` write on one named object, run the same command with
   ``--dry-run=server -o yaml`` (a read) and ``kubectl get <resource> <name> -n <ns> -o yaml``, and
   diff the two with :mod:`difflib` (the diff goes into the step's metadata and the report);
3. apply it;
4. verify with reads: ``kubectl rollout status`` for a workload, then ``kubectl get pods``.

The Executor is deterministic (no model): it is a generator of env actions driven by the runtime.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

from aoi_agents.runtime.compressor import Compressor
from aoi_agents.runtime.guard import check_write, is_read
from aoi_gym.safety.verdicts import UNKNOWN, Verdict

__all__ = ["Executor", "ExecStep", "plan_target", "unified_diff"]

_SHELL_META = re.compile(r"[;&|`$<>\n\\]")
_WORKLOADS = {"deployments": "deployment", "statefulsets": "statefulset", "daemonsets": "daemonset"}


@dataclass
class ExecStep:
    """An env action the Executor wants emitted, with its step metadata."""

    action: str
    meta: dict[str, Any] = field(default_factory=dict)


def _wrap(command: str) -> str:
    return f"```\nexec_shell({command!r})\n```"


def plan_target(command: str, classification: Any) -> tuple[str, str, str] | None:
    """``(resource, name, namespace)`` when ``command`` is one plain ``kubectl`` write on one named
    object (so a dry run and a diff make sense), else None."""
    if _SHELL_META.search(command) or not command.lstrip().startswith("kubectl "):
        return None
    writes = [t for t in classification.writes]
    if len(writes) != 1:
        return None
    t = writes[0]
    resource = t.resource.split("/")[0]
    if t.resource.endswith("/exec") or t.verb == "create" or not t.name or UNKNOWN in (t.name, t.namespace or "", resource) or t.name == "*":
        return None
    if t.namespace is None:
        return None
    return resource, t.name, t.namespace


def unified_diff(before: str, after: str, name: str) -> str:
    """A unified diff of two YAML texts (empty when equal)."""
    return "".join(difflib.unified_diff(before.splitlines(True), after.splitlines(True), f"{name} (live)", f"{name} (after)", n=2))


class Executor:
    """Runs one plan. Drive it with ``steps()``: a generator that yields :class:`ExecStep` and receives
    each observation with ``send``. ``results`` lists, per plan command, what happened."""

    def __init__(self, plan: list[str], namespace: str, compressor: Compressor | None = None, verify: bool = True) -> None:
        self.plan = list(plan)
        self.namespace = namespace
        self.compressor = compressor or Compressor()
        self.verify = verify
        self.results: list[dict[str, Any]] = []

    def steps(self) -> Generator[ExecStep, str, None]:
        touched: list[tuple[str, str, str]] = []
        for i, cmd in enumerate(self.plan):
            chk = check_write(cmd, self.namespace)
            res: dict[str, Any] = {"command": cmd, "index": i}
            self.results.append(res)
            if not chk.allowed:
                res.update(status="refused", reason=chk.message)
                continue
            c = chk.classification
            base = {"plan_index": i, "command": cmd}
            if c is not None and c.verdict is Verdict.READ:
                out = yield ExecStep(_wrap(cmd), {**base, "stage": "read"})
                res.update(status="ran (read)", output=self.compressor.observation(out, "executor"))
                continue
            target = plan_target(cmd, c) if c is not None else None
            diff = ""
            if target is not None:
                resource, name, ns = target
                dry = f"{cmd} --dry-run=server -o yaml"
                if is_read(dry, self.namespace):
                    after = yield ExecStep(_wrap(dry), {**base, "stage": "dry-run"})
                    before = yield ExecStep(_wrap(f"kubectl get {resource} {name} -n {ns} -o yaml"), {**base, "stage": "current"})
                    diff = unified_diff(before, after, f"{resource}/{name}") if _is_yaml(after) and _is_yaml(before) else ""
                    res["dry_run"] = after if not _is_yaml(after) else "ok"
                res["diff"] = diff or "(no diff available)"
                if resource in _WORKLOADS:
                    touched.append((resource, name, ns))
            out = yield ExecStep(_wrap(cmd), {**base, "stage": "apply", "diff": diff})
            res.update(status="applied", output=self.compressor.observation(out, "executor"))
        if self.verify and any(r.get("status") == "applied" for r in self.results):
            checks = [f"kubectl rollout status {_WORKLOADS[r]}/{n} -n {ns} --timeout=90s" for r, n, ns in dict.fromkeys(touched)]
            checks.append(f"kubectl get pods -n {self.namespace}")
            for v in checks:
                if not is_read(v, self.namespace):
                    continue
                out = yield ExecStep(_wrap(v), {"stage": "verify", "command": v})
                self.results.append({"command": v, "status": "verified", "output": self.compressor.observation(out, "executor")})

    @property
    def verified(self) -> bool:
        return any(r.get("status") == "verified" for r in self.results)

    def report(self) -> str:
        """What the Executor did, for the Observer."""
        lines = ["Executor report:"]
        for r in self.results:
            lines.append(f"- [{r['status']}] {r['command']}")
            for key in ("reason", "diff", "output"):
                if r.get(key):
                    lines.append(f"  {key}:\n" + _indent(str(r[key])[:1500]))
        return "\n".join(lines)


def _is_yaml(text: str) -> bool:
    return isinstance(text, str) and "apiVersion:" in text and "kind:" in text


def _indent(text: str) -> str:
    return "\n".join("    " + ln for ln in text.splitlines())
