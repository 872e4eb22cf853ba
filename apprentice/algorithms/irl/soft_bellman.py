"""Soft (maximum-causal-entropy) value iteration: finite-horizon backward induction and the
discounted fixed point.

The soft Bellman recursion of Ziebart (2010, thesis, eqs. 9.1-9.3; Ziebart, Bagnell & Dey 2010)
replaces the hard max over actions by a log-sum-exp. Finite horizon H, discount gamma in [0, 1],
backward from ``V_H = 0``:

    Q_t(s, a) = r(s, a) + gamma sum_s' P(s'|s, a) V_{t+1}(s')
    V_t(s)    = log sum_a exp Q_t(s, a)
    pi_t(a|s) = exp(Q_t(s, a) - V_t(s))

Infinite horizon, gamma < 1: the unique fixed point of ``V = log sum_a exp(r + gamma P V)``, a
gamma-contraction in the sup norm, with the stationary policy ``pi = exp(Q - V)``. ``V_t(s)`` is
the soft (entropy-regularized) value: ``max_pi E[sum_t gamma^t (r(s_t, a_t) - log pi(a_t|s_t))]``.

Kernels (``*_kernel``, ``soft_bellman_sweep``) are pure, run in any dtype and inside a caller's
``jit``/``grad``; the public functions validate, run in float64 under the scoped
``jax.enable_x64`` of ``apprentice.theory`` and return numpy arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, ArrayLike, Float, Int

from apprentice.algorithms.configs.irl import check_discount
from apprentice.envs.tabular.mdp import FiniteHorizonMDP, TabularMDP
from apprentice.theory.precision import exact_scope, f64, to_numpy


def soft_bellman_sweep(
    transitions: Float[Array, "S A S"],
    rewards: Float[Array, "S A"],
    discount: Float[Array, ""] | float,
    next_values: Float[Array, " S"],
) -> tuple[Float[Array, " S"], Float[Array, "S A"]]:
    """One soft backup: ``Q = r + gamma P V'`` and ``V = logsumexp_a Q``. Returns ``(V, Q)``."""
    q_values = rewards + discount * jnp.einsum("sat,t->sa", transitions, next_values)
    return jax.nn.logsumexp(q_values, axis=-1), q_values


def soft_policy(q_values: Float[Array, "*batch S A"], values: Float[Array, "*batch S"]) -> Float[Array, "*batch S A"]:
    """``pi(a|s) = exp(Q(s, a) - V(s))``; sums to 1 over actions when ``V = logsumexp Q``."""
    return jnp.exp(q_values - values[..., None])


def soft_backward_kernel(
    transitions: Float[Array, "S A S"],
    rewards: Float[Array, "S A"],
    discount: Float[Array, ""] | float,
    horizon: int,
) -> tuple[Float[Array, "H S"], Float[Array, "H S A"]]:
    """``(V_t, Q_t)`` for t = 0..H-1 by soft backward induction from ``V_H = 0`` (pure).

    ``horizon`` must be static under ``jit``; ``discount`` may be traced (0 and 1 included).
    """

    def step(next_values, _):
        values, q_values = soft_bellman_sweep(transitions, rewards, discount, next_values)
        return values, (values, q_values)

    start = jnp.zeros(transitions.shape[0], dtype=rewards.dtype)
    _, (values, q_values) = jax.lax.scan(step, start, None, length=horizon, reverse=True)
    return values, q_values


def soft_fixed_point_kernel(
    transitions: Float[Array, "S A S"],
    rewards: Float[Array, "S A"],
    discount: Float[Array, ""] | float,
    start: Float[Array, " S"],
    tol: Float[Array, ""] | float,
    max_sweeps: int,
) -> tuple[Float[Array, " S"], Float[Array, "S A"], Int[Array, ""]]:
    """Soft value iteration ``V <- logsumexp_a(r + gamma P V)`` from ``start`` (pure, gamma < 1).

    Stops when ``||V_{k+1} - V_k||_inf <= tol (1 - gamma) / gamma``, which by the contraction
    bound gives ``||V_{k+1} - V*||_inf <= tol``, or after ``max_sweeps`` sweeps (static).
    A warm ``start`` near the answer (e.g. the previous solution while a reward is being
    learned) needs far fewer sweeps. Returns ``(V, Q, n_sweeps)``; Q is from the last sweep.
    """
    threshold = tol * (1.0 - discount) / jnp.maximum(discount, 1e-300)

    def not_done(carry):
        _, _, delta, sweeps = carry
        return (delta > threshold) & (sweeps < max_sweeps)

    def sweep(carry):
        values, _, _, sweeps = carry
        new_values, q_values = soft_bellman_sweep(transitions, rewards, discount, values)
        return new_values, q_values, jnp.max(jnp.abs(new_values - values)), sweeps + 1

    q_start = jnp.zeros(rewards.shape, dtype=rewards.dtype)
    inf = jnp.asarray(jnp.inf, dtype=rewards.dtype)
    values, q_values, _, sweeps = jax.lax.while_loop(
        not_done, sweep, (start.astype(rewards.dtype), q_start, inf, jnp.asarray(0))
    )
    return values, q_values, sweeps


_soft_backward = jax.jit(soft_backward_kernel, static_argnames=("horizon",))
_soft_fixed_point = jax.jit(soft_fixed_point_kernel, static_argnames=("max_sweeps",))


