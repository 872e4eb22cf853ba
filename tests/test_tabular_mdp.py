"""Validation of the MDP dataclasses and the seeded generators (contracts tier)."""

import numpy as np
import pytest

from apprentice.envs.tabular.mdp import (
    FiniteHorizonMDP,
    TabularMDP,
    deterministic_policy,
    random_finite_horizon_mdp,
    random_policy,
    random_tabular_mdp,
    validate_actions,
    validate_policy,
)


def _valid_parts(n_states=3, n_actions=2):
    transitions = np.full((n_states, n_actions, n_states), 1.0 / n_states)
    rewards = np.zeros((n_states, n_actions))
    initial = np.full(n_states, 1.0 / n_states)
    return transitions, rewards, initial


def test_rows_not_summing_to_one_name_the_row_and_its_sum():
    transitions, rewards, initial = _valid_parts()
    transitions[2, 1, 0] += 0.25
    with pytest.raises(ValueError, match=r"transitions\[2, 1, :\] must sum to 1.*sums to 1\.25"):
        TabularMDP(transitions, rewards, 0.9, initial)


def test_negative_probability_is_rejected_with_its_index():
    transitions, rewards, initial = _valid_parts()
    transitions[0, 0] = [1.5, -0.5, 0.0]
    with pytest.raises(ValueError, match=r"non-negative; transitions\[0, 0, 1\] = -0\.5"):
        TabularMDP(transitions, rewards, 0.9, initial)


@pytest.mark.parametrize("gamma", [1.0, -0.1, 1.5])
def test_gamma_outside_unit_interval_is_rejected(gamma):
    with pytest.raises(ValueError, match=rf"gamma must be in \[0, 1\).*got {gamma}"):
        TabularMDP(*_valid_parts()[:2], gamma, _valid_parts()[2])


def test_shape_mismatches_say_what_was_expected():
    transitions, rewards, initial = _valid_parts()
    with pytest.raises(ValueError, match=r"rewards must have shape \(S, A\) = \(3, 2\).*got \(2, 3\)"):
        TabularMDP(transitions, rewards.T, 0.9, initial)
    with pytest.raises(ValueError, match=r"shape \(S, A, S\); got \(3, 2, 4\)"):
        TabularMDP(np.full((3, 2, 4), 0.25), rewards, 0.9, initial)
    with pytest.raises(ValueError, match=r"initial must sum to 1"):
        TabularMDP(transitions, rewards, 0.9, np.array([0.5, 0.5, 0.5]))


def test_horizon_must_be_a_positive_integer():
    with pytest.raises(ValueError, match="horizon must be a positive integer; got 0"):
        FiniteHorizonMDP(*_valid_parts()[:2], 0, _valid_parts()[2])


def test_arrays_are_stored_read_only_float64_copies():
    transitions, rewards, initial = _valid_parts()
    mdp = TabularMDP(transitions, rewards, 0.9, initial)
    transitions[0, 0, 0] = 7.0  # the caller's array is not the stored one
    assert mdp.transitions[0, 0, 0] == pytest.approx(1 / 3)
    assert mdp.transitions.dtype == np.float64
    with pytest.raises(ValueError):
        mdp.rewards[0, 0] = 1.0


def test_policy_and_action_validation():
    expected = r"policy must have shape \(\.\.\., S, A\) ending in \(3, 2\); got \(3, 3\)"
    with pytest.raises(ValueError, match=expected):
        validate_policy(np.full((3, 3), 1 / 3), n_states=3, n_actions=2)
    with pytest.raises(ValueError, match=r"policy\[1, :\] must sum to 1"):
        validate_policy(np.array([[0.5, 0.5], [0.9, 0.2]]), n_states=2, n_actions=2)
    with pytest.raises(ValueError, match=r"actions must lie in \[0, 2\); got values from 0 to 2"):
        validate_actions(np.array([0, 2]), n_states=2, n_actions=2)
    with pytest.raises(ValueError, match="must be integers"):
        validate_actions(np.array([0.0, 1.0]), n_states=2, n_actions=2)
    assert validate_actions(np.array([1, 0]), 2, 2, horizon=3).shape == (3, 2)


def test_deterministic_policy_is_one_hot():
    np.testing.assert_array_equal(deterministic_policy(np.array([[1, 0]]), 3), [[[0, 1, 0], [1, 0, 0]]])


def test_generators_are_seeded_and_valid():
    a, b = random_tabular_mdp(7, 4, 3, 0.9), random_tabular_mdp(7, 4, 3, 0.9)
    np.testing.assert_array_equal(a.transitions, b.transitions)
    assert not np.array_equal(a.rewards, random_tabular_mdp(8, 4, 3, 0.9).rewards)
    fh = random_finite_horizon_mdp(7, 4, 3, horizon=5, reward_low=-1.0)
    assert fh.horizon == 5 and fh.rewards.min() >= -1.0
    policies = random_policy(3, 4, 3, batch=(2,), horizon=5)
    assert validate_policy(policies, 4, 3, horizon=5).shape == (2, 5, 4, 3)
    np.testing.assert_array_equal(policies, random_policy(3, 4, 3, batch=(2,), horizon=5))
