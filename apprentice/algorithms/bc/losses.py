"""Behavior-cloning losses, per sample and per batch, exactly as written in the literature."""

from __future__ import annotations

from dataclasses import dataclass

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

from apprentice.algorithms.configs.bc import HEAD_OF_LOSS, LossName  # noqa: F401 (re-exported)
from apprentice.policies.base import Policy

_NO_KEY = jax.random.key(0)
"""The heads of these losses use no randomness; heads that sample in their loss get a real key."""


def cross_entropy_loss(policy: Policy, obs: Array, target: Array) -> Float[Array, ""]:
    """The categorical head's loss (see :meth:`~apprentice.policies.CategoricalHead.loss`):
    ``-sum_a p*(a | s) log pi(a | s)``, for an integer label ``-log pi(a* | s)``."""
    return policy.loss(_NO_KEY, obs, target)


def gaussian_nll_loss(policy: Policy, obs: Array, action: Array) -> Float[Array, ""]:
    """The Gaussian head's loss (see :meth:`~apprentice.policies.GaussianHead.loss`):
    ``1/2 sum_i (log sigma_i^2 + (a*_i - mu_i)^2 / sigma_i^2)``, the NLL without ``log 2 pi``."""
    return policy.loss(_NO_KEY, obs, action)


def mse_loss(policy: Policy, obs: Array, action: Array) -> Float[Array, ""]:
    """The deterministic head's loss: ``||pi(s) - a*||^2``, summed over action dimensions."""
    return policy.loss(_NO_KEY, obs, action)


def mode_squared_error(mode: Array, action: Array) -> Float[Array, ""]:
    """``||mode pi(s) - a*||^2``: how far the deterministic action is from the expert's."""
    return jnp.sum((mode - action) ** 2)


@dataclass(frozen=True)
class LossSettings:
    """The hashable part of the objective (a static argument of the jitted epoch)."""

    loss: LossName
    l2_coef: float = 0.0
    entropy_coef: float = 0.0


def validation_score(policy: Policy, data: dict[str, Array], settings: LossSettings) -> Float[Array, ""]:
    """What early stopping minimizes on held-out episodes: the weighted data loss, except for the
    Gaussian NLL, where it is the weighted squared error of the mean action.

    The held-out NLL punishes confident misses by ``1 / sigma^2``, so it rises as soon as sigma
    shrinks on the training states, long before the mean, the action the policy takes, stops
    improving: on LunarLanderContinuous-v3 (10 episodes) the validation NLL was lowest at epoch 1
    and BC stopped there with normalized score 0.21, while training on gave 0.99.
    """
    if settings.loss != "gaussian_nll":
        return bc_loss(policy, data, settings)[1]["data_loss"]
    modes = over_steps(policy.head.mode, batch_features(policy, data))
    per_sample = over_steps(mode_squared_error, modes, data["acts"])
    return jnp.sum(data["weights"] * per_sample) / jnp.maximum(jnp.sum(data["mask"]), 1.0)


def batch_features(policy: Policy, batch: dict[str, Array]) -> Array:
    """The head's inputs for a batch: ``(N, F)`` for samples, ``(N, L, F)`` for sequences.

    A batch of sequences (recurrent or frame-stacked policies, see
    :func:`~apprentice.data.sequences.sequence_chunks`) carries ``resets`` ``(N, L)``, true at
    each episode's first step, and is scanned from the policy's initial state.
    """
    if "resets" in batch:
        return jax.vmap(policy.sequence_features)(batch["obs"], batch["resets"])
    return jax.vmap(policy.features)(batch["obs"])


def over_steps(fn, features: Array, *per_step: Array, keys_first: bool = False) -> Array:
    """``fn`` of each step's features (and per-step arrays), over one or two leading axes;
    ``keys_first``: the last per-step array is a key per step, passed first (``fn(key, f, ...)``)."""
    if keys_first:
        *per_step, keys = per_step
        call = lambda f, *rest: fn(rest[-1], f, *rest[:-1])  # noqa: E731
        per_step = [*per_step, keys]
    else:
        call = fn
    if features.ndim == 3:
        return jax.vmap(jax.vmap(call))(features, *per_step)
    return jax.vmap(call)(features, *per_step)


def bc_loss(
    policy: Policy, batch: dict[str, Array], settings: LossSettings
) -> tuple[Float[Array, ""], dict[str, Float[Array, ""]]]:
    """The weighted batch objective and its parts: ``(loss, aux)``.

    ``loss = sum_i w_i l_i / n - entropy_coef * mean_i H(pi(.|s_i)) + l2_coef * sum ||W||^2``

    where ``l_i`` is the per-sample loss, ``w_i`` the per-sample weight (mean 1 over the
    dataset), ``n`` the number of real samples (padding rows carry ``mask = 0`` and ``w = 0``),
    and ``W`` ranges over the weight matrices of the policy's layers (not biases). The per-sample
    loss is the head's own (:meth:`~apprentice.policies.Head.loss`); for a batch of sequences the
    sums run over every real step (``mask`` ``(N, L)``).
    """
    features = batch_features(policy, batch)
    key = batch.get("key", _NO_KEY)
    if policy.head.stochastic_loss:  # one key per sample (validation: fixed draws from _NO_KEY)
        keys = jax.random.split(key, features.shape[:-1])
        per_sample = over_steps(policy.head.loss, features, batch["acts"], keys, keys_first=True)
    else:
        per_sample = over_steps(lambda f, a: policy.head.loss(key, f, a), features, batch["acts"])
    n_real = jnp.maximum(jnp.sum(batch["mask"]), 1.0)
    data_loss = jnp.sum(batch["weights"] * per_sample) / n_real
    aux = {"data_loss": data_loss, "unweighted_loss": jnp.sum(batch["mask"] * per_sample) / n_real}
    loss = data_loss
    if settings.entropy_coef:
        entropy = jnp.sum(batch["mask"] * over_steps(policy.head.entropy, features)) / n_real
        loss = loss - settings.entropy_coef * entropy
        aux["entropy"] = entropy
    if settings.l2_coef:
        loss = loss + settings.l2_coef * policy.weight_sq_norm()
    return loss, aux
