"""The BC and DAgger bounds: never violated on random instances, (nearly) tight on constructed ones."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apprentice.theory.bounds import (
    BoundCheck,
    bc_bound_discounted,
    bc_bound_finite_horizon,
    dagger_bound_finite_horizon,
    mismatch,
    on_policy_bound_discounted,
)
from apprentice.theory.evaluation import optimal_discounted
from apprentice.theory.finite_horizon import optimal_finite_horizon
from apprentice.theory.mdp import (
    deterministic_policy,
    random_actions,
    random_finite_horizon_mdp,
    random_policy,
    random_tabular_mdp,
)
from apprentice.theory.worst_case import (
    bc_tight_discounted,
    bc_tight_finite_horizon,
    expected_mistakes_closed_form,
    ross_bagnell_chain,
)

SIZES = st.sampled_from([(3, 2), (5, 3)])
SEEDS = st.integers(0, 2**31 - 1)
MIX = np.array([1e-3, 1e-2, 0.1, 0.5])


def _learners(seed, expert_actions, n_states, n_actions, horizon=None):
    """8 learners: 4 random (2 near-deterministic) and 4 close to the expert (where bounds bite)."""
    expert = deterministic_policy(expert_actions, n_actions)
    wild = random_policy(seed, n_states, n_actions, batch=(2,), horizon=horizon)
    sharp = random_policy(seed + 1, n_states, n_actions, batch=(2,), horizon=horizon, concentration=0.1)
    noise = random_policy(seed + 2, n_states, n_actions, batch=(4,), horizon=horizon)
    shape = (4,) + (1,) * expert.ndim
    near = (1 - MIX.reshape(shape)) * expert + MIX.reshape(shape) * noise
    return np.concatenate([wild, sharp, near])


@settings(max_examples=100, deadline=None, derandomize=True)
@given(size=SIZES, seed=SEEDS, gamma=st.sampled_from([0.5, 0.9, 0.99]), optimal_expert=st.booleans(),
       signed_rewards=st.booleans())
def test_discounted_bounds_never_violated(size, seed, gamma, optimal_expert, signed_rewards):
    n_states, n_actions = size
    mdp = random_tabular_mdp(seed, n_states, n_actions, gamma, reward_low=-1.0 if signed_rewards else 0.0,
                             concentration=0.3)
    if optimal_expert:
        expert = optimal_discounted(mdp).actions
    else:
        expert = random_actions(seed + 7, n_states, n_actions)
    learners = _learners(seed + 11, expert, n_states, n_actions)
    checks = (bc_bound_discounted(mdp, expert, learners), on_policy_bound_discounted(mdp, expert, learners))
    for check in checks:
        assert check.gap.shape == (8,)
        assert check.holds(), (check.name, check.gap, check.bound)
        assert np.all(check.epsilon >= 0) and np.all(check.epsilon <= 1)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(size=SIZES, seed=SEEDS, horizon=st.sampled_from([1, 12]), optimal_expert=st.booleans())
def test_finite_horizon_bounds_never_violated(size, seed, horizon, optimal_expert):
    n_states, n_actions = size
    mdp = random_finite_horizon_mdp(seed, n_states, n_actions, horizon, reward_low=-1.0, concentration=0.3)
    if optimal_expert:
        expert = optimal_finite_horizon(mdp).actions
    else:
        expert = random_actions(seed + 7, n_states, n_actions, horizon=horizon)
    learners = _learners(seed + 11, expert, n_states, n_actions, horizon)
    checks = (
        bc_bound_finite_horizon(mdp, expert, learners),
        dagger_bound_finite_horizon(mdp, expert, learners),
    )
    for check in checks:
        assert check.holds(), (check.name, check.gap, check.bound)
    if optimal_expert:  # an optimal expert is never beaten
        assert np.all(bc_bound_finite_horizon(mdp, expert, learners).gap >= -1e-9)


def test_bc_discounted_bound_nearly_tight_on_the_cliff():
    gamma, eps = 0.99, 1e-5
    mdp, expert, learner = bc_tight_discounted(gamma, eps)
    check = bc_bound_discounted(mdp, expert, learner)
    assert check.epsilon == pytest.approx(eps, rel=1e-12)
    by_hand = 2 * gamma * eps / ((1 - gamma) * (1 - gamma + gamma * eps))
    assert check.gap == pytest.approx(by_hand, rel=1e-9)
    assert check.holds()
    assert check.tightness > 0.98  # the bound cannot be lowered by 2%
    # The quadratic horizon is needed: 2 eps / (1 - gamma) alone is far exceeded.
    assert check.gap > 50 * 2 * eps / (1 - gamma)


def test_bc_finite_horizon_bound_attained_exactly():
    mdp, expert, learner = bc_tight_finite_horizon(horizon=50, first_step_error=0.3)
    check = bc_bound_finite_horizon(mdp, expert, learner)
    assert check.epsilon == pytest.approx(0.3 / 50, rel=1e-12)
    assert check.gap == pytest.approx(0.3 * 50, rel=1e-12)
    assert check.tightness == pytest.approx(1.0, abs=1e-12)
    assert check.holds()


def test_ross_bagnell_chain_grows_quadratically_under_the_bc_bound():
    eps, horizon = 1e-4, 100  # eps T << 1: mistakes ~ eps T^2 / 2
    mdp, expert, learner = ross_bagnell_chain(eps, horizon)
    bc = bc_bound_finite_horizon(mdp, expert, learner)
    assert bc.epsilon == pytest.approx(eps, rel=1e-12)
    assert bc.holds()
    closed_form = expected_mistakes_closed_form(eps, horizon)
    assert bc.tightness == pytest.approx(closed_form / (horizon**2 * eps), rel=1e-9)
    assert 0.45 < bc.tightness < 0.51  # ~ (T + 1) / 2T: the H^2 bound is tight up to a factor 2 here
    assert bc.gap > 40 * eps * horizon  # far above a linear eps T
    dagger = dagger_bound_finite_horizon(mdp, expert, learner)
    assert dagger.holds() and dagger.epsilon > 40 * eps  # on its own states the learner errs far more


def test_mismatch_and_bound_check_basics():
    policy = np.array([[0.9, 0.1], [0.2, 0.8]])
    np.testing.assert_allclose(mismatch(policy, np.array([0, 0])), [0.1, 0.8])
    np.testing.assert_allclose(mismatch(np.stack([policy] * 3), np.array([[0, 1]] * 3)), [[0.1, 0.2]] * 3)
    violated = BoundCheck("x", gap=np.array([1.0, 2.0]), bound=np.array([1.5, 1.9]), epsilon=np.zeros(2))
    assert not violated.holds()
    np.testing.assert_allclose(violated.tightness, [1 / 1.5, 2 / 1.9])
