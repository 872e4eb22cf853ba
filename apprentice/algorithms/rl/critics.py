"""Action-value networks: ``Q(s, a)`` as an MLP on the concatenated state and action."""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray

from apprentice.policies.mlp import MLP, Activation


class TwinQ(eqx.Module):
    """Two independent critics ``Q_1, Q_2``; taking their minimum curbs overestimation (Fujimoto et al. 2018).

    Example:
        >>> critic = TwinQ(obs_dim=3, action_dim=1, hidden_sizes=(256, 256), key=jax.random.key(0))
        >>> q1, q2 = critic(jnp.zeros(3), jnp.zeros(1))
    """

    q1: MLP
    q2: MLP

    def __init__(
        self,
        obs_dim: int,
        action_dim: int,
        hidden_sizes: tuple[int, ...],
        activation: Activation = "relu",
        *,
        key: PRNGKeyArray,
    ):
        key1, key2 = jax.random.split(key)
        self.q1 = MLP(obs_dim + action_dim, 1, hidden_sizes, activation, key=key1)
        self.q2 = MLP(obs_dim + action_dim, 1, hidden_sizes, activation, key=key2)

    def __call__(
        self, obs: Float[Array, " obs"], action: Float[Array, " act"]
    ) -> tuple[Float[Array, ""], Float[Array, ""]]:
        x = jnp.concatenate([jnp.ravel(obs), jnp.ravel(action)])
        return self.q1(x)[0], self.q2(x)[0]
