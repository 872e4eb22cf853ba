"""The abstract policy every head implements, and the frozen observation normalizer it carries."""

from __future__ import annotations

import abc

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray


class ObsNormalizer(eqx.Module):
    """``(obs - mean) / std`` with statistics fixed at construction (no gradient flows into them)."""

    mean: Float[Array, " obs"]
    std: Float[Array, " obs"]

    def __call__(self, obs: Float[Array, " obs"]) -> Float[Array, " obs"]:
        mean, std = jax.lax.stop_gradient(self.mean), jax.lax.stop_gradient(self.std)
        return (jnp.ravel(obs) - mean) / std


class Policy(eqx.Module):
    """A policy over a single observation; batch it with ``jax.vmap``.

    Concrete heads are final classes: :class:`~apprentice.policies.CategoricalPolicy`,
    :class:`~apprentice.policies.GaussianPolicy`, :class:`~apprentice.policies.DeterministicPolicy`.
    """

    normalizer: eqx.AbstractVar[ObsNormalizer]

    @abc.abstractmethod
    def act(self, key: PRNGKeyArray, obs: Array, deterministic: bool = False) -> Array:
        """An action for ``obs``: sampled, or the mode when ``deterministic``."""

    @abc.abstractmethod
    def log_prob(self, obs: Array, action: Array) -> Float[Array, ""]:
        """``log pi(action | obs)``."""

    @abc.abstractmethod
    def entropy(self, obs: Array) -> Float[Array, ""]:
        """Entropy of ``pi(. | obs)``."""
