"""``MixtureHead``: a mixture of K diagonal Gaussians, for actions with several modes.

The form robomimic's GMM policies use: from the features, state-dependent mixture logits, means
and scales (``softplus`` plus a floor),

    pi(a | s) = sum_k w_k(s) N(a; mu_k(s), diag sigma_k(s)^2),

trained by the negative log-likelihood. Its entropy has no closed form, so it has
``log_prob`` but ``has_density = False`` (an algorithm that needs an entropy refuses it).
Deterministic acting takes the mean of the heaviest component, one mode, never an average of
several (an average is what a single Gaussian fit to two routes drives into).
"""

from __future__ import annotations

import math
from typing import ClassVar

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray

from apprentice.policies.heads import Head

MIN_SCALE = 1e-4
"""The floor of every component's standard deviation (robomimic's ``min_std``)."""


class MixtureHead(Head):
    """``sum_k w_k N(mu_k, diag sigma_k^2)`` over ``action_dim`` dimensions, K components.

    Example:
        >>> head = MixtureHead(eqx.nn.Linear(64, 5 * (1 + 2 * 2), key=key), n_components=5, action_dim=2)
        >>> head.act(key, features).shape
        (2,)
    """

    has_density: ClassVar[bool] = False
    linear: eqx.nn.Linear
    n_components: int = eqx.field(static=True)
    action_dim: int = eqx.field(static=True)

    def parts(self, features: Array) -> tuple[Float[Array, " K"], Float[Array, "K act"], Float[Array, "K act"]]:
        """Log mixture weights ``log w_k``, means ``mu_k`` and scales ``sigma_k``."""
        k, d = self.n_components, self.action_dim
        out = self.linear(features)
        logits, means, raw_scales = out[:k], out[k : k + k * d].reshape(k, d), out[k + k * d :].reshape(k, d)
        return jax.nn.log_softmax(logits), means, jax.nn.softplus(raw_scales) + MIN_SCALE

    def log_prob(self, features: Array, action: Float[Array, " act"]) -> Float[Array, ""]:
        """``log sum_k w_k N(a; mu_k, sigma_k)`` by log-sum-exp."""
        log_w, means, scales = self.parts(features)
        z = (action[None, :] - means) / scales
        log_normal = -0.5 * jnp.sum(z**2 + 2.0 * jnp.log(scales) + math.log(2.0 * math.pi), axis=-1)
        return jax.nn.logsumexp(log_w + log_normal)

    def loss(self, key: PRNGKeyArray, features: Array, expert_action: Array) -> Float[Array, ""]:
        """``-log pi(a* | s)``: the mixture's negative log-likelihood (with ``log 2 pi``)."""
        return -self.log_prob(features, expert_action)

    def mode(self, features: Array) -> Float[Array, " act"]:
        """The mean of the heaviest component."""
        log_w, means, _ = self.parts(features)
        return means[jnp.argmax(log_w)]

    def act(self, key: PRNGKeyArray, features: Array, deterministic: bool = False) -> Float[Array, " act"]:
        log_w, means, scales = self.parts(features)
        pick_key, noise_key = jax.random.split(key)
        k = jax.random.categorical(pick_key, log_w)
        sample = means[k] + scales[k] * jax.random.normal(noise_key, (self.action_dim,))
        return jnp.where(deterministic, means[jnp.argmax(log_w)], sample)

    def entropy(self, features: Array) -> Float[Array, ""]:
        raise ValueError("a mixture of Gaussians has no closed-form entropy: set entropy_coef=0")
