"""Exact evaluation of finite-horizon MDPs: time-indexed V_h, Q_h, A_h, state distributions d_h.

For a time-indexed policy ``pi = (pi_0, ..., pi_{H-1})`` (Puterman 1994, ch. 4), backward
induction from ``V_H = 0``:

    Q^pi_h(s, a) = r(s, a) + sum_s' P(s'|s, a) V^pi_{h+1}(s')
    V^pi_h(s)    = sum_a pi_h(a|s) Q^pi_h(s, a)
    A^pi_h(s, a) = Q^pi_h(s, a) - V^pi_h(s)

and forward from ``d_0 = mu``: ``d^pi_{h+1}(s') = sum_{s, a} d^pi_h(s) pi_h(a|s) P(s'|s, a)``.
The optimal values replace the average over ``pi_h`` by a max over actions.

Both recursions are a ``jax.lax.scan`` over time, jitted (one compile per array shape), run
in ``jnp.float64`` inside a scoped ``jax.enable_x64``; results come back as numpy float64.
Policies may carry leading batch dimensions ``[..., H, S, A]``.
"""

from __future__ import annotations

from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, ArrayLike, Float, Int

from apprentice.envs.tabular.mdp import FiniteHorizonMDP, check_distribution, validate_policy
from apprentice.theory.evaluation import policy_transition_kernel
from apprentice.theory.precision import exact_scope, f64, to_numpy


def backward_kernel(
    transitions: Float[Array, "S A S"],
    rewards: Float[Array, "S A"],
    policy: Float[Array, "*batch H S A"],
) -> tuple[Float[Array, "*batch H S"], Float[Array, "*batch H S A"]]:
    """``(V^pi_h, Q^pi_h)`` for h = 0..H-1 by backward induction (pure; any dtype)."""
    per_step = jnp.moveaxis(policy, -3, 0)

    def step(next_values, policy_h):
        q_values = rewards + jnp.einsum("sat,...t->...sa", transitions, next_values)
        values = jnp.sum(policy_h * q_values, axis=-1)
        return values, (values, q_values)

    start = jnp.zeros(policy.shape[:-3] + (transitions.shape[0],), dtype=policy.dtype)
    _, (values, q_values) = jax.lax.scan(step, start, per_step, reverse=True)
    return jnp.moveaxis(values, 0, -2), jnp.moveaxis(q_values, 0, -3)


def forward_kernel(
    transitions: Float[Array, "S A S"],
    policy: Float[Array, "*batch H S A"],
    initial: Float[Array, "*batch S"],
) -> Float[Array, "*batch H S"]:
    """``d^pi_h`` for h = 0..H-1 from ``d_0 = initial`` (pure; batch shapes must match)."""
    per_step = jnp.moveaxis(policy, -3, 0)

    def step(distribution, policy_h):
        p_pi = policy_transition_kernel(transitions, policy_h)
        return jnp.einsum("...s,...st->...t", distribution, p_pi), distribution

    _, distributions = jax.lax.scan(step, initial, per_step)
    return jnp.moveaxis(distributions, 0, -2)


def optimal_backward_kernel(
    transitions: Float[Array, "S A S"], rewards: Float[Array, "S A"], horizon: int
) -> tuple[Float[Array, "H S"], Float[Array, "H S A"]]:
    """``(V*_h, Q*_h)`` by backward induction with a max over actions (pure; any dtype)."""

    def step(next_values, _):
        q_values = rewards + jnp.einsum("sat,t->sa", transitions, next_values)
        values = q_values.max(axis=-1)
        return values, (values, q_values)

    start = jnp.zeros(transitions.shape[0], dtype=rewards.dtype)
    _, (values, q_values) = jax.lax.scan(step, start, None, length=horizon, reverse=True)
    return values, q_values


_backward = jax.jit(backward_kernel)
_forward = jax.jit(forward_kernel)
_optimal_backward = jax.jit(optimal_backward_kernel, static_argnames=("horizon",))


def repeat_over_time(policy: Float[ArrayLike, "*batch S A"], horizon: int) -> np.ndarray:
    """A stationary policy ``[..., S, A]`` as the time-indexed ``[..., H, S, A]`` it equals."""
    array = np.asarray(policy, dtype=np.float64)
    return np.broadcast_to(array[..., None, :, :], array.shape[:-2] + (horizon,) + array.shape[-2:])


