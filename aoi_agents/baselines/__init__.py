"""aoi_agents.baselines."""
