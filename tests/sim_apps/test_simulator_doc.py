"""The example at the top of docs/simulator.md runs as written (and its assertion holds)."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "simulator.md"


def test_the_simulator_doc_example_runs():
    code = re.search(r"```python\n(.*?)```", DOC.read_text(), re.S).group(1)
    scope: dict = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, str(DOC), "exec"), scope)
    assert "frontend-" in out.getvalue() and "Running" in out.getvalue()
    assert any(s.service == "frontend" and s.status_code == "500" for s in scope["errors"])
