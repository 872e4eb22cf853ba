"""The forward pass of MCE IRL: expected discounted state and state-action visitation of a policy.

For a finite horizon H (actions at steps t = 0..H-1, the episode ends in the state s_H) and
discount gamma in [0, 1], with ``d_t(s) = Pr(s_t = s)`` from ``d_0 = mu``:

    rho(s, a)  = sum_{t=0}^{H-1} gamma^t d_t(s) pi_t(a|s)          (state-action occupancy)
    D(s)       = sum_a rho(s, a)                                   (state occupancy)
    D+(s)      = D(s) + gamma^H d_H(s) = sum_{t=0}^{H} gamma^t d_t(s)

``D+`` counts the H + 1 states of an episode, the final one included; it is the discounted sum
that HumanCompatibleAI ``imitation``'s ``mce_occupancy_measures`` returns (``Dcum``), so checks
stated in that convention can be compared number for number. The expected reward of a policy,
and so the MCE IRL gradient, only involves ``rho``: nothing is earned in s_H.

Infinite horizon, gamma < 1: ``rho(s, a) = sum_{t>=0} gamma^t Pr(s_t = s, a_t = a)``, which is
``d^pi_mu(s) pi(a|s) / (1 - gamma)`` with the normalized occupancy ``d^pi_mu`` of
``apprentice.theory.discounted_occupancy``; here ``D+ = D``.

Occupancies are expected discounted visit counts, not distributions: they sum to
``sum_{t<H} gamma^t`` (H when gamma = 1) or ``1 / (1 - gamma)``. The per-step distributions come
from ``apprentice.theory`` (``forward_kernel``, ``occupancy_matrix_kernel``); this file only
weights and sums them.
"""

from __future__ import annotations

from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, ArrayLike, Float

from apprentice.algorithms.irl.soft_bellman import check_discount
from apprentice.envs.tabular.mdp import FiniteHorizonMDP, TabularMDP, validate_policy
from apprentice.theory.evaluation import occupancy_matrix_kernel
from apprentice.theory.finite_horizon import forward_kernel, repeat_over_time
from apprentice.theory.precision import exact_scope, f64, to_numpy


def occupancy_total(discount: float, horizon: int | None) -> float:
    """What an occupancy ``rho`` sums to: ``sum_{t<H} gamma^t`` (H if gamma = 1) or ``1/(1-gamma)``."""
    if horizon is None:
        return 1.0 / (1.0 - discount)
    return float(horizon) if discount == 1.0 else (1.0 - discount**horizon) / (1.0 - discount)


def discount_weights(discount: Float[Array, ""] | float, length: int) -> Float[Array, " T"]:
    """``gamma^t`` for t = 0..length-1, with ``0^0 = 1`` (so gamma = 0 keeps the first step)."""
    return jnp.power(discount, jnp.arange(length))


def finite_visitation_kernel(
    transitions: Float[Array, "S A S"],
    policy: Float[Array, "H S A"],
    initial: Float[Array, " S"],
) -> tuple[Float[Array, "H S A"], Float[Array, " S"]]:
    """``(Pr(s_t = s, a_t = a) for t < H, d_H)``: per-step distributions of a time-indexed policy."""
    state_distributions = forward_kernel(transitions, policy, initial)
    state_action = state_distributions[..., None] * policy
    final = jnp.einsum("sa,sat->t", state_action[-1], transitions)
    return state_action, final


def finite_occupancy_kernel(
    state_action_distributions: Float[Array, "H S A"],
    final_state_distribution: Float[Array, " S"],
    discount: Float[Array, ""] | float,
) -> tuple[Float[Array, "S A"], Float[Array, " S"]]:
    """``(rho, D+)`` from per-step distributions: ``rho = sum_t gamma^t Pr(s_t, a_t)``."""
    horizon = state_action_distributions.shape[0]
    weights = discount_weights(discount, horizon + 1)
    rho = jnp.einsum("h,hsa->sa", weights[:-1], state_action_distributions)
    return rho, rho.sum(-1) + weights[-1] * final_state_distribution


def discounted_visitation_kernel(
    transitions: Float[Array, "S A S"],
    policy: Float[Array, "S A"],
    initial: Float[Array, " S"],
    discount: Float[Array, ""] | float,
) -> Float[Array, "S A"]:
    """``rho(s, a) = sum_t gamma^t Pr(s_t = s, a_t = a)`` of a stationary policy (gamma < 1)."""
    normalized = initial @ occupancy_matrix_kernel(transitions, discount, policy)
    return (normalized / (1.0 - discount))[:, None] * policy


@jax.jit
def _finite(transitions, policy, initial, discount):
    state_action, final = finite_visitation_kernel(transitions, policy, initial)
    rho, with_final = finite_occupancy_kernel(state_action, final, discount)
    return state_action, final, rho, with_final


_discounted = jax.jit(discounted_visitation_kernel)


