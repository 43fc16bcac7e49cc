"""An in-process ``kubectl`` (v1.31 output formats) over the :class:`aoi_gym.cluster.base.Cluster` interface.

``run_kubectl(argv, stdin, ctx)`` is a shell program (see :mod:`aoi_gym.shell.context`): ``argv[0]`` is
``kubectl`` or ``k``; it returns a ``ProgramResult`` with kubectl's stdout, stderr and exit code. It
reaches the cluster only through ``ctx.cluster``'s Cluster-protocol methods, so it works unchanged on
the simulated and the real backend.
"""

from aoi_gym.shell.kubectl.main import READ_VERBS, VERBS, run_kubectl

__all__ = ["run_kubectl", "VERBS", "READ_VERBS"]
