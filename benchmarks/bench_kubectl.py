"""Median latency of the in-process kubectl on a simulated cluster with ~30 pods.

Run: ``python benchmarks/bench_kubectl.py [runs]`` (default 300 runs per command; goal <= 1 ms each).
"""

from __future__ import annotations

import sys

from aoi_gym.cluster.sim.cluster import SimCluster
from aoi_gym.cluster.sim.runtime import QuietAppModel
from aoi_gym.shell.context import ShellContext
from aoi_gym.shell.kubectl import run_kubectl

try:
    from benchmarks.common import median_ms, report
except ImportError:  # run as a script from the benchmarks folder
    from common import median_ms, report  # type: ignore[no-redef]

NS = "bench"


class _LogApp(QuietAppModel):
    """Application model with 200 log lines per container and nothing else."""

    def logs(self, cluster, pod, container, previous, since_t):
        return [(cluster.t - 200 + i, f"{pod['metadata']['name']} request {i} served in 12ms") for i in range(200)]


def build(n_pods: int = 30) -> SimCluster:
    c = SimCluster(seed=0, controllers=[], app_model=_LogApp())
    c.advance(3600)
    c.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}})
    for i in range(n_pods):
        svc = f"svc{i % 10}"
        c.create({"apiVersion": "v1", "kind": "Pod",
                  "metadata": {"name": f"{svc}-5c6f8d7b9-{i:05d}", "namespace": NS, "labels": {"app": svc},
                               "ownerReferences": [{"kind": "ReplicaSet", "name": f"{svc}-5c6f8d7b9", "controller": True}]},
                  "spec": {"nodeName": "kind-worker", "containers": [{"name": svc, "image": f"example/{svc}:1.0",
                           "ports": [{"containerPort": 8080, "protocol": "TCP"}], "env": [{"name": "MODE", "value": "prod"}],
                           "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}}}]},
                  "status": {"phase": "Running", "podIP": f"10.244.1.{i + 2}", "podIPs": [{"ip": f"10.244.1.{i + 2}"}], "hostIP": "172.18.0.3",
                             "startTime": c.timestamp(), "conditions": [{"type": "Ready", "status": "True"}],
                             "containerStatuses": [{"name": svc, "ready": True, "restartCount": i % 3, "image": f"example/{svc}:1.0",
                                                    "imageID": "", "containerID": "containerd://x", "state": {"running": {"startedAt": c.timestamp()}},
                                                    "lastState": {"terminated": {"exitCode": 1, "reason": "Error", "finishedAt": c.timestamp(-60)}} if i % 3 else {}}]}})
    c.advance(600)
    return c


def kubectl_ms(cluster: SimCluster, argv: list[str], runs: int) -> float:
    """Median milliseconds of one in-process kubectl command line (which must succeed)."""
    ctx = ShellContext(cluster=cluster, namespace=NS)

    def once() -> None:
        res = run_kubectl(argv, "", ctx)
        assert res.code == 0, res.stderr

    return median_ms(once, runs=runs, warmup=1)


def main(runs: int = 300) -> None:
    c = build()
    pod = c.list("Pod", NS)[0]["metadata"]["name"]
    lines = (["kubectl", "get", "pods", "-n", NS], ["kubectl", "describe", "pod", pod, "-n", NS],
             ["kubectl", "logs", pod, "-n", NS, "--tail=50"])
    report(f"In-process kubectl, {len(c.list('Pod', NS))} pods (median of {runs} runs)",
           [(" ".join(line), kubectl_ms(c, line, runs), "ms (goal <= 1)") for line in lines])


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
