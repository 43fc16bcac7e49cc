"""Byte-for-byte golden files of kubectl 1.31 output for the fixture cluster (see DIFFERENCES.md).

Regenerate after a deliberate change with ``UPDATE_GOLDENS=1 pytest tests/kubectl/test_kubectl_golden.py``
and review the diff line by line against kubectl's formats.
"""

from __future__ import annotations

import os
import pathlib

import pytest

from kubectl_helpers import build_cluster, kubectl

GOLDEN_DIR = pathlib.Path(__file__).parent / "golden"
NS = "-n test-hotel-reservation"
CASES = {
    "get_pods": f"kubectl get pods {NS}",
    "get_pods_wide_all": "kubectl get pods -A -o wide",
    "get_deploy_svc": f"kubectl get deploy,svc {NS}",
    "get_all": f"kubectl get all {NS}",
    "get_nodes": "kubectl get nodes",
    "get_nodes_wide": "kubectl get nodes -o wide",
    "get_events": f"kubectl get events {NS} --sort-by=.lastTimestamp",
    "get_events_wide": f"kubectl get events {NS} -o wide --sort-by=.lastTimestamp",
    "get_storage": "kubectl get pv,pvc,sc -A",
    "get_ep_cm_secret": f"kubectl get ep,cm,secret {NS} --show-labels",
    "get_ns": "kubectl get ns",
    "get_svc_yaml": f"kubectl get svc geo {NS} -o yaml",
    "get_pod_json": f"kubectl get pod done-job-q {NS} -o json",
    "get_cm_list_yaml": f"kubectl get cm {NS} -o yaml",
    "get_pods_custom": f"kubectl get pods {NS} -o custom-columns=NAME:.metadata.name,IP:.status.podIP,NODE:.spec.nodeName",
    "get_pods_jsonpath_range": f"kubectl get pods {NS} -o jsonpath='{{range .items[*]}}{{.metadata.name}}{{\"\\t\"}}{{.status.phase}}{{\"\\n\"}}{{end}}'",
    "jsonpath_bad_escape": f"kubectl get pods {NS} -o jsonpath={{.items[*].metadata.name}}{{\\t}}",
    "get_pods_label_cols": f"kubectl get pods {NS} -L io.kompose.service -l io.kompose.service",
    "describe_pod_crashloop": f"kubectl describe pod geo-7d9b8c6f5-xk2lp {NS}",
    "describe_pod_multi": f"kubectl describe pod multi-c {NS}",
    "describe_pod_terminating": f"kubectl describe pod terminating-t {NS}",
    "describe_pod_init": f"kubectl describe pod init-w {NS}",
    "describe_deploy": f"kubectl describe deploy geo {NS}",
    "describe_rs": f"kubectl describe rs geo-7d9b8c6f5 {NS}",
    "describe_svc": f"kubectl describe svc frontend {NS}",
    "describe_ep": f"kubectl describe ep geo {NS}",
    "describe_node": "kubectl describe node kind-worker",
    "describe_pvc": f"kubectl describe pvc geo-pvc {NS}",
    "describe_pv": "kubectl describe pv pvc-0a1b2c3d",
    "describe_cm": f"kubectl describe cm geo-config {NS}",
    "describe_secret": f"kubectl describe secret mongo-admin {NS}",
    "describe_ns": "kubectl describe ns default",
    "logs_tail": f"kubectl logs geo-7d9b8c6f5-xk2lp {NS} --tail=3",
    "logs_multi_default": f"kubectl logs multi-c {NS} --tail=2",
    "top_pods": f"kubectl top pods {NS}",
    "top_nodes": "kubectl top nodes",
    "version": "kubectl version",
    "config_view": "kubectl config view",
    "config_get_contexts": "kubectl config get-contexts",
    "cluster_info": "kubectl cluster-info",
    "not_found": f"kubectl get pod nope {NS}",
    "no_resources": "kubectl get pods",
    "unknown_type": "kubectl get foo",
    "unknown_flag": "kubectl get pods --foo",
    "unknown_command": "kubectl foo",
    "exec_fail": f"kubectl exec frontend-5c6f8d7b9-abcde {NS} -- false",
    "rollout_history": f"kubectl rollout history deploy/geo {NS}",
}


def _render(res) -> str:
    return f"--- exit {res.code}\n--- stdout\n{res.stdout}--- stderr\n{res.stderr}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name):
    res = kubectl(build_cluster(), CASES[name])
    text = _render(res)
    path = GOLDEN_DIR / f"{name}.txt"
    if os.environ.get("UPDATE_GOLDENS"):
        path.write_text(text)
    assert path.exists(), f"missing golden {path}; run with UPDATE_GOLDENS=1"
    assert text == path.read_text()
