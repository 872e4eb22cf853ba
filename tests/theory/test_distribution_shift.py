"""The distribution-shift decomposition (deck 003): exact per-step D_TV and mistakes against their bounds (exact tier)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apprentice.envs.tabular.mdp import FiniteHorizonMDP, random_finite_horizon_mdp, random_policy
from apprentice.theory.distribution_shift import shift_profile
from apprentice.theory.finite_horizon import optimal_finite_horizon
from apprentice.theory.learners import behavior_cloning, tabular_learner
from apprentice.theory.tightrope import tightrope
from apprentice.theory.worst_case import ross_bagnell_chain

PROVEN = (
    "tv <= union bound",
    "tv <= 1-(1-eps_sup)^(t-1)",
    "tv <= eps t",
    "2 tv <= 2 eps t",
    "mistakes <= eps_t + 2 tv",
    "mistakes <= eps_t + tv",
    "mistakes <= eps + 2 eps t",
    "mistakes <= eps t",
)


def test_two_state_chain_by_hand():
    """Ross & Bagnell's chain, eps = 0.1, H = 3: states on (the expert's) and off, the learner
    switches with probability 0.1 in both, the expert stays on (and would switch back when off).

    p_t = Pr(off at step t): p_1 = 0 (start on); p_{t+1} = p_t (1 - eps) + (1 - p_t) eps, so
    p_2 = 0.1, p_3 = 0.1 * 0.9 + 0.9 * 0.1 = 0.18.  The expert is on with probability 1, so
    D_TV_t = 1/2 (|1 - (1 - p_t)| + |0 - p_t|) = p_t: 0, 0.1, 0.18.
    Mistakes: on, the learner errs w.p. eps = 0.1; off, it stays w.p. 0.9 where the expert switches:
    m_t = (1 - p_t) 0.1 + p_t 0.9: m_1 = 0.1, m_2 = 0.09 + 0.09 = 0.18, m_3 = 0.082 + 0.162 = 0.244;
    total 0.524 (= Ross & Bagnell's T/2 - [1 - 0.8^4] / 0.4 + 1/2 at T = 3).
    Bounds: eps t = 0.1, 0.2, 0.3; 1 - 0.9^(t-1) = 0, 0.1, 0.19; eps + 2 eps t = 0.3, 0.5, 0.7;
    deck total 0.3 + 0.5 + 0.7 = 1.5; sharper total eps H (H + 1) / 2 = 0.6.
    """
    mdp, expert, learner = ross_bagnell_chain(0.1, 3)
    profile = shift_profile(mdp, expert, learner)
    np.testing.assert_allclose(profile.tv, [0.0, 0.1, 0.18], atol=1e-12)
    np.testing.assert_allclose(profile.mistakes, [0.1, 0.18, 0.244], atol=1e-12)
    np.testing.assert_allclose(profile.epsilon_per_step, [0.1, 0.1, 0.1], atol=1e-12)
    assert profile.epsilon == pytest.approx(0.1) and profile.epsilon_sup == pytest.approx(0.1)
    np.testing.assert_allclose(profile.eps_t, [0.1, 0.2, 0.3], atol=1e-12)
    np.testing.assert_allclose(profile.tv_mixture_bound, [0.0, 0.1, 0.19], atol=1e-12)
    np.testing.assert_allclose(profile.mistakes_deck_bound, [0.3, 0.5, 0.7], atol=1e-12)
    assert profile.total_mistakes == pytest.approx(0.524, abs=1e-12)
    assert profile.total_deck_bound == pytest.approx(1.5) and profile.total_sharp_bound == pytest.approx(0.6)
    assert set(profile.violations().values()) == {0}


def test_with_eps_only_on_average_the_mixture_form_can_fail_but_the_linear_bound_cannot():
    """Five states, H = 3, eps = 0.05. s_1 is A or B (1/2 each); the expert's action 0 moves A -> C,
    B -> D and keeps C, D; action 1 falls into E (absorbing). The learner errs w.p. 2 eps = 0.1 in
    A at t = 1 and in D at t = 2, nowhere else, so on the expert's distribution eps_1 = 1/2 * 0.1 =
    eps and eps_2 = eps: the average assumption holds with eps, the per-state one only with 2 eps.
    The two chances to fall lie on different expert paths, so they add: D_TV_2 = Pr(E at 2) = 0.05,
    D_TV_3 = 0.05 + 1/2 * 0.1 = 0.1 = 2 eps (the union bound eps_1 + eps_2, attained), which is
    more than the mixture form with the average eps, 1 - 0.95^2 = 0.0975, and less than with the
    per-state eps, 1 - 0.9^2 = 0.19.
    """
    a, b, c, d, e = range(5)
    transitions = np.zeros((5, 2, 5))
    for state, follow in [(a, c), (b, d), (c, c), (d, d), (e, e)]:
        transitions[state, 0, follow] = 1.0
        transitions[state, 1, e] = 1.0
    mdp = FiniteHorizonMDP(transitions, np.zeros((5, 2)), 3, initial=np.array([0.5, 0.5, 0, 0, 0]))
    errors = np.zeros((3, 5))
    errors[0, a] = errors[1, d] = 0.1
    learner = tabular_learner(np.ones((3, 5), dtype=bool), np.zeros((3, 5), dtype=np.int64), 2, errors)
    profile = shift_profile(mdp, np.zeros(5, dtype=np.int64), learner)
    np.testing.assert_allclose(profile.tv, [0.0, 0.05, 0.1], atol=1e-12)
    np.testing.assert_allclose(profile.tv_union_bound, [0.0, 0.05, 0.1], atol=1e-12)
    assert profile.epsilon == pytest.approx(0.05) and profile.epsilon_sup == pytest.approx(0.1)
    assert profile.tv_mixture_with_average_epsilon[-1] == pytest.approx(0.0975)
    violations = profile.violations()
    assert violations["tv <= 1-(1-eps)^(t-1) (average eps)"] == 1
    assert all(violations[name] == 0 for name in PROVEN)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    seed=st.integers(0, 2**31 - 1),
    concentration=st.sampled_from([0.1, 1.0]),
    max_error=st.sampled_from([1e-3, 0.05, 0.3]),
    random_learner=st.booleans(),
)
def test_every_proven_inequality_holds_on_random_mdps(seed, concentration, max_error, random_learner):
    mdp = random_finite_horizon_mdp(seed, 5, 3, 12, reward_low=-1.0, concentration=concentration)
    expert = optimal_finite_horizon(mdp).actions
    if random_learner:  # any policy at all: eps is whatever it measures
        learner = random_policy(seed + 1, 5, 3, horizon=12, concentration=0.3)
    else:
        errors = np.random.default_rng(seed + 2).uniform(0.0, max_error, size=(12, 5))
        learner = tabular_learner(np.ones((12, 5), dtype=bool), expert, 3, errors)
    profile = shift_profile(mdp, expert, learner)
    assert np.all(profile.tv >= 0) and np.all(profile.tv <= 1) and profile.tv[0] == pytest.approx(0.0, abs=1e-12)
    violations = profile.violations()
    assert all(violations[name] == 0 for name in PROVEN), violations


def test_on_the_tightrope_bc_meets_the_per_state_assumption_and_comes_close_to_the_mixture_form():
    rope = tightrope(seed=0, horizon=40)
    profile = shift_profile(rope.mdp, rope.expert_actions, behavior_cloning(rope.mdp, rope.expert_actions, 0.01))
    assert profile.epsilon == pytest.approx(0.01) and profile.epsilon_sup == pytest.approx(0.01)
    assert all(count == 0 for count in profile.violations().values())
    # A fall leaves the expert's states; only the rare blind climb back keeps D_TV under the mixture form.
    assert profile.tv[-1] > 0.8 * profile.tv_mixture_bound[-1]
    np.testing.assert_allclose(profile.mistakes[0], 0.01)
