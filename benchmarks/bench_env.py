"""Env throughput: reset time and steps per second for a typical read action, 1 env and 8 async envs.

Run from the repository root: python -m benchmarks.bench_env
"""

from __future__ import annotations

import time

import gymnasium as gym

import aoi_gym  # noqa: F401
from benchmarks.common import median_ms, report

READ = 'exec_shell("kubectl get pods -n test-hotel-reservation")'
PROBLEM = "revoke_auth_mongodb-localization-1"


def main() -> None:
    env = gym.make("AOI-Incident-v0", problem_ids=[PROBLEM], max_steps=10_000)
    seeds = iter(range(10**9))
    pooled = median_ms(lambda: env.reset(seed=next(seeds)), runs=100, warmup=10)
    fresh_env = gym.make("AOI-Incident-v0", problem_ids=[PROBLEM], cluster_variants=0)
    fresh = median_ms(lambda: fresh_env.reset(seed=next(seeds)), runs=20, warmup=1)
    env.reset(seed=0)
    step = median_ms(lambda: env.step(READ), runs=300)
    env.reset(seed=0)
    metrics = median_ms(lambda: env.step('get_metrics("test-hotel-reservation", 5)'), runs=50)
    rows = [
        ("reset, new seed, default pool of 8 cached installs ms", pooled, "restore + inject + 60 s of symptoms"),
        ("reset, cluster_variants=0 (fresh install each reset) ms", fresh, "install + settle + inject"),
        ("step: kubectl get pods ms", step, f"= {1000 / step:.0f} steps/s"),
        ("step: get_metrics 5 min ms", metrics, "median of 50"),
    ]
    n, steps = 8, 40
    vec = gym.make_vec("AOI-Incident-v0", num_envs=n, vectorization_mode="async",
                       vector_kwargs={"shared_memory": False}, problem_ids=[PROBLEM], max_steps=10_000)
    vec.reset(seed=list(range(n)))
    t0 = time.perf_counter()
    for _ in range(steps):
        vec.step([READ] * n)
    dt = time.perf_counter() - t0
    vec.close()
    rows.append(("8 async envs: env steps/s", n * steps / dt, f"({steps} batched steps)"))
    report("AOI-Incident-v0 performance (simulated backend)", rows)


if __name__ == "__main__":
    main()
