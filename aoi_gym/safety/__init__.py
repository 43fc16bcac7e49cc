"""aoi_gym.safety."""
