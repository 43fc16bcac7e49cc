"""aoi_agents.grpo."""
