"""``DiscretizedHead``: each continuous action dimension cut into bins, predicted as a categorical.

The token form of continuous control: the env's action box ``[low_i, high_i]`` is cut into
``n_bins`` equal bins per dimension; the head outputs one categorical per dimension, trained by
the cross-entropy of the bin the expert's action falls in, and acts with that bin's centre. The
dimensions are independent given the features (a product of categoricals), so each one can have
its own modes. Acting puts every action on a centre: the resolution is ``(high - low) / n_bins``.
"""

from __future__ import annotations

from typing import ClassVar

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, Int, PRNGKeyArray

from apprentice.policies.heads import Head


class DiscretizedHead(Head):
    """``n_bins`` categorical bins per action dimension over the box ``[low, high]``.

    Example:
        >>> head = DiscretizedHead(eqx.nn.Linear(64, 2 * 21, key=key), low=-jnp.ones(2), high=jnp.ones(2), n_bins=21)
        >>> head.bin_of(jnp.array([-1.0, 0.99]))
        Array([ 0, 20], dtype=int32)
    """

    has_density: ClassVar[bool] = False
    linear: eqx.nn.Linear
    low: Float[Array, " act"]
    high: Float[Array, " act"]
    n_bins: int = eqx.field(static=True)

    def _box(self) -> tuple[Float[Array, " act"], Float[Array, " act"]]:
        return jax.lax.stop_gradient(self.low), jax.lax.stop_gradient(self.high)

    def logits(self, features: Array) -> Float[Array, "act bins"]:
        return self.linear(features).reshape(self.low.shape[0], self.n_bins)

    def bin_of(self, action: Float[Array, " act"]) -> Int[Array, " act"]:
        """The bin each coordinate falls in (the box's ends belong to the first and last bins)."""
        low, high = self._box()
        index = jnp.floor((action - low) / (high - low) * self.n_bins).astype(jnp.int32)
        return jnp.clip(index, 0, self.n_bins - 1)

    def centre(self, bins: Int[Array, " act"]) -> Float[Array, " act"]:
        low, high = self._box()
        return low + (bins.astype(jnp.float32) + 0.5) * (high - low) / self.n_bins

    def loss(self, key: PRNGKeyArray, features: Array, expert_action: Array) -> Float[Array, ""]:
        """``-sum_i log p_i(bin_i(a*) | s)``: one cross-entropy per action dimension, summed."""
        log_p = jax.nn.log_softmax(self.logits(features))
        return -jnp.sum(jnp.take_along_axis(log_p, self.bin_of(expert_action)[:, None], axis=1))

    def mode(self, features: Array) -> Float[Array, " act"]:
        """The centre of each dimension's most probable bin."""
        return self.centre(jnp.argmax(self.logits(features), axis=1))

    def act(self, key: PRNGKeyArray, features: Array, deterministic: bool = False) -> Float[Array, " act"]:
        logits = self.logits(features)
        sampled = jax.random.categorical(key, logits, axis=1)
        return self.centre(jnp.where(deterministic, jnp.argmax(logits, axis=1), sampled))
