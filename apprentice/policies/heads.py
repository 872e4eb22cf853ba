"""The three policy heads: categorical, diagonal Gaussian, deterministic."""

from __future__ import annotations

import math
from typing import Optional

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, Int, PRNGKeyArray

from apprentice.policies.base import ObsNormalizer, Policy
from apprentice.policies.mlp import MLP

LOG_STD_MIN, LOG_STD_MAX = -2.0, 0.0
"""Default range of the Gaussian head's log standard deviation (std in about [0.135, 1]).

Under the Gaussian NLL each squared error is weighted by ``1 / sigma(s)^2``, so the range caps
how much more one state can count than another at ``exp(2 (max - min))``, 55 here. With a wider
``[-5, 2]`` (a ratio of 1.2e6) the fit put sigma at the floor where the mean was easy and raised
it where it was hard (Seitzer et al. 2022): BC from 20 Pendulum-v1 episodes scored as low as 0.44
normalized over training seeds 0-9, against at least 0.999 with ``[-2, 0]``. The mean, which is the
deterministic action, is not limited by the range.
"""
_SQUASH_EPS = 1e-6


class Squash(eqx.Module):
    """``a = low + (tanh(u) + 1) / 2 * (high - low)``: maps the real line into the action box."""

    low: Float[Array, " act"]
    high: Float[Array, " act"]
    """The env's action box. Array leaves, so every use reads them through ``stop_gradient``:
    trained, the entropy term ``log(high - low)`` of :meth:`log_det_jacobian` widens the box
    without bound (measured on the SAC experts shipped before this was fixed: bounds of about
    +-7 on MuJoCo's [-1, 1])."""

    def _box(self) -> tuple[Float[Array, " act"], Float[Array, " act"]]:
        return jax.lax.stop_gradient(self.low), jax.lax.stop_gradient(self.high)

    def __call__(self, u: Float[Array, " act"]) -> Float[Array, " act"]:
        low, high = self._box()
        return low + (jnp.tanh(u) + 1.0) * 0.5 * (high - low)

    def inverse(self, action: Float[Array, " act"]) -> Float[Array, " act"]:
        """``u = atanh(y)`` with ``y`` the action rescaled to (-1, 1), clipped off the boundary."""
        low, high = self._box()
        y = 2.0 * (action - low) / (high - low) - 1.0
        return jnp.arctanh(jnp.clip(y, -1.0 + _SQUASH_EPS, 1.0 - _SQUASH_EPS))

    def log_det_jacobian(self, u: Float[Array, " act"]) -> Float[Array, ""]:
        """``sum_i log |da_i / du_i| = sum_i log((1 - tanh(u_i)^2) (high_i - low_i) / 2)``."""
        low, high = self._box()
        log_one_minus_tanh_sq = 2.0 * (math.log(2.0) - u - jax.nn.softplus(-2.0 * u))
        return jnp.sum(log_one_minus_tanh_sq + jnp.log((high - low) * 0.5))


class CategoricalPolicy(Policy):
    """``pi(a | s) = softmax(f(s))_a`` over ``n_actions`` discrete actions."""

    normalizer: ObsNormalizer
    net: MLP

    def logits(self, obs: Array) -> Float[Array, " n_actions"]:
        return self.net(self.normalizer(obs))

    def act(self, key: PRNGKeyArray, obs: Array, deterministic: bool = False) -> Int[Array, ""]:
        logits = self.logits(obs)
        return jnp.where(deterministic, jnp.argmax(logits), jax.random.categorical(key, logits))

    def log_prob(self, obs: Array, action: Int[Array, ""]) -> Float[Array, ""]:
        return jax.nn.log_softmax(self.logits(obs))[action]

    def entropy(self, obs: Array) -> Float[Array, ""]:
        log_p = jax.nn.log_softmax(self.logits(obs))
        return -jnp.sum(jnp.exp(log_p) * log_p)


