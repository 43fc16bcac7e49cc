"""Text tools and small programs of the simulated shell; importing this package registers them
in :data:`aoi_gym.shell.programs.PROGRAMS` (one module per tool or family of tools)."""

from aoi_gym.shell.tools import (  # noqa: F401
    awk,
    base64_tool,
    column,
    conditions,
    cut,
    date,
    echo,
    files,
    grep,
    headtail,
    jq,
    misc,
    sed,
    sort,
    wc,
)
