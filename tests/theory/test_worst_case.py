"""Ross & Bagnell's worst case: closed form against exact backward induction (exact tier)."""

import numpy as np
import pytest

from apprentice.theory.worst_case import (
    expected_mistakes_closed_form,
    expected_mistakes_exact,
    ross_bagnell_chain,
)


@pytest.mark.parametrize("eps", [1e-4, 1e-2, 0.1, 0.3, 0.5, 0.9])
def test_closed_form_equals_exact_computation(eps):
    for horizon in (1, 2, 5, 17, 100, 400):
        exact = expected_mistakes_exact(eps, horizon)
        closed_form = float(expected_mistakes_closed_form(eps, horizon))
        assert exact == pytest.approx(closed_form, rel=1e-10, abs=1e-12)


def test_hand_computed_small_cases():
    # T = 1: one step from `on`, a mistake with probability eps.
    assert expected_mistakes_exact(0.2, 1) == pytest.approx(0.2, abs=1e-15)
    # T = 2: eps, then Pr(off at 1) = eps -> mistake w.p. (1 - eps), else eps: eps + eps(1-eps) + (1-eps) eps.
    eps = 0.2
    assert expected_mistakes_exact(eps, 2) == pytest.approx(eps + 2 * eps * (1 - eps), abs=1e-15)


def test_regimes_quadratic_then_linear():
    small = expected_mistakes_exact(1e-5, 100)  # eps T << 1
    assert small == pytest.approx(1e-5 * 100 * 101 / 2, rel=1e-2)
    large = expected_mistakes_exact(0.1, 10_000)  # eps T >> 1: about T / 2
    assert large == pytest.approx(10_000 / 2, rel=1e-3)


def test_closed_form_vectorizes_and_has_the_eps_zero_limit():
    values = expected_mistakes_closed_form(np.array([0.0, 1e-3]), np.array([10, 10]))
    assert values[0] == 0.0 and values[1] > 0.0
    assert expected_mistakes_exact(0.0, 50) == 0.0


def test_chain_learner_errs_exactly_eps_on_the_experts_state_and_validates():
    mdp, expert, learner = ross_bagnell_chain(0.25, 3)
    assert learner[0, 0, expert[0]] == pytest.approx(0.75)
    with pytest.raises(ValueError, match=r"epsilon must be a probability in \[0, 1\]; got 1.5"):
        ross_bagnell_chain(1.5, 3)
