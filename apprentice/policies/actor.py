"""Host-side acting: numpy observations in, numpy actions out, through one jitted batched call."""

from __future__ import annotations

import equinox as eqx
import jax
import numpy as np
from jaxtyping import PRNGKeyArray

from apprentice.envs.spec import EnvSpec, executed_actions
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
    With ``spec``, the actions are the executed ones (``executed_actions``: clipped into the box),
    for callers that use them before an env does (a gate comparing them with an expert's, a label).
    A rollout applies the same rule to whatever an actor returns.

    Example:
        >>> actor = PolicyActor(policy, jax.random.key(0), deterministic=True, spec=env_spec("Pendulum-v1"))
        >>> actions = actor(np.zeros((8, 3), np.float32))
    """

    def __init__(self, policy: Policy, key: PRNGKeyArray, deterministic: bool = False, *, spec: EnvSpec | None = None):
        self.params, self.static = eqx.partition(policy, eqx.is_array)
        self.key = key
        self.deterministic = deterministic
        self.spec = spec

    def __call__(self, observations: np.ndarray) -> np.ndarray:
        self.key, subkey = jax.random.split(self.key)
        obs = np.asarray(observations, np.float32)
        actions = np.asarray(act_batch(self.params, self.static, subkey, obs, self.deterministic))
        return actions if self.spec is None else executed_actions(self.spec, actions)
