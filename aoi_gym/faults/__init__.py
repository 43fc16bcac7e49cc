"""aoi_gym.faults."""
