"""The application model: what runs inside the simulated containers (see ``runtime.AppModel``)."""

from __future__ import annotations

from aoi_gym.cluster.base import ExecResult
from aoi_gym.cluster.sim.runtime import ContainerPlan

__all__ = ["AppModel"]


class AppModel:
    """Placeholder until the application model lands: every container starts and runs."""

    def container_plan(self, cluster, pod, container):
        return ContainerPlan()

    def logs(self, cluster, pod, container, previous, since_t):
        return []

    def exec(self, cluster, pod, container, argv, stdin):
        return ExecResult("", f'exec: "{argv[0] if argv else ""}": executable file not found in $PATH', 127)

    def metrics(self, cluster, namespace, window_s):
        return []

    def traces(self, cluster, namespace, window_s):
        return []

    def snapshot(self):
        return None

    def restore(self, snap):
        return None

    def digest_state(self):
        return ""
