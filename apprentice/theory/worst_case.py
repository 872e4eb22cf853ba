"""Worst cases: Ross & Bagnell's compounding chain, and instances where the BC bounds are (nearly) tight.

Ross & Bagnell (2010) show that behavior cloning's ``T^2 epsilon`` is not an artefact of the
proof: a learner whose mistake rate on the expert's states is epsilon can, in the worst case,
make

    E[mistakes in T steps] = T/2 - [1 - (1 - 2 epsilon)^(T+1)] / (4 epsilon) + 1/2

which is ``~ epsilon T^2 / 2`` while ``epsilon T << 1`` and ``~ T/2`` after. We realize that
closed form with the smallest chain that has it (our construction): two states, ``on`` (where
the expert stays forever) and ``off``; actions ``stay`` and ``switch``; the expert plays
``stay`` on and ``switch`` off; the learner cannot tell the states apart and plays ``switch``
with probability epsilon in both. Its error on the expert's states is exactly epsilon, yet once
off it stays off with probability 1 - epsilon per step, so ``Pr(off at t) = [1 - (1-2eps)^t]/2``
and the expected number of steps in which it disagrees with the expert sums to the formula.
``expected_mistakes_exact`` gets the same number by exact finite-horizon evaluation of this MDP
(reward = -1 per disagreement), not from the formula.

``bc_tight_discounted`` and ``bc_tight_finite_horizon`` are cliffs on which the BC bounds of
``bounds.py`` are attained up to a factor that goes to 1 (discounted) or exactly (horizon H);
``range_q_tight_finite_horizon`` is a repeated bandit on which deck 004's ``H Range(Q^pihat) eps``
(``range_q.py``) is attained exactly while ``H^2 eps Range(r)`` is H times larger.
"""

from __future__ import annotations

import numpy as np
from jaxtyping import ArrayLike, Float

from apprentice.envs.tabular.mdp import FiniteHorizonMDP, TabularMDP
from apprentice.theory.finite_horizon import expected_return

ON, OFF = 0, 1
STAY, SWITCH = 0, 1


def ross_bagnell_chain(epsilon: float, horizon: int) -> tuple[FiniteHorizonMDP, np.ndarray, np.ndarray]:
    """The two-state chain above: ``(mdp, expert_actions [S], learner_policy [H, S, A])``.

    Rewards are ``-1`` for every action that differs from the expert's, so the learner's
    expected return is minus its expected number of mistakes and the expert's is 0.
    """
    if not 0.0 <= epsilon <= 1.0:
        raise ValueError(f"epsilon must be a probability in [0, 1]; got {epsilon}")
    transitions = np.zeros((2, 2, 2))
    transitions[ON, STAY, ON] = transitions[OFF, STAY, OFF] = 1.0
    transitions[ON, SWITCH, OFF] = transitions[OFF, SWITCH, ON] = 1.0
    expert_actions = np.array([STAY, SWITCH])
    rewards = -(np.arange(2)[None, :] != expert_actions[:, None]).astype(np.float64)
    mdp = FiniteHorizonMDP(transitions, rewards, horizon, initial=np.array([1.0, 0.0]))
    learner = np.broadcast_to(np.array([1.0 - epsilon, epsilon]), (horizon, 2, 2)).copy()
    return mdp, expert_actions, learner


def expected_mistakes_closed_form(
    epsilon: Float[ArrayLike, "*shape"], horizon: Float[ArrayLike, "*shape"]
) -> Float[np.ndarray, "*shape"]:
    """``T/2 - [1 - (1 - 2 eps)^(T+1)] / (4 eps) + 1/2`` (its limit 0 at eps = 0), elementwise."""
    eps = np.asarray(epsilon, dtype=np.float64)
    steps = np.asarray(horizon, dtype=np.float64)
    safe = np.where(eps > 0, eps, 1.0)
    value = steps / 2 - (1 - (1 - 2 * safe) ** (steps + 1)) / (4 * safe) + 0.5
    return np.where(eps > 0, value, 0.0)


def expected_mistakes_exact(epsilon: float, horizon: int) -> float:
    """The learner's expected mistakes on ``ross_bagnell_chain``, by exact backward induction."""
    mdp, _, learner = ross_bagnell_chain(epsilon, horizon)
    return float(-expected_return(mdp, learner))


