"""Exact evaluation of discounted tabular MDPs: V, Q, A, state occupancy, optimal policies.

For a stationary policy pi, with ``P_pi[s, s'] = sum_a pi(a|s) P(s'|s, a)`` and
``r_pi[s] = sum_a pi(a|s) r(s, a)`` (Puterman 1994, ch. 6; Sutton & Barto 2018, ch. 3-4):

    V^pi = (I - gamma P_pi)^{-1} r_pi
    Q^pi(s, a) = r(s, a) + gamma sum_s' P(s'|s, a) V^pi(s')
    A^pi(s, a) = Q^pi(s, a) - V^pi(s)
    d^pi_{s0} = (1 - gamma) sum_h gamma^h Pr(s_h = . | s_0 = s0, pi)
              = (1 - gamma) e_{s0}^T (I - gamma P_pi)^{-1}      (Kakade & Langford 2002)

Everything is a linear solve, so it is exact to float64 round-off. Public functions run in
``jnp.float64`` inside ``jax.enable_x64`` (scoped, see ``precision.py``) and return numpy float64.
Policies may carry leading batch dimensions ``[..., S, A]``; the solves broadcast over them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, ArrayLike, Float, Int

from apprentice.envs.tabular.mdp import TabularMDP, check_distribution, validate_policy
from apprentice.theory.precision import exact_scope, f64, to_numpy


def policy_transition_kernel(
    transitions: Float[Array, "S A S"], policy: Float[Array, "*batch S A"]
) -> Float[Array, "*batch S S"]:
    """``P_pi[s, s'] = sum_a pi(a|s) P(s'|s, a)``."""
    return jnp.einsum("...sa,sat->...st", policy, transitions)


def policy_reward_kernel(rewards: Float[Array, "S A"], policy: Float[Array, "*batch S A"]) -> Float[Array, "*batch S"]:
    """``r_pi[s] = sum_a pi(a|s) r(s, a)``."""
    return jnp.einsum("...sa,sa->...s", policy, rewards)


def state_values_kernel(
    transitions: Float[Array, "S A S"],
    rewards: Float[Array, "S A"],
    gamma: float,
    policy: Float[Array, "*batch S A"],
) -> Float[Array, "*batch S"]:
    """``V^pi = (I - gamma P_pi)^{-1} r_pi`` by a linear solve (pure; any dtype, jit-able)."""
    p_pi = policy_transition_kernel(transitions, policy)
    eye = jnp.eye(transitions.shape[0], dtype=p_pi.dtype)
    r_pi = policy_reward_kernel(rewards, policy)
    return jnp.linalg.solve(eye - gamma * p_pi, r_pi[..., None])[..., 0]


def action_values_kernel(
    transitions: Float[Array, "S A S"],
    rewards: Float[Array, "S A"],
    gamma: Float[Array, ""] | float,
    values: Float[Array, "*batch S"],
) -> Float[Array, "*batch S A"]:
    """``Q(s, a) = r(s, a) + gamma sum_s' P(s'|s, a) V(s')``."""
    return rewards + gamma * jnp.einsum("sat,...t->...sa", transitions, values)


def occupancy_matrix_kernel(
    transitions: Float[Array, "S A S"], gamma: Float[Array, ""] | float, policy: Float[Array, "*batch S A"]
) -> Float[Array, "*batch S S"]:
    """``D[s0, s] = d^pi_{s0}(s) = (1 - gamma) [(I - gamma P_pi)^{-1}]_{s0, s}``; rows sum to 1."""
    p_pi = policy_transition_kernel(transitions, policy)
    eye = jnp.broadcast_to(jnp.eye(transitions.shape[0], dtype=p_pi.dtype), p_pi.shape)
    return (1.0 - gamma) * jnp.linalg.solve(eye - gamma * p_pi, eye)


def _values_and_q(transitions, rewards, gamma, policy):
    values = state_values_kernel(transitions, rewards, gamma, policy)
    return values, action_values_kernel(transitions, rewards, gamma, values)


def _occupancy(transitions, gamma, policy, initial):
    p_pi = policy_transition_kernel(transitions, policy)
    eye = jnp.eye(transitions.shape[0], dtype=p_pi.dtype)
    system = jnp.swapaxes(eye - gamma * p_pi, -1, -2)
    rhs = jnp.broadcast_to((1.0 - gamma) * initial, p_pi.shape[:-1])
    return jnp.linalg.solve(system, rhs[..., None])[..., 0]


# One compiled program per array shape (gamma is traced, so it does not trigger recompiles);
# op-by-op eager dispatch would compile every primitive separately, which costs far more.
_values_and_q_jit = jax.jit(_values_and_q)
_occupancy_jit = jax.jit(_occupancy)
_occupancy_matrix_jit = jax.jit(occupancy_matrix_kernel)


@dataclass(frozen=True, eq=False)
class DiscountedEvaluation:
    """V, Q and A of one policy or a batch of policies (numpy float64)."""

    values: Float[np.ndarray, "*batch S"]
    """V^pi(s)."""
    q_values: Float[np.ndarray, "*batch S A"]
    """Q^pi(s, a)."""
    advantages: Float[np.ndarray, "*batch S A"]
    """A^pi(s, a) = Q^pi(s, a) - V^pi(s)."""


def evaluate_discounted(mdp: TabularMDP, policy: Float[ArrayLike, "*batch S A"]) -> DiscountedEvaluation:
    """Exact V^pi, Q^pi and A^pi by a linear solve, in float64 (scoped ``jax.enable_x64``).

    Args:
        mdp: the discounted MDP.
        policy: ``pi(a|s)``, shape ``[..., S, A]``; leading dimensions are a batch of policies.

    Returns:
        ``DiscountedEvaluation`` with arrays of shape ``[..., S]`` and ``[..., S, A]``.

    Example:
        >>> mdp = random_tabular_mdp(seed=0, n_states=3, n_actions=2, gamma=0.9)
        >>> uniform = np.full((3, 2), 0.5)
        >>> evaluate_discounted(mdp, uniform).values.shape
        (3,)
    """
    policy = validate_policy(policy, mdp.n_states, mdp.n_actions)
    with exact_scope():
        values, q_values = _values_and_q_jit(f64(mdp.transitions), f64(mdp.rewards), f64(mdp.gamma), f64(policy))
        values, q_values = to_numpy(values), to_numpy(q_values)
    return DiscountedEvaluation(values, q_values, advantages=q_values - values[..., None])


def occupancy_from_each_state(
    mdp: TabularMDP, policy: Float[ArrayLike, "*batch S A"]
) -> Float[np.ndarray, "*batch S S"]:
    """``D[..., s0, s] = d^pi_{s0}(s)``: the discounted state occupancy started from each s0.

    ``d^pi_{s0} = (1 - gamma) sum_{h>=0} gamma^h Pr(s_h = s | s_0 = s0, pi)``, computed as
    ``(1 - gamma) (I - gamma P_pi)^{-1}`` in float64 (scoped ``jax.enable_x64``).
    """
    policy = validate_policy(policy, mdp.n_states, mdp.n_actions)
    with exact_scope():
        return to_numpy(_occupancy_matrix_jit(f64(mdp.transitions), f64(mdp.gamma), f64(policy)))


def discounted_occupancy(
    mdp: TabularMDP,
    policy: Float[ArrayLike, "*batch S A"],
    initial: Float[ArrayLike, " S"] | None = None,
) -> Float[np.ndarray, "*batch S"]:
    """``d^pi_mu = (1 - gamma) sum_h gamma^h mu^T P_pi^h``, a distribution over states.

    Args:
        mdp: the discounted MDP.
        policy: ``[..., S, A]``.
        initial: start distribution mu; ``mdp.initial`` when None.

    Solves ``(I - gamma P_pi)^T d = (1 - gamma) mu`` in float64 (scoped ``jax.enable_x64``).
    """
    policy = validate_policy(policy, mdp.n_states, mdp.n_actions)
    mu = mdp.initial if initial is None else np.asarray(initial, dtype=np.float64)
    if mu.shape != (mdp.n_states,):
        raise ValueError(f"initial must have shape ({mdp.n_states},); got {mu.shape}")
    check_distribution("initial", mu)
    with exact_scope():
        return to_numpy(_occupancy_jit(f64(mdp.transitions), f64(mdp.gamma), f64(policy), f64(mu)))


@partial(jax.jit, static_argnames=("max_iterations",))
def _value_iteration_kernel(
    transitions: Float[Array, "S A S"],
    rewards: Float[Array, "S A"],
    gamma: Float[Array, ""],
    tol: Float[Array, ""],
    max_iterations: int,
) -> tuple[Float[Array, " S"], Int[Array, ""]]:
    # Stop when ||V_{k+1} - V_k|| <= tol (1 - gamma) / gamma, which gives ||V_{k+1} - V*|| <= tol.
    threshold = tol * (1.0 - gamma) / jnp.maximum(gamma, 1e-300)

    def not_done(carry):
        _, delta, iteration = carry
        return (delta > threshold) & (iteration < max_iterations)

    def sweep(carry):
        values, _, iteration = carry
        new_values = action_values_kernel(transitions, rewards, gamma, values).max(axis=-1)
        return new_values, jnp.max(jnp.abs(new_values - values)), iteration + 1

    start = jnp.zeros(transitions.shape[0], dtype=rewards.dtype)
    values, _, iterations = jax.lax.while_loop(
        not_done, sweep, (start, jnp.asarray(jnp.inf, rewards.dtype), jnp.asarray(0))
    )
    return values, iterations


def value_iteration(
    mdp: TabularMDP, tol: float = 1e-10, max_iterations: int = 1_000_000
) -> tuple[Float[np.ndarray, " S"], int]:
    """Value iteration ``V <- max_a [r + gamma P V]`` until ``||V - V*||_inf <= tol``.

    Returns ``(values, n_iterations)``. Runs in float64 (scoped ``jax.enable_x64``). Raises if
    ``max_iterations`` sweeps were not enough.
    """
    with exact_scope():
        values, iterations = _value_iteration_kernel(
            f64(mdp.transitions), f64(mdp.rewards), f64(mdp.gamma), f64(tol), max_iterations
        )
        iterations = int(iterations)
        if iterations >= max_iterations:
            raise RuntimeError(
                f"value iteration did not reach tol={tol} in {max_iterations} sweeps "
                f"(gamma={mdp.gamma}); raise max_iterations or tol"
            )
        return to_numpy(values), iterations


@dataclass(frozen=True, eq=False)
class OptimalSolution:
    """An optimal deterministic policy and its exact values."""

    actions: Int[np.ndarray, " S"]
    """pi*(s): an optimal action (among ties, the one policy iteration settled on)."""
    values: Float[np.ndarray, " S"]
    """V*(s), exact (the value of ``actions`` by a linear solve)."""
    q_values: Float[np.ndarray, "S A"]
    """Q*(s, a)."""


def optimal_discounted(mdp: TabularMDP, tie_tol: float = 1e-12) -> OptimalSolution:
    """An exactly optimal deterministic policy: value iteration, then policy iteration to its end.

    Value iteration gives a near-optimal greedy policy; policy iteration (Howard 1960) from it
    terminates at a policy whose exact values satisfy the Bellman optimality equation, so
    ``values`` is V* up to float64 round-off. An action is only switched when it improves Q by
    more than ``tie_tol``, which prevents cycling between tied actions.
    """
    values, _ = value_iteration(mdp, tol=1e-8)
    q_values = mdp.rewards + mdp.gamma * mdp.transitions @ values
    actions = np.argmax(q_values, axis=-1)
    for _ in range(10 * mdp.n_states * mdp.n_actions + 10):
        exact = evaluate_discounted(mdp, np.eye(mdp.n_actions)[actions])
        q_values = exact.q_values
        current = q_values[np.arange(mdp.n_states), actions]
        improves = q_values.max(axis=-1) > current + tie_tol
        if not improves.any():
            break
        actions = np.where(improves, np.argmax(q_values, axis=-1), actions)
    else:  # pragma: no cover - policy iteration terminates after finitely many improvements
        raise RuntimeError("policy iteration did not converge")
    return OptimalSolution(actions=actions.astype(np.int64), values=exact.values, q_values=q_values)
