"""Exact evaluation against slow reference paths (exact tier), and the 64-bit scoping."""

import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from apprentice.envs.tabular.mdp import (
    deterministic_policy,
    random_finite_horizon_mdp,
    random_policy,
    random_tabular_mdp,
)
from apprentice.theory.evaluation import (
    discounted_occupancy,
    evaluate_discounted,
    occupancy_from_each_state,
    optimal_discounted,
    state_values_kernel,
    value_iteration,
)
from apprentice.theory.finite_horizon import (
    evaluate_finite_horizon,
    expected_return,
    optimal_finite_horizon,
    repeat_over_time,
    state_distributions,
    state_distributions_from_each_state,
)


def _iterate_bellman(mdp, policy, sweeps=2000):
    """Slow path: V <- r_pi + gamma P_pi V from zero, many sweeps (numpy)."""
    p_pi = np.einsum("sa,sat->st", policy, mdp.transitions)
    r_pi = (policy * mdp.rewards).sum(-1)
    values = np.zeros(mdp.n_states)
    for _ in range(sweeps):
        values = r_pi + mdp.gamma * p_pi @ values
    return values


@pytest.mark.parametrize("seed", range(5))
def test_discounted_values_match_iterated_bellman_and_hand_q(seed):
    mdp = random_tabular_mdp(seed, n_states=5, n_actions=3, gamma=0.9, reward_low=-1.0)
    policy = random_policy(seed + 100, 5, 3)
    result = evaluate_discounted(mdp, policy)
    np.testing.assert_allclose(result.values, _iterate_bellman(mdp, policy), rtol=0, atol=1e-10)
    q_by_hand = mdp.rewards + mdp.gamma * mdp.transitions @ result.values
    np.testing.assert_allclose(result.q_values, q_by_hand, atol=1e-12)
    np.testing.assert_allclose((policy * result.advantages).sum(-1), 0.0, atol=1e-12)
    assert result.values.dtype == np.float64


def test_discounted_occupancy_matches_truncated_series():
    mdp = random_tabular_mdp(3, n_states=4, n_actions=2, gamma=0.8)
    policy = random_policy(4, 4, 2)
    p_pi = np.einsum("sa,sat->st", policy, mdp.transitions)
    series, term = np.zeros(4), mdp.initial.copy()
    for h in range(400):
        series += (1 - mdp.gamma) * mdp.gamma**h * term
        term = term @ p_pi
    occupancy = discounted_occupancy(mdp, policy)
    np.testing.assert_allclose(occupancy, series, atol=1e-12)
    np.testing.assert_allclose(occupancy_from_each_state(mdp, policy).sum(-1), 1.0, atol=1e-12)
    np.testing.assert_allclose(mdp.initial @ occupancy_from_each_state(mdp, policy), occupancy, atol=1e-12)


def test_batched_evaluation_equals_one_policy_at_a_time():
    mdp = random_tabular_mdp(1, n_states=4, n_actions=3, gamma=0.95)
    policies = random_policy(2, 4, 3, batch=(2, 3))
    batched = evaluate_discounted(mdp, policies)
    occupancies = discounted_occupancy(mdp, policies)
    for index in np.ndindex(2, 3):
        single = evaluate_discounted(mdp, policies[index])
        np.testing.assert_allclose(batched.q_values[index], single.q_values, atol=1e-12)
        np.testing.assert_allclose(occupancies[index], discounted_occupancy(mdp, policies[index]), atol=1e-12)


@pytest.mark.parametrize("seed", range(3))
def test_optimal_policy_beats_every_deterministic_policy(seed):
    mdp = random_tabular_mdp(seed, n_states=4, n_actions=3, gamma=0.9, concentration=0.3)
    all_values = np.stack(
        [
            evaluate_discounted(mdp, deterministic_policy(np.array(actions), 3)).values
            for actions in itertools.product(range(3), repeat=4)
        ]
    )
    solution = optimal_discounted(mdp)
    np.testing.assert_allclose(solution.values, all_values.max(axis=0), atol=1e-10)
    np.testing.assert_allclose(solution.values, solution.q_values.max(-1), atol=1e-10)
    values, iterations = value_iteration(mdp, tol=1e-9)
    assert iterations > 1
    np.testing.assert_allclose(values, solution.values, atol=1e-9)


