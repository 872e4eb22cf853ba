"""Observation augmentation for state vectors: a pluggable, hashable transform of a batch.

An augmentation is any hashable callable ``augment(key, obs_batch) -> obs_batch`` over JAX
arrays (hashable because it is a static argument of the jitted training epoch; a frozen
dataclass or a module-level function both are). Behavior cloning applies it to every training
minibatch, with a fresh key per step, and so do all algorithms that retrain through BC.
"""

from __future__ import annotations

from dataclasses import dataclass

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray


@dataclass(frozen=True)
class GaussianObsNoise:
    """``obs + scale * N(0, I)``, with one scale per observation feature.

    Example:
        >>> augment = GaussianObsNoise(scale=(0.01, 0.01, 0.05, 0.05))
        >>> noisy = augment(jax.random.key(0), jnp.zeros((8, 4)))
    """

    scale: tuple[float, ...]
    """Standard deviation of the noise added to each feature, in observation units."""

    def __call__(self, key: PRNGKeyArray, obs: Float[Array, "batch obs"]) -> Float[Array, "batch obs"]:
        return obs + jnp.asarray(self.scale, obs.dtype) * jax.random.normal(key, obs.shape, obs.dtype)
