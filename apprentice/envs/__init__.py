"""Env creation and the spec that datasets, policies and envs are checked against.

The names below are imported on first use (PEP 562), so that the light modules of this package
(``seeds``, ``spaces``) import without jax or Gymnasium, as configs and ``--help`` do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from apprentice.lazy import lazy_getattr

_SOURCES = {
    **dict.fromkeys(
        (
            "JAX_ENV_IDS",
            "JaxEnv",
            "JaxStep",
            "JaxVectorEnv",
            "RolloutCarry",
            "has_jax_env",
            "init_carry",
            "make_jax_env",
            "scan_rollout",
            "scan_rollout_from",
        ),
        "jax_envs",
    ),
    **dict.fromkeys(("env_spec", "make_env", "make_vector_env"), "make"),
    **dict.fromkeys(("Stream", "collection_seed", "drawn_collection_seed", "evaluation_seed"), "seeds"),
    **dict.fromkeys(("EnvSpec", "executed_actions", "require_data_matches"), "spec"),
}

if TYPE_CHECKING:
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


__getattr__ = lazy_getattr(__name__, globals(), _SOURCES)


__all__ = sorted(_SOURCES)
