"""The performance difference lemma (PDL), both sides computed exactly, in both settings.

Discounted (Kakade & Langford 2002, Lemma 6.1; the performance difference lemma of Agarwal,
Jiang, Kakade & Sun, "RL: Theory and Algorithms", ch. 1): for any two stationary policies pi, pi'
and every start state s0,

    V^pi(s0) - V^pi'(s0) = 1/(1 - gamma) E_{s ~ d^pi_{s0}} E_{a ~ pi(.|s)} [A^pi'(s, a)]

with ``d^pi_{s0}`` the discounted occupancy of pi from s0 (``evaluation.py``).

Finite horizon (the same telescoping sum, over steps; it is the tool of the DAgger analysis of
Ross, Gordon & Bagnell 2011): for time-indexed pi, pi' and every s0,

    V^pi_0(s0) - V^pi'_0(s0) = sum_{h=0}^{H-1} E_{s ~ d^pi_h(.|s0)} E_{a ~ pi_h(.|s)} [A^pi'_h(s, a)]

The left side comes from two policy evaluations, the right from the occupancy of pi and the
advantage of pi', so the two are computed along different routes and agree only because the
lemma is true (to float64 round-off, ~1e-12 on small MDPs). The pieces are exact float64 from
``evaluation.py`` / ``finite_horizon.py`` (JAX under a scoped ``jax.enable_x64``); the final
contractions are numpy float64.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from jaxtyping import ArrayLike, Float

from apprentice.envs.tabular.mdp import FiniteHorizonMDP, TabularMDP, check_distribution
from apprentice.theory.evaluation import evaluate_discounted, occupancy_from_each_state
from apprentice.theory.finite_horizon import (
    evaluate_finite_horizon,
    state_distributions_from_each_state,
)


@dataclass(frozen=True, eq=False)
class PerformanceDifference:
    """Both sides of the PDL for every start state s0 (numpy float64)."""

    lhs: Float[np.ndarray, "*batch S"]
    """V^pi(s0) - V^pi'(s0), from two exact policy evaluations."""
    rhs: Float[np.ndarray, "*batch S"]
    """The occupancy-weighted advantage of pi' under pi (the lemma's right side)."""
    per_step: Float[np.ndarray, "*batch S H"] | None = None
    """Finite horizon only: the h-th term of the right side's sum, for each s0."""

    def under(self, initial: Float[ArrayLike, " S"]) -> tuple[np.ndarray, np.ndarray]:
        """Both sides averaged over a start distribution: ``(mu . lhs, mu . rhs)``."""
        mu = np.asarray(initial, dtype=np.float64)
        check_distribution("initial", mu)
        return self.lhs @ mu, self.rhs @ mu

    @property
    def max_abs_gap(self) -> float:
        """``max |lhs - rhs|`` over start states and the batch; the lemma says 0."""
        return float(np.max(np.abs(self.lhs - self.rhs)))


def pdl_discounted(
    mdp: TabularMDP,
    policy: Float[ArrayLike, "*batch S A"],
    other: Float[ArrayLike, "*batch S A"],
) -> PerformanceDifference:
    """Both sides of ``V^pi - V^pi' = 1/(1-gamma) E_{d^pi_{s0}} E_{pi} A^pi'`` for every s0.

    Args:
        mdp: the discounted MDP.
        policy: pi, ``[..., S, A]``; the policy whose occupancy weighs the advantages.
        other: pi', ``[..., S, A]``; the policy whose advantage is measured. Batch dimensions
            of the two broadcast.

    Example:
        >>> mdp = random_tabular_mdp(seed=0, n_states=4, n_actions=3, gamma=0.9)
        >>> pi, pi2 = random_policy(1, 4, 3), random_policy(2, 4, 3)
        >>> pdl_discounted(mdp, pi, pi2).max_abs_gap < 1e-9
        True
    """
    pi = np.asarray(policy, dtype=np.float64)
    values_pi = evaluate_discounted(mdp, pi).values
    other_eval = evaluate_discounted(mdp, other)
    occupancy = occupancy_from_each_state(mdp, pi)  # [..., s0, s]
    expected_advantage = np.einsum("...sa,...sa->...s", pi, other_eval.advantages)
    rhs = np.einsum("...ij,...j->...i", occupancy, expected_advantage) / (1.0 - mdp.gamma)
    return PerformanceDifference(lhs=values_pi - other_eval.values, rhs=rhs)


def pdl_finite_horizon(
    mdp: FiniteHorizonMDP,
    policy: Float[ArrayLike, "*batch H S A"],
    other: Float[ArrayLike, "*batch H S A"],
) -> PerformanceDifference:
    """Both sides of ``V^pi_0 - V^pi'_0 = sum_h E_{d^pi_h} E_{pi_h} A^pi'_h`` for every s0.

    Args:
        mdp: the finite-horizon MDP.
        policy: pi, time-indexed ``[..., H, S, A]``; its state distributions weigh the terms.
        other: pi', ``[..., H, S, A]``; its advantages are measured.

    Returns:
        ``PerformanceDifference`` whose ``per_step[..., s0, h]`` are the terms of the sum.
    """
    pi = np.asarray(policy, dtype=np.float64)
    values_pi = evaluate_finite_horizon(mdp, pi).values
    other_eval = evaluate_finite_horizon(mdp, other)
    distributions = state_distributions_from_each_state(mdp, pi)  # [..., s0, h, s]
    expected_advantage = np.einsum("...hsa,...hsa->...hs", pi, other_eval.advantages)
    per_step = np.einsum("...ihs,...hs->...ih", distributions, expected_advantage)
    return PerformanceDifference(
        lhs=values_pi[..., 0, :] - other_eval.values[..., 0, :],
        rhs=per_step.sum(axis=-1),
        per_step=per_step,
    )
