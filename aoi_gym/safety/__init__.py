"""aoi_gym.safety: a layer that separates reading from writing and blocks unauthorized mutations.

* :func:`classify` / :func:`classify_command`: any action -> READ, WRITE or DENY, with the verbs,
  resources and namespaces it touches and the reason (parses the whole shell line; fail closed).
* :class:`Policy`, :class:`Rule`, :class:`Phase`, presets :func:`read_only`, :func:`mitigation`,
  :func:`unrestricted`, and the deny list :data:`DEFAULT_DENY`.
* :class:`SafetyWrapper`: a Gymnasium wrapper that checks every action before it runs.
* :func:`preview_write`: what a write would change (simulated backend).
* :class:`AuditLog`: append-only JSONL of verdicts. :func:`generate_rbac_manifests`: RBAC for real clusters.

Usage::

    from aoi_gym.safety import Phase, SafetyWrapper, Verdict, classify, mitigation

    c = classify("kubectl get pods -n test-hotel-reservation | grep -v Running")
    assert c.verdict is Verdict.READ and c.verbs == ("list",)
    c = classify('exec_shell("kubectl delete pod geo-1 -n test-hotel-reservation")')
    c.verdict, c.touches          # Verdict.WRITE, (Touch('delete', 'pods', 'test-hotel-reservation', 'geo-1'),)
    mitigation("test-hotel-reservation").check(c, Phase.OBSERVATION).allowed   # False: reads only

    env = SafetyWrapper(gym.make("AOI-Incident-v0"), "mitigation", audit_log="audit.jsonl")

Importing this package needs only gymnasium, numpy and pyyaml (no torch, no kubernetes client).
"""

from aoi_gym.safety.audit import AuditLog, read_audit
from aoi_gym.safety.classifier import Classification, classify, classify_command
from aoi_gym.safety.policy import DEFAULT_DENY, Decision, DenyRule, Phase, Policy, Rule, mitigation, read_only, unrestricted
from aoi_gym.safety.preview import ObjectChange, WritePreview, preview_write
from aoi_gym.safety.rbac import generate_rbac_manifests, to_yaml
from aoi_gym.safety.verdicts import Touch, Verdict
from aoi_gym.safety.wrapper import SafetyWrapper

__all__ = [
    "AuditLog", "read_audit", "Classification", "classify", "classify_command", "DEFAULT_DENY", "Decision",
    "DenyRule", "Phase", "Policy", "Rule", "mitigation", "read_only", "unrestricted", "ObjectChange",
    "WritePreview", "preview_write", "generate_rbac_manifests", "to_yaml", "Touch", "Verdict", "SafetyWrapper",
]
