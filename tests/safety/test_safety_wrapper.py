"""SafetyWrapper (on a tiny fake env and on AOI-Incident), the policy, the audit log, the write
preview and the RBAC manifests."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

import gymnasium as gym
import pytest

from aoi_gym.safety import (
    AuditLog,
    Phase,
    Policy,
    Rule,
    SafetyWrapper,
    classify_command,
    generate_rbac_manifests,
    mitigation,
    preview_write,
    read_audit,
    read_only,
    to_yaml,
    unrestricted,
)


@dataclass
class _Rewards:
    step_cost: float = 0.0
    blocked_action_cost: float = 0.1


class FakeEnv(gym.Env):
    """The contract SafetyWrapper needs: step, reject, task_type, namespace, shell, step_count."""

    observation_space = gym.spaces.Text(100)
    action_space = gym.spaces.Text(100)

    def __init__(self) -> None:
        self.executed: list[str] = []
        self.rejects: list[tuple] = []  # (kind, penalty, charge_blocked) per reject call
        self.step_count = 0
        self.task_type = "mitigation"
        self.namespace = "app"
        self.cluster = None
        self.reward_config = _Rewards()

        class _Shell:
            namespace = "default"

        self.shell = _Shell()

    def reset(self, *, seed=None, options=None):
        self.step_count = 0
        return "task", {"problem_id": "p"}

    def step(self, action):
        self.step_count += 1
        self.executed.append(action)
        return "ran", 0.0, False, False, {"action_kind": "read"}

    def reject(self, action, message, kind="blocked", penalty=0.0, info_extra=None, charge_blocked=True):
        self.step_count += 1
        self.rejects.append((kind, penalty, charge_blocked))
        blocked = self.reward_config.blocked_action_cost if charge_blocked else 0.0
        return message, -(blocked + penalty), False, False, {"action_kind": kind, **(info_extra or {})}


def test_blocked_action_is_not_executed_and_says_which_rule(tmp_path) -> None:
    env = SafetyWrapper(FakeEnv(), read_only(), audit_log=tmp_path / "audit.jsonl")
    env.reset()
    obs, r, *_, info = env.step('exec_shell("kubectl delete ns app")')
    assert env.unwrapped.executed == []
    assert "phase:observation" in obs and "Nothing was executed" in obs
    assert info["safety"]["blocked"] and info["safety"]["verdict"] == "WRITE" and info["safety"]["rule"] == "phase:observation"
    assert info["safety"]["resources"] == ["namespaces"] and info["safety"]["verbs"] == ["delete"]
    assert r == pytest.approx(-0.1)
    obs, r, *_, info = env.step('exec_shell("kubectl get pods")')
    assert env.unwrapped.executed == ['exec_shell("kubectl get pods")'] and not info["safety"]["blocked"]
    records = read_audit(tmp_path / "audit.jsonl")
    assert [rec.get("verdict") for rec in records if rec["event"] == "action"] == ["WRITE", "READ"]
    assert all({"time", "phase", "role", "command", "event"} <= set(rec) for rec in records)


def test_phase_changes_are_explicit_and_recorded() -> None:
    env = SafetyWrapper(FakeEnv(), mitigation("app"))
    env.reset()
    assert env.phase is Phase.OBSERVATION and env.role == "observer"
    _, r, *_, info = env.step('request_phase("action")')
    assert env.phase is Phase.ACTION and info["safety"]["phase_changes"][0]["by"] == "agent" and r == 0.0
    assert env.unwrapped.rejects == [("phase", 0.0, False)]  # no blocked-action charge, no negative penalty
    env.step('exec_shell("kubectl scale deploy geo --replicas=1 -n app")')
    assert env.unwrapped.executed[-1].startswith("exec_shell")
    env.set_phase("observation", reason="executor done")
    *_, info = env.step('exec_shell("kubectl get pods")')
    assert info["safety"]["phase_changes"][0]["reason"] == "executor done"
    assert [c["to"] for c in env.phase_history] == ["action", "observation"]


def test_agent_phase_request_refused_when_policy_forbids_it() -> None:
    env = SafetyWrapper(FakeEnv(), read_only())
    env.reset()
    obs, *_, info = env.step('request_phase("action")')
    assert env.phase is Phase.OBSERVATION and info["safety"]["blocked"] and "refused" in obs


def test_deny_list_holds_in_the_action_phase_unless_lifted() -> None:
    pol = mitigation("app")
    for line in ("kubectl delete ns app", "kubectl delete pvc data -n app", "helm uninstall r -n app", "kubectl scale deploy x --replicas=0 -n other"):
        d = pol.check(classify_command(line, "app"), "action")
        assert not d.allowed and d.rule.startswith(("deny:", "role:")), (line, d)
    lifted = pol.with_(allow_denied=frozenset({"delete-persistentvolumeclaim"}))
    assert lifted.check(classify_command("kubectl delete pvc data -n app"), "action").allowed
    assert unrestricted().check(classify_command("kubectl delete ns app"), "action").allowed
    assert not unrestricted().check(classify_command("kubectl get pods |"), "action").allowed  # fail closed


def test_bad_user_arguments_name_the_valid_choices() -> None:
    with pytest.raises(ValueError, match="read_only"):
        SafetyWrapper(FakeEnv(), "yolo")
    with pytest.raises(ValueError, match="observation"):
        Phase.parse("later")
    with pytest.raises(ValueError, match="known roles"):
        Policy("p", {"a": ()}, {Phase.OBSERVATION: "a", Phase.ACTION: "b"})
    with pytest.raises(ValueError, match="valid"):
        mitigation("app").with_(allow_denied=frozenset({"nope"}))
    with pytest.raises(ValueError):
        mitigation("*")


def test_rule_semantics() -> None:
    from aoi_gym.safety import Touch

    r = Rule(("patch",), ("deployments/*",), ("app",))
    assert r.allows(Touch("patch", "deployments/scale", "app", "x"))
    assert not r.allows(Touch("patch", "deployments/scale", "other", "x"))
    assert not r.allows(Touch("patch", "deployments", None, "x"))
    assert not r.allows(Touch("patch", "?", "app", "?"))


def test_audit_log_appends_and_never_truncates(tmp_path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text('{"old": 1}\n')
    with AuditLog(path) as log:
        log.record(command="x", verdict="READ")
    with AuditLog(path) as log:
        log.record(command="y", verdict="DENY")
    lines = [json.loads(x) for x in path.read_text().splitlines()]
    assert lines[0] == {"old": 1} and [x["command"] for x in lines[1:]] == ["x", "y"]


def test_rbac_manifests_observer_cannot_write() -> None:
    ms = generate_rbac_manifests("app")
    kinds = [m["kind"] for m in ms]
    assert kinds.count("ServiceAccount") == 2 and "ClusterRole" in kinds and "Role" in kinds and "RoleBinding" in kinds
    read_role = next(m for m in ms if m["kind"] == "ClusterRole")
    for rule in read_role["rules"]:
        assert set(rule["verbs"]) <= {"get", "list", "watch"} and "*" not in rule["resources"]
        assert not {"pods/exec", "pods/attach", "pods/portforward", "services/proxy"} & set(rule["resources"])
    assert any("pods/log" in r["resources"] for r in read_role["rules"])
    role = next(m for m in ms if m["kind"] == "Role")
    assert role["metadata"]["namespace"] == "app"
    assert not any("persistentvolumeclaims" in r["resources"] for r in role["rules"])
    binding = next(m for m in ms if m["kind"] == "RoleBinding")
    assert binding["subjects"][0]["name"] == "aoi-executor"
    assert "kind: ClusterRoleBinding" in to_yaml(ms)


@pytest.fixture(scope="module")
def incident():
    from aoi_gym.envs.incident import IncidentEnv

    env = IncidentEnv(problem_ids=["revoke_auth_mongodb-mitigation-1"])
    return env


def test_wrapper_on_the_real_env_and_write_preview(incident, tmp_path) -> None:
    env = SafetyWrapper(incident, "mitigation", audit_log=tmp_path / "audit.jsonl")
    obs, info = env.reset(seed=3)
    ns = env.unwrapped.namespace
    cluster = env.unwrapped.cluster
    digest = cluster.digest()
    *_, info = env.step(f'exec_shell("kubectl scale deploy geo --replicas=3 -n {ns}")')
    assert info["safety"]["blocked"] and info["action_kind"] == "blocked"
    _, reward, *_, info = env.step('request_phase("action")')
    assert info["action_kind"] == "phase" and reward == -env.unwrapped.reward_config.step_cost
    preview = env.preview(f'exec_shell("kubectl scale deploy geo --replicas=3 -n {ns}")')
    assert cluster.digest() == digest  # the preview committed nothing
    assert any(c.kind == "Deployment" and c.name == "geo" and c.op == "modified" and "replicas: 3" in c.diff for c in preview.changes), preview.text
    *_, info = env.step(f'exec_shell("kubectl scale deploy geo --replicas=3 -n {ns}")')
    assert not info["safety"]["blocked"] and cluster.get("Deployment", "geo", ns)["spec"]["replicas"] == 3
    *_, info = env.step(f'exec_shell("kubectl delete ns {ns}")')
    assert info["safety"]["rule"] == "deny:delete-namespace"
    assert os.path.getsize(tmp_path / "audit.jsonl") > 0


def test_preview_refuses_a_backend_without_snapshots() -> None:
    with pytest.raises(NotImplementedError, match="server-side dry run"):
        preview_write(object(), "kubectl scale deploy x --replicas=1")
