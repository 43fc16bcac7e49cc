"""Fetching objects for a resource request, shared by get, describe, delete, label and friends."""

from __future__ import annotations

from typing import Any

from aoi_gym.cluster.base import ApiError, BadRequest
from aoi_gym.cluster.kinds import KindInfo
from aoi_gym.shell.kubectl.errors import KubectlError
from aoi_gym.shell.kubectl.invocation import Invocation
from aoi_gym.shell.kubectl.resources import ResourceRequest

__all__ = ["fetch", "list_kind", "get_one", "no_resources_message", "api_error"]


def api_error(e: ApiError) -> KubectlError:
    return KubectlError(e.kubectl_message())


def list_kind(inv: Invocation, info: KindInfo, all_ns: bool, selector: str | None = None,
              field_selector: str | None = None) -> list[dict[str, Any]]:
    """List one kind in the command's namespace (or all); kinds the backend does not store list as empty."""
    ns = None if (all_ns or not info.namespaced) else inv.namespace
    try:
        return inv.cluster.list(info.kind, namespace=ns, label_selector=selector or None, field_selector=field_selector or None)
    except BadRequest as e:
        if "unknown kind" in e.message:
            return []
        raise


def get_one(inv: Invocation, info: KindInfo, name: str) -> dict[str, Any]:
    try:
        return inv.cluster.get(info.kind, name, inv.namespace if info.namespaced else None)
    except BadRequest as e:
        if "unknown kind" in e.message:
            from aoi_gym.cluster.base import NotFound

            raise NotFound(f'{info.resource_ref} "{name}" not found') from None
        raise


def fetch(inv: Invocation, req: ResourceRequest, all_ns: bool = False, selector: str | None = None,
          field_selector: str | None = None) -> tuple[list[tuple[KindInfo, list[dict]]], list[str]]:
    """Objects per kind (in request order) and kubectl error lines for names that do not exist."""
    if req.has_names and selector:
        raise KubectlError("error: name cannot be provided when a selector is specified")
    if req.has_names and all_ns:
        raise KubectlError("error: a resource cannot be retrieved by name across all namespaces")
    groups: list[tuple[KindInfo, list[dict]]] = []
    index: dict[str, int] = {}
    errors: list[str] = []
    for info, name in req.items:
        if info.kind not in index:
            index[info.kind] = len(groups)
            groups.append((info, []))
        bucket = groups[index[info.kind]][1]
        if name is None:
            bucket.extend(list_kind(inv, info, all_ns, selector, field_selector))
            continue
        try:
            bucket.append(get_one(inv, info, name))
        except ApiError as e:
            errors.append(e.kubectl_message())
    return groups, errors


def no_resources_message(inv: Invocation, infos: list[KindInfo], all_ns: bool) -> str:
    if not all_ns and all(i.namespaced for i in infos):
        return f"No resources found in {inv.namespace} namespace.\n"
    return "No resources found\n"
