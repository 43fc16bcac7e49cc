"""Value types of the safety layer: verdicts, what a command touches, and one command's finding.

A *touch* names what an action reads or writes in RBAC terms: an API verb (``get``, ``list``,
``create``, ``update``, ``patch``, ``delete``...), a resource (plural, with subresource:
``pods``, ``pods/exec``, ``deployments/scale``; or a non-API resource such as ``localfile``,
``helmreleases``, ``http``), a namespace (None for cluster-scoped, ``"*"`` for all, ``"?"`` when it
cannot be known before running) and a name (``"*"`` for all or ``"?"`` for unknown).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

__all__ = ["Verdict", "Touch", "Finding", "Opaque", "UNKNOWN", "new_touch", "new_finding"]

UNKNOWN = "?"


class Verdict(str, Enum):
    """READ: cannot change the cluster or the app. WRITE: may change something. DENY: cannot be
    classified with confidence (unparseable, unknown program, expansion where it matters): never run."""

    READ = "READ"
    WRITE = "WRITE"
    DENY = "DENY"

    def __str__(self) -> str:  # so f-strings print READ, not Verdict.READ
        return self.value


@dataclass(frozen=True)
class Touch:
    verb: str
    resource: str
    namespace: str | None = None
    name: str | None = None

    def to_dict(self) -> dict:
        return {"verb": self.verb, "resource": self.resource, "namespace": self.namespace, "name": self.name}

    def __str__(self) -> str:
        where = "cluster-wide" if self.namespace is None else f"ns={self.namespace}"
        return f"{self.verb} {self.resource}{'/' + self.name if self.name else ''} ({where})"


@dataclass(frozen=True)
class Finding:
    """The verdict on one program invocation (one simple command, or a program wrapped by another)."""

    verdict: Verdict
    program: str
    reason: str
    touches: tuple[Touch, ...] = ()


# The classifier makes a few of these per command; a frozen dataclass's __init__ (one
# object.__setattr__ per field) costs more than the judgement. These build equal objects faster.
_new = object.__new__


def new_touch(verb: str, resource: str, namespace: str | None = None, name: str | None = None) -> Touch:
    """``Touch(verb, resource, namespace, name)``, faster."""
    t = _new(Touch)
    d = t.__dict__
    d["verb"] = verb
    d["resource"] = resource
    d["namespace"] = namespace
    d["name"] = name
    return t


def new_finding(verdict: Verdict, program: str, reason: str, touches: tuple = ()) -> Finding:
    """``Finding(verdict, program, reason, touches)``, faster."""
    f = _new(Finding)
    d = f.__dict__
    d["verdict"] = verdict
    d["program"] = program
    d["reason"] = reason
    d["touches"] = touches
    return f


class Opaque(str):
    """An argument whose value is only known when the shell expands it ($VAR, $(...), globs, xargs
    input). ``many=True``: it may become zero or several arguments (unquoted, word-split); otherwise
    it is exactly one argument of unknown text. Its string value never equals a real argument."""

    many: bool

    def __new__(cls, many: bool) -> "Opaque":
        self = super().__new__(cls, "${...}" if not many else "$...")
        self.many = many
        return self


OPAQUE_ONE = Opaque(False)
OPAQUE_MANY = Opaque(True)
