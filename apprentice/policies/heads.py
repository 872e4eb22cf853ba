"""Heads: features -> an action distribution, each owning its imitation loss.

The last stage of every policy (``encoder -> core -> head``). Every head has ``act``, ``mode``
and ``loss(key, features, expert_action)``, the per-sample imitation loss as written in the
literature; ``log_prob`` and ``entropy`` exist where the head has a closed form
(``has_density``), and an algorithm that needs them (PPO, SAC, AIRL) refuses a head without
them through :func:`require_density`. Heads without a density (mixtures sampled by rule,
diffusion, flows, action chunks) implement only the first three.
"""

from __future__ import annotations

import abc
import math
from typing import ClassVar

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, Int, PRNGKeyArray

from apprentice.policies.architecture import LOG_STD_MAX, LOG_STD_MIN  # re-exported: the Gaussian head's range

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


class Head(eqx.Module):
    """The interface every head implements (features in, actions out)."""

    has_density: ClassVar[bool] = True
    stochastic_loss: ClassVar[bool] = False
    """The loss draws from its key (diffusion, flow): BC then gives every sample a key of its own."""

    @abc.abstractmethod
    def act(self, key: PRNGKeyArray, features: Array, deterministic: bool = False) -> Array:
        """An action: sampled, or the mode when ``deterministic``."""

    @abc.abstractmethod
    def mode(self, features: Array) -> Array:
        """The deterministic action."""

    @abc.abstractmethod
    def loss(self, key: PRNGKeyArray, features: Array, expert_action: Array) -> Float[Array, ""]:
        """The per-sample imitation loss of ``expert_action``."""

    def log_prob(self, features: Array, action: Array) -> Float[Array, ""]:
        """``log pi(action | features)``."""
        raise ValueError(f"{type(self).__name__} has no closed-form density (log_prob)")

    def entropy(self, features: Array) -> Float[Array, ""]:
        """Entropy of ``pi(. | features)``."""
        raise ValueError(f"{type(self).__name__} has no closed-form entropy")

    def weight_sq_norm(self) -> Float[Array, ""]:
        return jnp.sum(self.linear.weight**2)  # type: ignore[attr-defined]


def require_density(head: Head, algorithm: str) -> None:
    """Raise ``ValueError`` unless ``head`` has ``log_prob`` and ``entropy`` (``algorithm`` needs them)."""
    if not head.has_density:
        raise ValueError(
            f"{algorithm} needs a head with log_prob and entropy, but {type(head).__name__} has none; "
            "use a categorical or gaussian head"
        )


class CategoricalHead(Head):
    """``pi(a | s) = softmax(W f(s) + b)_a`` over ``n_actions`` discrete actions."""

    linear: eqx.nn.Linear

    def logits(self, features: Array) -> Float[Array, " n_actions"]:
        return self.linear(features)

    def act(self, key: PRNGKeyArray, features: Array, deterministic: bool = False) -> Int[Array, ""]:
        logits = self.logits(features)
        return jnp.where(deterministic, jnp.argmax(logits), jax.random.categorical(key, logits))

    def mode(self, features: Array) -> Int[Array, ""]:
        return jnp.argmax(self.logits(features))

    def loss(self, key: PRNGKeyArray, features: Array, expert_action: Array) -> Float[Array, ""]:
        """``-sum_a p*(a | s) log pi(a | s)``; for an integer label ``a*`` this is ``-log pi(a* | s)``.

        With a soft expert distribution ``p*`` it is the cross-entropy form of
        ``KL(p* || pi)`` (the two differ by the expert's entropy, a constant in ``pi``).
        """
        log_p = jax.nn.log_softmax(self.logits(features))
        if expert_action.ndim == 0:
            return -log_p[expert_action]
        return -jnp.sum(expert_action * log_p)

    def log_prob(self, features: Array, action: Int[Array, ""]) -> Float[Array, ""]:
        return jax.nn.log_softmax(self.logits(features))[action]

    def entropy(self, features: Array) -> Float[Array, ""]:
        log_p = jax.nn.log_softmax(self.logits(features))
        return -jnp.sum(jnp.exp(log_p) * log_p)