class GaussianPolicy(Policy):
    """``a ~ N(mu(s), diag sigma(s)^2)``, optionally squashed by tanh into the action bounds.

    The log-std is state-dependent and kept in ``[log_std_min, log_std_max]`` smoothly:
    ``log sigma = min + (tanh(raw) + 1) / 2 * (max - min)``, so its gradient never vanishes at a
    hard clip. With squashing, ``log_prob`` includes the change of variables and ``entropy`` is
    that of the Gaussian before the squash.
    """

    normalizer: ObsNormalizer
    net: MLP
    squash: Optional[Squash]
    log_std_min: float = eqx.field(static=True, default=LOG_STD_MIN)
    log_std_max: float = eqx.field(static=True, default=LOG_STD_MAX)

    def mean_log_std(self, obs: Array) -> tuple[Float[Array, " act"], Float[Array, " act"]]:
        out = self.net(self.normalizer(obs))
        mean, raw = jnp.split(out, 2)
        log_std = self.log_std_min + (jnp.tanh(raw) + 1.0) * 0.5 * (self.log_std_max - self.log_std_min)
        return mean, log_std

    def mode(self, obs: Array) -> Float[Array, " act"]:
        """The deterministic action: the mean, squashed when the head squashes."""
        mean, _ = self.mean_log_std(obs)
        return mean if self.squash is None else self.squash(mean)

    def act(self, key: PRNGKeyArray, obs: Array, deterministic: bool = False) -> Float[Array, " act"]:
        mean, log_std = self.mean_log_std(obs)
        noise = jax.random.normal(key, mean.shape)
        u = jnp.where(deterministic, mean, mean + jnp.exp(log_std) * noise)
        return u if self.squash is None else self.squash(u)

    def sample_with_log_prob(self, key: PRNGKeyArray, obs: Array) -> tuple[Float[Array, " act"], Float[Array, ""]]:
        """A reparameterized sample ``a = squash(mu + sigma * eps)`` and its ``log pi(a | s)``.

        Gradients flow through ``a`` to ``mu`` and ``sigma`` (SAC's actor loss needs this), and the
        log-density is computed from the pre-squash ``u``, never through ``atanh`` of the action.
        """
        mean, log_std = self.mean_log_std(obs)
        noise = jax.random.normal(key, mean.shape)
        u = mean + jnp.exp(log_std) * noise
        log_density = -0.5 * jnp.sum(noise**2 + 2.0 * log_std + math.log(2.0 * math.pi))
        if self.squash is None:
            return u, log_density
        return self.squash(u), log_density - self.squash.log_det_jacobian(u)

    def log_prob(self, obs: Array, action: Float[Array, " act"]) -> Float[Array, ""]:
        mean, log_std = self.mean_log_std(obs)
        u = action if self.squash is None else self.squash.inverse(action)
        log_density = -0.5 * jnp.sum(((u - mean) / jnp.exp(log_std)) ** 2 + 2.0 * log_std + math.log(2.0 * math.pi))
        return log_density if self.squash is None else log_density - self.squash.log_det_jacobian(u)

    def entropy(self, obs: Array) -> Float[Array, ""]:
        _, log_std = self.mean_log_std(obs)
        return jnp.sum(log_std + 0.5 * math.log(2.0 * math.pi * math.e))


class DeterministicPolicy(Policy):
    """``a = f(s)``, optionally squashed by tanh into the action bounds; no density."""

    normalizer: ObsNormalizer
    net: MLP
    squash: Optional[Squash]

    def action(self, obs: Array) -> Float[Array, " act"]:
        """``pi(obs)``: the one action this policy takes."""
        u = self.net(self.normalizer(obs))
        return u if self.squash is None else self.squash(u)

    def act(self, key: PRNGKeyArray, obs: Array, deterministic: bool = False) -> Float[Array, " act"]:
        return self.action(obs)

    def log_prob(self, obs: Array, action: Array) -> Float[Array, ""]:
        raise ValueError("DeterministicPolicy has no density: use the 'mse' loss, not a likelihood")

    def entropy(self, obs: Array) -> Float[Array, ""]:
        raise ValueError("DeterministicPolicy has no entropy: set entropy_coef=0")
