"""Helpers shared by the benchmarks: medians over many runs printed as a table.

Every benchmark times through :func:`median_ms` (or :func:`best_rate` for throughputs) and prints
through :func:`report`, so the numbers of all benchmarks mean the same thing.
"""

from __future__ import annotations

import statistics
import time
from typing import Callable

__all__ = ["median_ms", "best_rate", "report"]


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


def best_rate(fn: Callable[[], int], seconds: float, repeats: int = 3) -> float:
    """Items per second: ``fn()`` does a batch and returns how many items it did; it is called for
    ``seconds / repeats`` seconds, ``repeats`` times, and the best rate counts (the one least disturbed
    by other processes)."""
    best = 0.0
    for _ in range(repeats):
        n, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < seconds / repeats:
            n += fn()
        best = max(best, n / (time.perf_counter() - t0))
    return best


def report(title: str, rows: list[tuple[str, float, str]]) -> None:
    """Print ``(name, value, unit/goal)`` rows."""
    print(f"\n{title}")
    width = max(len(r[0]) for r in rows)
    for name, value, note in rows:
        print(f"  {name.ljust(width)}  {value:10.3f}  {note}")
