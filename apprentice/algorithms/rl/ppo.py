"""PPO's entry point: one ``train`` for both environment backends (see ``ppo_core`` for the math)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jaxtyping import PRNGKeyArray

from apprentice.algorithms.rl.common import RewardFn, RLResult
from apprentice.algorithms.rl.ppo_core import PPOConfig, ppo_learner
from apprentice.algorithms.rl.ppo_host import run_learner_on_gymnasium
from apprentice.envs.make import env_spec
from apprentice.rollout import resolve_backend


def train(
    key: PRNGKeyArray,
    config: PPOConfig,
    env_id: str,
    *,
    reward_fn: RewardFn | None = None,
    progress: bool = True,
    on_evaluation: Callable[[RLResult], None] | None = None,
    env_kwargs: dict[str, Any] | None = None,
) -> RLResult:
    """Train PPO on ``env_id``, optionally on a learned reward; returns the policy and metric rows.

    ``reward_fn(obs, action, next_obs)`` replaces the env's reward (GAIL, AIRL and RLHF pass
    theirs); every row still reports the env's true return (``train_return``, ``eval_return``).
    On the pure-JAX backend the whole run is one jitted function
    (:func:`apprentice.algorithms.rl.ppo_jax.make_train`).

    Example:
        >>> result = train(jax.random.key(0), PPOConfig(total_steps=100_000), "CartPole-v1")
        >>> result.metrics[-1]["eval_return"]
    """
    learner = ppo_learner(config, env_spec(env_id, **(env_kwargs or {})), reward_fn)
    backend = "gymnasium" if learner.architecture.stateful else resolve_backend(config.backend, env_id, env_kwargs)
    if backend == "jax":
        from apprentice.algorithms.rl.ppo_jax import run_learner_on_jax
        from apprentice.envs.jax_envs import make_jax_env

        return run_learner_on_jax(
            key, config, make_jax_env(env_id), learner, "PPO", progress=progress, on_evaluation=on_evaluation
        )
    return run_learner_on_gymnasium(
        key, config, env_id, learner, "PPO", progress=progress, on_evaluation=on_evaluation, env_kwargs=env_kwargs
    )
