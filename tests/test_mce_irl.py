"""MCE IRL on tabular MDPs: soft value iteration and the forward pass against slow references and
``apprentice.theory``, the gradient identity, recovery of a soft-optimal expert, input errors,
and HumanCompatibleAI imitation's check on its 5-state MDP."""

from __future__ import annotations

import dataclasses

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from apprentice.algorithms.irl import (
    Demonstrations,
    LinearReward,
    MCEIRLConfig,
    MLPReward,
    empirical_visitation,
    expected_log_likelihood_discounted,
    expected_log_likelihood_finite,
    finite_horizon_visitation,
    linear_reward_gradient,
    occupancy_matching_loss,
    occupancy_total,
    policy_visitation,
    reward_on_features,
    soft_value_iteration_discounted,
    soft_value_iteration_finite,
    train,
)
from apprentice.data import Trajectory
from apprentice.envs.tabular import (
    IMITATION_RETURN_THRESHOLD,
    FiniteHorizonMDP,
    imitation_five_state_mdp,
    imitation_five_state_observations,
    random_finite_horizon_mdp,
    random_policy,
    random_tabular_mdp,
)
from apprentice.theory import (
    discounted_occupancy,
    evaluate_discounted,
    expected_return,
    optimal_discounted,
    optimal_finite_horizon,
    state_distributions,
)
from apprentice.theory.precision import exact_scope

KEY = jax.random.key(0)
S, A, H = 4, 3, 6
"""One size for the random MDPs, so each jitted function compiles once for the file."""


def _logsumexp(q):
    top = q.max(axis=-1)
    return top + np.log(np.exp(q - top[..., None]).sum(axis=-1))


def _soft_vi_reference_finite(transitions, rewards, horizon, discount):
    """Slow path: explicit loops over t, s, a, s' (numpy)."""
    n_states, n_actions = rewards.shape
    values = np.zeros((horizon + 1, n_states))
    q_values = np.zeros((horizon, n_states, n_actions))
    for t in reversed(range(horizon)):
        for s in range(n_states):
            for a in range(n_actions):
                future = sum(transitions[s, a, s2] * values[t + 1, s2] for s2 in range(n_states))
                q_values[t, s, a] = rewards[s, a] + discount * future
        values[t] = _logsumexp(q_values[t])
    return values[:-1], q_values


def _soft_vi_reference_discounted(transitions, rewards, gamma, sweeps=3000):
    values = np.zeros(rewards.shape[0])
    for _ in range(sweeps):
        q_values = rewards + gamma * np.einsum("sat,t->sa", transitions, values)
        values = _logsumexp(q_values)
    return values, q_values


def _imitation_dcum_reference(mdp, policy, discount):
    """imitation's convention, as its docs state it: D[0] = mu, D[t+1] = sum_a D[t] pi_t P, and
    Dcum = sum_{t=0}^{H} discount^t D[t] (H + 1 terms, the final state included)."""
    dist = np.zeros((mdp.horizon + 1, mdp.n_states))
    dist[0] = mdp.initial
    for t in range(mdp.horizon):
        for a in range(mdp.n_actions):
            dist[t + 1] += (dist[t] * policy[t, :, a]) @ mdp.transitions[:, a, :]
    return sum(discount**t * dist[t] for t in range(mdp.horizon + 1))


# --- the check of HumanCompatibleAI imitation (tests/algorithms/test_mce_irl.py) -------------


