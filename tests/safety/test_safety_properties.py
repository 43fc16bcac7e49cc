"""Property tests of the safety layer on the simulated backend (hypothesis).

Random problems x random command lines from tests/safety/grammar.py (kubectl/helm/curl/exec forms
and every bypass form, composed at random):

1. a command the policy blocks leaves ``cluster.digest()`` unchanged (it is never executed);
2. a command classified READ leaves the digest unchanged when executed by the shell;
3. under ``read_only()`` no sequence of actions (any length) changes the digest.

Examples per property: 1000 / 1500 / 250 sequences of up to 8 actions by default (about a minute in
all on one core); ``AOI_SAFETY_PROFILE=thorough`` multiplies them by 5.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safety_grammar import api_actions, command_lines

from aoi_gym.safety import SafetyWrapper, classify_command, mitigation, read_only
from aoi_gym.safety.verdicts import Verdict

SCALE = 5 if os.environ.get("AOI_SAFETY_PROFILE") == "thorough" else 1
N_BLOCKED, N_READ, N_SEQ = 1000 * SCALE, 1500 * SCALE, 250 * SCALE
PROBLEMS = ("revoke_auth_mongodb-mitigation-1", "scale_pod_zero_social_net-mitigation-1", "astronomy_shop_cart_service_failure-detection-1")
COMMON = dict(deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))


class World:
    """One env per policy and a saved state per problem; ``load(i)`` brings problem i back."""

    def __init__(self) -> None:
        from aoi_gym.envs.incident import IncidentEnv

        self.base = IncidentEnv(problem_ids=list(PROBLEMS), seconds_per_step=0.0, max_steps=10_000)
        self.states, self.digests, self.namespaces = [], [], []
        for pid in PROBLEMS:
            self.base.reset(seed=0, options={"problem_id": pid})
            self.base.cluster.digest()  # fills the store's hash cache before the snapshot
            self.states.append(self.base.get_state())
            self.digests.append(self.base.cluster.digest())
            self.namespaces.append(self.base.namespace)

    def load(self, i: int) -> None:
        self.base.set_state(self.states[i])
        assert self.base.cluster.digest() == self.digests[i]

    def wrapped(self, policy) -> SafetyWrapper:
        w = SafetyWrapper(self.base, policy)
        w.phase = policy.initial_phase
        return w


@pytest.fixture(scope="module")
def world() -> World:
    return World()


def test_blocked_commands_never_change_the_cluster(world: World) -> None:
    policies = [read_only(), mitigation(world.namespaces[0]), mitigation(world.namespaces[1])]
    seen = {"blocked": 0}

    @settings(max_examples=N_BLOCKED, **COMMON)
    @given(st.integers(0, len(PROBLEMS) - 1), st.integers(0, len(policies) - 1), st.sampled_from(("observation", "action")), command_lines)
    def prop(i: int, k: int, phase: str, line: str) -> None:
        world.load(i)
        env = world.wrapped(policies[k])
        env.set_phase(phase)
        _, decision = env.check(line)
        if decision.allowed:
            return
        seen["blocked"] += 1
        _, _, _, _, info = env.step(f"exec_shell({line!r})")
        assert info["safety"]["blocked"], line
        assert world.base.cluster.digest() == world.digests[i], f"blocked command changed the cluster: {line!r}"

    prop()
    assert seen["blocked"] > N_BLOCKED // 4  # the grammar really produces blocked commands


def test_read_commands_never_change_the_cluster(world: World) -> None:
    from aoi_gym.shell.interpreter import Shell

    seen = {"read": 0}

    @settings(max_examples=N_READ, **COMMON)
    @given(st.integers(0, len(PROBLEMS) - 1), command_lines)
    def prop(i: int, line: str) -> None:
        c = classify_command(line)
        if c.verdict is not Verdict.READ:
            return
        seen["read"] += 1
        world.load(i)
        Shell(world.base.cluster).run(line)
        assert world.base.cluster.digest() == world.digests[i], f"command classified READ changed the cluster: {line!r} ({c.reason})"

    prop()
    assert seen["read"] > N_READ // 4


def test_read_only_sequences_never_change_the_cluster(world: World) -> None:
    @settings(max_examples=N_SEQ, **COMMON)
    @given(st.integers(0, len(PROBLEMS) - 1), st.lists(api_actions, min_size=1, max_size=8))
    def prop(i: int, actions: list[str]) -> None:
        world.load(i)
        env = world.wrapped(read_only())
        for a in actions:
            env.step(a)
            assert world.base.cluster.digest() == world.digests[i], f"read_only let {a!r} change the cluster (sequence {actions!r})"

    prop()


def test_regressions_replayed_on_the_simulator(world: World) -> None:
    from safety_corpus import load

    for line, _ in load("regressions.txt"):
        for i in range(len(PROBLEMS)):
            world.load(i)
            env = world.wrapped(read_only())
            env.step(f"exec_shell({line!r})")
            assert world.base.cluster.digest() == world.digests[i], line


@pytest.mark.parametrize("line,output", [
    ("helm rollback social-network 1 -n {ns} --dry-run", "Rollback was a success! Happy Helming!\n"),
    ("helm uninstall social-network -n {ns} --dry-run", 'release "social-network" uninstalled\n'),
    ("helm uninstall social-network -n {ns} --dry-run=client", 'release "social-network" uninstalled\n'),
])
def test_helm_dry_run_rollback_and_uninstall_are_reads_that_change_nothing(world: World, line: str, output: str) -> None:
    i = PROBLEMS.index("scale_pod_zero_social_net-mitigation-1")
    world.load(i)
    line = line.format(ns=world.namespaces[i])
    assert classify_command(line).verdict is Verdict.READ
    r = world.base.shell.run(line)
    assert (r.output, r.exit_code) == (output, 0)
    assert world.base.cluster.digest() == world.digests[i]
    # the same command without --dry-run is a write and does change the cluster
    real = line.split(" --dry-run")[0]
    assert classify_command(real).verdict is Verdict.WRITE
    world.base.shell.run(real)
    assert world.base.cluster.digest() != world.digests[i]
