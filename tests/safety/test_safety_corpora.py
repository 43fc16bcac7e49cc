"""The hand-written corpora: every bypass attempt is blocked, every legitimate diagnostic command
is allowed (false-block rate 0), and every recorded counterexample stays fixed."""

from __future__ import annotations

import pytest

from safety_corpus import APP_NS, load

from aoi_gym.safety import Phase, classify_command, mitigation, read_only
from aoi_gym.safety.verdicts import Verdict

BYPASS = load("corpus_bypass.txt")
LEGIT = load("corpus_legit.txt")
REGRESSIONS = load("regressions.txt")


def test_corpora_are_big_enough() -> None:
    assert len(BYPASS) >= 100 and len(LEGIT) >= 100
    assert sum("mit" in tags for _, tags in BYPASS) >= 30


@pytest.mark.parametrize("line,tags", BYPASS, ids=[f"bypass{i}" for i in range(len(BYPASS))])
def test_bypass_attempt_is_blocked(line: str, tags: set[str]) -> None:
    c = classify_command(line)
    assert c.verdict is not Verdict.READ, f"{line!r} classified READ: {c.reason}"
    for phase in Phase:
        assert not read_only().check(c, phase).allowed
    if "mit" in tags:
        d = mitigation(APP_NS).check(c, Phase.ACTION)
        assert not d.allowed, f"mitigation policy let {line!r} through"


def test_false_block_rate_on_legitimate_commands_is_zero() -> None:
    policy = read_only()
    blocked = [(line, classify_command(line).reason) for line, _ in LEGIT if not policy.check(classify_command(line), "observation").allowed]
    rate = len(blocked) / len(LEGIT)
    assert rate == 0.0, f"false-block rate {rate:.1%}: {blocked[:5]}"


def test_legitimate_writes_pass_under_mitigation_in_the_action_phase() -> None:
    ns = APP_NS
    pol = mitigation(ns)
    for line in (
        f"kubectl scale deploy geo --replicas=1 -n {ns}",
        f"kubectl patch svc geo -n {ns} -p '{{\"spec\":{{\"ports\":[{{\"port\":8083,\"targetPort\":8083}}]}}}}'",
        f"kubectl delete pod geo-abc -n {ns}",
        f"kubectl rollout restart deploy/geo -n {ns}",
        f"kubectl set image deploy/geo hotel-reserv-geo=yinfangchen/geo:app3 -n {ns}",
        f"kubectl exec mongodb-geo-0 -n {ns} -- mongo admin --eval 'db.grantRolesToUser(\"admin\", [{{role: \"readWrite\", db: \"geo-db\"}}])'",
        f"kubectl apply -n {ns} -f - <<EOF\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fix\nEOF",
        f"helm upgrade hotel-reservation ./chart -n {ns} --set a=b",
    ):
        c = classify_command(line)
        assert c.verdict is Verdict.WRITE, line
        assert not pol.check(c, "observation").allowed
        d = pol.check(c, "action")
        assert d.allowed, f"{line!r}: {d.rule} {d.message}"


@pytest.mark.parametrize("line,tags", REGRESSIONS, ids=[f"regression{i}" for i in range(len(REGRESSIONS))])
def test_regression_stays_blocked(line: str, tags: set[str]) -> None:
    c = classify_command(line)
    assert c.verdict is not Verdict.READ, f"{line!r} classified READ again: {c.reason}"
    assert not read_only().check(c, "action").allowed
