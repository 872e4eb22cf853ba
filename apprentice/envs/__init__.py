"""Env creation and the spec that datasets, policies and envs are checked against."""

from apprentice.envs.jax_envs import (
    JAX_ENV_IDS,
    JaxEnv,
    JaxStep,
    JaxVectorEnv,
    RolloutCarry,
    has_jax_env,
    init_carry,
    make_jax_env,
    scan_rollout,
    scan_rollout_from,
)
from apprentice.envs.make import env_spec, make_env, make_vector_env
from apprentice.envs.seeds import Stream, collection_seed, drawn_collection_seed, evaluation_seed
from apprentice.envs.spec import EnvSpec, executed_actions, require_data_matches

__all__ = [
    "JAX_ENV_IDS",
    "EnvSpec",
    "JaxEnv",
    "JaxStep",
    "JaxVectorEnv",
    "RolloutCarry",
    "Stream",
    "collection_seed",
    "drawn_collection_seed",
    "env_spec",
    "evaluation_seed",
    "executed_actions",
    "has_jax_env",
    "init_carry",
    "make_env",
    "make_jax_env",
    "make_vector_env",
    "require_data_matches",
    "scan_rollout",
    "scan_rollout_from",
]