@dataclass(frozen=True, eq=False)
class FiniteHorizonEvaluation:
    """Time-indexed V, Q and A of one policy or a batch of policies (numpy float64)."""

    values: Float[np.ndarray, "*batch H S"]
    """V^pi_h(s), the expected reward still to come from step h (V^pi_H = 0 is left out)."""
    q_values: Float[np.ndarray, "*batch H S A"]
    """Q^pi_h(s, a)."""
    advantages: Float[np.ndarray, "*batch H S A"]
    """A^pi_h(s, a) = Q^pi_h(s, a) - V^pi_h(s)."""


def evaluate_finite_horizon(mdp: FiniteHorizonMDP, policy: Float[ArrayLike, "*batch H S A"]) -> FiniteHorizonEvaluation:
    """Exact V^pi_h, Q^pi_h, A^pi_h of a time-indexed policy, in float64 (scoped ``jax.enable_x64``).

    Example:
        >>> mdp = random_finite_horizon_mdp(seed=0, n_states=3, n_actions=2, horizon=4)
        >>> uniform = np.full((4, 3, 2), 0.5)
        >>> evaluate_finite_horizon(mdp, uniform).values.shape
        (4, 3)
    """
    policy = validate_policy(policy, mdp.n_states, mdp.n_actions, mdp.horizon)
    with exact_scope():
        values, q_values = _backward(f64(mdp.transitions), f64(mdp.rewards), f64(policy))
        values, q_values = to_numpy(values), to_numpy(q_values)
    return FiniteHorizonEvaluation(values, q_values, advantages=q_values - values[..., None])


def expected_return(mdp: FiniteHorizonMDP, policy: Float[ArrayLike, "*batch H S A"]) -> Float[np.ndarray, "*batch"]:
    """``J(pi) = sum_s mu(s) V^pi_0(s)``: the expected total reward of an episode."""
    return evaluate_finite_horizon(mdp, policy).values[..., 0, :] @ mdp.initial


def state_distributions(
    mdp: FiniteHorizonMDP,
    policy: Float[ArrayLike, "*batch H S A"],
    initial: Float[ArrayLike, " S"] | None = None,
) -> Float[np.ndarray, "*batch H S"]:
    """``d^pi_h(s) = Pr(s_h = s | s_0 ~ mu, pi)`` for h = 0..H-1, in float64.

    Args:
        mdp: the finite-horizon MDP.
        policy: ``[..., H, S, A]``.
        initial: mu; ``mdp.initial`` when None.
    """
    policy = validate_policy(policy, mdp.n_states, mdp.n_actions, mdp.horizon)
    mu = mdp.initial if initial is None else np.asarray(initial, dtype=np.float64)
    if mu.shape != (mdp.n_states,):
        raise ValueError(f"initial must have shape ({mdp.n_states},); got {mu.shape}")
    check_distribution("initial", mu)
    mu = np.broadcast_to(mu, policy.shape[:-3] + (mdp.n_states,))
    with exact_scope():
        return to_numpy(_forward(f64(mdp.transitions), f64(policy), f64(mu)))


def state_distributions_from_each_state(
    mdp: FiniteHorizonMDP, policy: Float[ArrayLike, "*batch H S A"]
) -> Float[np.ndarray, "*batch S H S"]:
    """``D[..., s0, h, s] = Pr(s_h = s | s_0 = s0, pi)``: ``state_distributions`` from every start."""
    policy = validate_policy(policy, mdp.n_states, mdp.n_actions, mdp.horizon)
    n = mdp.n_states
    batch = policy.shape[:-3]
    per_start = np.broadcast_to(policy[..., None, :, :, :], batch + (n,) + policy.shape[-3:])
    starts = np.broadcast_to(np.eye(n), batch + (n, n))
    with exact_scope():
        return to_numpy(_forward(f64(mdp.transitions), f64(per_start), f64(starts)))


@dataclass(frozen=True, eq=False)
class FiniteHorizonOptimum:
    """An optimal deterministic time-indexed policy and the optimal values."""

    actions: Int[np.ndarray, "H S"]
    """pi*_h(s) = argmax_a Q*_h(s, a), lowest index among ties."""
    values: Float[np.ndarray, "H S"]
    """V*_h(s)."""
    q_values: Float[np.ndarray, "H S A"]
    """Q*_h(s, a)."""


def optimal_finite_horizon(mdp: FiniteHorizonMDP) -> FiniteHorizonOptimum:
    """Optimal values and a greedy optimal policy by backward induction, in float64.

    Backward induction is exact (no iteration to convergence): ``V*_h = max_a Q*_h``.
    """
    with exact_scope():
        values, q_values = _optimal_backward(f64(mdp.transitions), f64(mdp.rewards), horizon=mdp.horizon)
        values, q_values = to_numpy(values), to_numpy(q_values)
    return FiniteHorizonOptimum(np.argmax(q_values, axis=-1), values, q_values)
