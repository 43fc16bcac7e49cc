"""The agent command corpus (``app_corpus.txt``) run through the shell against the three real apps.

Each app is installed once per module on ``SimCluster(seed=0)`` with the default controllers and app
model (kind nodes + ``install_app`` + ten settled minutes) and snapshotted; every corpus line restores
the snapshot, runs through :meth:`Shell.run` and is checked for: no internal error or traceback, its
exit-code class, and its effect on ``cluster.digest()`` (reads, dry runs and failures leave it
unchanged; mutations change it). All outputs of an app are compared with one golden file,
``golden_apps/<app>.txt``; regenerate after a deliberate change with
``UPDATE_GOLDENS=1 pytest tests/kubectl/test_kubectl_app_corpus.py`` and review the diff.

Corpus line format: ``CLASS | command line`` where CLASS is R (read, exit 0), E (error: non-zero exit
with a message on stderr), M (mutation: exit 0, digest changes) or D (dry run / no-op: exit 0, digest
unchanged). ``X@helm`` means class X on helm-installed apps and E elsewhere. Placeholders are listed in
:data:`PLACEHOLDERS`; a line whose placeholder an app lacks (no MongoDB in astronomy_shop...) is left out
for that app.
"""

from __future__ import annotations

import difflib
import functools
import os
import pathlib
import re
from dataclasses import dataclass
from typing import Any

import pytest

from aoi_gym.apps import install_app
from aoi_gym.cluster.sim.cluster import SimCluster
from aoi_gym.cluster.sim.controllers import create_kind_nodes
from aoi_gym.shell.interpreter import Shell

HERE = pathlib.Path(__file__).parent
GOLDEN_DIR = HERE / "golden_apps"
SETTLE_S = 600.0

#: per-app values of the corpus placeholders (service names; pods are resolved at run time by label)
PLACEHOLDERS: dict[str, dict[str, str]] = {
    "hotel_reservation": {"svc": "geo", "front": "frontend", "dbsvc": "mongodb-geo", "dbname": "geo-db",
                          "dbauth": "-u admin -p admin --authenticationDatabase admin",
                          "dbroot": "-u root -p root --authenticationDatabase admin", "release": "hotel-reservation"},
    "social_network": {"svc": "compose-post-service", "front": "nginx-thrift", "dbsvc": "user-mongodb",
                       "dbname": "user", "dbauth": "", "dbroot": "", "kvsvc": "user-timeline-redis", "kvcli": "redis-cli",
                       "release": "social-network"},
    "astronomy_shop": {"svc": "cart", "front": "frontend-proxy", "kvsvc": "valkey-cart", "kvcli": "valkey-cli",
                       "release": "astronomy-shop"},
}
APPS = sorted(PLACEHOLDERS)
_PLACEHOLDER = re.compile(r"\{(ns|svc|pod|container|port|label|front|frontpod|frontport|db|dbsvc|dbname|dbauth|dbroot|kv|kvsvc|kvcli|release)\}")
_EMPTY_SLOT = re.compile(r" \{(dbauth|dbroot)\}")
_INTERNAL = ("Traceback", "internal error", "KeyError", "TypeError", "AttributeError", "IndexError",
             "UnboundLocalError", "NameError", "ZeroDivisionError", "RecursionError")


@dataclass(frozen=True)
class CorpusLine:
    number: int
    cls: str          # R, E, M or D as written (before @helm)
    helm_only: bool   # X@helm: X where the app is helm-installed, E elsewhere
    template: str


def _load_corpus() -> list[CorpusLine]:
    lines = []
    for number, raw in enumerate((HERE / "app_corpus.txt").read_text().splitlines(), 1):
        if not raw.strip() or raw.startswith("#"):
            continue
        cls, template = (part.strip() for part in raw.split("|", 1))
        base, _, cond = cls.partition("@")
        assert base in ("R", "E", "M", "D") and cond in ("", "helm"), f"app_corpus.txt:{number}: bad class {cls!r}"
        lines.append(CorpusLine(number, base, cond == "helm", template))
    return lines


CORPUS = _load_corpus()


@dataclass
class AppBench:
    """One installed, settled app with its snapshot, baseline digest and resolved placeholders."""

    cluster: SimCluster
    app: Any
    snapshot: Any
    digest: str
    values: dict[str, str]


def _first_pod(cluster: SimCluster, namespace: str, label_key: str, service: str) -> str:
    pods = cluster.list("Pod", namespace, label_selector=f"{label_key}={service}")
    return sorted(p["metadata"]["name"] for p in pods)[0]


@functools.cache
def bench(app_name: str) -> AppBench:
    """Build ``app_name`` once per module: kind nodes, install, settle, snapshot."""
    cluster = SimCluster(seed=0)
    create_kind_nodes(cluster)
    app = install_app(cluster, app_name)
    cluster.advance(SETTLE_S)
    names = PLACEHOLDERS[app_name]
    ns, key = app.namespace, app.label_key
    values = {"ns": ns, "label": key, **names}
    values["pod"] = _first_pod(cluster, ns, key, names["svc"])
    values["container"] = app.container_name(names["svc"])
    values["port"] = str(app.services[names["svc"]].port)
    values["frontpod"] = _first_pod(cluster, ns, key, names["front"])
    values["frontport"] = str(app.services[names["front"]].port)
    if "dbsvc" in names:
        values["db"] = _first_pod(cluster, ns, key, names["dbsvc"])
    if "kvsvc" in names:
        values["kv"] = _first_pod(cluster, ns, key, names["kvsvc"])
    return AppBench(cluster, app, cluster.snapshot(), cluster.digest(), values)