@dataclass(frozen=True, eq=False)
class SoftSolution:
    """Soft values, soft Q-values and the soft-optimal policy (numpy float64)."""

    values: Float[np.ndarray, "*time S"]
    """V_t(s) (finite horizon, ``[H, S]``) or V(s) (discounted, ``[S]``)."""
    q_values: Float[np.ndarray, "*time S A"]
    """Q_t(s, a) or Q(s, a)."""
    policy: Float[np.ndarray, "*time S A"]
    """pi_t(a|s) = exp(Q_t(s, a) - V_t(s)), or the stationary pi(a|s)."""
    n_sweeps: int
    """Backups performed: H for the finite horizon, the fixed-point sweeps for the discounted case."""


def reward_table(rewards: Float[ArrayLike, " S *A"] | None, default: np.ndarray, name: str = "rewards") -> np.ndarray:
    """``rewards`` as float64 ``[S, A]``: a state reward ``[S]`` is repeated over actions.

    ``None`` gives ``default`` (the MDP's own reward). Raises if the shape or values are wrong.
    """
    if rewards is None:
        return default
    n_states, n_actions = default.shape
    array = np.asarray(rewards, dtype=np.float64)
    if array.shape == (n_states,):
        array = np.repeat(array[:, None], n_actions, axis=1)
    if array.shape != (n_states, n_actions):
        raise ValueError(
            f"{name} must have shape (S,) = ({n_states},) or (S, A) = ({n_states}, {n_actions}); got {array.shape}"
        )
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite; it contains NaN or inf")
    return array


def soft_value_iteration_finite(
    mdp: FiniteHorizonMDP,
    rewards: Float[ArrayLike, " S *A"] | None = None,
    discount: float = 1.0,
) -> SoftSolution:
    """Soft backward induction over ``mdp.horizon`` steps, in float64.

    ``V_t = logsumexp_a Q_t``, ``Q_t = r + gamma P V_{t+1}``, ``V_H = 0``,
    ``pi_t = exp(Q_t - V_t)`` (Ziebart 2010, eqs. 9.1-9.3).

    Args:
        mdp: dynamics, start distribution and horizon (its reward is the default ``rewards``).
        rewards: ``r(s)`` of shape ``[S]`` or ``r(s, a)`` of shape ``[S, A]``; ``mdp.rewards``
            when None.
        discount: gamma in [0, 1]; 1 (the default) is the undiscounted finite-horizon problem.

    Returns:
        ``SoftSolution`` with ``values [H, S]``, ``q_values`` and ``policy [H, S, A]``.

    Example:
        >>> mdp = random_finite_horizon_mdp(seed=0, n_states=3, n_actions=2, horizon=4)
        >>> soft_value_iteration_finite(mdp, discount=0.9).policy.shape
        (4, 3, 2)
    """
    if not isinstance(mdp, FiniteHorizonMDP):
        raise TypeError(f"mdp must be a FiniteHorizonMDP; got {type(mdp).__name__}")
    discount = check_discount(discount, mdp.horizon)
    table = reward_table(rewards, mdp.rewards)
    with exact_scope():
        values, q_values = _soft_backward(f64(mdp.transitions), f64(table), f64(discount), horizon=mdp.horizon)
        policy = soft_policy(q_values, values)
        values, q_values, policy = to_numpy(values), to_numpy(q_values), to_numpy(policy)
    return SoftSolution(values, q_values, policy, n_sweeps=mdp.horizon)


def soft_value_iteration_discounted(
    mdp: TabularMDP,
    rewards: Float[ArrayLike, " S *A"] | None = None,
    tol: float = 1e-10,
    max_sweeps: int = 1_000_000,
) -> SoftSolution:
    """The discounted soft fixed point ``V = logsumexp_a(r + gamma P V)``, in float64.

    Iterates from ``V = 0`` until ``||V - V*||_inf <= tol`` (contraction bound), with
    ``gamma = mdp.gamma < 1``.

    Example:
        >>> mdp = random_tabular_mdp(seed=0, n_states=3, n_actions=2, gamma=0.9)
        >>> solution = soft_value_iteration_discounted(mdp)
        >>> bool(np.allclose(solution.policy.sum(-1), 1.0))
        True
    """
    if not isinstance(mdp, TabularMDP):
        raise TypeError(f"mdp must be a TabularMDP (discounted); got {type(mdp).__name__}")
    if tol <= 0:
        raise ValueError(f"tol must be positive; got {tol}")
    table = reward_table(rewards, mdp.rewards)
    with exact_scope():
        values, q_values, sweeps = _soft_fixed_point(
            f64(mdp.transitions),
            f64(table),
            f64(mdp.gamma),
            jnp.zeros(mdp.n_states, dtype=jnp.float64),
            f64(tol),
            max_sweeps=max_sweeps,
        )
        sweeps = int(sweeps)
        if sweeps >= max_sweeps:
            raise RuntimeError(
                f"soft value iteration did not reach tol={tol} in {max_sweeps} sweeps "
                f"(gamma={mdp.gamma}); raise max_sweeps or tol"
            )
        policy = to_numpy(soft_policy(q_values, values))
        values, q_values = to_numpy(values), to_numpy(q_values)
    return SoftSolution(values, q_values, policy, n_sweeps=sweeps)