class GaussianHead(Head):
    """``a ~ N(mu(s), diag sigma(s)^2)``, optionally squashed by tanh into the action bounds.

    The log-std is state-dependent and kept in ``[log_std_min, log_std_max]`` smoothly:
    ``log sigma = min + (tanh(raw) + 1) / 2 * (max - min)``, so its gradient never vanishes at a
    hard clip. With squashing, ``log_prob`` includes the change of variables and ``entropy`` is
    that of the Gaussian before the squash.
    """

    linear: eqx.nn.Linear
    squash: Squash | None
    log_std_min: float = eqx.field(static=True, default=LOG_STD_MIN)
    log_std_max: float = eqx.field(static=True, default=LOG_STD_MAX)

    def mean_log_std(self, features: Array) -> tuple[Float[Array, " act"], Float[Array, " act"]]:
        mean, raw = jnp.split(self.linear(features), 2)
        log_std = self.log_std_min + (jnp.tanh(raw) + 1.0) * 0.5 * (self.log_std_max - self.log_std_min)
        return mean, log_std

    def mode(self, features: Array) -> Float[Array, " act"]:
        """The mean, squashed when the head squashes."""
        mean, _ = self.mean_log_std(features)
        return mean if self.squash is None else self.squash(mean)

    def act(self, key: PRNGKeyArray, features: Array, deterministic: bool = False) -> Float[Array, " act"]:
        mean, log_std = self.mean_log_std(features)
        noise = jax.random.normal(key, mean.shape)
        u = jnp.where(deterministic, mean, mean + jnp.exp(log_std) * noise)
        return u if self.squash is None else self.squash(u)

    def sample_with_log_prob(self, key: PRNGKeyArray, features: Array) -> tuple[Float[Array, " act"], Float[Array, ""]]:
        """A reparameterized sample ``a = squash(mu + sigma * eps)`` and its ``log pi(a | s)``.

        Gradients flow through ``a`` to ``mu`` and ``sigma`` (SAC's actor loss needs this), and the
        log-density is computed from the pre-squash ``u``, never through ``atanh`` of the action.
        """
        mean, log_std = self.mean_log_std(features)
        noise = jax.random.normal(key, mean.shape)
        u = mean + jnp.exp(log_std) * noise
        log_density = -0.5 * jnp.sum(noise**2 + 2.0 * log_std + math.log(2.0 * math.pi))
        if self.squash is None:
            return u, log_density
        return self.squash(u), log_density - self.squash.log_det_jacobian(u)

    def log_prob(self, features: Array, action: Float[Array, " act"]) -> Float[Array, ""]:
        mean, log_std = self.mean_log_std(features)
        u = action if self.squash is None else self.squash.inverse(action)
        log_density = -0.5 * jnp.sum(((u - mean) / jnp.exp(log_std)) ** 2 + 2.0 * log_std + math.log(2.0 * math.pi))
        return log_density if self.squash is None else log_density - self.squash.log_det_jacobian(u)

    def loss(self, key: PRNGKeyArray, features: Array, expert_action: Array) -> Float[Array, ""]:
        """``1/2 sum_i (log sigma_i^2 + (a*_i - mu_i)^2 / sigma_i^2)``: the Gaussian NLL without ``log 2 pi``.

        Computed as ``-log pi(a* | s) - (d / 2) log(2 pi)``, so with tanh squashing it also carries
        the change-of-variables term of the squashed density. Each squared error is weighted by
        ``1 / sigma^2``, which the fit raises where the mean is hard to fit; the log-std range
        (``LOG_STD_MIN``/``LOG_STD_MAX``) bounds how far that can discount a state.
        """
        return -self.log_prob(features, expert_action) - 0.5 * expert_action.size * math.log(2.0 * math.pi)

    def entropy(self, features: Array) -> Float[Array, ""]:
        _, log_std = self.mean_log_std(features)
        return jnp.sum(log_std + 0.5 * math.log(2.0 * math.pi * math.e))


class DeterministicHead(Head):
    """``a = W f(s) + b``, optionally squashed by tanh into the action bounds; no density."""

    has_density: ClassVar[bool] = False
    linear: eqx.nn.Linear
    squash: Squash | None

    def mode(self, features: Array) -> Float[Array, " act"]:
        u = self.linear(features)
        return u if self.squash is None else self.squash(u)

    def act(self, key: PRNGKeyArray, features: Array, deterministic: bool = False) -> Float[Array, " act"]:
        return self.mode(features)

    def loss(self, key: PRNGKeyArray, features: Array, expert_action: Array) -> Float[Array, ""]:
        """``||pi(s) - a*||^2``, summed over action dimensions."""
        return jnp.sum((self.mode(features) - expert_action) ** 2)

    def log_prob(self, features: Array, action: Array) -> Float[Array, ""]:
        raise ValueError("a deterministic head has no density: use the 'mse' loss, not a likelihood")

    def entropy(self, features: Array) -> Float[Array, ""]:
        raise ValueError("a deterministic head has no entropy: set entropy_coef=0")
