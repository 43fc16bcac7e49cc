"""base64 (encode with 76-column wrapping, ``-w N``; ``-d`` decode)."""

from __future__ import annotations

import base64
import binascii

from aoi_gym.shell.context import ProgramResult, ShellContext
from aoi_gym.shell.programs import register
from aoi_gym.shell.tools._common import UsageError, getopt, read_inputs, usage_error


@register("base64")
def base64_program(argv: list[str], stdin: str, ctx: ShellContext) -> ProgramResult:
    try:
        opts = getopt("base64", argv[1:], "diw:", {"decode": "d", "ignore-garbage": "i", "wrap=": "w"})
    except UsageError as e:
        return usage_error(e, "base64")
    inputs, errors = read_inputs("base64", opts.operands[:1], stdin, ctx)
    if errors:
        return ProgramResult(stderr="".join(errors), code=1)
    data = inputs[0][1]
    if opts.has("d"):
        compact = "".join(data.split())
        try:
            raw = base64.b64decode(compact + "=" * (-len(compact) % 4), validate=not opts.has("i"))
        except (binascii.Error, ValueError):
            return ProgramResult(stderr="base64: invalid input\n", code=1)
        return ProgramResult(stdout=raw.decode("utf-8", "replace"))
    encoded = base64.b64encode(data.encode()).decode()
    width = int(opts.last("w", default="76") or 76)
    if width > 0:
        encoded = "\n".join(encoded[i : i + width] for i in range(0, len(encoded), width))
    return ProgramResult(stdout=encoded + "\n" if encoded else "")
