"""No ground truth reaches the agent: fault and problem names, the grader's fields, and fault markers in
labels or annotations never appear in what an episode shows (property over problems and read commands)."""

import json
import re

import gymnasium as gym
from hypothesis import given, settings, strategies as st

import aoi_gym  # noqa: F401
from aoi_gym.problems import list_problems

# problem ids grouped by fault instance (family, app, parameters); examples draw an instance, then one of its
# tasks, so a few examples spread over many faults (tests/faults checks every instance's full object state)
_GROUPS: dict[tuple, list[str]] = {}
for _s in list_problems(split="all"):
    _GROUPS.setdefault((_s.family, _s.app, tuple(sorted(_s.params.items()))), []).append(_s.id)
BY_FAULT = st.sampled_from(sorted(_GROUPS.values())).flatmap(st.sampled_from)
READS = [
    'exec_shell("kubectl get all -A")',
    'exec_shell("kubectl get pods -A -o yaml")',
    'exec_shell("kubectl describe pods -A")',
    'exec_shell("kubectl get events -A --sort-by=.lastTimestamp")',
    'exec_shell("kubectl get cm,secret,svc,endpoints,pvc,pv,nodes -A -o json")',
    'exec_shell("kubectl get deploy -A -o yaml")',
    'exec_shell("helm list -A")',
    'get_metrics("{ns}", 10)',
    'get_traces("{ns}", 10)',
    'get_logs("{ns}", "{svc}")',
    'exec_shell("kubectl logs -n {ns} -l {label} --tail=100 --all-containers")',
]
# Words that would only be there if the simulator told on itself.
MARKERS = ("ground_truth", "groundtruth", "faulty_components", "injected", "inject_", "aoi-gym", "aoi_gym", "oracle")


def _forbidden(problem_id: str) -> list[str]:
    from aoi_gym.problems import get_problem_spec

    spec = get_problem_spec(problem_id)
    words = [problem_id.lower(), spec.family.lower()]
    return [w for w in words if w != "noop"]


@settings(max_examples=15, deadline=None)
@given(BY_FAULT, st.integers(0, 1000), st.lists(st.sampled_from(READS), min_size=1, max_size=3))
def test_observations_never_name_the_fault(problem_id, seed, reads):
    env = gym.make("AOI-Incident-v0", problem_ids=[problem_id], max_steps=10)
    obs, info = env.reset(seed=seed)
    ns = env.unwrapped.namespace
    svc = "frontend"
    label = "app" if ns == "test-social-network" else ("io.kompose.service" if ns == "test-hotel-reservation" else "app.kubernetes.io/name")
    seen = [obs]
    for r in reads:
        obs, *_ = env.step(r.format(ns=ns, svc=svc, label=f"{label}={svc}"))
        seen.append(obs)
    text = "\n".join(seen).lower()
    for w in _forbidden(problem_id):
        assert w not in text, (problem_id, w)
    after_prompt = "\n".join(seen[1:]).lower()
    for m in MARKERS:
        assert m not in after_prompt, (problem_id, m)


@settings(max_examples=12, deadline=None)
@given(BY_FAULT, st.integers(0, 1000))
def test_labels_and_annotations_carry_no_fault_marker(problem_id, seed):
    env = gym.make("AOI-Incident-v0", problem_ids=[problem_id], max_steps=5)
    env.reset(seed=seed)
    cluster = env.unwrapped.cluster
    # Every object an agent can read with kubectl (the full JSON is too long for one observation).
    items = [o for kind in cluster.store.kinds() for o in cluster.iter_objects(kind)]
    assert items
    forbidden = _forbidden(problem_id) + ["fault", "inject", "chaos", "ground"]
    for item in items:
        meta = item.get("metadata", {})
        blob = json.dumps({"labels": meta.get("labels", {}), "annotations": meta.get("annotations", {})}).lower()
        for w in forbidden:
            assert not re.search(r"(?<![a-z])" + re.escape(w), blob), (problem_id, item["kind"], meta.get("name"), w)
