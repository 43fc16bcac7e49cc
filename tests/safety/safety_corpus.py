"""Load the hand-written corpora of tests/safety (shared by the corpus tests and the benchmark)."""

from __future__ import annotations

import os

HERE = os.path.dirname(os.path.abspath(__file__))
APP_NS = "test-hotel-reservation"


def decode(line: str) -> str:
    """``\\n`` -> newline, ``\\\\`` -> backslash; other backslashes stay as written."""
    out, i = [], 0
    while i < len(line):
        c = line[i]
        if c == "\\" and i + 1 < len(line) and line[i + 1] in "n\\":
            out.append("\n" if line[i + 1] == "n" else "\\")
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def load(name: str) -> list[tuple[str, set[str]]]:
    """(command line, tags) per non-comment line of ``tests/safety/<name>``."""
    out = []
    with open(os.path.join(HERE, name), encoding="utf-8") as fh:
        for raw in fh:
            raw = raw.rstrip("\n")
            if not raw.strip() or raw.startswith("#"):
                continue
            tags = set()
            while raw.startswith("@"):
                tag, _, raw = raw.partition(" ")
                tags.add(tag[1:])
            out.append((decode(raw), tags))
    return out