def _imitation_check(discount, reward_model, learning_rate, features=None):
    mdp = imitation_five_state_mdp()
    expert_policy = soft_value_iteration_finite(mdp, discount=discount).policy
    expert = policy_visitation(mdp, expert_policy, discount)
    config = MCEIRLConfig(
        horizon=20,
        discount=discount,
        reward_model=reward_model,
        learning_rate=learning_rate,
        occupancy_tol=5e-4,
        max_iterations=3000,
    )
    result = train(KEY, config, mdp, expert, features=features)
    assert result.converged, result.log.occupancy_linf[-5:]
    learner = result.visitation
    # Ours (steps t < H) and imitation's Dcum (t <= H, final state included), both to 1e-3.
    assert np.abs(learner.state_occupancy - expert.state_occupancy).max() <= 1e-3
    assert np.abs(learner.state_occupancy_with_final_state - expert.state_occupancy_with_final_state).max() <= 1e-3
    learner_return = expected_return(mdp, result.policy)
    assert learner_return == pytest.approx(result.log.learner_return[-1], abs=1e-9)
    assert result.log.expert_return == pytest.approx(expected_return(mdp, expert_policy), abs=1e-9)
    if discount > 0:
        assert learner_return >= IMITATION_RETURN_THRESHOLD
    else:
        # imitation skips the return check at discount 0: Q_t = r(s) for every action, so every
        # state reward gives the uniform policy, the expert's included.
        np.testing.assert_allclose(result.policy, 1.0 / 3.0, atol=1e-12)
        assert learner_return < IMITATION_RETURN_THRESHOLD
    return result


@pytest.mark.parametrize("discount", [0.0, 0.99, 1.0])
def test_imitation_check_linear_one_hot(discount):
    _imitation_check(discount, "linear", learning_rate=0.5)


@pytest.mark.parametrize("discount", [0.99, 1.0])
def test_imitation_check_mlp(discount):
    _imitation_check(discount, "mlp", learning_rate=0.01)


def test_imitation_check_linear_on_its_observations():
    """imitation's own parameterization: linear (with bias) in the 8-d observation of each state."""
    features = np.concatenate([imitation_five_state_observations(), np.ones((5, 1))], axis=1)
    _imitation_check(1.0, "linear", learning_rate=0.05, features=features)


def test_imitation_mdp_soft_policy_is_sensible():
    """The qualitative facts imitation's test_policy_om_reasonable_pomdp asserts, at discount 1."""
    policy = soft_value_iteration_finite(imitation_five_state_mdp(), discount=1.0).policy
    np.testing.assert_allclose(policy[:19, 0, 0], policy[:19, 0, 2])
    assert np.all(policy[:19, 0, 0] > 2 * policy[:19, 0, 1])
    np.testing.assert_allclose(policy[:19, 1], policy[:19, 2])
    assert np.all(policy[:19, 1, 2] > policy[:19, 1, 0]) and np.all(policy[:19, 1, 0] > policy[:19, 1, 1])
    np.testing.assert_allclose(policy[:, 3:5], 1.0 / 3.0)


# --- soft value iteration ---------------------------------------------------------------------


@pytest.mark.parametrize("discount", [0.0, 0.5, 1.0])
def test_soft_vi_finite_matches_reference_loop(discount):
    mdp = random_finite_horizon_mdp(seed=1, n_states=S, n_actions=A, horizon=H)
    rewards = np.random.default_rng(1).normal(scale=3.0, size=(S, A))
    solution = soft_value_iteration_finite(mdp, rewards, discount)
    values, q_values = _soft_vi_reference_finite(mdp.transitions, rewards, H, discount)
    np.testing.assert_allclose(solution.values, values, rtol=0, atol=1e-12)
    np.testing.assert_allclose(solution.q_values, q_values, rtol=0, atol=1e-12)
    np.testing.assert_allclose(solution.policy, np.exp(q_values - values[..., None]), atol=1e-12)
    np.testing.assert_allclose(solution.policy.sum(-1), 1.0, atol=1e-12)


def test_soft_vi_discounted_matches_reference_loop():
    mdp = random_tabular_mdp(seed=2, n_states=S, n_actions=A, gamma=0.9)
    solution = soft_value_iteration_discounted(mdp, tol=1e-12)
    values, q_values = _soft_vi_reference_discounted(mdp.transitions, mdp.rewards, 0.9)
    np.testing.assert_allclose(solution.values, values, rtol=0, atol=1e-10)
    np.testing.assert_allclose(solution.q_values, q_values, rtol=0, atol=1e-10)
    np.testing.assert_allclose(solution.policy.sum(-1), 1.0, atol=1e-12)


