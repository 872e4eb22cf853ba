"""Tabular imitation learners for exact studies: behavior cloning and DAgger, time-indexed.

A tabular learner is trained on a set of visited (step, state) pairs labeled by a deterministic
expert. Where it has data it predicts the label with probability ``1 - error`` and spreads
``error`` evenly over the other actions; where it has none it has nothing to go on and plays
uniformly (the prediction of a softmax classifier with zero logits). ``error`` is the learner's
controlled per-state error: the 0-1 loss it makes on its own training distribution. It is what
an infinite-data maximum-likelihood classifier converges to when each label it sees is wrong
with probability ``error`` (uniformly among the wrong actions), i.e. the epsilon of the bounds.

- ``behavior_cloning``: trained on the states the expert visits, either all of them (the
  population limit, ``Pr > 0`` under ``d^pi*_h``) or those in ``n_demos`` sampled demonstrations
  (``behavior_cloning_from_demos``; "mimic the expert where you have seen it" of Rajaraman et al.
  2020).
- ``dagger``: Ross, Gordon & Bagnell (2011) with ``beta_1 = 1, beta_i = 0`` after: start from
  BC, then repeatedly run the current learner, add every state it reaches (``Pr > 0`` under its
  exact ``d^pi_h``: the infinite-rollout limit) labeled by the expert, and retrain.

The state distributions come from ``finite_horizon.state_distributions`` (exact float64);
sampling uses a numpy ``Generator`` seeded by the caller.
"""

from __future__ import annotations

import numpy as np
from jaxtyping import ArrayLike, Bool, Float, Int

from apprentice.envs.tabular.mdp import (
    FiniteHorizonMDP,
    deterministic_policy,
    validate_actions,
    validate_policy,
)
from apprentice.theory.finite_horizon import state_distributions


def tabular_learner(
    seen: Bool[ArrayLike, "H S"],
    expert_actions: Int[ArrayLike, "H S"],
    n_actions: int,
    error: float | Float[ArrayLike, "H S"] = 0.0,
) -> Float[np.ndarray, "H S A"]:
    """The learned time-indexed policy: label w.p. ``1 - error`` where seen, uniform elsewhere.

    ``error`` is one probability or one per ``(h, s)`` (a learner whose mistakes vary by state).
    """
    errors = np.asarray(error, dtype=np.float64)
    if np.any(errors < 0.0) or np.any(errors > 1.0) or np.any(np.isnan(errors)):
        raise ValueError(f"error must be a probability in [0, 1]; got values from {errors.min()} to {errors.max()}")
    seen = np.asarray(seen, dtype=bool)
    labels = deterministic_policy(np.asarray(expert_actions), n_actions)
    if seen.shape != labels.shape[:-1]:
        raise ValueError(f"seen has shape {seen.shape} but expert_actions has {labels.shape[:-1]}; they must match")
    errors = np.broadcast_to(errors, seen.shape)[..., None]
    fitted = (1.0 - errors) * labels + errors * (1.0 - labels) / (n_actions - 1)
    return np.where(seen[..., None], fitted, 1.0 / n_actions)


def _support(mdp: FiniteHorizonMDP, policy: np.ndarray) -> np.ndarray:
    return state_distributions(mdp, policy) > 0.0


def behavior_cloning(
    mdp: FiniteHorizonMDP, expert_actions: Int[ArrayLike, "H S"], error: float = 0.0
) -> Float[np.ndarray, "H S A"]:
    """BC in the population limit: trained on every (h, s) the expert reaches with Pr > 0."""
    actions = validate_actions(expert_actions, mdp.n_states, mdp.n_actions, mdp.horizon)
    seen = _support(mdp, deterministic_policy(actions, mdp.n_actions))
    return tabular_learner(seen, actions, mdp.n_actions, error)


def dagger(
    mdp: FiniteHorizonMDP,
    expert_actions: Int[ArrayLike, "H S"],
    error: float = 0.0,
    n_iterations: int = 4,
) -> tuple[Float[np.ndarray, "H S A"], list[int]]:
    """DAgger in the infinite-rollout limit; returns ``(final policy, states seen per round)``.

    Round 0 is BC on the expert's states; each of the ``n_iterations`` rounds then adds the
    (h, s) pairs the current learner reaches and retrains. The list counts the (h, s) pairs in
    the aggregated data after each round, so a plateau shows DAgger has converged.
    """
    actions = validate_actions(expert_actions, mdp.n_states, mdp.n_actions, mdp.horizon)
    seen = _support(mdp, deterministic_policy(actions, mdp.n_actions))
    sizes = [int(seen.sum())]
    for _ in range(n_iterations):
        learner = tabular_learner(seen, actions, mdp.n_actions, error)
        seen = seen | _support(mdp, learner)
        sizes.append(int(seen.sum()))
    return tabular_learner(seen, actions, mdp.n_actions, error), sizes


def sample_states(
    mdp: FiniteHorizonMDP,
    policy: Float[ArrayLike, "H S A"],
    n_episodes: int,
    seed: int,
) -> Int[np.ndarray, "N H"]:
    """States ``s_0 .. s_{H-1}`` of ``n_episodes`` episodes of ``policy``, sampled with ``seed``."""
    policy = validate_policy(policy, mdp.n_states, mdp.n_actions, mdp.horizon)
    rng = np.random.default_rng(seed)
    policy_cdf = np.cumsum(policy, axis=-1)
    transition_cdf = np.cumsum(mdp.transitions, axis=-1)
    last_state, last_action = mdp.n_states - 1, mdp.n_actions - 1

    def draw(cdf: np.ndarray, cap: int) -> np.ndarray:
        # Inverse-CDF sampling, one uniform per row; the cap guards against round-off in cdf[-1].
        return np.minimum((cdf < rng.random((cdf.shape[0], 1))).sum(axis=-1), cap)

    states = np.empty((n_episodes, mdp.horizon), dtype=np.int64)
    current = draw(np.broadcast_to(np.cumsum(mdp.initial), (n_episodes, mdp.n_states)), last_state)
    for h in range(mdp.horizon):
        states[:, h] = current
        actions = draw(policy_cdf[h, current], last_action)
        current = draw(transition_cdf[current, actions], last_state)
    return states


def behavior_cloning_from_demos(
    mdp: FiniteHorizonMDP,
    expert_actions: Int[ArrayLike, "H S"],
    n_demos: int,
    seed: int,
    error: float = 0.0,
) -> tuple[Float[np.ndarray, "H S A"], Bool[np.ndarray, "H S"]]:
    """BC from ``n_demos`` sampled expert episodes; returns ``(policy, seen)``.

    ``seen[h, s]`` is True when some demonstration was in s at step h. With ``error = 0`` this
    is the "mimic the expert wherever you have seen it, act blindly elsewhere" learner whose
    suboptimality Rajaraman et al. (2020) bound by ``|S| H^2 log(N) / N``.
    """
    actions = validate_actions(expert_actions, mdp.n_states, mdp.n_actions, mdp.horizon)
    expert = deterministic_policy(actions, mdp.n_actions)
    visited = sample_states(mdp, expert, n_demos, seed)
    seen = np.zeros((mdp.horizon, mdp.n_states), dtype=bool)
    seen[np.broadcast_to(np.arange(mdp.horizon), visited.shape), visited] = True
    return tabular_learner(seen, actions, mdp.n_actions, error), seen