@dataclass(frozen=True, eq=False)
class Visitation:
    """Where a policy (or a set of demonstrations) spends its time, discounted (numpy float64).

    Example:
        >>> mdp = random_finite_horizon_mdp(seed=0, n_states=3, n_actions=2, horizon=4)
        >>> visitation = policy_visitation(mdp, np.full((4, 3, 2), 0.5), discount=1.0)
        >>> float(visitation.state_occupancy.sum()), float(visitation.state_occupancy_with_final_state.sum())
        (4.0, 5.0)
    """

    state_action_occupancy: Float[np.ndarray, "S A"]
    """rho(s, a) = sum_t gamma^t Pr(s_t = s, a_t = a) over the steps where an action is taken."""
    state_occupancy: Float[np.ndarray, " S"]
    """D(s) = sum_a rho(s, a)."""
    state_occupancy_with_final_state: Float[np.ndarray, " S"]
    """D+(s) = D(s) + gamma^H Pr(s_H = s): ``imitation``'s ``Dcum``; equals D for infinite horizon."""
    state_action_distributions: Float[np.ndarray, "H S A"] | None
    """Pr(s_t = s, a_t = a) for t = 0..H-1 (finite horizon only, else None)."""
    final_state_distribution: Float[np.ndarray, " S"] | None
    """Pr(s_H = s), the state the episode ends in (finite horizon only, else None)."""
    discount: float
    """gamma used for the weights."""
    horizon: int | None
    """H, or None for the infinite-horizon discounted occupancy."""

    @property
    def state_distributions(self) -> Float[np.ndarray, "H1 S"] | None:
        """``d_t(s) = Pr(s_t = s)`` for t = 0..H (H + 1 rows), finite horizon only."""
        if self.state_action_distributions is None or self.final_state_distribution is None:
            return None
        steps = self.state_action_distributions.sum(-1)
        return np.concatenate([steps, self.final_state_distribution[None]], axis=0)

    def expected_return(self, rewards: Float[ArrayLike, "S A"]) -> float:
        """The true return this visitation earns under ``rewards[s, a]``.

        Finite horizon: the undiscounted episode return ``sum_{t<H} E[r(s_t, a_t)]`` (what an
        environment reports, whatever gamma the occupancy uses). Infinite horizon: the
        discounted return ``sum_{s,a} rho(s, a) r(s, a) = E[sum_t gamma^t r(s_t, a_t)]``.
        """
        rewards = np.asarray(rewards, dtype=np.float64)
        if self.state_action_distributions is not None:
            return float(np.einsum("hsa,sa->", self.state_action_distributions, rewards))
        return float(np.sum(self.state_action_occupancy * rewards))


def finite_horizon_visitation(
    mdp: FiniteHorizonMDP,
    policy: Float[ArrayLike, "*H S A"],
    discount: float = 1.0,
) -> Visitation:
    """The discounted visitation of a time-indexed policy over ``mdp.horizon`` steps, in float64.

    Args:
        mdp: dynamics, start distribution and horizon H.
        policy: ``pi_t(a|s)`` of shape ``[H, S, A]``, or a stationary ``[S, A]`` used at every t.
        discount: gamma in [0, 1] for the weights ``gamma^t``.

    Example:
        >>> mdp = random_finite_horizon_mdp(seed=0, n_states=3, n_actions=2, horizon=4)
        >>> finite_horizon_visitation(mdp, np.full((3, 2), 0.5), 0.5).state_action_occupancy.shape
        (3, 2)
    """
    discount = check_discount(discount, mdp.horizon)
    policy = np.asarray(policy, dtype=np.float64)
    if policy.shape == (mdp.n_states, mdp.n_actions):
        policy = repeat_over_time(policy, mdp.horizon)
    policy = validate_policy(policy, mdp.n_states, mdp.n_actions, mdp.horizon)
    if policy.ndim != 3:
        raise ValueError(f"policy must have shape (H, S, A) or (S, A); got {policy.shape}")
    with exact_scope():
        state_action, final, rho, with_final = (
            to_numpy(x) for x in _finite(f64(mdp.transitions), f64(policy), f64(mdp.initial), f64(discount))
        )
    return Visitation(rho, rho.sum(-1), with_final, state_action, final, discount, mdp.horizon)


def discounted_visitation(mdp: TabularMDP, policy: Float[ArrayLike, "S A"]) -> Visitation:
    """The discounted visitation ``rho = sum_t gamma^t Pr(s_t, a_t)`` of a stationary policy.

    Uses ``gamma = mdp.gamma``; float64 (scoped ``jax.enable_x64``).

    Example:
        >>> mdp = random_tabular_mdp(seed=0, n_states=3, n_actions=2, gamma=0.9)
        >>> round(float(discounted_visitation(mdp, np.full((3, 2), 0.5)).state_occupancy.sum()), 9)
        10.0
    """
    policy = validate_policy(policy, mdp.n_states, mdp.n_actions)
    if policy.ndim != 2:
        raise ValueError(f"policy must have shape (S, A); got {policy.shape}")
    with exact_scope():
        rho = to_numpy(_discounted(f64(mdp.transitions), f64(policy), f64(mdp.initial), f64(mdp.gamma)))
    state = rho.sum(-1)
    return Visitation(rho, state, state, None, None, mdp.gamma, None)


def policy_visitation(
    mdp: FiniteHorizonMDP | TabularMDP,
    policy: Float[ArrayLike, "*H S A"],
    discount: float | None = None,
) -> Visitation:
    """The expert occupancy of a given (soft-)optimal or any other policy.

    Dispatches on the MDP: a ``FiniteHorizonMDP`` uses ``discount`` (default 1, undiscounted);
    a ``TabularMDP`` uses its own ``gamma`` (``discount``, if given, must equal it).

    Example:
        >>> mdp = random_finite_horizon_mdp(seed=0, n_states=3, n_actions=2, horizon=4)
        >>> expert = soft_value_iteration_finite(mdp, discount=0.9).policy
        >>> policy_visitation(mdp, expert, discount=0.9).horizon
        4
    """
    if isinstance(mdp, FiniteHorizonMDP):
        return finite_horizon_visitation(mdp, policy, 1.0 if discount is None else discount)
    if isinstance(mdp, TabularMDP):
        if discount is not None and float(discount) != mdp.gamma:
            raise ValueError(
                f"discount={discount} differs from the discounted MDP's gamma={mdp.gamma}; "
                "build the TabularMDP with the discount you want"
            )
        return discounted_visitation(mdp, policy)
    raise TypeError(f"mdp must be a FiniteHorizonMDP or TabularMDP; got {type(mdp).__name__}")
