"""Timing helpers shared by the benchmarks: medians over many runs, printed as a table."""

from __future__ import annotations

import statistics
import time
from typing import Callable

__all__ = ["median_ms", "report"]


def median_ms(fn: Callable[[], object], runs: int = 200, warmup: int = 5) -> float:
    """Median wall time of ``fn()`` in milliseconds over ``runs`` calls (after ``warmup`` calls)."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples)


def report(title: str, rows: list[tuple[str, float, str]]) -> None:
    """Print ``(name, value, unit/goal)`` rows."""
    print(f"\n{title}")
    width = max(len(r[0]) for r in rows)
    for name, value, note in rows:
        print(f"  {name.ljust(width)}  {value:10.3f}  {note}")
