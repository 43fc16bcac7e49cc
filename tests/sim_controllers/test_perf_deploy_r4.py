"""Round-4 shortcuts of the Deployment and ReplicaSet controllers: each must give what the plain
computation gives (new_pod's remembered pod spec, events after a create, the revision text, the
rolling-update budget, the one-pod ReplicaSet counts)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from simctl_helpers import deployment
from test_simctl_determinism import _fresh

from aoi_gym.cluster.sim.controllers import podtemplate
from aoi_gym.cluster.sim.controllers.common import emit, scaled_value
from aoi_gym.cluster.sim.controllers.deploy_events import emit_after_create
from aoi_gym.cluster.sim.controllers.deploy_defaults import surge_unavailable
from aoi_gym.cluster.sim.controllers.deployment import REVISION_ANNOTATION, _revision, _revision_text
from aoi_gym.cluster.sim.controllers.replicaset import _fully_labeled, _one_pod_counts, count_available


def _settled(seed: int):
    c = _fresh(seed)
    c.create(deployment("web", replicas=2))
    c.create(deployment("api", replicas=1))
    c.advance(30)
    return c


def _pod_of(c, template, name):
    rs = next(iter(c.iter_objects("ReplicaSet")))
    return podtemplate.new_pod(c, template, name, rs["metadata"]["namespace"], rs, generate_name="x-")


def test_new_pod_from_a_stored_template_is_what_the_plain_path_makes():
    c = _settled(1)
    rs = next(iter(c.iter_objects("ReplicaSet")))
    template = rs["spec"]["template"]
    assert podtemplate._DEFAULTED_SPECS.get(id(template["spec"])) is template["spec"]
    first, second = _pod_of(c, template, "p-1"), _pod_of(c, template, "p-2")
    plain = podtemplate._pod_spec(podtemplate.default_pod_spec(dict(template["spec"])))
    for pod in (first, second):
        assert pod["spec"] == plain and list(pod["spec"]) == list(plain)  # same keys, same order
        assert pod["status"]["qosClass"] == podtemplate.qos_class(plain)
    assert first["spec"] is not second["spec"]  # each pod its own top level


def test_events_after_a_create_are_those_emit_records():
    a, b = _settled(2), _settled(2)
    for c, fn in ((a, emit_after_create), (b, None)):
        d = next(iter(c.iter_objects("Deployment")))
        for i in range(3):
            msg = f"Scaled up replica set x{i % 2} from 0 to 1"
            if fn is None:
                emit(c, d, "ScalingReplicaSet", msg, component="deployment-controller")
            else:
                fn(c, d, "ScalingReplicaSet", msg, "deployment-controller")
    assert list(a.store.bucket("Event").items()) == list(b.store.bucket("Event").items())
    assert a.store.resource_version == b.store.resource_version


@pytest.mark.parametrize("value", [None, "0", "1", "7", "10", "007", "0x1", " 3", "+3", "1_0", "²", "-1", 5, "abc", ""])
def test_revision_text_is_str_of_revision(value):
    rs = {"metadata": {"annotations": {} if value is None else {REVISION_ANNOTATION: value}}}
    assert _revision_text(rs) == str(_revision(rs))


_BUDGET = st.one_of(st.none(), st.integers(0, 12), st.sampled_from(["0%", "10%", "25%", "50%", "100%", "33%"]))


@settings(max_examples=200, deadline=None)
@given(surge=_BUDGET, unavailable=_BUDGET, want=st.integers(0, 20))
def test_surge_unavailable_is_the_two_scaled_values(surge, unavailable, want):
    s, u = scaled_value(surge, want, True), scaled_value(unavailable, want, False)
    assert surge_unavailable(surge, unavailable, want) == (s, 1 if s == 0 and u == 0 else u)


def test_one_pod_counts_match_the_general_counts():
    c = _settled(3)
    seen = 0
    for rs in c.iter_objects("ReplicaSet"):
        tlabels = rs["spec"]["template"]["metadata"]["labels"]
        for pod in c.iter_objects("Pod", rs["metadata"]["namespace"]):
            for min_ready in (0.0, 5.0, 1e6):
                want = (_fully_labeled(tlabels, [pod]), *count_available(c, [pod], min_ready))
                assert _one_pod_counts(c, pod, tlabels, min_ready) == want
                seen += 1
    assert seen


def test_a_fresh_deployment_settles_with_one_create_event_per_rs_and_pod():
    c = _fresh(4)
    c.create(deployment("web", replicas=2))
    c.advance(30)
    reasons = [e["reason"] for e in c.iter_objects("Event") if e["involvedObject"]["name"].startswith("web")]
    assert reasons.count("ScalingReplicaSet") >= 1 and reasons.count("SuccessfulCreate") >= 2
