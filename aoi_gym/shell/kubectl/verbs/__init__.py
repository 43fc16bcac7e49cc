"""kubectl verbs: each module exposes ``run_<verb>(inv) -> int`` functions."""
