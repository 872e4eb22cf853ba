"""Host-side acting: numpy observations in, numpy actions out, through one jitted batched call."""

from __future__ import annotations

import equinox as eqx
import jax
import numpy as np
from jaxtyping import PRNGKeyArray

from apprentice.policies.base import Policy


@jax.jit
def act_batch(params, static, key, obs, deterministic):
    """Actions of the policy ``eqx.combine(params, static)`` for a batch of observations (one key each)."""
    policy = eqx.combine(params, static)
    keys = jax.random.split(key, obs.shape[0])
    return jax.vmap(policy.act, in_axes=(0, 0, None))(keys, obs, deterministic)


class PolicyActor:
    """Wraps a policy as a batched numpy callable ``actor(obs) -> actions`` (like an expert).

    Each call draws a fresh key from the actor's own key chain, so a seeded actor is repeatable.

    Example:
        >>> actor = PolicyActor(policy, jax.random.key(0), deterministic=True)
        >>> actions = actor(np.zeros((8, 4), np.float32))
    """

    def __init__(self, policy: Policy, key: PRNGKeyArray, deterministic: bool = False):
        self.params, self.static = eqx.partition(policy, eqx.is_array)
        self.key = key
        self.deterministic = deterministic

    def __call__(self, observations: np.ndarray) -> np.ndarray:
        self.key, subkey = jax.random.split(self.key)
        obs = np.asarray(observations, np.float32)
        return np.asarray(act_batch(self.params, self.static, subkey, obs, self.deterministic))
