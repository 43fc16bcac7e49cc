"""What process runs in a container: derived from the pod's labels, the image and the command.

The HotelReservation and SocialNetwork images hold every service's binary; ``command`` picks one, so a
``profile`` container with command ``geo`` runs the geo server (listening on geo's port). The Chaos
Mesh pause image runs but serves nothing. A container that is not the app's (a debug sidecar) runs a
``foreign`` process.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aoi_gym.apps.base import App, Service
from aoi_gym.cluster.sim.appmodel.images import is_pause, normalize_image
from aoi_gym.cluster.sim.appmodel.util import label_of

__all__ = ["Process", "identify", "container_spec", "BUGGY_IMAGES"]

BUGGY_IMAGES = ("yinfangchen/geo:app3",)
_BUGGY_REPOS = frozenset(normalize_image(b) for b in BUGGY_IMAGES)


@dataclass(frozen=True, init=False)
class Process:
    """``kind``: ``app`` (a topology service runs), ``pause``, ``buggy`` (a build that crashes), ``missing``
    (the command names no binary of the image) or ``foreign``. ``service``: the service whose code runs."""

    kind: str
    service: Service | None
    labeled: str | None  # the service the pod belongs to (by label)
    binary: str = ""

    def __init__(self, kind: str, service: Service | None, labeled: str | None, binary: str = "") -> None:
        # the generated __init__ of a frozen dataclass sets each field through object.__setattr__
        # (one Process per container start); filling the instance dict is the same state
        d = self.__dict__
        d["kind"] = kind
        d["service"] = service
        d["labeled"] = labeled
        d["binary"] = binary

    @property
    def listen(self) -> tuple[int, ...]:
        return self.service.listen_ports if self.kind == "app" and self.service else ()

    @property
    def style(self) -> str:
        return self.service.style if self.service else "generic"


def container_spec(pod: dict[str, Any], name: str) -> dict[str, Any] | None:
    for c in pod.get("spec", {}).get("containers", []) or []:
        if c.get("name") == name:
            return c
    return None


def identify(app: App | None, pod: dict[str, Any], container: dict[str, Any]) -> Process:
    """The process ``container`` of ``pod`` runs under ``app`` (None: a pod outside any app)."""
    image = container.get("image") or ""
    labeled = label_of(pod, app.label_key) if app else None
    if is_pause(image):
        return Process("pause", None, labeled)
    if app is None or labeled not in app.services:
        return Process("foreign", None, labeled)
    base = app.services[labeled]
    # (the pod's container count matters only for a container other than the service's main one)
    if container.get("name") != app.container_name(labeled) and len(pod.get("spec", {}).get("containers", [])) > 1:
        return Process("foreign", None, labeled)
    repo = normalize_image(image)
    if repo in _BUGGY_REPOS:
        return Process("buggy", base, labeled, binary=labeled)
    if base.command:  # a multi-binary image: the command picks the server
        cmd = container.get("command") or list(base.command)
        binary = str(cmd[0]) if cmd else ""
        target = app.service_of_binary(binary)
        if target is None or normalize_image(app.services[target].image)[0] != repo[0]:
            return Process("missing", base, labeled, binary=binary)
        return Process("app", app.services[target], labeled, binary=binary)
    return Process("app", base, labeled, binary=labeled)
