"""The Compressor: keeps every role's context within budget.

Deterministic reductions come first and apply to every observation a role reads:

* logs: lines deduplicated after masking timestamps, ids and numbers (``line  [x37]``), error and
  warning lines first;
* tables (``kubectl get``, metrics, traces): only the abnormal rows (not Running, not ready, restarts,
  errors, Pending, 0 replicas, throttling...), with a count of the normal rows left out;
* anything else: head and tail kept, the middle cut with a note.

Then, where a role's conversation grows past its budget, the older turns are folded into one summary
message: a deterministic digest of them, or, when the Compressor has an LLM back-end, the model's
summary of them.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from aoi_agents.llm.base import LLM, LLMError, Message, SamplingParams

__all__ = ["Compressor", "dedupe_log_lines", "abnormal_rows", "looks_like_table"]

_TS = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?"
    r"|\b\d{2}:\d{2}:\d{2}(?:\.\d+)?\b"
)
_HEX = re.compile(r"\b[0-9a-f]{8,}\b")
_NUM = re.compile(r"\d+(?:\.\d+)?")
_SEVERE = re.compile(r"error|fail|fatal|panic|exception|refused|denied|unauthori|timeout|timed out|crash|kill|oom|unable|cannot|can't|invalid|not found|no such|warn", re.I)
_ABNORMAL_CELL = re.compile(
    r"CrashLoopBackOff|Error|Pending|ImagePull|ErrImage|OOMKilled|Terminating|Evicted|Failed|Unknown|"
    r"NotReady|SchedulingDisabled|ContainerCreating|Init:|Lost|Released|Warning|Unhealthy|BackOff|"
    r"FailedScheduling|Killing",
)
_READY = re.compile(r"^(\d+)/(\d+)$")
_HEADER_WORD = re.compile(r"^[A-Z][A-Z0-9()/%_.-]*$")


def dedupe_log_lines(text: str, max_lines: int = 40) -> str:
    """Collapse repeated log lines (equal once timestamps, hex ids and numbers are masked).

    Returns the distinct lines in order of first appearance, each with ``[xN]`` when repeated; severe
    lines (errors, warnings, refusals...) are kept before others when the list must be cut.
    """
    lines = [ln for ln in text.splitlines() if ln.strip()]
    counts: Counter[str] = Counter()
    first: dict[str, str] = {}
    for ln in lines:
        key = _NUM.sub("#", _HEX.sub("<id>", _TS.sub("<t>", ln))).strip()
        counts[key] += 1
        first.setdefault(key, ln)
    keys = list(first)
    if len(keys) > max_lines:
        severe = [k for k in keys if _SEVERE.search(k)]
        rest = [k for k in keys if not _SEVERE.search(k)]
        keep = set((severe + rest)[:max_lines])
        keys = [k for k in keys if k in keep]
    out = [first[k] + (f"  [x{counts[k]}]" if counts[k] > 1 else "") for k in keys]
    dropped = len(first) - len(keys)
    head = f"[compressed: {len(lines)} log lines -> {len(first)} distinct"
    head += f", {dropped} distinct lines left out]" if dropped else "]"
    return head + "\n" + "\n".join(out)


def looks_like_table(text: str) -> bool:
    """True when the first non-blank line is an upper-case column header (kubectl, metrics, traces)."""
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    words = first.split()
    return len(words) >= 2 and sum(bool(_HEADER_WORD.match(w)) for w in words) >= max(2, len(words) - 1)


def _row_abnormal(header: list[str], row: str) -> bool:
    cells = row.split()
    if _ABNORMAL_CELL.search(row):
        return True
    for h, c in zip(header, cells):
        m = _READY.match(c)
        if h in ("READY", "AVAILABLE", "UP-TO-DATE") or m:
            if m and m.group(1) != m.group(2):
                return True
            if h == "AVAILABLE" and c == "0":
                return True
        if h in ("RESTARTS", "ERRORS", "THROTTLED/s") and c[:1].isdigit() and c.split(".")[0] not in ("0",):
            return True
    return False


def abnormal_rows(text: str, keep_normal: int = 0) -> str:
    """Keep the header and the abnormal rows of a table; say how many normal rows were left out.

    Tables separated by blank lines are handled one by one; lines that are not tables pass through.
    """
    out: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        lines = block.splitlines()
        if len(lines) < 3 or not looks_like_table(block):
            out.append(block)
            continue
        hi = next(i for i, ln in enumerate(lines) if ln.strip())
        header_line = lines[hi]
        header = header_line.split()
        rows = lines[hi + 1 :]
        bad = [r for r in rows if _row_abnormal(header, r)]
        normal = [r for r in rows if r not in bad]
        kept = bad + normal[:keep_normal]
        note = f"[{len(normal) - min(len(normal), keep_normal)} normal rows of {len(rows)} left out]" if len(normal) > keep_normal else ""
        out.append("\n".join(lines[:hi + 1] + [r for r in rows if r in kept] + ([note] if note else [])))
    return "\n\n".join(out)


def _head_tail(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    keep = max(0, limit - 60)
    return text[: keep * 2 // 3] + f"\n[... {len(text) - keep} characters cut ...]\n" + text[len(text) - keep // 3 :]


@dataclass
class Compressor:
    """Deterministic reductions of observations, and folding of long conversations.

    Args:
        max_observation_chars: an observation longer than this is reduced (shorter ones pass as is).
        context_chars: a role's conversation longer than this has its older turns folded.
        keep_recent: how many of the latest messages folding never touches.
        llm: optional back-end that writes the summary of folded turns (else a deterministic digest).

    ``events`` lists what was compressed (role, characters before and after), for the trajectory.
    """

    max_observation_chars: int = 2500
    context_chars: int = 24000
    keep_recent: int = 6
    llm: LLM | None = None
    params: SamplingParams = field(default_factory=lambda: SamplingParams(temperature=0.0, max_tokens=400))
    events: list[dict[str, Any]] = field(default_factory=list)

    def observation(self, text: str, role: str = "") -> str:
        """Reduce one observation for a role's context (tables -> abnormal rows, logs -> distinct lines)."""
        if len(text) <= self.max_observation_chars:
            return text
        if looks_like_table(text) or "\n\n" in text and any(looks_like_table(b) for b in text.split("\n\n")):
            reduced = abnormal_rows(text, keep_normal=3)
        else:
            reduced = dedupe_log_lines(text)
        reduced = _head_tail(reduced, self.max_observation_chars)
        self.events.append({"role": "compressor", "phase": "reasoning", "for": role, "kind": "observation",
                            "chars_in": len(text), "chars_out": len(reduced)})
        return reduced

    def fit(self, messages: list[Message], role: str = "") -> list[Message]:
        """Return ``messages`` folded to the budget: the system message and the first user message stay,
        the latest ``keep_recent`` stay, everything between becomes one summary message."""
        total = sum(len(str(m.get("content", ""))) for m in messages)
        head = 2 if len(messages) > 1 and messages[0].get("role") == "system" else 1
        if total <= self.context_chars or len(messages) <= head + self.keep_recent + 1:
            return messages
        cut = len(messages) - self.keep_recent
        if messages[cut].get("role") == "assistant":  # start the kept tail on a user turn
            cut -= 1
        old = messages[head:cut]
        if not old:
            return messages
        summary = self._summarize(old)
        folded = _merge_same_role(messages[:head] + [{"role": "user", "content": "Summary of earlier turns:\n" + summary}] + messages[cut:])
        self.events.append({"role": "compressor", "phase": "reasoning", "for": role, "kind": "history",
                            "messages_folded": len(old), "chars_in": total,
                            "chars_out": sum(len(str(m.get("content", ""))) for m in folded),
                            "by": "llm" if self.llm is not None else "rules"})
        return folded

    def _summarize(self, old: list[Message]) -> str:
        digest = "\n".join(
            f"- {m.get('role')}: {_first_lines(str(m.get('content', '')), 3, 240)}" for m in old
        )
        if self.llm is None:
            return _head_tail(digest, self.context_chars // 3)
        ask = [
            {"role": "system", "content": "You condense an incident investigation log. Keep every finding "
             "that matters for diagnosis: failing components, error messages, abnormal values, what was "
             "ruled out. Be brief."},
            {"role": "user", "content": _head_tail(digest, self.context_chars // 2)},
        ]
        try:
            text = self.llm.generate([ask], self.params)[0].text.strip()
        except LLMError:
            text = ""
        return text or _head_tail(digest, self.context_chars // 3)


def _merge_same_role(messages: list[Message]) -> list[Message]:
    """Join neighbouring messages of the same role (chat templates want roles to alternate)."""
    out: list[Message] = []
    for m in messages:
        if out and out[-1].get("role") == m.get("role"):
            out[-1] = {**out[-1], "content": f"{out[-1].get('content', '')}\n\n{m.get('content', '')}"}
        else:
            out.append(dict(m))
    return out


def _first_lines(text: str, n: int, limit: int) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()][:n]
    return " | ".join(lines)[:limit]
