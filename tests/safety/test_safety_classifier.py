"""Unit tests of the command classifier: verdicts, touches, bypass forms, and that it never raises."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aoi_gym.envs.actions import Action
from aoi_gym.safety import Touch, Verdict, classify, classify_command

NS = "test-hotel-reservation"


@pytest.mark.parametrize(
    "line,verdict",
    [
        ("kubectl get pods -n x", Verdict.READ),
        ("kubectl describe deploy geo", Verdict.READ),
        ("kubectl logs geo-1 --tail=5", Verdict.READ),
        ("kubectl top pods", Verdict.READ),
        ("kubectl explain pods", Verdict.READ),
        ("kubectl api-resources", Verdict.READ),
        ("kubectl auth can-i delete pods", Verdict.READ),
        ("kubectl version", Verdict.READ),
        ("kubectl config view", Verdict.READ),
        ("kubectl config use-context x", Verdict.WRITE),
        ("kubectl scale deploy geo --replicas=0 --dry-run=client", Verdict.READ),
        ("kubectl scale deploy geo --replicas=0 --dry-run=none", Verdict.WRITE),
        ("kubectl get --raw /api/v1/pods", Verdict.READ),
        ("kubectl create --raw /api/v1/x -f y", Verdict.WRITE),
        ("kubectl proxy", Verdict.WRITE),
        ("kubectl port-forward svc/geo 1:1", Verdict.WRITE),
        ("kubectl cp a pod:/b", Verdict.WRITE),
        ("kubectl debug pod -it --image=busybox", Verdict.WRITE),
        ("kubectl run x --image=busybox", Verdict.WRITE),
        ("kubectl attach pod", Verdict.WRITE),
        ("kubectl exec pod -- cat /etc/hosts", Verdict.READ),
        ("kubectl exec pod -- env", Verdict.READ),
        ("kubectl exec pod -- mongo --eval 'db.getUsers()'", Verdict.READ),
        ("kubectl exec pod -- mongo --eval 'db.dropUser(\"a\")'", Verdict.WRITE),
        ("kubectl exec pod -- redis-cli GET k", Verdict.READ),
        ("kubectl exec pod -- redis-cli DEL k", Verdict.WRITE),
        ("kubectl exec pod -- rm -rf /", Verdict.WRITE),
        ("helm list -A", Verdict.READ),
        ("helm status r", Verdict.READ),
        ("helm get values r", Verdict.READ),
        ("helm history r", Verdict.READ),
        ("helm upgrade r ./c", Verdict.WRITE),
        ("helm uninstall r", Verdict.WRITE),
        ("curl http://x/", Verdict.READ),
        ("curl -X POST http://x/", Verdict.WRITE),
        ("kubectl frobnicate", Verdict.DENY),
        ("kubectl get pods --frobnicate", Verdict.DENY),
        ("frobnicate", Verdict.DENY),
        ("kubectl get pods 'unterminated", Verdict.DENY),
        ("kubectl $VERB pods", Verdict.DENY),
    ],
)
def test_verdicts(line: str, verdict: Verdict) -> None:
    assert classify_command(line).verdict is verdict, classify_command(line).reason


def test_touches_name_verbs_resources_and_namespaces() -> None:
    c = classify_command(f"kubectl scale deploy/geo --replicas=2 -n {NS}")
    assert c.touches == (Touch("patch", "deployments/scale", NS, "geo"),)
    assert (c.verbs, c.resources, c.namespaces) == (("patch",), ("deployments/scale",), (NS,))
    c = classify_command("kubectl delete ns foo")
    assert c.touches == (Touch("delete", "namespaces", None, "foo"),)
    c = classify_command("kubectl get pods", namespace=NS)
    assert c.touches == (Touch("list", "pods", NS, None),)


def test_heredoc_manifest_is_read_for_its_kinds_and_namespaces() -> None:
    c = classify_command("kubectl apply -f - <<EOF\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: b\n---\nkind: Namespace\nmetadata:\n  name: c\nEOF")
    assert {(t.resource, t.namespace, t.name) for t in c.touches} == {("configmaps", "b", "a"), ("namespaces", None, "c")}
    assert c.verdict is Verdict.WRITE


@pytest.mark.parametrize(
    "line",
    [
        "kubectl get pods; kubectl delete pod x",
        "kubectl get pods | xargs kubectl delete pod",
        "echo $(kubectl delete pod x)",
        "echo `kubectl delete pod x`",
        "sh -c 'kubectl delete pod x'",
        "bash -c \"kubectl delete pod x\"",
        "env A=1 kubectl delete pod x",
        "A=1 kubectl delete pod x",
        "/usr/bin/kubectl delete pod x",
        "k delete pod x",
        "kubectl \\\ndelete pod x",
        "kubectl get pods\nkubectl delete pod x",
        "echo ${X:-$(kubectl delete pod x)}",
    ],
)
def test_bypass_forms_are_seen_through(line: str) -> None:
    c = classify_command(line)
    assert c.verdict is Verdict.WRITE and ("delete", "pods") in {(t.verb, t.resource) for t in c.touches}, (line, c)


def test_actions_and_api_calls() -> None:
    assert classify(Action("exec_shell", {"command": "kubectl delete pod x"})).verdict is Verdict.WRITE
    assert classify('exec_shell("kubectl get pods")').verdict is Verdict.READ
    assert classify('```\nget_logs("ns", "geo")\n```').verdict is Verdict.READ
    assert classify("submit()", task_type="mitigation").verdict is Verdict.READ
    assert classify('get_metrics("ns", 5)').touches[0].namespace == "ns"


def test_unquoted_expansion_before_exec_dashdash_is_denied_but_quoted_is_fine() -> None:
    assert classify_command("kubectl exec $(kubectl get po -o name) -- cat /x").verdict is Verdict.DENY
    assert classify_command('kubectl exec "$(kubectl get po -o name)" -- cat /x').verdict is Verdict.READ


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(alphabet=st.sampled_from(list("kubectl get delete -n $()`'\"|;&<>\\{}[]*?~=\n\t #!x/.EOF")), max_size=80))
def test_classifier_never_raises_on_shellish_text(text: str) -> None:
    from aoi_gym.safety import read_only, unrestricted

    c = classify_command(text)
    assert c.verdict in (Verdict.READ, Verdict.WRITE, Verdict.DENY)
    assert c.reason  # every verdict says why, for the agent's observation
    if c.verdict is Verdict.READ:
        assert {t.verb for t in c.touches} <= {"get", "list", "watch"}, c.touches
        assert read_only().check(c, "observation").allowed  # a read is never a false block
    if c.verdict is Verdict.DENY:
        assert not unrestricted().check(c, "action").allowed  # fail closed under every policy


@settings(max_examples=200, deadline=None, database=None)
@given(st.one_of(st.text(max_size=200), st.binary(max_size=50), st.integers(), st.none(), st.lists(st.text(max_size=5))))
def test_classify_never_raises_on_anything(value) -> None:
    assert classify(value).verdict in (Verdict.READ, Verdict.WRITE, Verdict.DENY)


def test_oversized_and_nul_inputs_are_denied() -> None:
    assert classify_command("kubectl get pods " + "a" * 20000).verdict is Verdict.DENY
    assert classify_command("kubectl get pods\x00").verdict is Verdict.DENY


def test_public_api_is_exported_and_light() -> None:
    import os
    import subprocess
    import sys

    import aoi_gym
    import aoi_gym.safety as safety

    names = ("classify classify_command Verdict Classification Policy Rule DenyRule Phase read_only mitigation unrestricted "
             "SafetyWrapper preview_write WritePreview AuditLog read_audit generate_rbac_manifests to_yaml").split()
    assert set(names) <= set(safety.__all__) and all(hasattr(safety, n) for n in safety.__all__)
    code = ("import sys, aoi_gym, aoi_gym.safety; heavy = {'torch', 'transformers', 'trl', 'vllm', 'kubernetes', 'docker'}; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))")
    root = os.path.dirname(os.path.dirname(os.path.abspath(aoi_gym.__file__)))
    env = {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("template", ["echo ${{X:-{c}}}", "echo \"${{X:={c}}}\"", "echo ${{X/a/{c}}}", "echo $(( {c} + 1 ))",
                                      "echo ${{X:-${{Y:-{c}}}}}", "echo ${{X:1:{c}}}"])
def test_substitutions_inside_expansions_are_classified_by_their_inner_commands(template: str) -> None:
    write = classify_command(template.format(c=f"$(kubectl delete pod geo-1 -n {NS})"))
    assert write.verdict is Verdict.WRITE and Touch("delete", "pods", NS, "geo-1") in write.touches
    read = classify_command(template.format(c=f"`kubectl get pods -n {NS} | wc -l`"))
    assert read.verdict is Verdict.READ and read.verbs == ("list",)
    assert classify_command(template.format(c="$(PATH=/tmp ls)")).verdict is Verdict.DENY


def test_expansion_assigning_a_dangerous_variable_is_denied() -> None:
    for line in ("echo ${PATH:=/tmp}", "echo ${X:-${IFS=x}}", "echo $(( ${LD_PRELOAD:=1} ))"):
        assert classify_command(line).verdict is Verdict.DENY, line
