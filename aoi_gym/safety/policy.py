"""The permission policy: RBAC-like rules per role, phases, and a deny list.

* A :class:`Rule` allows verbs x resources x namespaces (RBAC semantics: ``"*"`` is a wildcard,
  ``"deployments/*"`` covers subresources, a rule naming namespaces never covers cluster-scoped
  objects, and a touch whose resource or namespace is unknown (``"?"``) is only covered by ``"*"``).
* A :class:`Policy` maps each :class:`Phase` to a role. In the observation phase only reads pass,
  whatever the role; in the action phase writes pass when a rule of the role allows every write.
* The deny list (:data:`DEFAULT_DENY`) blocks destructive writes in every phase unless the policy
  names them in ``allow_denied``. An unknown resource or namespace counts as possibly matching.
* DENY verdicts (unparseable, unknown program) are blocked by every policy: fail closed.

Presets: :func:`read_only`, :func:`mitigation`, :func:`unrestricted`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from enum import Enum

from aoi_gym.safety.classifier import Classification
from aoi_gym.safety.verdicts import UNKNOWN, Touch, Verdict

__all__ = ["Phase", "Rule", "DenyRule", "Decision", "Policy", "DEFAULT_DENY", "READ_VERBS", "read_only", "mitigation", "unrestricted", "MITIGATION_RESOURCES"]

READ_VERBS = ("get", "list", "watch")
WRITE_VERBS = ("create", "update", "patch", "delete")


class Phase(str, Enum):
    OBSERVATION = "observation"
    ACTION = "action"

    @classmethod
    def parse(cls, value: "Phase | str") -> "Phase":
        try:
            return value if isinstance(value, Phase) else cls(str(value).strip().lower())
        except ValueError:
            raise ValueError(f"unknown phase {value!r}; valid phases: {', '.join(p.value for p in cls)}") from None


def _match(pattern: str, value: str | None) -> bool:
    if pattern == "*":
        return True
    if value is None or value == UNKNOWN or value == "*":
        return False
    if pattern.endswith("/*"):
        return value == pattern[:-2] or value.startswith(pattern[:-1])
    if pattern.startswith("*/"):
        return value.endswith(pattern[1:])
    return pattern == value


@dataclass(frozen=True)
class Rule:
    """Allows ``verbs`` on ``resources`` in ``namespaces`` (``("*",)``: all, cluster-scoped included)."""

    verbs: tuple[str, ...]
    resources: tuple[str, ...] = ("*",)
    namespaces: tuple[str, ...] = ("*",)
    name: str = ""

    def allows(self, t: Touch) -> bool:
        if not any(_match(v, t.verb) for v in self.verbs):
            return False
        if not any(_match(r, t.resource) for r in self.resources):
            return False
        if "*" in self.namespaces:
            return True
        return t.namespace is not None and t.namespace in self.namespaces


@dataclass(frozen=True)
class DenyRule:
    """Blocks writes matching verbs x resources, anywhere (``scope="any"``) or outside the policy's
    home namespaces (``scope="outside_home"``). Unknown resources/namespaces count as matching."""

    name: str
    verbs: tuple[str, ...]
    resources: tuple[str, ...]
    reason: str
    scope: str = "any"

    def hits(self, t: Touch, home: tuple[str, ...]) -> bool:
        if not any(_match(v, t.verb) for v in self.verbs):
            return False
        if t.resource != UNKNOWN and not any(_match(r, t.resource) for r in self.resources):
            return False
        if self.scope == "outside_home":
            return t.namespace not in home
        return True


DEFAULT_DENY: tuple[DenyRule, ...] = (
    DenyRule("delete-namespace", ("delete",), ("namespaces",), "deleting a namespace destroys everything in it"),
    DenyRule("delete-persistentvolume", ("delete",), ("persistentvolumes",), "deleting a PersistentVolume can destroy data"),
    DenyRule("delete-persistentvolumeclaim", ("delete",), ("persistentvolumeclaims",), "deleting a PersistentVolumeClaim can destroy data"),
    DenyRule("delete-node", ("delete",), ("nodes",), "deleting a node removes capacity for every namespace"),
    DenyRule("delete-crd", ("delete",), ("customresourcedefinitions",), "deleting a CRD deletes every object of that kind"),
    DenyRule("helm-uninstall", ("delete",), ("helmreleases",), "helm uninstall removes a whole application"),
    DenyRule("scale-other-namespace", ("patch", "update"), ("*/scale",), "scaling outside the namespaces under mitigation", "outside_home"),
)


@dataclass(frozen=True)
class Decision:
    """Whether an action may run; ``rule`` names what decided (``allow:<rule>``, ``deny:<name>``,
    ``phase:observation``, ``role:<role>``, ``fail-closed``); ``message`` is for the agent."""

    allowed: bool
    rule: str
    message: str
    role: str
    phase: Phase


@dataclass(frozen=True)
class Policy:
    """Roles and phases. ``roles``: role -> rules; ``phase_roles``: which role acts in each phase;
    ``allow_denied``: names of deny-list entries lifted; ``home_namespaces``: namespaces under
    mitigation; ``agent_phase_requests``: whether an agent may switch phase with
    ``request_phase("action")``; ``scratch_dirs``: local directories any phase may write
    (they cannot reach the cluster); ``penalty``: extra reward penalty for a blocked action."""

    name: str
    roles: dict[str, tuple[Rule, ...]]
    phase_roles: dict[Phase, str]
    initial_phase: Phase = Phase.OBSERVATION
    deny: tuple[DenyRule, ...] = DEFAULT_DENY
    allow_denied: frozenset[str] = frozenset()
    home_namespaces: tuple[str, ...] = ()
    agent_phase_requests: bool = False
    scratch_dirs: tuple[str, ...] = ("/tmp",)
    penalty: float = 0.0

    def __post_init__(self) -> None:
        for ph in Phase:
            role = self.phase_roles.get(ph)
            if role not in self.roles:
                raise ValueError(f"phase {ph.value!r} maps to role {role!r}; known roles: {', '.join(sorted(self.roles))}")
        names = {d.name for d in self.deny}
        unknown = set(self.allow_denied) - names
        if unknown:
            raise ValueError(f"allow_denied names unknown deny rules {sorted(unknown)}; valid: {', '.join(sorted(names))}")

    def role_for(self, phase: Phase | str) -> str:
        return self.phase_roles[Phase.parse(phase)]

    def with_(self, **changes) -> "Policy":
        """A copy with some fields changed (e.g. ``policy.with_(penalty=-0.5)``)."""
        return replace(self, **changes)

    def _scratch(self, t: Touch) -> bool:
        if t.resource != "localfile" or not t.name or t.name == UNKNOWN:
            return False
        path = os.path.normpath(t.name)
        return any(path == d or path.startswith(d.rstrip("/") + "/") for d in self.scratch_dirs)

    def check(self, c: Classification, phase: Phase | str) -> Decision:
        """Decide whether the classified action may run in ``phase``."""
        phase = Phase.parse(phase)
        role = self.phase_roles[phase]
        if c.verdict is Verdict.DENY:
            return Decision(False, "fail-closed", f"The command was not run: {c.reason}. Only commands the safety layer can fully parse and understand are executed.", role, phase)
        write_touches = [t for f in c.findings if f.verdict is Verdict.WRITE for t in f.touches]
        write_set = set(write_touches)
        read_touches = [t for t in c.touches if t not in write_set]
        for t in read_touches:
            if not any(r.allows(t) for r in self.roles[role]):
                return Decision(False, f"role:{role}", f"Role {role!r} may not {t.verb} {t.resource} ({_where(t)}).", role, phase)
        if c.verdict is Verdict.WRITE and not write_touches:
            write_touches = [Touch("write", UNKNOWN, UNKNOWN, UNKNOWN)]
        for t in write_touches:
            if self._scratch(t):
                continue
            if phase is Phase.OBSERVATION:
                hint = " Request the action phase first with request_phase(\"action\")." if self.agent_phase_requests else ""
                return Decision(False, "phase:observation", f"The observation phase allows reads only, and this command writes ({c.reason}).{hint}", role, phase)
            allowed = any(r.allows(t) for r in self.roles[role])
            writer = any(set(r.verbs) - set(READ_VERBS) for r in self.roles[role])
            if not allowed and not writer:  # a read-only role: say so rather than cite the deny list
                return Decision(False, f"role:{role}", f"Role {role!r} may not {t.verb} {_what(t)} ({_where(t)}){_allowed_hint(self.roles[role])}.", role, phase)
            for d in self.deny:
                if d.name not in self.allow_denied and d.hits(t, self.home_namespaces):
                    maybe = "could" if UNKNOWN in (t.resource, t.namespace) else "would"
                    return Decision(False, f"deny:{d.name}", f"This command {maybe} {t.verb} {_what(t)} ({_where(t)}), which the deny list blocks in every phase: {d.reason}.", role, phase)
            if not allowed:
                return Decision(False, f"role:{role}", f"Role {role!r} may not {t.verb} {_what(t)} ({_where(t)}){_allowed_hint(self.roles[role])}.", role, phase)
        return Decision(True, "allow", "allowed", role, phase)


def _what(t: Touch) -> str:
    if t.resource == UNKNOWN:
        return "objects that cannot be known before it runs (name the resource and namespace explicitly instead of -f/-k or expansions)"
    return t.resource


def _where(t: Touch) -> str:
    if t.namespace is None:
        return "cluster-scoped" + (f", name {t.name}" if t.name else "")
    if t.namespace == UNKNOWN:
        return "namespace unknown before it runs"
    return f"namespace {t.namespace}" + (f", name {t.name}" if t.name and t.name != UNKNOWN else "")


def _allowed_hint(rules: tuple[Rule, ...]) -> str:
    writes = [r for r in rules if set(r.verbs) - set(READ_VERBS)]
    if not writes:
        return "; this role only reads"
    r = writes[0]
    return f"; it may {'/'.join(r.verbs)} {', '.join(r.resources[:6])}{'...' if len(r.resources) > 6 else ''} in {', '.join(r.namespaces)}"


_READ_ALL = Rule(READ_VERBS, ("*",), ("*",), "read-everything")

#: what the mitigation role may write in its namespace (every verb RBAC needs for the usual fixes)
MITIGATION_RESOURCES = (
    "pods", "pods/exec", "pods/eviction", "services", "endpoints", "configmaps", "secrets", "serviceaccounts",
    "deployments", "deployments/scale", "statefulsets", "statefulsets/scale", "replicasets", "replicasets/scale",
    "daemonsets", "jobs", "horizontalpodautoscalers", "networkpolicies", "podchaos", "networkchaos",
    "persistentvolumeclaims", "helmreleases", "http",
)


def read_only() -> Policy:
    """Reads everywhere, writes nowhere, in every phase (local scratch files under /tmp aside)."""
    return Policy("read_only", {"observer": (_READ_ALL,)}, {Phase.OBSERVATION: "observer", Phase.ACTION: "observer"})


def mitigation(namespace: str | list[str] | tuple[str, ...], agent_phase_requests: bool = True) -> Policy:
    """Observer reads everywhere; in the action phase the executor may also create/update/patch/
    delete workloads, services, config and chaos objects in ``namespace`` (one or several)."""
    if isinstance(namespace, str):
        namespace = (namespace,)
    namespaces = tuple(namespace)
    if not namespaces or not all(isinstance(n, str) and n and n not in ("*", UNKNOWN) for n in namespaces):
        raise ValueError(f"mitigation() needs one or more concrete namespace names, got {namespace!r}")
    writer = Rule(WRITE_VERBS, MITIGATION_RESOURCES, namespaces, "mitigate-in-namespace")
    return Policy(
        "mitigation",
        {"observer": (_READ_ALL,), "executor": (_READ_ALL, writer)},
        {Phase.OBSERVATION: "observer", Phase.ACTION: "executor"},
        home_namespaces=namespaces,
        agent_phase_requests=agent_phase_requests,
    )


def unrestricted() -> Policy:
    """Everything the classifier can judge runs, in the action phase from the start; the deny
    list is lifted. Unparseable commands are still refused."""
    return Policy(
        "unrestricted",
        {"admin": (Rule(("*",), ("*",), ("*",), "everything"),)},
        {Phase.OBSERVATION: "admin", Phase.ACTION: "admin"},
        initial_phase=Phase.ACTION,
        allow_denied=frozenset(d.name for d in DEFAULT_DENY),
        agent_phase_requests=True,
    )
