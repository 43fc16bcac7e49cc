"""aoi_gym.apps."""
