"""Create Gymnasium envs (single or vectorized) by id, with one clear error for unknown ids."""

from __future__ import annotations

from typing import Any

import gymnasium as gym
from gymnasium.vector import AutoresetMode, SyncVectorEnv

import apprentice.envs.registration  # noqa: F401  (registers the apprentice/ ids)
from apprentice.envs.env_ref import import_env_module, split_env_ref
from apprentice.envs.spec import EnvSpec


def make_env(env_id: str, **kwargs: Any) -> gym.Env:
    """``gymnasium.make(env_id, **kwargs)`` with an error that lists close ids on a typo.

    ``env_id`` may name a module to import first (``module:EnvId``) and carry constructor
    arguments (``EnvId{"key": value}``; see :mod:`apprentice.envs.env_ref`); ``kwargs`` go over those.

    Example:
        >>> env = make_env("CartPole-v1")
        >>> env = make_env('CartPole-v1{"max_episode_steps": 200}')
    """
    base, carried = split_env_ref(env_id)
    name = import_env_module(base)
    if name not in gym.registry:
        import difflib

        close = difflib.get_close_matches(name, list(gym.registry), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise ValueError(f"env id {env_id!r}: expected a registered Gymnasium id{hint}")
    return gym.make(name, **{**carried, **kwargs})


def make_vector_env(env_id: str, n_envs: int, **kwargs: Any) -> SyncVectorEnv:
    """``n_envs`` copies of ``env_id`` stepping together; a finished copy resets in the same step.

    Same-step autoreset: when a copy's episode ends, ``step`` returns the new episode's first
    observation and puts the final one in ``info["final_obs"]``.
    """
    if n_envs < 1:
        raise ValueError(f"n_envs: expected a positive integer, got {n_envs}")
    make_env(env_id, **kwargs).close()  # validates the id once, with the clear error
    return SyncVectorEnv(
        [lambda: make_env(env_id, **kwargs) for _ in range(n_envs)], autoreset_mode=AutoresetMode.SAME_STEP
    )


def env_spec(env_id: str, **kwargs: Any) -> EnvSpec:
    """The :class:`EnvSpec` of ``env_id``."""
    env = make_env(env_id, **kwargs)
    try:
        return EnvSpec.from_env(env, env_id)
    finally:
        env.close()
