""" "PG = RWR" (deck 002), numerically: the gradient of RWR's loss and the REINFORCE gradient.

On m episodes with returns ``R(tau_i)``, RWR's loss with ``w(R) = R`` is

    Loss(theta) = -1/m sum_i R(tau_i) sum_t log pi_theta(a_t^(i) | s_t^(i))        (deck 002, eq. 1)

and the basic policy gradient (REINFORCE, Williams 1992) estimates ``grad J`` by

    g = 1/m sum_i R(tau_i) sum_t grad log pi_theta(a_t^(i) | s_t^(i))             (eq. 2, as a gradient)

Here the two are computed apart: :func:`rwr_gradient` differentiates BC's weighted loss
(:func:`~apprentice.algorithms.bc.losses.bc_loss`, the loss RWR trains on, with weights R) once,
and :func:`reinforce_gradient` sums per-step score vectors ``grad log pi(a | s)`` times the
returns. On the same samples ``rwr_gradient = -reinforce_gradient`` to floating-point precision,
and when the samples come from pi_theta itself ``g`` is an unbiased estimate of ``grad J``: the
identity. On another policy's data (an expert's) ``g`` needs the importance weights
``rho_i = prod_t pi_theta(a_t | s_t) / pi_data(a_t | s_t)`` (:func:`log_importance_weights`), which RWR
leaves out; ``bench rwr-iterated`` measures how far its gradient then points from ``grad J``.
"""

from __future__ import annotations

from collections.abc import Sequence

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from apprentice.algorithms.bc.losses import LossSettings, bc_loss
from apprentice.algorithms.configs.bc import LossName
from apprentice.data.trajectory import Trajectory, flatten
from apprentice.policies.base import Policy

SCORE_CHUNK = 1024
"""Steps whose score vectors are computed in one vmapped call (bounds the memory to chunk x parameters)."""


def _steps(trajectories: Sequence[Trajectory], per_episode: np.ndarray) -> tuple:
    """Observations, actions and each step's copy of its episode's number, as arrays."""
    data = flatten(list(trajectories))
    coefficients = np.repeat(np.asarray(per_episode, np.float64), [len(t) for t in trajectories])
    obs = jax.tree.map(lambda x: jnp.asarray(x, jnp.float32), data.obs)
    acts = jnp.asarray(data.acts) if np.issubdtype(data.acts.dtype, np.integer) else jnp.asarray(data.acts, jnp.float32)
    return obs, acts, coefficients


def episode_returns(trajectories: Sequence[Trajectory]) -> np.ndarray:
    return np.array([t.episode_return for t in trajectories], np.float64)


def rwr_gradient(policy: Policy, trajectories: Sequence[Trajectory]):
    """``grad_theta`` of RWR's loss ``-1/m sum_i R(tau_i) sum_t log pi(a_t | s_t)``, through BC's
    weighted loss (per-step weight ``R(tau_i)``); a pytree like ``policy``'s arrays.

    BC's loss is ``sum_t w_t l_t / n`` over the n steps with ``l_t = -log pi(a_t | s_t)`` up to a
    constant (the categorical cross-entropy exactly; the Gaussian NLL without ``log 2 pi / 2``),
    so RWR's loss is ``n / m`` times it.
    """
    trajectories = list(trajectories)
    obs, acts, weights = _steps(trajectories, episode_returns(trajectories))
    n, m = len(weights), len(trajectories)
    batch = {"obs": obs, "acts": acts, "weights": jnp.asarray(weights, jnp.float32), "mask": jnp.ones(n, jnp.float32)}
    loss_name: LossName = "cross_entropy" if policy.architecture.head == "categorical" else "gaussian_nll"
    if policy.architecture.head not in ("categorical", "gaussian"):
        raise ValueError(f"rwr_gradient: expected a categorical or gaussian head, got {policy.architecture.head!r}")
    params, static = eqx.partition(policy, eqx.is_array)
    settings = LossSettings(loss_name)
    grads = jax.grad(lambda p: bc_loss(eqx.combine(p, static), batch, settings)[0])(params)
    return jax.tree.map(lambda g: g * (n / m), grads)


def reinforce_gradient(policy: Policy, trajectories: Sequence[Trajectory], importance: np.ndarray | None = None):
    """REINFORCE's ``1/m sum_i rho_i R(tau_i) sum_t grad log pi(a_t | s_t)`` (``rho_i = 1`` unless
    ``importance`` gives them), from per-step score vectors; a pytree like ``policy``'s arrays."""
    trajectories = list(trajectories)
    per_episode = episode_returns(trajectories) / len(trajectories)
    if importance is not None:
        per_episode = per_episode * np.asarray(importance, np.float64)
    obs, acts, coefficients = _steps(trajectories, per_episode)
    params, static = eqx.partition(policy, eqx.is_array)
    total = jax.tree.map(jnp.zeros_like, params)
    for start in range(0, len(coefficients), SCORE_CHUNK):
        rows = slice(start, start + SCORE_CHUNK)
        chunk_obs = jax.tree.map(lambda x: x[rows], obs)  # noqa: B023  (used at once)
        total = _add_scores(params, static, total, chunk_obs, acts[rows], jnp.asarray(coefficients[rows], jnp.float32))
    return total


@eqx.filter_jit
def _add_scores(params, static, total, obs, acts, coefficients):
    """``total + sum_t c_t grad log pi(a_t | s_t)`` over a chunk of steps."""

    def log_prob(p, o, a):
        return eqx.combine(p, static).log_prob(o, a)

    scores = jax.vmap(jax.grad(log_prob), in_axes=(None, 0, 0))(params, obs, acts)
    return jax.tree.map(lambda t, s: t + jnp.tensordot(coefficients, s, axes=1), total, scores)


def log_importance_weights(
    policy: Policy, trajectories: Sequence[Trajectory], data_log_probs: Sequence[np.ndarray]
) -> np.ndarray:
    """``log rho_i = sum_t log pi_theta(a_t | s_t) - log pi_data(a_t | s_t)`` per episode, from the
    data policy's ``log pi_data(a_t | s_t)`` of each step (one array per episode). Kept in log
    space: over hundreds of steps ``rho_i`` leaves the float range."""
    trajectories = list(trajectories)
    obs, acts, _ = _steps(trajectories, np.zeros(len(trajectories)))
    log_pi = np.asarray(jax.vmap(policy.log_prob)(obs, acts), np.float64)
    ends = np.cumsum([len(t) for t in trajectories])[:-1]
    log_ratio = np.array([a.sum() - np.sum(b) for a, b in zip(np.split(log_pi, ends), data_log_probs)])
    return log_ratio


def flat(tree) -> np.ndarray:
    """A gradient pytree as one float64 vector."""
    return np.concatenate([np.ravel(np.asarray(leaf, np.float64)) for leaf in jax.tree.leaves(tree)])


def cosine(a, b) -> float:
    """Cosine of the angle between two gradients (pytrees or vectors)."""
    a, b = flat(a), flat(b)
    return float(a @ b / max(np.linalg.norm(a) * np.linalg.norm(b), 1e-300))
