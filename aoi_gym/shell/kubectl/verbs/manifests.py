"""Reading manifests from stdin (YAML multi-document or JSON, ``List`` kinds flattened)."""

from __future__ import annotations

import json
from typing import Any

import yaml

from aoi_gym.shell.kubectl.errors import KubectlError

__all__ = ["read_manifests"]


def _flatten(doc: Any, out: list[dict[str, Any]]) -> None:
    if doc is None:
        return
    if not isinstance(doc, dict):
        raise KubectlError("error: error validating data: the manifest is not an object; expected a Kubernetes object")
    if doc.get("kind", "").endswith("List") and isinstance(doc.get("items"), list):
        for item in doc["items"]:
            _flatten(item, out)
        return
    if not doc.get("kind"):
        raise KubectlError("error: error validating data: kind not set; if you choose to ignore these errors, turn validation off with --validate=false")
    if not doc.get("apiVersion"):
        raise KubectlError("error: error validating data: apiVersion not set; if you choose to ignore these errors, turn validation off with --validate=false")
    out.append(doc)


def read_manifests(text: str) -> list[dict[str, Any]]:
    if not text.strip():
        raise KubectlError("error: no objects passed to apply")
    out: list[dict[str, Any]] = []
    try:
        docs = [json.loads(text)]
    except ValueError:
        try:
            docs = list(yaml.safe_load_all(text))
        except yaml.YAMLError as e:
            raise KubectlError(f"error: error parsing STDIN: error converting YAML to JSON: yaml: {str(e).splitlines()[0]}") from None
    for d in docs:
        _flatten(d, out)
    if not out:
        raise KubectlError("error: no objects passed to apply")
    return out
