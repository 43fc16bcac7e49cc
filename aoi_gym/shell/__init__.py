"""aoi_gym.shell."""
