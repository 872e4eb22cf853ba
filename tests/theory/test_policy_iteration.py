"""Policy iteration and the PDL (deck 000): each step's improvement equals the lemma's side, never negative (exact tier)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apprentice.envs.tabular.mdp import deterministic_policy, random_actions, random_tabular_mdp
from apprentice.theory.evaluation import evaluate_discounted, occupancy_from_each_state, optimal_discounted
from apprentice.theory.policy_iteration import policy_iteration

# Few distinct shapes: each new array shape costs one XLA compile.
SIZES = st.sampled_from([(3, 2), (6, 3)])
SEEDS = st.integers(0, 2**31 - 1)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(size=SIZES, seed=SEEDS, gamma=st.sampled_from([0.5, 0.9, 0.99]), concentration=st.sampled_from([0.1, 1.0]))
def test_each_step_improves_by_exactly_the_pdl_and_never_gets_worse(size, seed, gamma, concentration):
    n_states, n_actions = size
    mdp = random_tabular_mdp(seed, n_states, n_actions, gamma, reward_low=-1.0, concentration=concentration)
    trace = policy_iteration(mdp, random_actions(seed + 1, n_states, n_actions))
    assert trace.improvement.shape == trace.pdl.shape == (trace.n_steps, n_states)
    assert trace.max_abs_gap < 1e-9
    # Monotone in every start state at once; every term of the PDL's side is a greedy advantage >= 0.
    assert trace.min_improvement >= -1e-12
    assert np.all(trace.greedy_advantage >= 0.0) and np.all(trace.pdl >= -1e-12)
    np.testing.assert_allclose(trace.improvement, np.diff(trace.values, axis=0), atol=1e-12)
    # The last policy is optimal: its values are V*, and no state has a positive advantage left.
    np.testing.assert_allclose(trace.values[-1], optimal_discounted(mdp).values, atol=1e-9)
    final = evaluate_discounted(mdp, deterministic_policy(trace.actions[-1], n_actions))
    assert final.advantages.max() <= 1e-12


def test_policy_iteration_from_the_optimum_takes_no_step():
    mdp = random_tabular_mdp(0, 6, 3, 0.9)
    trace = policy_iteration(mdp, optimal_discounted(mdp).actions)
    assert trace.n_steps == 0 and trace.max_abs_gap == 0.0 and trace.min_improvement == 0.0
    assert trace.values_under_initial.shape == (1,)


def test_the_identity_needs_the_new_policys_occupancy():
    """Weighing the advantages with pi_t's occupancy instead of pi_{t+1}'s misses: the check can fail."""
    mdp = random_tabular_mdp(3, 6, 3, gamma=0.9, concentration=0.1)
    trace = policy_iteration(mdp, random_actions(4, 6, 3))
    old = deterministic_policy(trace.actions[0], 3)
    wrong = occupancy_from_each_state(mdp, old) @ trace.greedy_advantage[0] / (1 - mdp.gamma)
    assert np.max(np.abs(trace.improvement[0] - wrong)) > 1e-3
    assert trace.max_abs_gap < 1e-9


def test_a_run_that_does_not_stop_is_an_error():
    mdp = random_tabular_mdp(0, 6, 3, 0.9)
    with pytest.raises(RuntimeError, match="did not stop within 0 steps"):
        policy_iteration(mdp, random_actions(1, 6, 3), max_steps=0)