def test_soft_vi_with_large_rewards_approaches_hard_vi():
    """V_soft(c r) / c -> V*(r): 0 <= V_soft/c - V* <= (H - t) log A / c, or log A / (c (1 - gamma))."""
    scale = 1e4
    finite = random_finite_horizon_mdp(seed=3, n_states=S, n_actions=A, horizon=H)
    soft = soft_value_iteration_finite(finite, finite.rewards * scale, 1.0)
    hard = optimal_finite_horizon(finite)
    excess = soft.values / scale - hard.values
    bound = (H - np.arange(H))[:, None] * np.log(A) / scale
    assert np.all(excess >= -1e-9) and np.all(excess <= bound + 1e-9)
    assert expected_return(finite, soft.policy) == pytest.approx(
        expected_return(finite, hard.actions[..., None] == np.arange(A)), abs=1e-3
    )

    discounted = random_tabular_mdp(seed=4, n_states=S, n_actions=A, gamma=0.8)
    scale = 1e3
    soft = soft_value_iteration_discounted(discounted, discounted.rewards * scale, tol=1e-6)
    excess = soft.values / scale - optimal_discounted(discounted).values
    assert np.all(excess >= -1e-9) and np.all(excess <= np.log(A) / (scale * 0.2) + 1e-9)
    assert np.array_equal(soft.policy.argmax(-1), optimal_discounted(discounted).actions)


# --- forward pass -----------------------------------------------------------------------------


@pytest.mark.parametrize("discount", [0.0, 0.7, 1.0])
def test_finite_visitation_matches_theory(discount):
    mdp = random_finite_horizon_mdp(seed=5, n_states=S, n_actions=A, horizon=H)
    policy = random_policy(seed=5, n_states=S, n_actions=A, horizon=H)
    visitation = finite_horizon_visitation(mdp, policy, discount)
    distributions = state_distributions(mdp, policy)
    np.testing.assert_allclose(visitation.state_distributions[:-1], distributions, atol=1e-14)
    np.testing.assert_allclose(visitation.state_action_distributions, distributions[..., None] * policy, atol=1e-14)
    weights = discount ** np.arange(H)
    np.testing.assert_allclose(visitation.state_occupancy, weights @ distributions, atol=1e-13)
    np.testing.assert_allclose(
        visitation.state_occupancy_with_final_state, _imitation_dcum_reference(mdp, policy, discount), atol=1e-13
    )
    assert visitation.state_occupancy.sum() == pytest.approx(occupancy_total(discount, H), abs=1e-12)
    assert visitation.state_occupancy_with_final_state.sum() == pytest.approx(
        occupancy_total(discount, H + 1), abs=1e-12
    )
    assert visitation.expected_return(mdp.rewards) == pytest.approx(expected_return(mdp, policy), abs=1e-12)


def test_discounted_visitation_matches_theory():
    mdp = random_tabular_mdp(seed=6, n_states=S, n_actions=A, gamma=0.85)
    policy = random_policy(seed=6, n_states=S, n_actions=A)
    visitation = policy_visitation(mdp, policy)
    normalized = discounted_occupancy(mdp, policy)
    np.testing.assert_allclose(visitation.state_occupancy * (1 - 0.85), normalized, atol=1e-13)
    np.testing.assert_allclose(visitation.state_action_occupancy, normalized[:, None] * policy / 0.15, atol=1e-12)
    returns = evaluate_discounted(mdp, policy).values @ mdp.initial
    assert visitation.expected_return(mdp.rewards) == pytest.approx(returns, abs=1e-11)


# --- the gradient identity --------------------------------------------------------------------


