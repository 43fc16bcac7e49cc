"""aoi_agents.llm."""
