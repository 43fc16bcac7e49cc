"""aoi_agents.runtime."""
