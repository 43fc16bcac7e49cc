"""The embedded simulated Kubernetes cluster."""

from aoi_gym.cluster.sim.cluster import EPOCH, SimCluster

__all__ = ["SimCluster", "EPOCH"]
