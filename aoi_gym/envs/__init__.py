"""aoi_gym.envs."""
