"""BC's bound with Range(Q^pihat) (deck 004): the identity to 1e-9, never violated, attained on a constructed case (exact tier)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apprentice.envs.tabular.mdp import (
    deterministic_policy,
    random_actions,
    random_finite_horizon_mdp,
    random_policy,
)
from apprentice.theory.finite_horizon import optimal_finite_horizon
from apprentice.theory.range_q import bc_bound_range_q, q_range
from apprentice.theory.worst_case import bc_tight_finite_horizon, range_q_tight_finite_horizon

MIX = np.array([1e-3, 1e-2, 0.1, 0.5, 1.0])


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    seed=st.integers(0, 2**31 - 1),
    horizon=st.sampled_from([1, 15]),
    optimal_expert=st.booleans(),
    concentration=st.sampled_from([0.1, 1.0]),
)
def test_identity_and_both_bounds_on_random_mdps(seed, horizon, optimal_expert, concentration):
    mdp = random_finite_horizon_mdp(seed, 4, 3, horizon, reward_low=-1.0, concentration=concentration)
    expert = optimal_finite_horizon(mdp).actions if optimal_expert else random_actions(seed + 1, 4, 3, horizon)
    noise = random_policy(seed + 2, 4, 3, batch=(len(MIX),), horizon=horizon, concentration=0.3)
    learners = (1 - MIX[:, None, None, None]) * deterministic_policy(expert, 3) + MIX[:, None, None, None] * noise
    result = bc_bound_range_q(mdp, expert, learners)
    assert result.gap.shape == result.bound.shape == (len(MIX),)
    assert result.max_identity_gap < 1e-9
    np.testing.assert_allclose(result.per_step.sum(-1), result.decomposition, atol=1e-12)
    assert result.check().holds()
    assert np.all(result.gap <= result.h2_bound + 1e-9)
    # Range_a Q_h <= (H - h) Range(r): the Range(Q) bound is never the weaker one.
    assert np.all(result.bound <= result.h2_bound + 1e-9) and np.all(result.ratio <= 1 + 1e-12)


def test_attained_on_the_repeated_bandit_where_the_h2_bound_is_h_times_larger():
    errors = np.random.default_rng(0).uniform(0.0, 0.1, size=(30, 3))
    mdp, expert, learner = range_q_tight_finite_horizon(30, errors)
    result = bc_bound_range_q(mdp, expert, learner)
    assert float(result.q_range) == pytest.approx(1.0, abs=1e-12)
    assert float(result.epsilon) == pytest.approx(errors.mean(), abs=1e-12)
    assert float(result.gap) == pytest.approx(float(result.bound), rel=1e-12)
    assert float(result.decomposition) == pytest.approx(float(result.bound), rel=1e-12)
    assert float(result.h2_bound) == pytest.approx(30 * float(result.bound), rel=1e-12)
    assert float(result.ratio) == pytest.approx(1 / 30, rel=1e-12)


def test_on_the_cliff_both_bounds_are_attained():
    mdp, expert, learner = bc_tight_finite_horizon(20, 0.3)
    result = bc_bound_range_q(mdp, expert, learner)
    assert float(result.q_range) == pytest.approx(20.0)  # Q_0(good, stay) = 20, Q_0(good, jump) = 0
    for value in (result.gap, result.bound, result.h2_bound):
        assert float(value) == pytest.approx(6.0, rel=1e-12)


def test_q_range_is_the_largest_spread_over_steps_and_states():
    q = np.zeros((2, 2, 3))
    q[0, 1] = [1.0, -2.0, 0.5]  # spread 3
    q[1, 0] = [4.0, 4.5, 4.0]  # spread 0.5, larger values
    assert q_range(q) == pytest.approx(3.0)
    assert q_range(np.stack([q, 2 * q])).tolist() == [3.0, 6.0]
