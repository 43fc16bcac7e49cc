"""Which images a registry would serve, and the pull error containerd reports for one it does not."""

from __future__ import annotations

import functools

__all__ = ["PAUSE_IMAGES", "normalize_image", "image_pull_error", "is_pause"]

PAUSE_IMAGES = ("gcr.io/google-containers/pause", "registry.k8s.io/pause", "k8s.gcr.io/pause")
# Public repositories commonly run next to the apps (debug pods, sidecars); any tag listed is pullable.
_PUBLIC: dict[str, tuple[str, ...]] = {
    "busybox": ("latest", "1.36", "1.35", "1.28", "stable"),
    "alpine": ("latest", "3.19", "3.20", "3.18"),
    "ubuntu": ("latest", "22.04", "24.04", "20.04"),
    "debian": ("latest", "bookworm", "bookworm-slim", "bullseye"),
    "nginx": ("latest", "1.25", "1.27", "alpine", "stable"),
    "curlimages/curl": ("latest", "8.5.0", "8.10.1"),
    "nicolaka/netshoot": ("latest",),
    "mongo": ("4.4.6", "4.4", "5.0", "6.0", "7.0", "latest"),
    "redis": ("6.2.4", "6.2", "7.2", "latest", "alpine"),
    "memcached": ("1.6.7", "1.6", "latest", "alpine"),
    "python": ("3.11", "3.12", "3.11-slim", "3.12-slim", "latest"),
    "registry.k8s.io/pause": ("3.9", "3.10", "latest"),
    "gcr.io/google-containers/pause": ("latest", "3.2", "3.1"),
    "k8s.gcr.io/pause": ("3.2", "3.5", "latest"),
    "deathstarbench/wrk2-client": ("latest",),
    "ghcr.io/bojand/ghz": ("latest", "v0.120.0", "v0.117.0"),
}


@functools.lru_cache(maxsize=4096)  # a pure function of a string, asked at every container start
def normalize_image(image: str) -> tuple[str, str]:
    """``docker.io/library/mongo:4.4.6`` -> (``mongo``, ``4.4.6``); the tag defaults to ``latest``."""
    ref = image.strip()
    if "@" in ref:
        ref = ref.split("@", 1)[0]
    repo, tag = ref, "latest"
    last = ref.rsplit("/", 1)[-1]
    if ":" in last:
        repo, tag = ref.rsplit(":", 1)
    for prefix in ("docker.io/library/", "docker.io/", "index.docker.io/library/"):
        if repo.startswith(prefix):
            repo = repo[len(prefix):]
    return repo, tag


@functools.lru_cache(maxsize=4096)
def is_pause(image: str) -> bool:
    return normalize_image(image)[0] in PAUSE_IMAGES


def _full_ref(repo: str, tag: str) -> str:
    first = repo.split("/", 1)[0]
    if "." in first or ":" in first:
        return f"{repo}:{tag}"
    return f"docker.io/{repo if '/' in repo else 'library/' + repo}:{tag}"


def image_pull_error(image: str, app_images: frozenset[str]) -> str | None:
    """None if ``image`` can be pulled; else the message after ``Failed to pull image "<image>": ``."""
    if not image or not image.strip():
        return "rpc error: code = InvalidArgument desc = image reference must not be empty"
    repo, tag = normalize_image(image)
    known_tags: set[str] = set(_PUBLIC.get(repo, ()))
    for ref in app_images:
        r, t = normalize_image(ref)
        if r == repo:
            known_tags.add(t)
    if tag in known_tags:
        return None
    full = _full_ref(repo, tag)
    if known_tags:  # the repository exists; the tag does not
        return (f'rpc error: code = NotFound desc = failed to pull and unpack image "{full}": failed to resolve '
                f'reference "{full}": {full}: not found')
    return (f'rpc error: code = Unknown desc = failed to pull and unpack image "{full}": failed to resolve reference '
            f'"{full}": pull access denied, repository does not exist or may require authorization: server message: '
            "insufficient_scope: authorization failed")