def _tiny_problem(seed):
    mdp = random_finite_horizon_mdp(seed=seed, n_states=S, n_actions=A, horizon=H)
    rng = np.random.default_rng(seed)
    features = rng.normal(size=(S, A, 5))
    theta = rng.normal(size=5)
    return mdp, features, theta


@pytest.mark.parametrize("discount", [1.0, 0.6])
def test_gradient_identity_finite(discount):
    """grad_theta L = phi^T (rho_E - rho_theta) for an arbitrary (not soft-optimal) expert."""
    mdp, features, theta = _tiny_problem(seed=7)
    expert = finite_horizon_visitation(mdp, random_policy(seed=8, n_states=S, n_actions=A, horizon=H), discount)
    learner = finite_horizon_visitation(
        mdp, soft_value_iteration_finite(mdp, features @ theta, discount).policy, discount
    )
    with exact_scope():

        def log_likelihood(theta):
            return expected_log_likelihood_finite(
                jnp.asarray(mdp.transitions),
                jnp.asarray(features) @ theta,
                discount,
                jnp.asarray(expert.state_action_distributions),
            )

        autodiff = np.asarray(jax.jit(jax.grad(log_likelihood))(jnp.asarray(theta)))
        explicit = -np.asarray(
            linear_reward_gradient(jnp.asarray(features), learner.state_action_occupancy, expert.state_action_occupancy)
        )
    assert autodiff.dtype == np.float64
    np.testing.assert_allclose(autodiff, explicit, rtol=0, atol=1e-9)
    assert np.abs(explicit).max() > 1e-2  # not trivially zero


def test_gradient_identity_discounted():
    mdp = random_tabular_mdp(seed=9, n_states=S, n_actions=A, gamma=0.8)
    rng = np.random.default_rng(9)
    features, theta = rng.normal(size=(S, A, 5)), rng.normal(size=5)
    expert = policy_visitation(mdp, random_policy(seed=10, n_states=S, n_actions=A))
    learner = policy_visitation(mdp, soft_value_iteration_discounted(mdp, features @ theta, tol=1e-13).policy)
    with exact_scope():

        def log_likelihood(theta):
            return expected_log_likelihood_discounted(
                jnp.asarray(mdp.transitions),
                jnp.asarray(features) @ theta,
                0.8,
                jnp.asarray(expert.state_action_occupancy),
                n_sweeps=400,
            )

        autodiff = np.asarray(jax.jit(jax.grad(log_likelihood))(jnp.asarray(theta)))
    explicit = features.reshape(-1, 5).T @ (expert.state_action_occupancy - learner.state_action_occupancy).ravel()
    np.testing.assert_allclose(autodiff, explicit, rtol=0, atol=1e-8)
    assert np.abs(explicit).max() > 1e-2


def test_surrogate_gradient_equals_explicit_and_minus_loglik_gradient():
    """The optax path: jax.grad of the occupancy-matching surrogate, for linear and MLP rewards."""
    mdp, _, _ = _tiny_problem(seed=11)
    features = np.random.default_rng(11).normal(size=(S, 6))  # state features
    expert = finite_horizon_visitation(mdp, random_policy(seed=12, n_states=S, n_actions=A, horizon=H), 0.9)
    with exact_scope():
        models = [
            LinearReward(jnp.asarray(np.random.default_rng(13).normal(size=6))),
            MLPReward.init(jax.random.key(1), 6, (8, 8)),
        ]
        for model in models:
            model = jax.tree.map(lambda x: x.astype(jnp.float64) if eqx.is_inexact_array(x) else x, model)
            rewards = np.asarray(eqx.filter_jit(reward_on_features)(model, jnp.asarray(features)))
            learner = finite_horizon_visitation(mdp, soft_value_iteration_finite(mdp, rewards, 0.9).policy, 0.9)
            surrogate = eqx.filter_jit(jax.grad(occupancy_matching_loss))(
                model, jnp.asarray(features), learner.state_occupancy, expert.state_occupancy
            )

            def log_likelihood(model):
                table = reward_on_features(model, jnp.asarray(features))
                table = jnp.broadcast_to(table[:, None], (S, A))
                return expected_log_likelihood_finite(
                    jnp.asarray(mdp.transitions), table, 0.9, jnp.asarray(expert.state_action_distributions)
                )

            exact = eqx.filter_jit(jax.grad(log_likelihood))(model)
            for got, want in zip(jax.tree.leaves(surrogate), jax.tree.leaves(exact)):
                np.testing.assert_allclose(np.asarray(got), -np.asarray(want), rtol=0, atol=1e-9)
            if isinstance(model, LinearReward):
                explicit = linear_reward_gradient(
                    jnp.asarray(features), learner.state_occupancy, expert.state_occupancy
                )
                np.testing.assert_allclose(np.asarray(surrogate.theta), np.asarray(explicit), atol=1e-12)


