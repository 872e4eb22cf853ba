"""The distribution-shift decomposition of behavior cloning, per step, computed exactly.

Deck 003 ("A more general analysis", after Ross & Bagnell 2010): with ``p_train(s_t)`` the
expert's state distribution at step t and ``p_pi(s_t)`` the learner's, and a learner that makes
a mistake with probability at most eps on the training distribution,

    p_pi(s_t) = (1 - eps)^t p_train(s_t) + (1 - (1 - eps)^t) p_mistake(s_t)
    D_TV(p_train, p_pi) = 1/2 sum_s |p_train(s_t) - p_pi(s_t)| <= 1 - (1 - eps)^t <= eps t
    sum_s |p_train - p_pi| = 2 D_TV <= 2 eps t
    E_{p_pi(s_t)} [mistake at t] <= eps + 2 eps t,    sum_{t=1}^H (eps + 2 eps t) = O(eps H^2)

Steps are counted ``t = 1..H`` as in the deck; the state ``s_t`` comes after ``t - 1`` actions, so
the statements hold with ``t - 1`` in place of ``t`` (the deck's exponent is one step loose).
``shift_profile`` computes, for an expert and a learner on a finite-horizon MDP, the exact
per-step quantities and every bound, so each can be checked on its own:

- ``tv[t]``: the exact ``D_TV(d^pi*_t, d^pihat_t)`` (forward induction, ``finite_horizon.py``).
- ``mistakes[t]``: the exact expected mistakes at step t, ``E_{d^pihat_t} mismatch_t`` with
  ``mismatch_t(s) = 1 - pihat_t(pi*_t(s) | s)``, the deck's ``E[c(s_t, a_t)]``.
- ``epsilon_per_step[t] = E_{d^pi*_t} mismatch_t``; the deck's eps is its maximum over t
  (``epsilon``); ``epsilon_sup`` is the largest per-state mistake on the expert's support.

Which bound needs what (each is proved by coupling the two runs until the learner's first
mistake; ``tests/theory/test_distribution_shift.py`` checks them on random MDPs):

- ``tv <= sum_{k<t} epsilon_per_step[k] <= eps (t - 1) <= eps t`` holds with eps on average over the
  training distribution (union bound over the steps at which the runs can part).
- ``tv <= 1 - (1 - epsilon_sup)^(t-1)``, the mixture form, needs the per-state assumption (every
  state the expert visits has mistake probability <= eps, the deck's first, worst-case setting).
  With eps only bounding the average, the conditional mistake rate of the runs still on the
  expert's path can exceed eps and the mixture form can fail; the linear form cannot.
- ``mistakes <= epsilon_per_step + 2 tv`` is the deck's step (the second sum is at most
  ``sum_s |p_pi - p_train| = 2 tv``, as each mistake probability is <= 1), hence ``eps + 2 eps t``.
  The factor 2 is loose: ``sum_s (p_pi - p_train) m(s) <= tv`` for any ``m`` in [0, 1], so
  ``mistakes <= epsilon_per_step + tv <= eps t``, and the total is at most ``eps H (H + 1) / 2``
  against the deck's ``sum_t (eps + 2 eps t) = eps H (H + 2)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from jaxtyping import ArrayLike, Float, Int

from apprentice.envs.tabular.mdp import FiniteHorizonMDP, deterministic_policy, validate_actions, validate_policy
from apprentice.theory.bounds import mismatch
from apprentice.theory.finite_horizon import state_distributions


@dataclass(frozen=True, eq=False)
class ShiftProfile:
    """Exact per-step distribution shift and mistakes of one learner, with the deck's bounds (float64).

    Arrays ``[H]`` are indexed by ``t - 1`` for the deck's steps ``t = 1..H``.
    """

    tv: Float[np.ndarray, " H"]
    """D_TV(d^pi*_t, d^pihat_t) = 1/2 sum_s |d^pi*_t(s) - d^pihat_t(s)|, exact."""
    mistakes: Float[np.ndarray, " H"]
    """E_{s ~ d^pihat_t} [1 - pihat_t(pi*_t(s) | s)]: the expected mistakes at step t, exact."""
    epsilon_per_step: Float[np.ndarray, " H"]
    """E_{s ~ d^pi*_t} [1 - pihat_t(pi*_t(s) | s)]: the mistake rate on the training distribution."""
    epsilon_sup: float
    """max over (t, s) with d^pi*_t(s) > 0 of the per-state mistake probability."""

    @property
    def horizon(self) -> int:
        return int(self.tv.shape[0])

    @property
    def steps(self) -> Int[np.ndarray, " H"]:
        """The deck's t = 1..H."""
        return np.arange(1, self.horizon + 1)

    @property
    def epsilon(self) -> float:
        """The deck's eps: ``max_t E_{p_train(s_t)}[mistake]``."""
        return float(self.epsilon_per_step.max())

    # --- the bounds, per step -----------------------------------------------------------------

    @property
    def tv_union_bound(self) -> Float[np.ndarray, " H"]:
        """``sum_{k<t} epsilon_per_step[k]``: the coupling (union) bound on tv, the sharpest here."""
        return np.concatenate([[0.0], np.cumsum(self.epsilon_per_step)[:-1]])

    @property
    def tv_mixture_bound(self) -> Float[np.ndarray, " H"]:
        """``1 - (1 - epsilon_sup)^(t-1)``: the mixture form (needs the per-state assumption)."""
        return 1.0 - (1.0 - self.epsilon_sup) ** (self.steps - 1)

    @property
    def tv_mixture_with_average_epsilon(self) -> Float[np.ndarray, " H"]:
        """``1 - (1 - eps)^(t-1)`` with the deck's average eps: not a bound in general (see module)."""
        return 1.0 - (1.0 - self.epsilon) ** (self.steps - 1)

    @property
    def eps_t(self) -> Float[np.ndarray, " H"]:
        """``eps t``: the deck's bound on D_TV (and the sharper bound on the mistakes at step t)."""
        return self.epsilon * self.steps

    @property
    def two_eps_t(self) -> Float[np.ndarray, " H"]:
        """``2 eps t``: the deck's bound on ``sum_s |p_train - p_pi| = 2 D_TV``."""
        return 2.0 * self.eps_t

    @property
    def mistakes_deck_bound(self) -> Float[np.ndarray, " H"]:
        """``eps + 2 eps t``: the deck's bound on the mistakes at step t."""
        return self.epsilon + self.two_eps_t

    @property
    def mistakes_deck_step(self) -> Float[np.ndarray, " H"]:
        """``epsilon_per_step + 2 tv``: the deck's inequality with the exact quantities put in."""
        return self.epsilon_per_step + 2.0 * self.tv

    @property
    def mistakes_sharp_step(self) -> Float[np.ndarray, " H"]:
        """``epsilon_per_step + tv``: the same step without the factor 2 (still a bound)."""
        return self.epsilon_per_step + self.tv

    # --- totals -------------------------------------------------------------------------------

    @property
    def total_mistakes(self) -> float:
        """The exact expected number of mistakes in an episode."""
        return float(self.mistakes.sum())

    @property
    def total_deck_bound(self) -> float:
        """``sum_{t=1}^H (eps + 2 eps t) = eps H (H + 2)``."""
        return float(self.mistakes_deck_bound.sum())

    @property
    def total_sharp_bound(self) -> float:
        """``sum_{t=1}^H eps t = eps H (H + 1) / 2``."""
        return float(self.eps_t.sum())

    def violations(self, atol: float = 1e-12) -> dict[str, int]:
        """How many steps break each inequality (all 0 but possibly the last, which is no bound)."""
        checks = {
            "tv <= union bound": self.tv <= self.tv_union_bound + atol,
            "tv <= 1-(1-eps_sup)^(t-1)": self.tv <= self.tv_mixture_bound + atol,
            "tv <= eps t": self.tv <= self.eps_t + atol,
            "2 tv <= 2 eps t": 2 * self.tv <= self.two_eps_t + atol,
            "mistakes <= eps_t + 2 tv": self.mistakes <= self.mistakes_deck_step + atol,
            "mistakes <= eps_t + tv": self.mistakes <= self.mistakes_sharp_step + atol,
            "mistakes <= eps + 2 eps t": self.mistakes <= self.mistakes_deck_bound + atol,
            "mistakes <= eps t": self.mistakes <= self.eps_t + atol,
            "tv <= 1-(1-eps)^(t-1) (average eps)": self.tv <= self.tv_mixture_with_average_epsilon + atol,
        }
        return {name: int((~ok).sum()) for name, ok in checks.items()}

    def to_dict(self) -> dict:
        """JSON-ready per-step arrays and totals."""
        return {
            "epsilon": self.epsilon,
            "epsilon_sup": self.epsilon_sup,
            "tv": self.tv.tolist(),
            "mistakes": self.mistakes.tolist(),
            "epsilon_per_step": self.epsilon_per_step.tolist(),
            "tv_mixture_bound": self.tv_mixture_bound.tolist(),
            "tv_union_bound": self.tv_union_bound.tolist(),
            "total_mistakes": self.total_mistakes,
            "total_deck_bound": self.total_deck_bound,
            "total_sharp_bound": self.total_sharp_bound,
            "violations": self.violations(),
        }


