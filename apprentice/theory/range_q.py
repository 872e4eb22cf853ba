"""Behavior cloning's bound with Range(Q^pihat) (deck 004), both sides exact, beside the H^2 bound.

Deck 004 ("Behavior Cloning: Reduction to Classification"): for a deterministic expert pi* and a
learned pihat on a horizon-H MDP,

    V^pi*(rho) - V^pihat(rho) = sum_{h=1}^H sum_s d^pi*_h(s) (Q^pihat_h(s, pi*_h(s)) - Q^pihat_h(s, pihat_h(s)))
                             <= Range(Q^pihat) sum_h sum_s d^pi*_h(s) 1{pi*_h(s) != pihat_h(s)}
                              = H Range(Q^pihat) eps,      Range(Q) = max_{h, s, a, b} |Q_h(s, a) - Q_h(s, b)|

with eps = 1/H sum_h E_{d^pi*_h} mismatch_h on the **expert's** distribution (the same eps as
``bounds.bc_bound_finite_horizon``). The identity is the finite-horizon PDL with
``(pi, pi') = (pi*, pihat)`` (``pdl.pdl_finite_horizon``); for a stochastic pihat,
``Q(s, pihat(s))`` means ``E_{a ~ pihat(.|s)} Q(s, a)`` and the indicator becomes
``mismatch(s) = 1 - pihat(pi*(s)|s)`` (``Q(s, a*) - E_pihat Q = sum_{a != a*} pihat(a|s)
(Q(s, a*) - Q(s, a)) <= mismatch(s) Range``).

Beside the ``H^2 eps Range(r)`` bound: ``Range_a Q^pihat_h(s, .) <= (H - h) Range(r)`` (one step's
reward plus the rest of the episode), so ``H Range(Q^pihat) <= H^2 Range(r)``: the Range(Q) bound
is never the weaker one. Their ratio ``Range(Q^pihat) / (H Range(r))`` is near 1 when one mistake
changes the rest of the episode (a cliff) and near ``c / H`` when the MDP forgets a mistake within
``c`` steps; ``apprentice theory range-q`` measures it on random MDPs (docs/theory.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from jaxtyping import ArrayLike, Float, Int

from apprentice.envs.tabular.mdp import FiniteHorizonMDP, deterministic_policy, validate_actions, validate_policy
from apprentice.theory.bounds import BoundCheck, bc_bound_finite_horizon
from apprentice.theory.finite_horizon import evaluate_finite_horizon, state_distributions


@dataclass(frozen=True, eq=False)
class RangeQBound:
    """Both sides of deck 004's identity and both bounds, per learner (numpy float64, batched)."""

    gap: Float[np.ndarray, "*batch"]
    """V^pi*(mu) - V^pihat(mu), from two exact policy evaluations."""
    decomposition: Float[np.ndarray, "*batch"]
    """sum_h sum_s d^pi*_h(s) (Q^pihat_h(s, pi*_h(s)) - E_{pihat_h} Q^pihat_h(s, .)), d^pi*_h from mu."""
    per_step: Float[np.ndarray, "*batch H"]
    """The h-th term of the decomposition."""
    q_range: Float[np.ndarray, "*batch"]
    """Range(Q^pihat) = max_{h, s, a, b} |Q^pihat_h(s, a) - Q^pihat_h(s, b)|."""
    epsilon: Float[np.ndarray, "*batch"]
    """1/H sum_h E_{d^pi*_h} [1 - pihat_h(pi*_h(s) | s)]: the mistake rate on the expert's states."""
    horizon: int
    reward_range: float
    """Range(r) = max r - min r."""

    @property
    def bound(self) -> Float[np.ndarray, "*batch"]:
        """H Range(Q^pihat) eps."""
        return self.horizon * self.q_range * self.epsilon

    @property
    def h2_bound(self) -> Float[np.ndarray, "*batch"]:
        """H^2 eps Range(r) (``bounds.bc_bound_finite_horizon``)."""
        return self.horizon**2 * self.epsilon * self.reward_range

    @property
    def ratio(self) -> Float[np.ndarray, "*batch"]:
        """Range(Q) bound / H^2 bound = Range(Q^pihat) / (H Range(r)), in [0, 1] (1 where Range(r) = 0)."""
        scale = self.horizon * self.reward_range
        return np.asarray(self.q_range / scale if scale > 0 else np.ones_like(self.q_range))

    @property
    def max_identity_gap(self) -> float:
        """max |gap - decomposition|: the identity says 0."""
        return float(np.max(np.abs(self.gap - self.decomposition)))

    def check(self) -> BoundCheck:
        """The Range(Q) bound as a ``BoundCheck`` (``holds()``, ``tightness``)."""
        return BoundCheck("bc_range_q", self.gap, self.bound, self.epsilon)


def q_range(q_values: Float[ArrayLike, "*batch H S A"]) -> Float[np.ndarray, "*batch"]:
    """``max_{h, s} (max_a Q_h(s, a) - min_a Q_h(s, a))`` = ``max_{h,s,a,b} |Q_h(s, a) - Q_h(s, b)|``."""
    q = np.asarray(q_values, dtype=np.float64)
    return (q.max(-1) - q.min(-1)).max(axis=(-2, -1))


def bc_bound_range_q(
    mdp: FiniteHorizonMDP,
    expert_actions: Int[ArrayLike, "H S"],
    policy: Float[ArrayLike, "*batch H S A"],
) -> RangeQBound:
    """Both sides of ``V* - V^pihat = sum_h E_{d*_h}[Q^pihat_h(s, pi*) - Q^pihat_h(s, pihat)] <= H Range(Q^pihat) eps``.

    Args:
        mdp: the finite-horizon MDP.
        expert_actions: the deterministic expert pi*, ``[H, S]`` or a stationary ``[S]``.
        policy: the learned pihat, ``[..., H, S, A]`` (a batch of learners is fine).

    Example:
        >>> mdp = random_finite_horizon_mdp(seed=0, n_states=4, n_actions=3, horizon=10)
        >>> result = bc_bound_range_q(mdp, random_actions(1, 4, 3), random_policy(2, 4, 3, horizon=10))
        >>> result.max_identity_gap < 1e-9, bool(result.check().holds()), bool(result.ratio <= 1)
        (True, True, True)
    """
    horizon = mdp.horizon
    actions = validate_actions(expert_actions, mdp.n_states, mdp.n_actions, horizon)
    policy = validate_policy(policy, mdp.n_states, mdp.n_actions, horizon)
    expert = deterministic_policy(actions, mdp.n_actions)
    h2 = bc_bound_finite_horizon(mdp, actions, policy)  # the gap (two evaluations) and eps on d*_h
    learner = evaluate_finite_horizon(mdp, policy)
    # The right side along another route: the expert's state distributions times the learner's Q
    # (the finite-horizon PDL of (pi*, pihat), ``pdl.pdl_finite_horizon``, averaged over mu).
    expert_states = state_distributions(mdp, expert)  # [H, S]
    q_expert_action = np.take_along_axis(
        learner.q_values, np.broadcast_to(actions[..., None], policy.shape[:-1] + (1,)), -1
    )
    per_step = np.sum(expert_states * (q_expert_action[..., 0] - learner.values), axis=-1)
    return RangeQBound(
        gap=np.asarray(h2.gap),
        decomposition=per_step.sum(-1),
        per_step=per_step,
        q_range=q_range(learner.q_values),
        epsilon=np.asarray(h2.epsilon),
        horizon=horizon,
        reward_range=mdp.reward_range,
    )
