"""aoi_agents: the agent SDK for aoi-gym (runtime, LLM back-ends, baselines, training)."""