def shift_profile(
    mdp: FiniteHorizonMDP,
    expert_actions: Int[ArrayLike, "H S"],
    policy: Float[ArrayLike, "H S A"],
) -> ShiftProfile:
    """Exact per-step D_TV between the expert's and the learner's state distributions, and mistakes.

    Args:
        mdp: the finite-horizon MDP.
        expert_actions: the deterministic expert, ``[H, S]`` or a stationary ``[S]``.
        policy: the learner, time-indexed ``[H, S, A]``.

    Example:
        >>> mdp = random_finite_horizon_mdp(seed=0, n_states=4, n_actions=2, horizon=6)
        >>> expert = random_actions(1, 4, 2)
        >>> learner = tabular_learner(np.ones((6, 4), bool), np.broadcast_to(expert, (6, 4)), 2, 0.05)
        >>> profile = shift_profile(mdp, expert, learner)
        >>> bool(np.all(profile.tv <= profile.eps_t))
        True
    """
    actions = validate_actions(expert_actions, mdp.n_states, mdp.n_actions, mdp.horizon)
    policy = validate_policy(policy, mdp.n_states, mdp.n_actions, mdp.horizon)
    if policy.ndim != 3:
        raise ValueError(f"policy must be one time-indexed policy [H, S, A]; got shape {policy.shape}")
    expert_states = state_distributions(mdp, deterministic_policy(actions, mdp.n_actions))  # [H, S]
    learner_states = state_distributions(mdp, policy)
    errors = mismatch(policy, actions)  # [H, S]
    return ShiftProfile(
        tv=0.5 * np.abs(expert_states - learner_states).sum(-1),
        mistakes=(learner_states * errors).sum(-1),
        epsilon_per_step=(expert_states * errors).sum(-1),
        epsilon_sup=float(np.max(np.where(expert_states > 0, errors, 0.0))),
    )
