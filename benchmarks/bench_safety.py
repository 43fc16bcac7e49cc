"""Benchmark of the safety layer: classifier throughput and the overhead SafetyWrapper adds to a step.

Usage::

    python benchmarks/bench_safety.py [--seconds 3] [--steps 200] [--json out.json]

Throughput is measured on the hand-written corpora of tests/safety (bypass + legitimate command
lines), uncached (every call parses and classifies) and cached (the classifier memoizes per line).
Wrapper overhead: the same read action stepped through AOI-Incident-v0 with and without
SafetyWrapper(read_only()), median wall time per step (median over alternating rounds).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "safety"))
sys.path.insert(0, os.path.join(HERE, ".."))

from benchmarks.common import best_rate, median_ms  # noqa: E402  (needs the path above)


def classifier_throughput(seconds: float) -> dict:
    from safety_corpus import load

    from aoi_gym.safety import classifier

    lines = [line for name in ("corpus_bypass.txt", "corpus_legit.txt") for line, _ in load(name)]
    out = {"corpus_lines": len(lines), "mean_chars": round(statistics.mean(len(x) for x in lines), 1)}
    def classify_all(uncached: bool) -> int:
        for line in lines:
            if uncached:
                classifier._classify_cached.cache_clear()
            classifier.classify_command(line)
        return len(lines)

    for mode in ("uncached", "cached"):
        out[f"{mode}_commands_per_s"] = round(best_rate(lambda: classify_all(mode == "uncached"), seconds))
    from aoi_gym.shell.parse import parse

    def parse_all() -> int:
        for line in lines:
            try:
                parse(line)
            except Exception:
                pass
        return len(lines)

    out["parse_only_lines_per_s"] = round(best_rate(parse_all, seconds / 3, repeats=1))
    return out


def wrapper_overhead(steps: int) -> dict:
    from aoi_gym.envs.incident import IncidentEnv
    from aoi_gym.safety import SafetyWrapper, read_only

    pid = "revoke_auth_mongodb-mitigation-1"
    envs = {}
    for label in ("bare", "wrapped"):
        base = IncidentEnv(problem_ids=[pid], max_steps=10**9)
        envs[label] = (SafetyWrapper(base, read_only()) if label == "wrapped" else base, base)
    samples: dict[str, list[float]] = {"bare": [], "wrapped": []}
    for _round in range(5):  # alternate rounds so that machine noise hits both sides alike
        for label, (env, base) in envs.items():
            env.reset(seed=0)
            action = f'exec_shell("kubectl get pods -n {base.namespace} | grep -v Running | wc -l")'
            samples[label].append(median_ms(lambda: env.step(action), runs=steps, warmup=1))
    results = {k: statistics.median(v) for k, v in samples.items()}
    return {
        "steps": steps, "rounds": 5,
        "bare_ms_per_step": round(results["bare"], 3),
        "wrapped_ms_per_step": round(results["wrapped"], 3),
        "overhead_ms_per_step": round(results["wrapped"] - results["bare"], 3),
        "overhead_pct": round(100 * (results["wrapped"] / results["bare"] - 1), 1),
    }


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=3.0, help="time per throughput measurement")
    ap.add_argument("--steps", type=int, default=200, help="steps per wrapper-overhead measurement")
    ap.add_argument("--json", help="also write the results to this JSON file")
    args = ap.parse_args(argv)
    res = {"classifier": classifier_throughput(args.seconds), "wrapper": wrapper_overhead(args.steps)}
    print(json.dumps(res, indent=2))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(res, fh, indent=2)
    return res


if __name__ == "__main__":
    main()
