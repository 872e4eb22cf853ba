"""Imitation-learning bounds with both sides computed exactly: BC's 1/(1-gamma)^2 and H^2, DAgger's H.

Setting: a deterministic expert pi* (integer actions) and any learned policy pihat. The
per-state mistake of pihat is its probability of not playing the expert's action,

    mismatch(s) = 1 - pihat(pi*(s) | s)        (= the 0-1 loss, or TV(pihat(.|s), pi*(.|s)))

and the bounds differ in which state distribution that mistake is averaged over.

1. Behavior cloning, discounted (Ross & Bagnell 2010 in the discounted form of Agarwal, Jiang,
   Kakade & Sun, "RL: Theory and Algorithms", ch. on imitation learning), rewards ``|r| <= R``:

       V*(mu) - V^pihat(mu) <= 2 R epsilon / (1 - gamma)^2,   epsilon = E_{s ~ d^pi*_mu} mismatch(s)

   Proof: PDL with (pi, pi') = (pi*, pihat) gives the gap as 1/(1-gamma) E_{d^pi*}
   [Q^pihat(s, pi*(s)) - E_{pihat} Q^pihat(s, .)], and that bracket is at most
   ``||pi*(.|s) - pihat(.|s)||_1 max|Q^pihat| = 2 mismatch(s) R / (1 - gamma)``.
   The textbook statement takes R = 1.

2. Behavior cloning, horizon H (Ross & Bagnell 2010, stated there for costs in [0, 1]):

       J(pi*) - J(pihat) <= H^2 epsilon Range(r),   epsilon = 1/H sum_h E_{s ~ d^pi*_h} mismatch_h(s)

   Proof: couple the two runs; they agree until pihat's first mistake, which happens at step h
   with probability at most epsilon_h and costs at most (H - h) Range(r) <= H Range(r).

3. DAgger-style, horizon H (the u T epsilon guarantee of Ross, Gordon & Bagnell 2011): with the mistake
   averaged over the learner's own distributions,

       J(pi*) - J(pihat) <= H u epsilon_on,   epsilon_on = 1/H sum_h E_{s ~ d^pihat_h} mismatch_h(s)
       u = max_{h, s} (max_a Q^pi*_h(s, a) - min_a Q^pi*_h(s, a))     (Range of Q^pi*)

   Proof: PDL with (pi, pi') = (pihat, pi*); each term is ``E_{d^pihat_h}[Q^pi*_h(s, pi*_h(s))
   - E_{pihat_h} Q^pi*_h(s, .)] <= E_{d^pihat_h}[mismatch_h(s)] u``. ``on_policy_bound_discounted``
   is the same argument in the discounted setting: ``V* - V^pihat <= u epsilon_on / (1 - gamma)``.

None of these needs pi* to be optimal; V* here means the expert's value V^pi*. Values,
occupancies and Q come from the exact float64 evaluations (JAX under a scoped
``jax.enable_x64``); the averages are numpy float64. Policies may carry batch dimensions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from jaxtyping import ArrayLike, Float, Int

from apprentice.envs.tabular.mdp import (
    FiniteHorizonMDP,
    TabularMDP,
    deterministic_policy,
    validate_actions,
    validate_policy,
)
from apprentice.theory.evaluation import discounted_occupancy, evaluate_discounted
from apprentice.theory.finite_horizon import evaluate_finite_horizon, state_distributions


@dataclass(frozen=True, eq=False)
class BoundCheck:
    """One bound, both sides: ``gap <= bound`` is the claim (numpy float64, batched like the policy)."""

    name: str
    """Which bound this is, e.g. ``"bc_discounted"``."""
    gap: Float[np.ndarray, "*batch"]
    """The left side: the expert's expected return minus the learner's."""
    bound: Float[np.ndarray, "*batch"]
    """The right side of the inequality."""
    epsilon: Float[np.ndarray, "*batch"]
    """The mistake rate the bound is stated in (on the expert's or the learner's states)."""

    def holds(self, atol: float = 1e-9) -> bool:
        """True when ``gap <= bound + atol`` for every policy in the batch."""
        return bool(np.all(self.gap <= self.bound + atol))

    @property
    def tightness(self) -> Float[np.ndarray, "*batch"]:
        """``gap / bound`` (0 where the bound is 0); 1 means the bound is attained."""
        bound = np.asarray(self.bound)
        return np.where(bound > 0, np.asarray(self.gap) / np.where(bound > 0, bound, 1.0), 0.0)


def mismatch(
    policy: Float[ArrayLike, "*batch S A"], expert_actions: Int[ArrayLike, " S"]
) -> Float[np.ndarray, "*batch S"]:
    """``1 - pihat(pi*(s) | s)``; time-indexed ``[..., H, S, A]`` with ``[H, S]`` actions also works."""
    policy = np.asarray(policy, dtype=np.float64)
    actions = np.asarray(expert_actions)
    if actions.ndim == 1:
        chosen = policy[..., np.arange(actions.shape[0]), actions]
    else:
        steps = np.arange(actions.shape[0])[:, None]
        states = np.arange(actions.shape[1])[None, :]
        chosen = policy[..., steps, states, actions]
    return 1.0 - chosen


def bc_bound_discounted(
    mdp: TabularMDP,
    expert_actions: Int[ArrayLike, " S"],
    policy: Float[ArrayLike, "*batch S A"],
) -> BoundCheck:
    """``V*(mu) - V^pihat(mu) <= 2 R epsilon / (1 - gamma)^2`` with epsilon on d^pi*; R = max|r|.

    Example:
        >>> mdp = random_tabular_mdp(seed=0, n_states=5, n_actions=3, gamma=0.9)
        >>> check = bc_bound_discounted(mdp, random_actions(1, 5, 3), random_policy(2, 5, 3))
        >>> check.holds()
        True
    """
    actions = validate_actions(expert_actions, mdp.n_states, mdp.n_actions)
    policy = validate_policy(policy, mdp.n_states, mdp.n_actions)
    expert = deterministic_policy(actions, mdp.n_actions)
    values_gap = evaluate_discounted(mdp, expert).values - evaluate_discounted(mdp, policy).values
    gap = values_gap @ mdp.initial
    epsilon = mismatch(policy, actions) @ discounted_occupancy(mdp, expert)
    reward_scale = float(np.abs(mdp.rewards).max())
    bound = 2.0 * reward_scale * epsilon / (1.0 - mdp.gamma) ** 2
    return BoundCheck("bc_discounted", gap, bound, epsilon)


def on_policy_bound_discounted(
    mdp: TabularMDP,
    expert_actions: Int[ArrayLike, " S"],
    policy: Float[ArrayLike, "*batch S A"],
) -> BoundCheck:
    """``V*(mu) - V^pihat(mu) <= u epsilon_on / (1 - gamma)`` with epsilon_on on d^pihat.

    ``u = max_s (max_a Q^pi*(s, a) - min_a Q^pi*(s, a))``; the discounted twin of the DAgger bound.
    """
    actions = validate_actions(expert_actions, mdp.n_states, mdp.n_actions)
    policy = validate_policy(policy, mdp.n_states, mdp.n_actions)
    expert_eval = evaluate_discounted(mdp, deterministic_policy(actions, mdp.n_actions))
    gap = (expert_eval.values - evaluate_discounted(mdp, policy).values) @ mdp.initial
    epsilon = np.sum(mismatch(policy, actions) * discounted_occupancy(mdp, policy), axis=-1)
    q_range = float(np.max(expert_eval.q_values.max(-1) - expert_eval.q_values.min(-1)))
    return BoundCheck("on_policy_discounted", gap, q_range * epsilon / (1.0 - mdp.gamma), epsilon)


def bc_bound_finite_horizon(
    mdp: FiniteHorizonMDP,
    expert_actions: Int[ArrayLike, "H S"],
    policy: Float[ArrayLike, "*batch H S A"],
) -> BoundCheck:
    """``J(pi*) - J(pihat) <= H^2 epsilon Range(r)`` with epsilon = 1/H sum_h E_{d^pi*_h} mismatch_h.

    ``expert_actions`` may be ``[H, S]`` or a stationary ``[S]``.
    """
    horizon = mdp.horizon
    actions = validate_actions(expert_actions, mdp.n_states, mdp.n_actions, horizon)
    policy = validate_policy(policy, mdp.n_states, mdp.n_actions, horizon)
    expert = deterministic_policy(actions, mdp.n_actions)
    expert_values = evaluate_finite_horizon(mdp, expert).values[0]
    learner_values = evaluate_finite_horizon(mdp, policy).values[..., 0, :]
    gap = (expert_values - learner_values) @ mdp.initial
    expert_states = state_distributions(mdp, expert)  # [H, S]
    epsilon = np.sum(mismatch(policy, actions) * expert_states, axis=(-2, -1)) / horizon
    bound = horizon**2 * epsilon * mdp.reward_range
    return BoundCheck("bc_finite_horizon", gap, bound, epsilon)


def dagger_bound_finite_horizon(
    mdp: FiniteHorizonMDP,
    expert_actions: Int[ArrayLike, "H S"],
    policy: Float[ArrayLike, "*batch H S A"],
) -> BoundCheck:
    """``J(pi*) - J(pihat) <= H u epsilon_on`` with epsilon_on = 1/H sum_h E_{d^pihat_h} mismatch_h.

    ``u = max_{h,s} (max_a Q^pi*_h(s, a) - min_a Q^pi*_h(s, a))``. The right side equals
    ``u * sum_h E_{d^pihat_h}[mismatch_h]``: the learner's own state distributions times its
    mistakes, times Range(Q^pi*).
    """
    horizon = mdp.horizon
    actions = validate_actions(expert_actions, mdp.n_states, mdp.n_actions, horizon)
    policy = validate_policy(policy, mdp.n_states, mdp.n_actions, horizon)
    expert_eval = evaluate_finite_horizon(mdp, deterministic_policy(actions, mdp.n_actions))
    learner_values = evaluate_finite_horizon(mdp, policy).values
    gap = (expert_eval.values[0] - learner_values[..., 0, :]) @ mdp.initial
    learner_states = state_distributions(mdp, policy)  # [..., H, S]
    epsilon = np.sum(mismatch(policy, actions) * learner_states, axis=(-2, -1)) / horizon
    q_range = float(np.max(expert_eval.q_values.max(-1) - expert_eval.q_values.min(-1)))
    return BoundCheck("dagger_finite_horizon", gap, horizon * q_range * epsilon, epsilon)
