"""Unit tests of kubectl's building blocks and properties of the whole program."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aoi_gym.shell.context import ShellContext
from aoi_gym.shell.kubectl import run_kubectl
from aoi_gym.shell.kubectl.errors import UsageError
from aoi_gym.shell.kubectl.flags import Flag, flagset, parse_flags
from aoi_gym.shell.kubectl.printers.jsonpath import render
from aoi_gym.shell.kubectl.printers.podstatus import pod_ready_status_restarts
from aoi_gym.shell.kubectl.tabwriter import tabwrite
from aoi_gym.shell.kubectl.timefmt import human_duration, parse_go_duration
from kubectl_helpers import build_cluster, kubectl

NS = "-n test-hotel-reservation"


@pytest.mark.parametrize("secs,text", [(-5, "<invalid>"), (-1, "0s"), (45, "45s"), (119, "119s"), (312, "5m12s"), (300, "5m"),
                                       (1800, "30m"), (3 * 3600 + 60, "3h1m"), (10 * 3600, "10h"), (2 * 86400 + 3 * 3600, "2d3h"),
                                       (30 * 86400, "30d"), (3 * 365 * 86400, "3y")])
def test_human_duration(secs, text):
    assert human_duration(secs) == text


def test_go_duration():
    assert parse_go_duration("1h30m") == 5400
    assert parse_go_duration("90s") == 90
    with pytest.raises(ValueError):
        parse_go_duration("5 minutes")


def test_tabwriter_blocks_like_go():
    text = "Name:\tx\nPriority Class Name:\ty\nIPs:\n  IP:\t1.2.3.4\nControlled By:\tRS/x\n"
    assert tabwrite(text, 0, 2) == "Name:                 x\nPriority Class Name:  y\nIPs:\n  IP:           1.2.3.4\nControlled By:  RS/x\n"
    assert tabwrite("A\tBB\nCCC\tD\n", 6, 3) == "A     BB\nCCC   D\n"  # minwidth 6 includes the padding


def test_flag_forms():
    flags = flagset([Flag("namespace", "n"), Flag("all", "A", "bool", False), Flag("tty", "t", "bool", False),
                     Flag("stdin", "i", "bool", False), Flag("tail", kind="int", default=-1), Flag("label", "L", "list")])
    p = parse_flags(["-nfoo", "-it", "--tail=5", "x", "-L", "a", "-L=b", "--", "cmd", "-n"], flags, "get")
    assert p["namespace"] == "foo" and p["tty"] and p["stdin"] and p["tail"] == 5
    assert p.args == ["x"] and p.dash_args == ["cmd", "-n"] and p["label"] == ["a", "b"]
    with pytest.raises(UsageError, match="unknown flag: --bogus"):
        parse_flags(["--bogus"], flags, "get")
    with pytest.raises(UsageError, match="flag needs an argument: 'n' in -n"):
        parse_flags(["-n"], flags, "get")
    with pytest.raises(UsageError, match='invalid argument "x" for "--tail" flag'):
        parse_flags(["--tail", "x"], flags, "get")


def test_jsonpath_dialect():
    data = {"items": [{"metadata": {"name": "a"}, "status": {"conditions": [{"type": "Ready", "status": "True"}]}},
                      {"metadata": {"name": "b"}, "status": {"conditions": [{"type": "Ready", "status": "False"}]}}]}
    assert render("{.items[*].metadata.name}", data) == "a b"
    assert render('{.items[?(@.status.conditions[0].status=="False")].metadata.name}', data) == "b"
    assert render('{range .items[*]}{.metadata.name}{"\\n"}{end}', data) == "a\nb\n"
    assert render("{.items[-1:].metadata.name}", data) == "b"
    assert render("{..type}", data) == "Ready Ready"
    assert json.loads(render("{.items[0].metadata}", data)) == {"name": "a"}


def _pod(cs, phase="Running", **meta):
    return {"metadata": {"name": "p", **meta}, "spec": {"containers": [{"name": c.get("name", "c")} for c in cs]},
            "status": {"phase": phase, "containerStatuses": cs}}


def test_pod_status_reasons():
    now = 1_000_000.0
    running = {"name": "c", "ready": True, "restartCount": 0, "state": {"running": {}}}
    assert pod_ready_status_restarts(_pod([running]), now) == ("1/1", "Running", "0")
    oom = {"name": "c", "ready": False, "restartCount": 2, "state": {"terminated": {"reason": "OOMKilled", "exitCode": 137}}}
    assert pod_ready_status_restarts(_pod([oom]), now)[1] == "OOMKilled"
    err = {"name": "c", "ready": False, "restartCount": 0, "state": {"waiting": {"reason": "CreateContainerConfigError"}}}
    assert pod_ready_status_restarts(_pod([err], "Pending"), now)[1] == "CreateContainerConfigError"
    noreason = {"name": "c", "ready": False, "restartCount": 0, "state": {"terminated": {"exitCode": 3}}}
    assert pod_ready_status_restarts(_pod([noreason], "Failed"), now)[1] == "ExitCode:3"
    assert pod_ready_status_restarts(_pod([running], deletionTimestamp="2026-01-05T09:00:00Z"), now)[1] == "Terminating"
    evicted = {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c"}]}, "status": {"phase": "Failed", "reason": "Evicted"}}
    assert pod_ready_status_restarts(evicted, now)[1] == "Evicted"


def test_apply_create_configure_unchanged():
    c = build_cluster()
    manifest = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  a: '1'\n---\n"
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector: {app: web}\n  ports:\n  - port: 80\n")
    r = kubectl(c, f"kubectl apply -f - {NS}", stdin=manifest)
    assert (r.code, r.stdout) == (0, "configmap/app created\nservice/web created\n")
    r = kubectl(c, f"kubectl apply -f - {NS}", stdin=manifest)
    assert r.stdout == "configmap/app unchanged\nservice/web unchanged\n"
    r = kubectl(c, f"kubectl apply -f - {NS}", stdin=manifest.replace("'1'", "'2'"))
    assert r.stdout.startswith("configmap/app configured\n")
    assert kubectl(c, f"kubectl get cm app {NS} -o jsonpath={{.data.a}}").stdout == "2"
    r = kubectl(c, f"kubectl create -f - {NS}", stdin=manifest)
    assert r.code == 1 and 'Error from server (AlreadyExists): configmaps "app" already exists' in r.stderr


def test_jsonpath_escaped_dots_in_keys():
    """kubectl get cm flagd-config -o jsonpath='{.data.demo\\.flagd\\.json}' reads the key with dots."""
    data = {"data": {"demo.flagd.json": '{"flags":{}}', "demo": {"flagd": "wrong"}}}
    assert render(r"{.data.demo\.flagd\.json}", data) == '{"flags":{}}'
    assert render(r"{..demo\.flagd\.json}", data) == '{"flags":{}}'
    assert render("{.data.demo.flagd}", data) == "wrong"
    c = build_cluster()
    manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: flagd-config\ndata:\n  demo.flagd.json: '{\"on\": true}'\n"
    assert kubectl(c, f"kubectl apply -f - {NS}", stdin=manifest).code == 0
    r = kubectl(c, f"kubectl get cm flagd-config {NS} -o jsonpath='{{.data.demo\\.flagd\\.json}}'")
    assert (r.code, r.stdout) == (0, '{"on": true}')


def test_json_list_apply_and_namespace_mismatch():
    c = build_cluster()
    doc = {"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "default"}}]}
    r = kubectl(c, f"kubectl apply -f - {NS}", stdin=json.dumps(doc))
    assert r.code == 1 and "does not match the namespace" in r.stderr
    assert kubectl(c, "kubectl apply -f -", stdin=json.dumps(doc)).stdout == "configmap/x created\n"


def test_rollout_restart_sets_annotation_and_undo():
    c = build_cluster()
    assert kubectl(c, f"kubectl rollout restart deploy/geo {NS}").stdout == "deployment.apps/geo restarted\n"
    d = c.get("Deployment", "geo", "test-hotel-reservation")
    assert d["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"] == "2026-01-05T11:00:00Z"


def test_rollout_status_messages():
    c = build_cluster()
    assert kubectl(c, f"kubectl rollout status deploy/geo {NS}").stdout == \
        'Waiting for deployment "geo" rollout to finish: 0 of 1 updated replicas are available...\n'
    assert kubectl(c, f"kubectl rollout status deploy/frontend {NS}").stdout == 'deployment "frontend" successfully rolled out\n'


def test_dry_run_changes_nothing_and_says_so():
    c = build_cluster()
    before = c.digest()
    r = kubectl(c, f"kubectl delete pod multi-c {NS} --dry-run=server")
    assert r.stdout == 'pod "multi-c" deleted (server dry run)\n' and c.digest() == before


def test_logs_defaults_container_with_notice():
    r = kubectl(build_cluster(), f"kubectl logs multi-c {NS} --tail=1")
    assert r.stderr == 'Defaulted container "app" out of: app, sidecar\n' and r.stdout == "multi-c/app line 59\n"


_TOKENS = ["kubectl", "get", "describe", "logs", "exec", "delete", "patch", "scale", "rollout", "restart", "status", "undo",
           "set", "image", "env", "label", "top", "pods", "deploy", "svc", "all", "geo", "geo-7d9b8c6f5-xk2lp", "multi-c",
           "-n", "test-hotel-reservation", "-A", "-o", "yaml", "json", "wide", "name", "jsonpath={.items[*]}", "-l", "app=x",
           "--", "echo", "-p", '{"spec":{"replicas":2}}', "--type", "json", "--replicas=2", "-c", "--tail", "5", "-f", "-",
           "{", "}", "[", "'", '"', "=", "--dry-run=client", "node", "kind-worker", "cordon", "--force", "-it", "x=y", "k-",
           "--sort-by", ".metadata.name", "-L", "custom-columns=A:.x", "apply", "create", "ns", "version", "config", "view"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_TOKENS), st.text(max_size=8)), max_size=9))
def test_random_command_lines_never_raise(tokens):
    c = build_cluster()
    res = run_kubectl(["kubectl", *tokens], "", ShellContext(cluster=c))
    assert isinstance(res.code, int) and isinstance(res.stdout, str) and isinstance(res.stderr, str)
    assert "Traceback" not in res.stderr
    if res.code != 0:
        assert res.stderr


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["get pods -A", f"describe pod geo-7d9b8c6f5-xk2lp {NS}", f"get all {NS} -o yaml", f"top pods {NS}"]))
def test_output_is_deterministic(line):
    a = kubectl(build_cluster(), "kubectl " + line)
    b = kubectl(build_cluster(), "kubectl " + line)
    assert a == b
