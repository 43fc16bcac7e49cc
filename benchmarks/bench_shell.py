"""Benchmark of the simulated shell: median time of parse() and of a 4-stage pipeline over 200 lines.

Run: ``python benchmarks/bench_shell.py`` (prints microseconds; goals: parse well under 50 us,
the pipeline under 1 ms). ``parse_cold_us`` clears the lexer's cache of plain words before each
parse (a line never seen before); ``parse_us`` is the steady state of an agent repeating words.
"""

from __future__ import annotations

from aoi_gym.shell.context import ProgramResult
from aoi_gym.shell.interpreter import Shell
from aoi_gym.shell.lexer import _WORD_CACHE
from aoi_gym.shell.parse import parse
from aoi_gym.shell.programs import PROGRAMS

try:
    from benchmarks.common import median_ms, report
except ImportError:  # run as a script from the benchmarks folder
    from common import median_ms, report  # type: ignore[no-redef]

TYPICAL = "kubectl get pods -n test-hotel-reservation -o wide"
EXPANDING = 'for p in $(kubectl get pods -n x -o name); do kubectl logs "$p" --tail=5 2>&1 | grep -i error; done'
LINE = "kubectl get pods -n test-hotel-reservation | grep -v Running | awk '{print $1, $4}' | sort -k2 -n | head -5"
TEXT = "NAME READY STATUS RESTARTS AGE\n" + "".join(
    f"svc-{i:03d}-7f9c6d5b4-abcde   1/1   {'Running' if i % 7 else 'CrashLoopBackOff'}   {i % 11}   {i}m\n" for i in range(199)
)


def _kubectl(argv, stdin, ctx):
    return ProgramResult(stdout=TEXT)


def median_us(fn, repeat: int = 2000) -> float:
    """Median microseconds of ``fn()`` (the shell's steps are far below a millisecond)."""
    return median_ms(fn, runs=repeat, warmup=50) * 1000


def main() -> dict[str, float]:
    shell = Shell(None, programs={**PROGRAMS, "kubectl": _kubectl})
    assert shell.run(LINE).exit_code == 0
    results = {
        "parse_us": median_us(lambda: parse(LINE)),
        "parse_cold_us": median_us(lambda: (_WORD_CACHE.clear(), parse(LINE))),
        "parse_typical_us": median_us(lambda: parse(TYPICAL)),
        "parse_loop_with_expansions_us": median_us(lambda: parse(EXPANDING)),
        "pipeline_4_stages_200_lines_us": median_us(lambda: shell.run(LINE)),
        "grep_wc_us": median_us(lambda: shell.run("kubectl get pods | grep geo | wc -l")),
    }
    report("Simulated shell (median microseconds)", [(k, v, "us") for k, v in results.items()])
    return results


if __name__ == "__main__":
    main()
