"""A small in-memory filesystem for the simulated shell.

Agents write files (``kubectl get deploy x -o yaml > /tmp/d.yaml``) and read them back in a later
command, as on a real host. Only ``/tmp`` and the home directory ``/root`` are writable; writing
elsewhere fails like a read-only root filesystem. ``/dev/null`` discards writes and reads empty.
"""

from __future__ import annotations

import fnmatch
import posixpath

__all__ = ["MemoryFS", "FSError", "WRITABLE_ROOTS", "HOME"]

HOME = "/root"
WRITABLE_ROOTS = ("/tmp", HOME)
_DIRS = frozenset({"/", "/tmp", HOME, "/dev", "/etc", "/usr", "/usr/bin", "/usr/local/bin", "/bin", "/var", "/var/log"})
_MAX_FILE = 8 * 1024 * 1024


class FSError(Exception):
    """An error in the words the shell or a tool prints after ``name: `` (``No such file or directory``)."""


class MemoryFS:
    """Files as ``{absolute path: text}``; directories exist implicitly (any prefix of a file path)."""

    def __init__(self) -> None:
        self.files: dict[str, str] = {}
        self.dirs: set[str] = set()

    @staticmethod
    def resolve(path: str, cwd: str = HOME) -> str:
        """Absolute, normalised path (``~`` is not expanded here: the shell did that)."""
        return posixpath.normpath(posixpath.join(cwd, path)) if path else cwd

    def is_dir(self, path: str) -> bool:
        if path in _DIRS or path in self.dirs:
            return True
        prefix = path.rstrip("/") + "/"
        return any(p.startswith(prefix) for p in self.files)

    def exists(self, path: str) -> bool:
        return path == "/dev/null" or path in self.files or self.is_dir(path)

    def read(self, path: str) -> str:
        if path in ("/dev/null", "/dev/stdin"):
            return ""
        if path in self.files:
            return self.files[path]
        if self.is_dir(path):
            raise FSError("Is a directory")
        raise FSError("No such file or directory")

    def _check_writable(self, path: str) -> None:
        if self.is_dir(path):
            raise FSError("Is a directory")
        if not any(path == r or path.startswith(r + "/") for r in WRITABLE_ROOTS):
            raise FSError("Read-only file system")
        parent = posixpath.dirname(path)
        if not self.is_dir(parent):
            raise FSError("No such file or directory")

    def write(self, path: str, text: str, append: bool = False) -> None:
        """Create, truncate or append; raises :class:`FSError` outside the writable roots."""
        if path == "/dev/null":
            return
        if path in ("/dev/stdout", "/dev/stderr"):
            raise FSError("Permission denied")
        self._check_writable(path)
        new = (self.files.get(path, "") + text) if append else text
        if len(new) > _MAX_FILE:
            raise FSError("File too large")
        self.files[path] = new

    def mkdir(self, path: str) -> None:
        if self.exists(path) and not self.is_dir(path):
            raise FSError("File exists")
        if not any(path == r or path.startswith(r + "/") for r in WRITABLE_ROOTS):
            if self.is_dir(path):
                return
            raise FSError("Read-only file system")
        self.dirs.add(path)

    def remove(self, path: str) -> None:
        if path in self.files:
            if not any(path.startswith(r + "/") for r in WRITABLE_ROOTS):
                raise FSError("Read-only file system")
            del self.files[path]
            return
        raise FSError("Is a directory" if self.is_dir(path) else "No such file or directory")

    def listdir(self, path: str) -> list[str]:
        """Names directly under ``path`` (sorted)."""
        if path in self.files:
            return [posixpath.basename(path)]
        if not self.is_dir(path):
            raise FSError("No such file or directory")
        prefix = path.rstrip("/") + "/"
        names = {p[len(prefix) :].split("/", 1)[0] for p in (*self.files, *self.dirs) if p.startswith(prefix)}
        names |= {d[len(prefix) :].split("/", 1)[0] for d in _DIRS if d.startswith(prefix) and d != path}
        return sorted(n for n in names if n)

    def glob(self, pattern: str, cwd: str = HOME) -> list[str]:
        """Paths matching a shell pattern, written as the pattern was (relative stays relative)."""
        absolute = pattern.startswith("/")
        full = self.resolve(pattern, cwd)
        candidates = set(self.files) | self.dirs
        for p in list(candidates):
            while p not in ("/", ""):
                p = posixpath.dirname(p)
                candidates.add(p)
        depth = full.count("/")
        hits = sorted(p for p in candidates if p.count("/") == depth and fnmatch.fnmatchcase(p, full))
        hits = [h for h in hits if not posixpath.basename(h).startswith(".") or posixpath.basename(full).startswith(".")]
        if absolute:
            return hits
        base = cwd.rstrip("/") + "/"
        return [h[len(base) :] if h.startswith(base) else h for h in hits]
