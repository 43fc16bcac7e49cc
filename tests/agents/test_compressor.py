"""Compressor: deterministic reductions and history folding."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from aoi_agents.llm import ScriptedLLM
from aoi_agents.runtime import Compressor, abnormal_rows, dedupe_log_lines

PODS = "\n".join(
    ["NAME                 READY   STATUS             RESTARTS      AGE"]
    + [f"svc{i}-abc-1         1/1     Running            0             31m" for i in range(40)]
    + ["geo-abc-1            0/1     CrashLoopBackOff   4 (15s ago)   90s", "rate-abc-1           0/1     Pending            0             90s"]
)


def test_abnormal_rows_keeps_header_and_bad_rows():
    out = abnormal_rows(PODS)
    lines = out.splitlines()
    assert lines[0].startswith("NAME") and any("CrashLoopBackOff" in ln for ln in lines) and any("Pending" in ln for ln in lines)
    assert not any(ln.startswith("svc") for ln in lines) and "40 normal rows of 42 left out" in out


def test_log_dedup_masks_timestamps_and_counts():
    log = "\n".join(f"2026-01-05T09:31:{i:02d}Z ERR connection refused to mongodb-geo:27017 attempt {i}" for i in range(50)) + "\nINFO started"
    out = dedupe_log_lines(log)
    assert "[x50]" in out and "INFO started" in out and len(out.splitlines()) == 3


def test_short_observations_pass_unchanged_and_long_ones_shrink():
    c = Compressor(max_observation_chars=500)
    assert c.observation("short") == "short"
    out = c.observation(PODS, role="probe")
    assert len(out) < len(PODS) and "CrashLoopBackOff" in out and c.events[-1]["kind"] == "observation"


def _conv(n: int) -> list[dict]:
    msgs = [{"role": "system", "content": "sys"}, {"role": "user", "content": "task"}]
    for i in range(n):
        msgs += [{"role": "assistant", "content": f"call {i} " + "x" * 300}, {"role": "user", "content": f"out {i} " + "y" * 300}]
    return msgs


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 30), budget=st.integers(500, 6000), keep=st.integers(2, 8))
def test_fit_keeps_head_and_tail_and_alternation(n, budget, keep):
    msgs = _conv(n)
    snapshot = [dict(m) for m in msgs]
    c = Compressor(context_chars=budget, keep_recent=keep)
    out = c.fit(msgs)
    assert msgs == snapshot  # the caller's list is never edited in place
    assert out[0] == msgs[0] and out[1]["content"].startswith("task") and out[-1] == msgs[-1]
    roles = [m["role"] for m in out[1:]]
    assert all(a != b for a, b in zip(roles, roles[1:]))
    total = sum(len(m["content"]) for m in msgs)
    if total <= budget or len(msgs) <= 2 + keep + 1:
        assert out == msgs and not c.events  # within budget (or nothing to fold): untouched
        return
    # over budget: the middle is folded into one summary, the recent turns are kept verbatim
    assert len(out) < len(msgs) and sum(len(m["content"]) for m in out) < total
    assert sum("Summary of earlier turns" in m["content"] for m in out) == 1
    assert out[-(keep - 1):] == msgs[-(keep - 1):]
    assert c.events[-1]["kind"] == "history" and c.events[-1]["chars_in"] == total


def test_fit_uses_the_llm_summary_when_given():
    llm = ScriptedLLM(["geo is crash-looping; mongodb-geo denies admin"], when_exhausted="repeat_last")
    c = Compressor(context_chars=2000, keep_recent=2, llm=llm)
    out = c.fit(_conv(10))
    assert any("mongodb-geo denies admin" in m["content"] for m in out) and c.events[-1]["by"] == "llm"
