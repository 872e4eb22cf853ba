"""The performance difference lemma, both forms, to 1e-9 on random MDPs and policies (exact tier)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from apprentice.envs.tabular.mdp import random_finite_horizon_mdp, random_policy, random_tabular_mdp
from apprentice.theory.evaluation import evaluate_discounted, occupancy_from_each_state
from apprentice.theory.pdl import pdl_discounted, pdl_finite_horizon

# Few distinct shapes: each new array shape costs one XLA compile (~0.1-0.3 s).
SIZES = st.sampled_from([(2, 2), (4, 3), (6, 2)])
SEEDS = st.integers(0, 2**31 - 1)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(size=SIZES, seed=SEEDS, gamma=st.sampled_from([0.0, 0.5, 0.9, 0.99]), concentration=st.sampled_from([0.1, 1.0]))
def test_pdl_discounted_identity(size, seed, gamma, concentration):
    n_states, n_actions = size
    mdp = random_tabular_mdp(seed, n_states, n_actions, gamma, reward_low=-1.0, concentration=concentration)
    policies = random_policy(seed + 1, n_states, n_actions, batch=(3,), concentration=concentration)
    other = random_policy(seed + 2, n_states, n_actions, concentration=concentration)
    sides = pdl_discounted(mdp, policies, other)
    assert sides.lhs.shape == (3, n_states)
    assert sides.max_abs_gap < 1e-9
    lhs_mu, rhs_mu = sides.under(mdp.initial)
    np.testing.assert_allclose(lhs_mu, rhs_mu, atol=1e-9)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(size=SIZES, seed=SEEDS, horizon=st.sampled_from([1, 7]), concentration=st.sampled_from([0.1, 1.0]))
def test_pdl_finite_horizon_identity(size, seed, horizon, concentration):
    n_states, n_actions = size
    mdp = random_finite_horizon_mdp(seed, n_states, n_actions, horizon, reward_low=-1.0, concentration=concentration)
    policies, other = (random_policy(seed + k, n_states, n_actions, (3,), horizon, concentration) for k in (1, 2))
    sides = pdl_finite_horizon(mdp, policies, other)
    assert sides.per_step.shape == (3, n_states, horizon)
    assert sides.max_abs_gap < 1e-9
    np.testing.assert_allclose(sides.per_step.sum(-1), sides.rhs, atol=1e-12)


def test_pdl_of_a_policy_with_itself_is_zero_term_by_term():
    mdp = random_finite_horizon_mdp(0, 4, 3, horizon=5)
    policy = random_policy(1, 4, 3, horizon=5)
    sides = pdl_finite_horizon(mdp, policy, policy)
    np.testing.assert_allclose(sides.per_step, 0.0, atol=1e-12)


def test_the_identity_needs_the_right_occupancy():
    """Weighing the advantages by the other policy's occupancy breaks the equality: the check can fail."""
    mdp = random_tabular_mdp(3, 4, 3, gamma=0.9)
    pi, other = random_policy(4, 4, 3), random_policy(5, 4, 3)
    wrong_weights = occupancy_from_each_state(mdp, other)
    expected_advantage = (pi * evaluate_discounted(mdp, other).advantages).sum(-1)
    wrong_rhs = wrong_weights @ expected_advantage / (1 - mdp.gamma)
    sides = pdl_discounted(mdp, pi, other)
    assert np.max(np.abs(sides.lhs - wrong_rhs)) > 1e-3
    assert sides.max_abs_gap < 1e-9
