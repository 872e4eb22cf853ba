"""What the diffusion and flow heads share: the network that denoises actions, and the action scale.

Both generate an action by integrating from Gaussian noise, conditioned on the policy's
features: ``Denoiser(x, t, features)`` is an MLP over the noisy action, sinusoidal features of
the time ``t`` in [0, 1], and the encoder's (or core's) features. Both work on actions rescaled
from the env's box to [-1, 1] (where the box is finite), as Chi et al. (2023) do.
"""

from __future__ import annotations

import math

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray

from apprentice.policies.mlp import MLP

TIME_FEATURES = 32
"""Sinusoidal features of the time (half sines, half cosines)."""
FIXED_KEY_SEED = 0
"""Deterministic acting draws its noise from this key: the same features give the same action,
and it lies on one of the learned modes (an average of modes is what determinism must not give)."""


def time_features(t: Float[Array, ""]) -> Float[Array, " features"]:
    """``sin(w_j t), cos(w_j t)`` for frequencies ``w_j`` geometric from 1 to 1000."""
    freqs = jnp.exp(jnp.linspace(0.0, math.log(1000.0), TIME_FEATURES // 2))
    angles = t * freqs
    return jnp.concatenate([jnp.sin(angles), jnp.cos(angles)])


class Denoiser(eqx.Module):
    """``MLP(x, time_features(t), features) -> R^action_dim`` (a noise or a velocity)."""

    net: MLP

    def __init__(self, action_dim: int, n_features: int, hidden_sizes: tuple[int, ...], *, key: PRNGKeyArray):
        self.net = MLP(action_dim + TIME_FEATURES + n_features, action_dim, hidden_sizes, "gelu", key=key)

    def __call__(self, x: Array, t: Float[Array, ""], features: Array) -> Float[Array, " act"]:
        return self.net(jnp.concatenate([x, time_features(t), features]))


class ActionScale(eqx.Module):
    """The env's box ``[low, high]`` to ``[-1, 1]`` and back (the identity where it is unbounded)."""

    low: Float[Array, " act"] | None
    high: Float[Array, " act"] | None

    @property
    def bounded(self) -> bool:
        return self.low is not None

    def to_unit(self, action: Array) -> Array:
        if self.low is None or self.high is None:
            return action
        low, high = jax.lax.stop_gradient(self.low), jax.lax.stop_gradient(self.high)
        return 2.0 * (action - low) / (high - low) - 1.0

    def from_unit(self, x: Array) -> Array:
        if self.low is None or self.high is None:
            return x
        low, high = jax.lax.stop_gradient(self.low), jax.lax.stop_gradient(self.high)
        return low + (jnp.clip(x, -1.0, 1.0) + 1.0) * 0.5 * (high - low)

    def clip(self, x: Array) -> Array:
        """Keep a sample inside [-1, 1] while it is generated (a bounded box only)."""
        return jnp.clip(x, -1.0, 1.0) if self.bounded else x


def acting_key(key: PRNGKeyArray, deterministic: bool | Array) -> PRNGKeyArray:
    """``key``, or the fixed key when ``deterministic`` (a Python or a traced bool)."""
    fixed = jax.random.key(FIXED_KEY_SEED)
    if isinstance(deterministic, bool):
        return fixed if deterministic else key
    data = jnp.where(deterministic, jax.random.key_data(fixed), jax.random.key_data(key))
    return jax.random.wrap_key_data(data)
