"""A corpus of command lines agents really type, run against the fixture cluster.

Each line asserts: no internal error, the exit-code class, and that reads (and dry runs) leave
``cluster.digest()`` unchanged while real mutations change it.
"""

from __future__ import annotations

import pathlib
import shlex

import pytest

from aoi_gym.shell.context import ShellContext
from aoi_gym.shell.kubectl import run_kubectl
from kubectl_helpers import build_cluster

_LINES = [
    tuple(part.strip() for part in line.split("|", 1))
    for line in (pathlib.Path(__file__).parent / "corpus.txt").read_text().splitlines()
    if line.strip() and not line.startswith("#")
]
_BASE = build_cluster()
_SNAP = _BASE.snapshot()


def test_corpus_is_large_enough():
    assert len(_LINES) >= 150
    assert {c for c, _ in _LINES} == {"R", "E", "M", "D"}


@pytest.mark.parametrize("cls,line", _LINES, ids=[f"{i}-{l[1][:60]}" for i, l in enumerate(_LINES)])
def test_corpus_line(cls, line):
    _BASE.restore(_SNAP)
    before = _BASE.digest()
    res = run_kubectl(shlex.split(line), "", ShellContext(cluster=_BASE, namespace="default"))
    assert "Traceback" not in res.stderr
    assert not res.stderr.startswith(("error: KeyError", "error: TypeError", "error: AttributeError", "error: ValueError",
                                      "error: IndexError")), res.stderr
    after = _BASE.digest()
    if cls == "E":
        assert res.code != 0, res.stdout + res.stderr
        assert res.stderr, "errors must explain themselves on stderr"
        assert after == before
    else:
        assert res.code == 0, res.stderr
        if cls in ("R", "D"):
            assert after == before, "a read or dry run changed the cluster"
        else:
            assert after != before, "a mutating command left the cluster unchanged"
