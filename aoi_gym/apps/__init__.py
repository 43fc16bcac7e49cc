"""Microservice applications: topologies, Kubernetes manifests and install.

    from aoi_gym.apps import get_app, install_app, APPS
    app = install_app(cluster, "hotel_reservation")   # creates namespace + objects; then cluster.advance(60)
    app.namespace, app.label_key, app.services, app.container_name("geo"), app.summary()

``APPS`` maps each name to a factory; ``synthetic`` takes ``n_services`` and ``seed``.
"""

from __future__ import annotations

from typing import Any, Callable

from aoi_gym.apps.astronomy_shop import astronomy_shop
from aoi_gym.apps.base import App, Call, DbClient, Operation, Service
from aoi_gym.apps.hotel_reservation import hotel_reservation
from aoi_gym.apps.social_network import social_network
from aoi_gym.apps.synthetic import synthetic

__all__ = ["App", "Service", "Call", "Operation", "DbClient", "APPS", "get_app", "install_app", "app_for_namespace"]

APPS: dict[str, Callable[..., App]] = {
    "hotel_reservation": hotel_reservation,
    "social_network": social_network,
    "astronomy_shop": astronomy_shop,
    "synthetic": synthetic,
}
_DEFAULT_NAMESPACES = {"test-hotel-reservation": "hotel_reservation", "test-social-network": "social_network",
                       "astronomy-shop": "astronomy_shop"}


def get_app(name: str, **kwargs: Any) -> App:
    """Build the application ``name`` (one of ``APPS``); raises ValueError naming the valid apps."""
    try:
        factory = APPS[name]
    except KeyError:
        raise ValueError(f"unknown app {name!r}; valid apps: {', '.join(sorted(APPS))}") from None
    return factory(**kwargs)


def install_app(cluster: Any, name: str, **kwargs: Any) -> App:
    """Build app ``name`` and install it into ``cluster``; returns the App. Advance time afterwards."""
    app = get_app(name, **kwargs)
    app.install(cluster)
    return app


def app_for_namespace(namespace: str) -> App | None:
    """The app AIOpsLab deploys into ``namespace`` (None for other namespaces)."""
    name = _DEFAULT_NAMESPACES.get(namespace)
    return get_app(name) if name else None