def bc_tight_discounted(gamma: float, epsilon: float) -> tuple[TabularMDP, np.ndarray, np.ndarray]:
    """A cliff where ``V* - V^pihat = 2 gamma eps / ((1-gamma)(1-gamma+gamma eps))``.

    States ``good`` (reward +1) and ``bad`` (reward -1, absorbing); in ``good``, ``stay`` keeps
    you there and ``jump`` falls to ``bad``. The expert stays; the learner jumps with probability
    epsilon, which is exactly its error on d^pi* (a point mass on ``good``). The ratio to the
    BC bound ``2 eps / (1-gamma)^2`` is ``gamma (1-gamma) / (1 - gamma + gamma eps)``, which goes to
    1 as gamma -> 1 with eps << 1 - gamma. Returns ``(mdp, expert_actions, learner_policy)``.
    """
    good, bad, stay, jump = 0, 1, 0, 1
    transitions = np.zeros((2, 2, 2))
    transitions[good, stay, good] = transitions[good, jump, bad] = 1.0
    transitions[bad, :, bad] = 1.0
    rewards = np.array([[1.0, 1.0], [-1.0, -1.0]])
    mdp = TabularMDP(transitions, rewards, gamma, initial=np.array([1.0, 0.0]))
    learner = np.array([[1.0 - epsilon, epsilon], [1.0, 0.0]])
    return mdp, np.array([stay, stay]), learner


def bc_tight_finite_horizon(horizon: int, first_step_error: float) -> tuple[FiniteHorizonMDP, np.ndarray, np.ndarray]:
    """A cliff where the horizon-H BC bound ``H^2 eps Range(r)`` holds with equality.

    In ``good`` the expert's ``stay`` earns 1 per step; ``jump`` earns 0 and falls for good into
    ``bad`` (reward 0). The learner jumps with probability ``p = first_step_error`` at step 0
    only, so ``eps = p / H`` and it loses ``H`` with probability p: the gap is ``p H = H^2 eps``.
    (A learner erring with the same eps at every step loses ~ half as much: the H^2 factor is the
    price of a mistake at the start.) Returns ``(mdp, expert_actions, learner_policy)``.
    """
    good, bad, stay, jump = 0, 1, 0, 1
    transitions = np.zeros((2, 2, 2))
    transitions[good, stay, good] = transitions[good, jump, bad] = 1.0
    transitions[bad, :, bad] = 1.0
    rewards = np.array([[1.0, 0.0], [0.0, 0.0]])
    mdp = FiniteHorizonMDP(transitions, rewards, horizon, initial=np.array([1.0, 0.0]))
    learner = np.zeros((horizon, 2, 2))
    learner[:, :, stay] = 1.0
    learner[0, good] = [1.0 - first_step_error, first_step_error]
    return mdp, np.array([stay, stay]), learner


def range_q_tight_finite_horizon(
    horizon: int, errors: Float[ArrayLike, "H S"]
) -> tuple[FiniteHorizonMDP, np.ndarray, np.ndarray]:
    """A repeated contextual bandit where deck 004's ``H Range(Q^pihat) eps`` holds with equality.

    ``S`` contexts, drawn uniformly at every step whatever is done; the expert's action 0 earns 1,
    action 1 earns 0. Since no action changes the future, ``Q^pihat_h(s, a) = r(s, a) + c_h`` and
    ``Range(Q^pihat) = Range(r) = 1``; a learner that plays action 1 with probability
    ``errors[h, s]`` loses exactly its mistakes, ``gap = sum_h E_{d*_h} errors_h = H eps = H
    Range(Q) eps``, while ``H^2 eps Range(r)`` is H times larger: a mistake that costs one step's
    reward and nothing after is where the two bounds differ most. Returns ``(mdp, expert_actions,
    learner_policy)``.
    """
    errors = np.asarray(errors, dtype=np.float64)
    if errors.ndim != 2 or errors.shape[0] != horizon:
        raise ValueError(f"errors must have shape (horizon, S) = ({horizon}, S); got {errors.shape}")
    if np.any(errors < 0) or np.any(errors > 1):
        raise ValueError("errors must be probabilities in [0, 1]")
    n_states = errors.shape[1]
    transitions = np.full((n_states, 2, n_states), 1.0 / n_states)
    rewards = np.zeros((n_states, 2))
    rewards[:, 0] = 1.0
    mdp = FiniteHorizonMDP(transitions, rewards, horizon, initial=np.full(n_states, 1.0 / n_states))
    learner = np.stack([1.0 - errors, errors], axis=-1)
    return mdp, np.zeros(n_states, dtype=np.int64), learner
