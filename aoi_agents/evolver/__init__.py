"""aoi_agents.evolver."""
