"""Advantage-weighted regression (Peng, Kumar, Zhang & Levine 2019), online and on fixed data.

Each iteration adds the current policy's sampled steps to a buffer of the most recent
``buffer_size`` steps, then

1. fits the value network V(s) to value targets of the buffer's episodes (TD(lambda) or Monte
   Carlo, :mod:`apprentice.algorithms.rwr.advantages`), and
2. refits the policy by weighted behavior cloning, warm-started, with per-step weights

       w_t = min(exp(A(s_t, a_t) / beta), max_weight),     A(s_t, a_t) = G_t - V(s_t)

   (``G_t`` recomputed with the refit V), i.e. it maximizes ``sum_t w_t log pi(a_t | s_t)``.

With demonstrations and ``n_iterations=0`` it is one iteration on a fixed dataset: offline AWR
(the mixed-quality data of ``bench rwr``, where it keeps the good steps of every episode).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import jax
import numpy as np
from jaxtyping import PRNGKeyArray

from apprentice.algorithms.bc import train as bc_train
from apprentice.algorithms.configs.rwr import AWRConfig
from apprentice.algorithms.rwr.advantages import advantage_weights, episode_values, fit_value, value_targets
from apprentice.algorithms.rwr.loop import PolicySearchResult, run_iterations
from apprentice.data.trajectory import Trajectory, flatten
from apprentice.envs.make import env_spec
from apprentice.policies.base import Policy
from apprentice.policies.build import make_value_network, observation_stats
from apprentice.policies.value import ValueNetwork


def recent_steps(buffer: list[Trajectory], size: int) -> list[Trajectory]:
    """The most recent whole episodes of ``buffer`` holding at most ``size`` steps (the newest
    episode always, even when longer)."""
    kept: list[Trajectory] = []
    total = 0
    for trajectory in reversed(buffer):
        if kept and total + len(trajectory) > size:
            break
        kept.append(trajectory)
        total += len(trajectory)
    return kept[::-1]


def awr_step_weights(
    key: PRNGKeyArray, config: AWRConfig, value: ValueNetwork, episodes: list[Trajectory], capacity: int
) -> tuple[ValueNetwork, np.ndarray, dict[str, float]]:
    """Refit ``value`` on ``episodes`` and weigh their steps: ``(value, per-step weights, stats)``."""
    targets = [
        value_targets(t, v, config.gamma, config.td_lambda, config.value_target)
        for t, v in zip(episodes, episode_values(value, episodes))
    ]
    data = flatten(episodes)
    value, value_loss = fit_value(
        key,
        value,
        data.obs,
        np.concatenate(targets),
        config.value_steps,
        config.value_batch_size,
        config.value_learning_rate,
        capacity,
    )
    values = episode_values(value, episodes)
    advantages = np.concatenate(
        [
            value_targets(t, v, config.gamma, config.td_lambda, config.value_target) - v[:-1]
            for t, v in zip(episodes, values)
        ]
    )
    weights = advantage_weights(advantages, config.beta, config.max_weight, config.normalize_advantages)
    stats = {
        "value_loss": value_loss,
        "advantage_std": float(np.std(advantages)),
        "clipped_fraction": float(np.mean(weights >= config.max_weight * (1 - 1e-6))),
        "mean_weight": float(np.mean(weights)),
    }
    return value, weights, stats


def train(
    key: PRNGKeyArray,
    config: AWRConfig,
    env_id: str,
    demos: Sequence[Trajectory] | None = None,
    *,
    progress: bool = True,
    on_iteration: Callable[[PolicySearchResult], None] | None = None,
) -> PolicySearchResult:
    """AWR on ``env_id``: from ``demos`` (with ``n_iterations=0``: offline AWR on them) or from scratch.

    Example:
        >>> result = train(jax.random.key(0), AWRConfig(n_iterations=20), "Pendulum-v1")
        >>> offline = train(jax.random.key(0), AWRConfig(n_iterations=0), "Pendulum-v1", demos)
    """
    spec = env_spec(env_id)
    buffer: list[Trajectory] = []
    value: ValueNetwork | None = None
    value_key, key = jax.random.split(key)
    # Demonstrations are kept whole however many steps they hold.
    limit = max(config.buffer_size, sum(len(t) for t in demos) if demos is not None else 0)

    def fit(fit_key, policy: Policy | None, episodes: list[Trajectory]):
        nonlocal buffer, value
        buffer = recent_steps([*buffer, *episodes], limit)
        if value is None:  # observation statistics of the first data, frozen as the policy's are
            mean, std = observation_stats(flatten(buffer).obs) if config.bc.normalize_obs else (None, None)
            value = make_value_network(
                value_key, spec.observation, config.bc.network, obs_mean=mean, obs_std=std, who="AWR's value network"
            )
        critic_key, bc_key = jax.random.split(fit_key)
        # Padded to a power of two: a growing buffer compiles the value regression and BC's epoch a
        # few times, not every iteration (padding to the full buffer made every epoch gather 50k rows).
        capacity = 1 << max(sum(len(t) for t in buffer) - 1, 1).bit_length()
        value, weights, stats = awr_step_weights(critic_key, config, value, buffer, capacity)
        data = flatten(buffer).with_weights(weights)
        trained = bc_train(bc_key, config.bc, data, spec, init_policy=policy, progress=False, capacity=capacity)
        return trained.policy, {**stats, "buffer_steps": len(data), "train_loss": trained.metrics[-1]["train_loss"]}

    return run_iterations(
        key,
        config,
        env_id,
        demos,
        fit,
        n_steps=config.steps_per_iteration,
        progress=progress,
        description="AWR",
        on_iteration=on_iteration,
    )
