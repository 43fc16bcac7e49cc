"""Text tools and small programs of the simulated shell; importing this package registers them
in :data:`aoi_gym.shell.programs.PROGRAMS` (one module per tool or family of tools)."""

import importlib

#: the tool modules, each registering its programs when imported
TOOL_MODULES = ("awk", "base64_tool", "column", "conditions", "cut", "date", "echo", "files", "grep", "headtail",
                "jq", "lines", "misc", "sed", "sort", "wc")

for _module in TOOL_MODULES:
    importlib.import_module(f"{__name__}.{_module}")