# --- learning ---------------------------------------------------------------------------------


def test_recovers_soft_optimal_expert_finite_horizon():
    """Expert soft-optimal for r = phi^T theta* (state-action features): the learner matches it."""
    mdp = random_finite_horizon_mdp(seed=14, n_states=S, n_actions=A, horizon=H)
    rng = np.random.default_rng(14)
    features = rng.normal(size=(S, A, 5))
    expert_policy = soft_value_iteration_finite(mdp, features @ rng.normal(size=5), 0.95).policy
    expert = finite_horizon_visitation(mdp, expert_policy, 0.95)
    config = MCEIRLConfig(
        horizon=H,
        discount=0.95,
        reward_input="state_action",
        learning_rate=0.1,
        occupancy_tol=1e-4,
        max_iterations=3000,
    )
    result = train(KEY, config, mdp, expert, features=features)
    assert result.converged
    assert np.abs(result.visitation.state_action_occupancy - expert.state_action_occupancy).max() < 1e-3
    assert np.abs(result.policy - expert_policy).max() < 2e-3


def test_recovers_soft_optimal_expert_infinite_horizon():
    mdp = random_tabular_mdp(seed=15, n_states=S, n_actions=A, gamma=0.9)
    true_rewards = np.random.default_rng(15).normal(size=S)
    expert_policy = soft_value_iteration_discounted(mdp, true_rewards).policy
    expert = policy_visitation(mdp, expert_policy)
    config = MCEIRLConfig(horizon=None, discount=0.9, learning_rate=0.2, max_iterations=3000)
    result = train(KEY, config, mdp, expert)
    assert result.converged and result.n_iterations > 1
    assert np.abs(result.visitation.state_occupancy - expert.state_occupancy).max() < 1e-3
    assert np.abs(result.policy - expert_policy).max() < 2e-3
    assert result.log.expert_return == pytest.approx(expert.expected_return(mdp.rewards), abs=1e-9)
    assert result.log.occupancy_linf[0] > 10 * result.log.occupancy_linf[-1]


def test_demonstration_formats_agree():
    mdp = random_finite_horizon_mdp(seed=16, n_states=S, n_actions=A, horizon=H)
    rng = np.random.default_rng(16)
    states = rng.integers(0, S, size=(7, H + 1))
    actions = rng.integers(0, A, size=(7, H))
    demos = Demonstrations(states, actions)
    trajectories = [Trajectory(states[i], actions[i], np.zeros(H)) for i in range(7)]
    occupancy = empirical_visitation(demos, S, A, 0.9, H).state_action_occupancy
    config = MCEIRLConfig(horizon=H, discount=0.9, max_iterations=25)
    results = [train(KEY, config, mdp, expert) for expert in (demos, trajectories, occupancy)]
    for other in results[1:]:
        np.testing.assert_allclose(other.rewards, results[0].rewards, atol=1e-12)
    # Hand count of the discounted visits of one episode.
    one = Demonstrations(np.array([[0, 1, 1, 3, 2, 0]]), np.array([[1, 0, 1, 1, 0]]))
    want = np.zeros((4, 2))
    for t, (s, a) in enumerate([(0, 1), (1, 0), (1, 1), (3, 1), (2, 0)]):
        want[s, a] += 0.9**t
    np.testing.assert_allclose(empirical_visitation(one, 4, 2, 0.9, 5).state_action_occupancy, want)


