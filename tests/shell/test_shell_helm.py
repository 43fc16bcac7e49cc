"""helm over a SimCluster with release secrets (aoi_gym.shell.helm)."""

from __future__ import annotations

import base64
import json

import pytest

from aoi_gym.cluster.sim.cluster import SimCluster
from aoi_gym.shell.interpreter import Shell

NS = "test-social-network"


@pytest.fixture(scope="module")
def installed():
    from aoi_gym.apps import install_app

    cluster = SimCluster(seed=0)
    install_app(cluster, "social_network")
    cluster.advance(30)
    return cluster, cluster.snapshot()


@pytest.fixture
def sh(installed):
    cluster, snap = installed
    cluster.restore(snap)
    return Shell(cluster, namespace=NS)


def mongo_args(sh):
    d = sh.cluster.get("Deployment", "url-shorten-mongodb", NS)
    return d["spec"]["template"]["spec"]["containers"][0].get("args") or []


def test_list_and_status(sh):
    out = sh.run("helm list -A").output.splitlines()
    assert out[0].split() == ["NAME", "NAMESPACE", "REVISION", "UPDATED", "STATUS", "CHART", "APP", "VERSION"]
    assert out[1].split()[:3] == ["social-network", NS, "1"] and "deployed" in out[1]
    status = sh.run(f"helm status social-network -n {NS}").output
    assert "STATUS: deployed\nREVISION: 1\n" in status
    assert sh.run("helm list -n default").output.count("\n") == 1  # header only


def test_unknown_release(sh):
    for cmd in ("helm status nope", "helm get values nope", "helm history nope"):
        r = sh.run(cmd)
        assert (r.output, r.exit_code) == ("Error: release: not found\n", 1)


def test_upgrade_changes_only_what_values_change_and_rollback(sh):
    before_frontend = sh.cluster.get("Deployment", "nginx-thrift", NS)["metadata"]["generation"]
    r = sh.run(f"helm upgrade social-network ./socialnetwork -n {NS} --reuse-values --set url-shorten-mongodb.tls.mode=requireTLS")
    assert r.exit_code == 0, r.output
    assert r.output.startswith('Release "social-network" has been upgraded. Happy Helming!\n')
    assert "--tlsMode" in mongo_args(sh) and "requireTLS" in mongo_args(sh)
    assert sh.cluster.get("Deployment", "nginx-thrift", NS)["metadata"]["generation"] == before_frontend
    values = json.loads(sh.run(f"helm get values social-network -n {NS} -o json").stdout)
    assert values == {"url-shorten-mongodb": {"tls": {"mode": "requireTLS"}}}
    secret = sh.cluster.get("Secret", "sh.helm.release.v1.social-network.v2", NS)
    assert secret["type"] == "helm.sh/release.v1" and secret["metadata"]["labels"]["status"] == "deployed"
    old = sh.cluster.get("Secret", "sh.helm.release.v1.social-network.v1", NS)
    assert old["metadata"]["labels"]["status"] == "superseded"
    assert json.loads(base64.b64decode(old["data"]["release"]))["status"] == "superseded"
    history = sh.run(f"helm history social-network -n {NS}").output.splitlines()
    assert [line.split("\t")[0].strip() for line in history] == ["REVISION", "1", "2"]
    r = sh.run(f"helm rollback social-network 1 -n {NS}")
    assert (r.output, r.exit_code) == ("Rollback was a success! Happy Helming!\n", 0)
    assert mongo_args(sh) == []
    assert "Rollback to 1" in sh.run(f"helm history social-network -n {NS}").output


def test_uninstall_deletes_objects_and_release(sh):
    r = sh.run(f"helm uninstall social-network -n {NS}")
    assert (r.output, r.exit_code) == ('release "social-network" uninstalled\n', 0)
    assert sh.cluster.list("Deployment", NS) == []
    assert sh.run(f"helm list -n {NS}").output.count("\n") == 1


def test_version_and_unknown_command(sh):
    assert sh.run("helm version --short").output == "v3.14.2+gc309b6f\n"
    r = sh.run("helm frobnicate")
    assert r.exit_code == 1 and 'unknown command "frobnicate"' in r.output
    assert sh.run("helm upgrade nope chart -n x").output == 'Error: UPGRADE FAILED: "nope" has no deployed releases\n'
