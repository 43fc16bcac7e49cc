"""An append-only audit log: one JSON line per safety verdict.

Each record holds the wall-clock time, the simulated time when known, the phase, the role, the
command, the verdict, the deciding rule, whether it was blocked, and the reason. The file is opened
in append mode only, and every line is flushed and fsync'ed before ``record`` returns, so a crash
never loses or corrupts an earlier verdict. Nothing in this module rewrites or truncates a log.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
from typing import Any

__all__ = ["AuditLog", "read_audit"]


class AuditLog:
    """Append-only JSON-lines log at ``path`` (created with its parent folder if missing).

    ``record(**fields)`` appends one line and returns the record written. Use as a context manager
    or call ``close()``; a closed log reopens itself (still in append mode) on the next record.
    """

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = os.fspath(path)
        parent = os.path.dirname(os.path.abspath(self.path))
        os.makedirs(parent, exist_ok=True)
        self._fh = None
        self.records_written = 0

    def _file(self):
        if self._fh is None or self._fh.closed:
            # "a": every write goes to the end of the file whatever else has the file open
            self._fh = open(self.path, "a", encoding="utf-8")
        return self._fh

    def record(self, **fields: Any) -> dict[str, Any]:
        rec = {"time": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="microseconds"), **fields}
        line = json.dumps(rec, default=str, ensure_ascii=False, sort_keys=False)
        fh = self._file()
        fh.write(line + "\n")
        fh.flush()
        os.fsync(fh.fileno())
        self.records_written += 1
        return rec

    def close(self) -> None:
        if self._fh is not None and not self._fh.closed:
            self._fh.close()

    def __enter__(self) -> "AuditLog":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:  # pragma: no cover - best effort
        try:
            self.close()
        except Exception:
            pass


def read_audit(path: str | os.PathLike) -> list[dict[str, Any]]:
    """Every record of an audit log, oldest first (a torn last line, if any, is skipped)."""
    out: list[dict[str, Any]] = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if not line:
                continue
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return out
