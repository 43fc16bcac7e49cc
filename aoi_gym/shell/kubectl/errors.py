"""Errors a kubectl verb raises to end the command with kubectl's own message and exit code."""

from __future__ import annotations

__all__ = ["KubectlError", "UsageError"]


class KubectlError(Exception):
    """End the command: ``message`` goes to stderr verbatim (a trailing newline is added), exit ``code``.

    ``stdout`` carries what the command printed before failing (kubectl prints partial results).
    """

    def __init__(self, message: str, code: int = 1, stdout: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.stdout = stdout


class UsageError(KubectlError):
    """A bad flag or argument: kubectl adds ``See 'kubectl <verb> --help' for usage.``."""

    def __init__(self, message: str, verb: str) -> None:
        hint = f"See 'kubectl {verb} --help' for usage." if verb else "Run 'kubectl --help' for usage."
        super().__init__(f"error: {message}\n{hint}")
