"""The BC and DAgger bounds: never violated on random instances, (nearly) tight on constructed ones."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apprentice.envs.tabular.mdp import (
    deterministic_policy,
    random_actions,
    random_finite_horizon_mdp,
    random_policy,
    random_tabular_mdp,
)
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
@given(
    size=SIZES,
    seed=SEEDS,
    gamma=st.sampled_from([0.5, 0.9, 0.99]),
    optimal_expert=st.booleans(),
    signed_rewards=st.booleans(),
)
def test_discounted_bounds_never_violated(size, seed, gamma, optimal_expert, signed_rewards):
    n_states, n_actions = size
    mdp = random_tabular_mdp(
        seed, n_states, n_actions, gamma, reward_low=-1.0 if signed_rewards else 0.0, concentration=0.3
    )
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


def _slip_and_stay_mdps(horizon: int, gamma: float):
    """Two states; reward 1 for the expert's action 0, else 0. In ``s0`` a wrong action moves to ``s1``
    for good; ``s1`` keeps you. Range(Q^pi*) is exactly 1 everywhere (the expert earns 1 per step from
    either state), so each mistake costs exactly u = 1: the DAgger bounds ``H u eps_on`` and
    ``u eps_on / (1 - gamma)`` hold with equality, while the learner's states differ from the expert's."""
    from apprentice.envs.tabular.mdp import FiniteHorizonMDP, TabularMDP

    transitions = np.zeros((2, 2, 2))
    transitions[0, 0, 0] = transitions[0, 1, 1] = 1.0
    transitions[1, :, 1] = 1.0
    rewards = np.array([[1.0, 0.0], [1.0, 0.0]])
    initial = np.array([1.0, 0.0])
    return FiniteHorizonMDP(transitions, rewards, horizon, initial), TabularMDP(transitions, rewards, gamma, initial)


P_SLIP, Q_SLIP = 0.1, 0.5  # the learner's mistake rates in s0 and in s1


def test_dagger_finite_horizon_bound_attained_exactly():
    horizon = 20
    mdp, _ = _slip_and_stay_mdps(horizon, 0.9)
    stationary = np.array([[1 - P_SLIP, P_SLIP], [1 - Q_SLIP, Q_SLIP]])
    check = dagger_bound_finite_horizon(mdp, np.array([0, 0]), np.broadcast_to(stationary, (horizon, 2, 2)))
    # By hand: walk the learner's state distribution and count its expected mistakes.
    in_s0, mistakes = 1.0, []
    for _ in range(horizon):
        mistakes.append(in_s0 * P_SLIP + (1 - in_s0) * Q_SLIP)
        in_s0 *= 1 - P_SLIP
    assert check.epsilon == pytest.approx(np.mean(mistakes), rel=1e-12)
    assert check.gap == pytest.approx(np.sum(mistakes), rel=1e-12)
    assert check.tightness == pytest.approx(1.0, abs=1e-12)  # H u eps_on, not H^2 u eps_on
    assert check.holds()
    # On the expert's states (always s0) the mistake rate is P_SLIP: far below the learner's own.
    assert check.epsilon > 2 * P_SLIP


def test_on_policy_discounted_bound_attained_exactly():
    gamma = 0.9
    _, mdp = _slip_and_stay_mdps(1, gamma)
    learner = np.array([[1 - P_SLIP, P_SLIP], [1 - Q_SLIP, Q_SLIP]])
    check = on_policy_bound_discounted(mdp, np.array([0, 0]), learner)
    # By hand: V^pihat(s1) = (1 - q) / (1 - gamma); V^pihat(s0) = (1 - p + gamma p V(s1)) / (1 - gamma (1 - p)).
    v1 = (1 - Q_SLIP) / (1 - gamma)
    v0 = (1 - P_SLIP + gamma * P_SLIP * v1) / (1 - gamma * (1 - P_SLIP))
    assert check.gap == pytest.approx(1 / (1 - gamma) - v0, rel=1e-12)
    assert check.tightness == pytest.approx(1.0, abs=1e-12)  # u eps_on / (1 - gamma), not / (1 - gamma)^2
    assert check.holds()
    assert check.epsilon > 2 * P_SLIP
