"""Trajectory files: one JSON line per finished episode, shared by the env's RecordTrajectory wrapper
and the agent SDK.

A line holds the problem id, seed, task type, the task prompt, every step (action, observation,
reward, info, and for the agent runtime the role and phase), and the final grade. Lines are appended
with a single ``write`` followed by ``fsync``; a line cut short by a crash is repaired (dropped) before
the next append and skipped by the reader, so finished episodes always stay readable.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

__all__ = ["Step", "Trajectory", "append_trajectory", "read_trajectories", "write_trajectories", "SCHEMA_VERSION"]

SCHEMA_VERSION = "aoi.trajectory.v1"


@dataclass
class Step:
    """One step: what the agent sent, what it saw back, and the env's reward and info.

    ``role`` and ``phase`` are set by the agent runtime (observer/probe/executor/compressor and
    observation/reasoning/action); plain env recordings leave role "agent" and phase from the action kind.
    """

    action: str
    observation: str
    reward: float = 0.0
    info: dict[str, Any] = field(default_factory=dict)
    role: str = "agent"
    phase: str = ""


@dataclass
class Trajectory:
    problem_id: str
    seed: int | None
    task_type: str
    prompt: str = ""
    steps: list[Step] = field(default_factory=list)
    grade: dict[str, Any] | None = None
    app: str = ""
    agent: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    schema: str = SCHEMA_VERSION

    @property
    def total_reward(self) -> float:
        return float(sum(s.reward for s in self.steps))

    @property
    def success(self) -> bool:
        return bool(self.grade and self.grade.get("success"))

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["total_reward"] = self.total_reward
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=False, default=_json_default)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Trajectory":
        d = dict(d)
        d.pop("total_reward", None)
        steps = [Step(**s) for s in d.pop("steps", [])]
        known = {f for f in cls.__dataclass_fields__}
        extra = {k: d.pop(k) for k in list(d) if k not in known}
        t = cls(steps=steps, **d)
        if extra:
            t.metadata.setdefault("extra", {}).update(extra)
        return t


def _json_default(o: Any) -> Any:
    if hasattr(o, "item"):  # numpy scalars
        return o.item()
    if isinstance(o, (set, tuple)):
        return list(o)
    return str(o)


def _repair_tail(fd: int) -> None:
    """Drop a last line left unterminated by a crash, so the next append starts on a fresh line."""
    size = os.lseek(fd, 0, os.SEEK_END)
    if size == 0:
        return
    os.lseek(fd, size - 1, os.SEEK_SET)
    if os.read(fd, 1) == b"\n":
        return
    # Walk back to the last newline (the file's lines are the only thing we trust).
    pos, chunk = size, 65536
    while pos > 0:
        start = max(0, pos - chunk)
        os.lseek(fd, start, os.SEEK_SET)
        buf = os.read(fd, pos - start)
        i = buf.rfind(b"\n")
        if i >= 0:
            os.ftruncate(fd, start + i + 1)
            return
        pos = start
    os.ftruncate(fd, 0)


def append_trajectory(path: str | os.PathLike, traj: Trajectory) -> None:
    """Append one episode as one JSON line, atomically with respect to crashes (see module doc)."""
    line = (traj.to_json() + "\n").encode("utf-8")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _repair_tail(fd)
        os.lseek(fd, 0, os.SEEK_END)
        view = memoryview(line)
        while view:
            n = os.write(fd, view)
            view = view[n:]
        os.fsync(fd)
    finally:
        os.close(fd)


def write_trajectories(path: str | os.PathLike, trajs: Iterable[Trajectory]) -> None:
    """Write a whole file atomically (temp file + rename)."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(p.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        for t in trajs:
            f.write(t.to_json() + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, p)


def iter_trajectories(path: str | os.PathLike) -> Iterator[Trajectory]:
    with open(path, "rb") as f:
        for raw in f:
            if not raw.endswith(b"\n"):
                break  # an unfinished last line (crash while writing): not an episode
            raw = raw.strip()
            if raw:
                yield Trajectory.from_dict(json.loads(raw))


def read_trajectories(path: str | os.PathLike) -> list[Trajectory]:
    """Every finished episode in a JSONL file, in order."""
    return list(iter_trajectories(path))
