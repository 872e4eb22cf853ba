"""The MCE IRL objective: the expert's log-likelihood under the soft policy, and its gradient.

Maximum causal entropy IRL (Ziebart, Bagnell & Dey 2010) maximizes the causal log-likelihood of
the expert's actions under the soft-optimal policy of the reward ``r_theta``. In expectation over
the expert (per-step distributions ``Pr_E(s_t, a_t)``, discount gamma, ``t < H`` or ``t >= 0``):

    L(theta) = sum_t gamma^t sum_{s,a} Pr_E(s_t = s, a_t = a) log pi^theta_t(a|s)

and, because ``log pi_t = Q_t - V_t`` telescopes along the expert's own transitions,

    grad L(theta) = sum_{s,a} rho_E(s, a) grad r_theta(s, a) - sum_{s,a} rho_theta(s, a) grad r_theta(s, a)

(expert minus learner feature expectations; for a linear reward ``phi^T (rho_E - rho_theta)``).
``occupancy_matching_loss`` is a surrogate whose ``jax.grad`` is exactly ``-grad L`` for any
differentiable reward model, which is how the MLP reward is trained with optax.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

from apprentice.algorithms.irl.rewards import RewardModel, reward_on_features
from apprentice.algorithms.irl.soft_bellman import soft_backward_kernel, soft_bellman_sweep
from apprentice.algorithms.irl.visitation import discount_weights


def occupancy_matching_loss(
    model: RewardModel,
    features: Float[Array, "S *A K"],
    learner_occupancy: Float[Array, " S *A"],
    expert_occupancy: Float[Array, " S *A"],
) -> Float[Array, ""]:
    """``sum (sg[rho_theta] - rho_E) * r_theta``: its gradient is ``-grad L`` (see module doc).

    The occupancies index the same table as the reward (``[S]`` for state rewards, ``[S, A]``
    for state-action rewards); the learner's is held constant (stop-gradient).

    Example:
        >>> model = LinearReward(jnp.zeros(2))
        >>> grads = jax.grad(occupancy_matching_loss)(model, jnp.eye(2), jnp.array([1., 1.]), jnp.array([2., 0.]))
        >>> grads.theta.tolist()
        [-1.0, 1.0]
    """
    rewards = reward_on_features(model, features)
    weights = jax.lax.stop_gradient(learner_occupancy) - expert_occupancy
    return jnp.sum(weights * rewards)


def linear_reward_gradient(
    features: Float[Array, "S *A K"],
    learner_occupancy: Float[Array, " S *A"],
    expert_occupancy: Float[Array, " S *A"],
) -> Float[Array, " K"]:
    """The explicit ``-grad L = sum phi (rho_theta - rho_E)`` of a linear reward ``phi^T theta``."""
    difference = learner_occupancy - expert_occupancy
    return jnp.tensordot(difference, features, axes=difference.ndim)


def expected_log_likelihood_finite(
    transitions: Float[Array, "S A S"],
    rewards: Float[Array, "S A"],
    discount: Float[Array, ""] | float,
    expert_state_action_distributions: Float[Array, "H S A"],
) -> Float[Array, ""]:
    """``L = sum_{t<H} gamma^t sum_{s,a} Pr_E(s_t, a_t) log pi_t(a|s)`` under the soft policy of ``rewards``."""
    horizon = expert_state_action_distributions.shape[0]
    values, q_values = soft_backward_kernel(transitions, rewards, discount, horizon)
    log_policy = q_values - values[..., None]
    weights = discount_weights(discount, horizon)
    return jnp.einsum("h,hsa,hsa->", weights, expert_state_action_distributions, log_policy)


def expected_log_likelihood_discounted(
    transitions: Float[Array, "S A S"],
    rewards: Float[Array, "S A"],
    discount: Float[Array, ""] | float,
    expert_occupancy: Float[Array, "S A"],
    n_sweeps: int,
) -> Float[Array, ""]:
    """``L = sum_{s,a} rho_E(s, a) log pi(a|s)`` with the soft fixed point unrolled ``n_sweeps`` times.

    The unrolled iteration is differentiable (reverse mode through ``fori_loop`` with a static
    count); its error, and that of its gradient, shrink as ``gamma^n_sweeps``.
    """

    def sweep(_, values):
        return soft_bellman_sweep(transitions, rewards, discount, values)[0]

    values = jax.lax.fori_loop(0, n_sweeps, sweep, jnp.zeros(transitions.shape[0], rewards.dtype))
    values, q_values = soft_bellman_sweep(transitions, rewards, discount, values)
    return jnp.sum(expert_occupancy * (q_values - values[:, None]))
