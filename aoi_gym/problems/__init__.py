"""aoi_gym.problems."""
