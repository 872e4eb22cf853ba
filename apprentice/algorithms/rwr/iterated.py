"""Iterated reward-weighted regression (Peters & Schaal 2007; deck 002, "Reward Weighted Regression").

Each iteration samples m episodes from the current stochastic policy and refits it by weighted
behavior cloning on them, warm-started from it:

    Loss(theta) = -1/m sum_{i=1..m} w(R(tau_i)) sum_{t=1..H} log pi_theta(a_t^(i) | s_t^(i))

with ``w(R) = R - min R`` or ``w(R) = exp(R / T)`` (:func:`~apprentice.algorithms.bc.weights.return_weights`,
normalized to mean 1). With ``w(R) = R`` and on-policy samples this is the basic policy gradient's
loss ("PG = RWR", see :mod:`apprentice.algorithms.rwr.pg_identity`); the deck's next line,
"Then we can iterate: generate new data from the new policy, and so on", is this loop.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

import numpy as np
from jaxtyping import PRNGKeyArray

from apprentice.algorithms.bc import train as bc_train
from apprentice.algorithms.configs.rwr import RWRConfig
from apprentice.algorithms.rwr.loop import PolicySearchResult, run_iterations
from apprentice.data.trajectory import Trajectory
from apprentice.envs.make import env_spec
from apprentice.policies.base import Policy

RWR_TEMPERATURE_FLOOR = 1e-6
"""Smallest temperature T = rwr_temperature * std R (every return equal: the weights are all one)."""


def iteration_temperature(config: RWRConfig, returns: np.ndarray) -> float:
    """The temperature T of ``exp(R / T)`` for one iteration's returns: ``rwr_temperature``, times
    their standard deviation when ``temperature_in_stds``.

    Example:
        >>> iteration_temperature(RWRConfig(), np.array([-300.0, -100.0]))   # 1.0 * std
        100.0
    """
    if not config.temperature_in_stds:
        return config.bc.rwr_temperature
    return max(config.bc.rwr_temperature * float(np.std(returns)), RWR_TEMPERATURE_FLOOR)


def train(
    key: PRNGKeyArray,
    config: RWRConfig,
    env_id: str,
    demos: Sequence[Trajectory] | None = None,
    *,
    progress: bool = True,
    on_iteration: Callable[[PolicySearchResult], None] | None = None,
) -> PolicySearchResult:
    """Iterated RWR on ``env_id``, from ``demos`` (iteration 0 is one-shot RWR on them) or from scratch.

    Example:
        >>> result = train(jax.random.key(0), RWRConfig(n_iterations=10), "CartPole-v1")
        >>> [row["mean_return"] for row in result.metrics]
    """
    spec = env_spec(env_id)

    def fit(fit_key, policy: Policy | None, episodes: list[Trajectory]):
        returns = np.array([t.episode_return for t in episodes])
        temperature = iteration_temperature(config, returns)
        bc_config = dataclasses.replace(config.bc, rwr_temperature=temperature)
        trained = bc_train(fit_key, bc_config, episodes, spec, init_policy=policy, progress=False)
        return trained.policy, {"temperature": temperature, "train_loss": trained.metrics[-1]["train_loss"]}

    return run_iterations(
        key,
        config,
        env_id,
        demos,
        fit,
        n_episodes=config.episodes_per_iteration,
        progress=progress,
        description="iterated RWR",
        on_iteration=on_iteration,
    )