def test_empirical_occupancy_converges_to_exact():
    mdp = random_finite_horizon_mdp(seed=17, n_states=S, n_actions=A, horizon=H)
    policy = random_policy(seed=17, n_states=S, n_actions=A, horizon=H)
    rng = np.random.default_rng(17)
    n = 20000
    states = np.zeros((n, H + 1), dtype=np.int64)
    actions = np.zeros((n, H), dtype=np.int64)
    states[:, 0] = (rng.random(n)[:, None] > np.cumsum(mdp.initial)).sum(1)
    for t in range(H):
        actions[:, t] = (rng.random(n)[:, None] > np.cumsum(policy[t, states[:, t]], axis=1)).sum(1)
        next_cdf = np.cumsum(mdp.transitions[states[:, t], actions[:, t]], axis=1)
        states[:, t + 1] = (rng.random(n)[:, None] > next_cdf).sum(1)
    empirical = empirical_visitation(Demonstrations(states, actions), S, A, 0.8, H)
    exact = finite_horizon_visitation(mdp, policy, 0.8)
    np.testing.assert_allclose(empirical.state_action_occupancy, exact.state_action_occupancy, atol=0.03)
    np.testing.assert_allclose(
        empirical.state_occupancy_with_final_state, exact.state_occupancy_with_final_state, atol=0.03
    )


def test_same_key_same_result_and_key_matters_for_mlp():
    mdp = imitation_five_state_mdp()
    expert = policy_visitation(mdp, soft_value_iteration_finite(mdp, discount=0.99).policy, 0.99)
    # The imitation check's settings, so the compiled loop is reused (max_iterations is static).
    config = MCEIRLConfig(
        horizon=20, discount=0.99, reward_model="mlp", learning_rate=0.01, occupancy_tol=5e-4, max_iterations=3000
    )
    first, second = (train(jax.random.key(3), config, mdp, expert) for _ in range(2))
    other = train(jax.random.key(4), config, mdp, expert)
    np.testing.assert_array_equal(first.rewards, second.rewards)
    np.testing.assert_array_equal(first.log.occupancy_linf, second.log.occupancy_linf)
    assert not np.allclose(first.rewards, other.rewards)


# --- clear errors -----------------------------------------------------------------------------


def _finite_setup():
    mdp = imitation_five_state_mdp()
    expert = policy_visitation(mdp, soft_value_iteration_finite(mdp).policy, 1.0)
    return mdp, expert, MCEIRLConfig(horizon=20, discount=1.0, max_iterations=2)


def test_features_that_cannot_match_stop_on_the_gradient_tolerance():
    """A constant feature has zero gradient (both occupancies sum to the same total): stop at once."""
    mdp, expert, config = _finite_setup()
    result = train(KEY, config, mdp, expert, features=np.ones((5, 1)))
    assert result.converged and result.n_iterations == 1
    assert result.log.gradient_norm[0] <= 1e-12 and result.log.occupancy_linf[0] > 0.1


def test_bad_expert_occupancy_raises():
    mdp, expert, config = _finite_setup()
    good = expert.state_occupancy
    with pytest.raises(ValueError, match=r"shape \(S,\) = \(5,\) or \(S, A\) = \(5, 3\); got \(4,\)"):
        train(KEY, config, mdp, good[:4])
    negative = good.copy()
    negative[0], negative[1] = -0.5, negative[1] + 0.5
    with pytest.raises(ValueError, match=r"non-negative; occupancy\[0\] = -0.5"):
        train(KEY, config, mdp, negative)
    with pytest.raises(ValueError, match="must sum to 20 .* got 10"):
        train(KEY, config, mdp, good / 2)
    with pytest.raises(ValueError, match="counts the final state"):
        train(KEY, config, mdp, expert.state_occupancy_with_final_state)
    with pytest.raises(ValueError, match="needs the expert's state-action occupancy"):
        train(KEY, dataclasses.replace(config, reward_input="state_action"), mdp, good)
    with pytest.raises(ValueError, match="NaN or inf"):
        train(KEY, config, mdp, np.full(5, np.nan))


