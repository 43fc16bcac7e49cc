"""The fault library: one fault family per module (or a few closely related families per module).

Each family is a :class:`~aoi_gym.faults.base.Fault` subclass registered in :data:`FAMILIES` under its
id; :func:`make_fault` builds one for an application. Families inject through the Cluster interface
(patch, scale, exec, create a Chaos Mesh object), so they run on the simulated and the real backend.

>>> from aoi_gym.faults import make_fault
>>> fault = make_fault("revoke_auth_mongodb", "hotel_reservation", target="mongodb-geo")
"""

from __future__ import annotations

import importlib

from aoi_gym.faults.base import (
    APP_NAMESPACES,
    FAMILIES,
    FAULT_TYPES,
    SYSTEM_LEVELS,
    Fault,
    GroundTruth,
    make_fault,
    register,
)

__all__ = [
    "APP_NAMESPACES",
    "FAMILIES",
    "FAULT_TYPES",
    "SYSTEM_LEVELS",
    "Fault",
    "GroundTruth",
    "make_fault",
    "register",
    "load_all",
    "FAMILY_MODULES",
]

#: Modules that define families (imported lazily by :func:`load_all`).
FAMILY_MODULES = (
    "service_port",
    "scale",
    "scheduling",
    "container_spec",
    "mongodb_auth",
    "chaos",
    "flagd",
    "noop",
    "resources",
    "probes",
    "config_refs",
    "network",
    "nodes",
    "mongodb_tls",
    "storage",
    "rollout",
    "autoscaling",
)


def load_all() -> dict[str, type[Fault]]:
    """Import every family module (idempotent) and return :data:`FAMILIES`."""
    for mod in FAMILY_MODULES:
        importlib.import_module(f"aoi_gym.faults.{mod}")
    return FAMILIES
