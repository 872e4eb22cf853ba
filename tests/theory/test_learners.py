"""The tightrope family, the tabular learners and the power-law fit (exact and contract tiers)."""

import numpy as np
import pytest

from apprentice.envs.tabular.mdp import deterministic_policy
from apprentice.theory.finite_horizon import (
    expected_return,
    optimal_finite_horizon,
    state_distributions,
)
from apprentice.theory.learners import (
    behavior_cloning,
    behavior_cloning_from_demos,
    dagger,
    sample_states,
    tabular_learner,
)
from apprentice.theory.power_law import fit_power_law
from apprentice.theory.tightrope import geometric_wind, tightrope


def _expert_policy(rope):
    return deterministic_policy(
        np.broadcast_to(rope.expert_actions, (rope.mdp.horizon, rope.mdp.n_states)), rope.mdp.n_actions
    )


def test_tightrope_expert_is_optimal_and_never_leaves_the_rope():
    rope = tightrope(seed=3, horizon=15, n_positions=3, max_depth=4, n_actions=4)
    assert rope.mdp.n_states == 3 * 5
    optimum = optimal_finite_horizon(rope.mdp)
    assert expected_return(rope.mdp, _expert_policy(rope)) == pytest.approx(15.0, abs=1e-12)
    assert optimum.values[0] @ rope.mdp.initial == pytest.approx(15.0, abs=1e-12)
    visited = sample_states(rope.mdp, _expert_policy(rope), n_episodes=50, seed=0)
    assert np.all(rope.on_rope[visited])


def test_tightrope_is_seeded_and_validates():
    a, b = tightrope(seed=1, horizon=5), tightrope(seed=1, horizon=5)
    np.testing.assert_array_equal(a.mdp.transitions, b.mdp.transitions)
    np.testing.assert_array_equal(a.expert_actions, tightrope(seed=1, horizon=50).expert_actions)
    with pytest.raises(ValueError, match=r"wind must sum to 1"):
        tightrope(seed=0, horizon=5, n_positions=2, wind=[0.5, 0.6])
    with pytest.raises(ValueError, match="n_actions >= 2"):
        tightrope(seed=0, horizon=5, n_actions=1)
    np.testing.assert_allclose(geometric_wind(3, 0.5), [4 / 7, 2 / 7, 1 / 7])


def test_tabular_learner_has_the_controlled_error_where_seen_and_is_blind_elsewhere():
    seen = np.array([[True, False]])
    policy = tabular_learner(seen, np.array([[2, 0]]), n_actions=3, error=0.1)
    np.testing.assert_allclose(policy[0, 0], [0.05, 0.05, 0.9])
    np.testing.assert_allclose(policy[0, 1], [1 / 3] * 3)


def test_bc_knows_only_the_rope_and_dagger_learns_to_climb_back():
    rope = tightrope(seed=0, horizon=40)
    bc = behavior_cloning(rope.mdp, rope.expert_actions, error=1e-3)
    below = ~rope.on_rope
    np.testing.assert_allclose(bc[:, below], 1 / rope.mdp.n_actions)  # blind below the rope
    policy, sizes = dagger(rope.mdp, rope.expert_actions, error=1e-3, n_iterations=3)
    assert sizes[0] == 40 * rope.on_rope.sum() and sizes[1] > sizes[0] and sizes[-1] == sizes[-2]
    climbs = policy[20, below, rope.expert_actions[below]]  # every depth is reachable by step 20
    assert np.all(climbs == pytest.approx(1 - 1e-3))  # taught where it fell
    gap_bc = 40 - expected_return(rope.mdp, bc)
    gap_dagger = 40 - expected_return(rope.mdp, policy)
    assert gap_dagger < gap_bc / 3


def test_bc_from_demos_is_seeded_and_covers_more_with_more_demos():
    rope = tightrope(seed=0, horizon=6, n_positions=10, max_depth=2, wind=geometric_wind(10, 0.5))
    _, seen_few = behavior_cloning_from_demos(rope.mdp, rope.expert_actions, n_demos=5, seed=1)
    policy, seen_many = behavior_cloning_from_demos(rope.mdp, rope.expert_actions, n_demos=500, seed=1)
    again, _ = behavior_cloning_from_demos(rope.mdp, rope.expert_actions, n_demos=500, seed=1)
    np.testing.assert_array_equal(policy, again)
    assert seen_many.sum() > seen_few.sum() and not np.any(seen_many[:, ~rope.on_rope])


def test_sampled_state_frequencies_match_exact_distributions():
    rope = tightrope(seed=2, horizon=4, n_positions=3, max_depth=2)
    learner = tabular_learner(
        np.zeros((4, rope.mdp.n_states), bool), np.zeros((4, rope.mdp.n_states), int), rope.mdp.n_actions
    )  # blind everywhere: it falls
    exact = state_distributions(rope.mdp, learner)
    states = sample_states(rope.mdp, learner, n_episodes=40_000, seed=3)
    empirical = np.stack([np.bincount(states[:, h], minlength=rope.mdp.n_states) / 40_000 for h in range(4)])
    np.testing.assert_allclose(empirical, exact, atol=0.01)


def test_power_law_fit_recovers_exponents_and_rejects_bad_input():
    x = np.array([10.0, 30.0, 100.0, 300.0])
    rng = np.random.default_rng(0)
    noisy = 3.0 * x**1.5 * rng.lognormal(0.0, 0.05, size=(20, 4))
    fit = fit_power_law(x, noisy, paired=False, seed=0)
    assert fit.exponent == pytest.approx(1.5, abs=0.03)
    assert fit.ci_low < fit.exponent < fit.ci_high and fit.ci_high - fit.ci_low < 0.1
    exact = fit_power_law(x, np.stack([x**2, 2 * x**2]), paired=True, seed=0)
    assert exact.exponent == pytest.approx(2.0, abs=1e-12) and exact.ci_high - exact.ci_low < 1e-12
    np.testing.assert_allclose(exact.local_exponents, 2.0)
    with pytest.raises(ValueError, match="positive x and costs"):
        fit_power_law(x, np.zeros((2, 4)), paired=True, seed=0)
    with pytest.raises(ValueError, match=r"costs of shape \[replicates, n\]"):
        fit_power_law(x, np.ones((2, 3)), paired=True, seed=0)