def test_horizon_and_discount_combinations_raise():
    with pytest.raises(
        ValueError, match=r"infinite-horizon \(horizon=None\) problem needs a discount in \[0, 1\); got 1.0"
    ):
        MCEIRLConfig(horizon=None, discount=1.0)
    with pytest.raises(ValueError, match=r"--discount: expected a value in \[0, 1\], got 1.5"):
        MCEIRLConfig(horizon=5, discount=1.5)
    with pytest.raises(ValueError, match="--horizon: expected an integer >= 1"):
        MCEIRLConfig(horizon=0, discount=0.9)
    mdp, expert, config = _finite_setup()
    with pytest.raises(ValueError, match="config.horizon=10 differs from mdp.horizon=20"):
        train(KEY, dataclasses.replace(config, horizon=10), mdp, expert)
    with pytest.raises(ValueError, match="horizon=None .* needs a discounted TabularMDP; got FiniteHorizonMDP"):
        train(KEY, MCEIRLConfig(horizon=None, discount=0.9), mdp, expert)
    discounted = random_tabular_mdp(seed=0, n_states=5, n_actions=3, gamma=0.9)
    with pytest.raises(ValueError, match="config.horizon=20 needs a FiniteHorizonMDP; got TabularMDP"):
        train(KEY, config, discounted, expert)
    with pytest.raises(ValueError, match=r"config.discount=0.5 differs from mdp.gamma=0.9"):
        train(KEY, MCEIRLConfig(horizon=None, discount=0.5), discounted, np.full(5, 0.4))
    with pytest.raises(
        ValueError, match="expert Visitation has horizon=20, discount=1.0; config has horizon=20, discount=0.5"
    ):
        train(KEY, dataclasses.replace(config, discount=0.5), mdp, expert)
    with pytest.raises(ValueError, match=r"discount must be in \[0, 1\] for a finite horizon; got -0.1"):
        finite_horizon_visitation(mdp, np.full((5, 3), 1 / 3), discount=-0.1)


def test_bad_demonstrations_raise():
    mdp, _, config = _finite_setup()
    with pytest.raises(ValueError, match=r"states must have shape \(N, T \+ 1\) = \(2, 21\)"):
        Demonstrations(np.zeros((2, 20), dtype=int), np.zeros((2, 20), dtype=int))
    with pytest.raises(ValueError, match="exactly horizon=20 actions per episode; got 3"):
        train(KEY, config, mdp, Demonstrations(np.zeros((2, 4), dtype=int), np.zeros((2, 3), dtype=int)))
    with pytest.raises(ValueError, match=r"actions must lie in \[0, 3\); got values from 7 to 7"):
        train(KEY, config, mdp, Demonstrations(np.zeros((1, 21), dtype=int), np.full((1, 20), 7)))
    with pytest.raises(ValueError, match="integer indices"):
        Demonstrations(np.zeros((1, 3)), np.zeros((1, 2), dtype=int))
    with pytest.raises(ValueError, match=r"state features must have shape \(S, K\)"):
        train(KEY, config, mdp, mdp.initial * 20, features=np.eye(4))


def test_finite_mdp_type_is_checked():
    assert isinstance(imitation_five_state_mdp(), FiniteHorizonMDP)
    with pytest.raises(TypeError, match="FiniteHorizonMDP"):
        soft_value_iteration_finite(random_tabular_mdp(seed=0, n_states=2, n_actions=2, gamma=0.5))