def _enumerate_paths(mdp, policy):
    """Slow path: sum over every (s_0, a_0, ..., s_{H-1}, a_{H-1}) of probability x return."""
    n_s, n_a, horizon = mdp.n_states, mdp.n_actions, mdp.horizon
    total, visits = 0.0, np.zeros((horizon, n_s))
    for path in itertools.product(range(n_s), range(n_a), repeat=horizon):
        states, actions = path[0::2], path[1::2]
        prob = mdp.initial[states[0]]
        for h in range(horizon):
            prob *= policy[h, states[h], actions[h]]
            if h + 1 < horizon:
                prob *= mdp.transitions[states[h], actions[h], states[h + 1]]
        total += prob * sum(mdp.rewards[s, a] for s, a in zip(states, actions))
        for h in range(horizon):
            visits[h, states[h]] += prob
    return total, visits


def test_finite_horizon_matches_path_enumeration():
    mdp = random_finite_horizon_mdp(5, n_states=3, n_actions=2, horizon=4, reward_low=-1.0)
    policy = random_policy(6, 3, 2, horizon=4)
    total, visits = _enumerate_paths(mdp, policy)
    assert expected_return(mdp, policy) == pytest.approx(total, abs=1e-12)
    np.testing.assert_allclose(state_distributions(mdp, policy), visits, atol=1e-12)


def test_finite_horizon_optimum_beats_every_deterministic_time_indexed_policy():
    mdp = random_finite_horizon_mdp(9, n_states=3, n_actions=2, horizon=3, concentration=0.5)
    best = np.full(3, -np.inf)
    for flat in itertools.product(range(2), repeat=9):
        policy = deterministic_policy(np.array(flat).reshape(3, 3), 2)
        best = np.maximum(best, evaluate_finite_horizon(mdp, policy).values[0])
    optimum = optimal_finite_horizon(mdp)
    np.testing.assert_allclose(optimum.values[0], best, atol=1e-12)
    greedy = evaluate_finite_horizon(mdp, deterministic_policy(optimum.actions, 2))
    np.testing.assert_allclose(greedy.values, optimum.values, atol=1e-12)


def test_finite_horizon_batches_and_per_start_distributions():
    mdp = random_finite_horizon_mdp(2, n_states=4, n_actions=3, horizon=6)
    policies = random_policy(3, 4, 3, batch=(2,), horizon=6)
    per_start = state_distributions_from_each_state(mdp, policies)  # [2, s0, h, s]
    assert per_start.shape == (2, 4, 6, 4)
    np.testing.assert_allclose(per_start.sum(-1), 1.0, atol=1e-12)
    for b in range(2):
        mixed = np.einsum("i,ihs->hs", mdp.initial, per_start[b])
        np.testing.assert_allclose(mixed, state_distributions(mdp, policies[b]), atol=1e-12)
    stationary = random_policy(4, 4, 3)
    assert repeat_over_time(stationary, 6).shape == (6, 4, 3)


def test_x64_is_scoped_and_kernels_run_in_float32_under_jit():
    mdp = random_tabular_mdp(0, n_states=3, n_actions=2, gamma=0.9)
    policy = random_policy(1, 3, 2)
    exact = evaluate_discounted(mdp, policy).values
    assert jax.config.jax_enable_x64 is False
    assert jnp.zeros(1).dtype == jnp.float32
    kernel = jax.jit(state_values_kernel, static_argnames="gamma")
    transitions, rewards = jnp.asarray(mdp.transitions), jnp.asarray(mdp.rewards)
    single = kernel(transitions, rewards, gamma=0.9, policy=jnp.asarray(policy))
    assert single.dtype == jnp.float32
    np.testing.assert_allclose(np.asarray(single), exact, rtol=1e-4)
