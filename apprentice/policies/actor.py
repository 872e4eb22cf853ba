"""Host-side acting: numpy observations in, numpy actions out, through one jitted batched call."""

from __future__ import annotations

from typing import Any

import equinox as eqx
import jax
import numpy as np
from jaxtyping import PRNGKeyArray

from apprentice.envs.spec import EnvSpec, executed_actions
from apprentice.policies.base import Policy


@jax.jit
def act_batch(params, static, key, obs, deterministic):
    """Actions of the memoryless policy ``eqx.combine(params, static)`` for a batch of observations."""
    policy = eqx.combine(params, static)
    keys = jax.random.split(key, jax.tree.leaves(obs)[0].shape[0])
    return jax.vmap(policy.act, in_axes=(0, 0, None))(keys, obs, deterministic)


@jax.jit
def step_batch(params, static, key, state, obs, starts, deterministic):
    """``(next_states, actions)`` of a stateful policy for a batch of envs (``starts``: episode starts)."""
    policy = eqx.combine(params, static)
    keys = jax.random.split(key, starts.shape[0])
    return jax.vmap(policy.step, in_axes=(0, 0, 0, 0, None))(state, obs, starts, keys, deterministic)


def host_observations(observations: Any) -> Any:
    """A batch of observations as numpy arrays: floats as ``float32``, images left ``uint8``."""

    def convert(x):
        x = np.asarray(x)
        return x if x.dtype == np.uint8 else x.astype(np.float32)

    return jax.tree.map(convert, observations)


class PolicyActor:
    """Wraps a policy as a batched numpy callable ``actor(obs) -> actions`` (like an expert).

    Each call draws a fresh key from the actor's own key chain, so a seeded actor is repeatable.
    A stateful policy (recurrent core or frame stack) keeps one state per env copy: the rollout
    passes episode starts through :meth:`observe`; called plainly, the first call starts every
    episode and later calls continue them.
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
        self.stateful = policy.architecture.stateful
        self.policy_initial_state = policy.initial_state if self.stateful else None
        self.states: Any = None
        self.n_envs = 0

    def __call__(self, observations: Any, starts: np.ndarray | None = None) -> np.ndarray:
        self.key, subkey = jax.random.split(self.key)
        obs = host_observations(observations)
        if not self.stateful:
            actions = np.asarray(act_batch(self.params, self.static, subkey, obs, self.deterministic))
            return self._executed(actions)
        n = jax.tree.leaves(obs)[0].shape[0]
        starts = np.zeros(n, bool) if starts is None else np.asarray(starts, bool)
        if self.states is None or self.n_envs != n:
            self.states = jax.vmap(lambda _: self.policy_initial_state())(np.arange(n))  # type: ignore[misc]  # stateful: set
            self.n_envs, starts = n, np.ones(n, bool)
        self.states, actions = step_batch(
            self.params, self.static, subkey, self.states, obs, starts, self.deterministic
        )
        return self._executed(np.asarray(actions))

    def _executed(self, actions: np.ndarray) -> np.ndarray:
        return actions if self.spec is None else executed_actions(self.spec, actions)

    def observe(self, observed) -> np.ndarray:
        """Act on a rollout step (:class:`~apprentice.rollout.Observed`): its observations and episode starts."""
        return self(observed.obs, observed.starts)
