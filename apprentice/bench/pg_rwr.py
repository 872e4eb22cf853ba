""" "PG = RWR" off-policy: how far RWR's gradient on an expert's data points from the policy gradient.

On the current policy's own episodes RWR's loss gradient is minus the REINFORCE estimate of
``grad J`` (:mod:`apprentice.algorithms.rwr.pg_identity`, tested to float precision). On another
policy's episodes the same formula misses the importance weights ``rho_i = prod_t pi_theta /
pi_data``. This study measures the gap on CartPole-v1 for a freshly initialized policy pi_theta:

- ``reference``: REINFORCE on ``n_reference`` of pi_theta's own episodes, the best estimate of
  ``grad J`` at hand;
- ``on-policy``: REINFORCE on ``n_episodes`` fresh episodes of pi_theta (how close an estimate of
  that size gets: the noise floor);
- ``expert, RWR``: minus RWR's loss gradient on ``n_episodes`` of an epsilon-greedy expert (whose
  ``pi_data(a | s) = 1 - eps + eps / 2`` on the expert's action, ``eps / 2`` on the other);
- ``expert, importance-weighted``: REINFORCE on the same episodes with ``rho_i`` (self-normalized:
  only the direction is compared), and their effective sample size ``(sum rho)^2 / sum rho^2``.

Each is compared with ``reference`` by the cosine of the angle between them, per seed.
"""

from __future__ import annotations

from typing import Any

import jax
import numpy as np

from apprentice import experts
from apprentice.algorithms.configs.bc import BCConfig
from apprentice.algorithms.rwr.pg_identity import (
    cosine,
    log_importance_weights,
    reinforce_gradient,
    rwr_gradient,
)
from apprentice.envs import Stream, collection_seed, env_spec
from apprentice.policies.actor import PolicyActor
from apprentice.policies.architecture import Network
from apprentice.policies.build import make_policy
from apprentice.rollout import rollout

ENV_ID = "CartPole-v1"


class EpsilonGreedyExpert:
    """The expert's action with probability ``1 - eps``, else a uniformly random one (known density)."""

    def __init__(self, eps: float, seed: int):
        self.expert, self.eps = experts.load(ENV_ID), eps
        self.rng = np.random.default_rng(seed)

    def __call__(self, obs: np.ndarray) -> np.ndarray:
        actions = np.asarray(self.expert(obs))
        random = self.rng.integers(0, 2, size=len(actions))
        return np.where(self.rng.random(len(actions)) < self.eps, random, actions)

    def log_prob(self, obs: np.ndarray, actions: np.ndarray) -> np.ndarray:
        agrees = np.asarray(self.expert(obs)) == actions
        return np.log(np.where(agrees, 1 - self.eps + self.eps / 2, self.eps / 2))


def _own_episodes(policy, seed: int, n: int, index: int):
    """``n`` episodes of ``policy``'s sampled actions (collection seeds of ``index``)."""
    actor = PolicyActor(policy, jax.random.key(1000 + 10 * seed + index), deterministic=False)
    return rollout(actor, ENV_ID, n_episodes=n, seed=collection_seed(seed, Stream.INTERACTIVE, index, 8))


def pg_rwr_study(
    seeds: tuple[int, ...] = (0, 1, 2), n_episodes: int = 20, n_reference: int = 200, eps: float = 0.3
) -> dict[str, Any]:
    """The cosines of each gradient with the reference, per seed, and their mean and std."""
    spec = env_spec(ENV_ID)
    architecture = BCConfig(network=Network((64, 64), "tanh")).architecture_for(spec)
    per_seed: dict[str, list[float]] = {"on-policy": [], "expert, RWR": [], "expert, importance-weighted": []}
    ess, expert_returns, policy_returns = [], [], []
    for seed in seeds:
        policy = make_policy(jax.random.key(seed), spec, architecture)

        reference = reinforce_gradient(policy, _own_episodes(policy, seed, n_reference, 1))
        fresh = _own_episodes(policy, seed, n_episodes, 2)
        behaviour = EpsilonGreedyExpert(eps, seed)
        data = rollout(
            behaviour, ENV_ID, n_episodes=n_episodes, seed=collection_seed(seed, Stream.DEMONSTRATIONS, 0, 8)
        )
        data_log_probs = [behaviour.log_prob(t.observations[:-1], t.actions) for t in data]
        log_rho = log_importance_weights(policy, data, data_log_probs)
        rho = np.exp(log_rho - log_rho.max())
        per_seed["on-policy"].append(cosine(reinforce_gradient(policy, fresh), reference))
        rwr = jax.tree.map(lambda g: -g, rwr_gradient(policy, data))
        per_seed["expert, RWR"].append(cosine(rwr, reference))
        per_seed["expert, importance-weighted"].append(cosine(reinforce_gradient(policy, data, rho), reference))
        ess.append(float(rho.sum() ** 2 / np.sum(rho**2)))
        expert_returns.append(float(np.mean([t.episode_return for t in data])))
        policy_returns.append(float(np.mean([t.episode_return for t in fresh])))
    rows = [
        {"gradient": name, "cosine_mean": float(np.mean(v)), "cosine_std": float(np.std(v)), "per_seed": v}
        for name, v in per_seed.items()
    ]
    return {
        "env_id": ENV_ID,
        "n_episodes": n_episodes,
        "n_reference": n_reference,
        "eps": eps,
        "rows": rows,
        "effective_sample_size": ess,
        "data_return": expert_returns,
        "policy_return": policy_returns,
    }