def resolve(line: CorpusLine, values: dict[str, str]) -> str | None:
    """The command line for one app, or None when the app lacks one of its placeholders."""
    missing = [m for m in _PLACEHOLDER.findall(line.template) if m not in values]
    if missing:
        return None
    # an empty value (no auth flags) takes the space before it along: no double spaces in the command
    template = _EMPTY_SLOT.sub(lambda m: m.group(0) if values[m.group(1)] else "", line.template)
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


def expected_class(line: CorpusLine, app: Any) -> str:
    if line.helm_only and not app.helm_release:
        return "E"
    return line.cls


@dataclass(frozen=True)
class Outcome:
    command: str
    exit_code: int
    stdout: str
    stderr: str
    digest_changed: bool

    def render(self) -> str:
        text = f"### exit={self.exit_code} $ {self.command}\n{_ended(self.stdout)}"
        if self.stderr:
            text += f"--- stderr\n{_ended(self.stderr)}"
        return text


def _ended(text: str) -> str:
    return text if not text or text.endswith("\n") else text + "\n[no newline at end]\n"


@functools.cache
def outcome(app_name: str, index: int) -> Outcome | None:
    """Run corpus line ``index`` on a fresh restore of ``app_name`` (None: the line does not apply)."""
    b = bench(app_name)
    command = resolve(CORPUS[index], b.values)
    if command is None:
        return None
    b.cluster.restore(b.snapshot)
    res = Shell(b.cluster, namespace="default").run(command)
    changed = b.cluster.digest() != b.digest
    return Outcome(command, res.exit_code, res.stdout, res.stderr, changed)


def test_corpus_size_and_classes():
    assert len(CORPUS) >= 150
    assert {ln.cls for ln in CORPUS} == {"R", "E", "M", "D"}
    for app_name in APPS:
        applicable = [ln for ln in CORPUS if resolve(ln, bench(app_name).values) is not None]
        assert len(applicable) >= 140, (app_name, len(applicable))


@pytest.mark.parametrize("app_name", APPS)
def test_app_settles_healthy(app_name):
    """The baseline is a fault-free, settled app: every pod Running and ready, restore is exact."""
    b = bench(app_name)
    b.cluster.restore(b.snapshot)
    assert b.cluster.digest() == b.digest
    for pod in b.cluster.list("Pod", b.app.namespace):
        statuses = pod["status"].get("containerStatuses") or []
        assert pod["status"]["phase"] == "Running", pod["metadata"]["name"]
        assert statuses and all(s["ready"] for s in statuses), pod["metadata"]["name"]


def _available(app_name: str) -> set[str]:
    """Placeholders an app has values for, known without building it (pods come from their services)."""
    names = PLACEHOLDERS[app_name]
    derived = {"db": "dbsvc", "kv": "kvsvc"}
    return ({"ns", "label", "pod", "container", "port", "frontpod", "frontport"} | set(names)
            | {k for k, needs in derived.items() if needs in names})


_CASES = [(app_name, i) for app_name in APPS for i, ln in enumerate(CORPUS)
          if set(_PLACEHOLDER.findall(ln.template)) <= _available(app_name)]


@pytest.mark.parametrize("app_name,index", _CASES, ids=[f"{a}-L{CORPUS[i].number}" for a, i in _CASES])
def test_corpus_line(app_name, index):
    out = outcome(app_name, index)
    assert out is not None, "the line's placeholders were all expected to resolve"
    for marker in _INTERNAL:
        assert marker not in out.stderr, out.stderr
    cls = expected_class(CORPUS[index], bench(app_name).app)
    if cls == "E":
        assert out.exit_code != 0, out.stdout + out.stderr
        assert out.stderr, "errors must explain themselves on stderr"
        assert not out.digest_changed, "a failing command changed the cluster"
        return
    assert out.exit_code == 0, out.stdout + out.stderr
    if cls == "M":
        assert out.digest_changed, "a mutating command left the cluster unchanged"
    else:
        assert not out.digest_changed, "a read or dry run changed the cluster"


@pytest.mark.parametrize("app_name", APPS)
def test_golden(app_name):
    sections = [out.render() for i in range(len(CORPUS)) if (out := outcome(app_name, i)) is not None]
    text = "\n".join(sections)
    path = GOLDEN_DIR / f"{app_name}.txt"
    if os.environ.get("UPDATE_GOLDENS"):
        GOLDEN_DIR.mkdir(exist_ok=True)
        path.write_bytes(text.encode())
    assert path.exists(), f"missing golden {path}; run with UPDATE_GOLDENS=1"
    golden = path.read_bytes().decode()
    if text != golden:
        diff = difflib.unified_diff(golden.splitlines(), text.splitlines(), "golden", "now", n=2, lineterm="")
        pytest.fail("output differs from the golden file:\n" + "\n".join(list(diff)[:80]))
