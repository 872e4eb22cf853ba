"""Behavior-cloning losses, per sample and per batch, exactly as written in the literature."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

from apprentice.policies.base import Policy
from apprentice.policies.heads import CategoricalPolicy, DeterministicPolicy, GaussianPolicy

LossName = Literal["cross_entropy", "gaussian_nll", "mse"]
HEAD_OF_LOSS = {"cross_entropy": "categorical", "gaussian_nll": "gaussian", "mse": "deterministic"}


def cross_entropy_loss(policy: CategoricalPolicy, obs: Array, target: Array) -> Float[Array, ""]:
    """``-sum_a p*(a | s) log pi(a | s)``; for an integer label ``a*`` this is ``-log pi(a* | s)``.

    With a soft expert distribution ``p*`` it is the cross-entropy form of
    ``KL(p* || pi)`` (the two differ by the expert's entropy, a constant in ``pi``).
    """
    log_p = jax.nn.log_softmax(policy.logits(obs))
    if target.ndim == 0:
        return -log_p[target]
    return -jnp.sum(target * log_p)


def gaussian_nll_loss(policy: GaussianPolicy, obs: Array, action: Array) -> Float[Array, ""]:
    """``1/2 sum_i (log sigma_i^2 + (a*_i - mu_i)^2 / sigma_i^2)``: the Gaussian NLL without ``log 2 pi``.

    Computed as ``-log pi(a* | s) - (d / 2) log(2 pi)``, so with tanh squashing it also carries
    the change-of-variables term of the squashed density. Each squared error is weighted by
    ``1 / sigma^2``, which the fit raises where the mean is hard to fit; the head's log-std range
    (``heads.LOG_STD_MIN``/``LOG_STD_MAX``) bounds how far that can discount a state.
    """
    dim = action.size
    return -policy.log_prob(obs, action) - 0.5 * dim * math.log(2.0 * math.pi)


def mse_loss(policy: DeterministicPolicy, obs: Array, action: Array) -> Float[Array, ""]:
    """``||pi(s) - a*||^2``, summed over action dimensions."""
    return jnp.sum((policy.action(obs) - action) ** 2)


def mode_squared_error(policy: GaussianPolicy, obs: Array, action: Array) -> Float[Array, ""]:
    """``||mode pi(s) - a*||^2``: how far the Gaussian head's deterministic action is from the expert's."""
    return jnp.sum((policy.mode(obs) - action) ** 2)


SAMPLE_LOSSES = {"cross_entropy": cross_entropy_loss, "gaussian_nll": gaussian_nll_loss, "mse": mse_loss}


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
    per_sample = jax.vmap(mode_squared_error, in_axes=(None, 0, 0))(policy, data["obs"], data["acts"])
    return jnp.sum(data["weights"] * per_sample) / jnp.maximum(jnp.sum(data["mask"]), 1.0)


def bc_loss(
    policy: Policy, batch: dict[str, Array], settings: LossSettings
) -> tuple[Float[Array, ""], dict[str, Float[Array, ""]]]:
    """The weighted batch objective and its parts: ``(loss, aux)``.

    ``loss = sum_i w_i l_i / n - entropy_coef * mean_i H(pi(.|s_i)) + l2_coef * sum ||W||^2``

    where ``l_i`` is the per-sample loss, ``w_i`` the per-sample weight (mean 1 over the
    dataset), ``n`` the number of real samples (padding rows carry ``mask = 0`` and ``w = 0``),
    and ``W`` ranges over the weight matrices of the policy's MLP (not biases).
    """
    sample_loss = SAMPLE_LOSSES[settings.loss]
    per_sample = jax.vmap(sample_loss, in_axes=(None, 0, 0))(policy, batch["obs"], batch["acts"])
    n_real = jnp.maximum(jnp.sum(batch["mask"]), 1.0)
    data_loss = jnp.sum(batch["weights"] * per_sample) / n_real
    aux = {"data_loss": data_loss, "unweighted_loss": jnp.sum(batch["mask"] * per_sample) / n_real}
    loss = data_loss
    if settings.entropy_coef:
        entropy = jnp.sum(batch["mask"] * jax.vmap(policy.entropy)(batch["obs"])) / n_real
        loss = loss - settings.entropy_coef * entropy
        aux["entropy"] = entropy
    if settings.l2_coef:
        loss = loss + settings.l2_coef * policy.net.weight_sq_norm()
    return loss, aux
