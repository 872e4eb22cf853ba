"""Env creation and the spec that datasets, policies and envs are checked against."""

from apprentice.envs.make import env_spec, make_env, make_vector_env
from apprentice.envs.spec import EnvSpec, require_data_matches

__all__ = ["EnvSpec", "env_spec", "make_env", "make_vector_env", "require_data_matches"]
