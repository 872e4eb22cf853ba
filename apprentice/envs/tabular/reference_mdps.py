"""Small tabular MDPs that published IRL test suites use, rebuilt so their checks mean the same here.

``imitation_five_state_mdp`` is the "reasonable" MDP of HumanCompatibleAI ``imitation``'s
MCE IRL tests (``tests/algorithms/test_mce_irl.py``: the class ``ReasonablePOMDP``, formerly
``ReasonableMDP``, used by ``test_policy_om_reasonable_pomdp`` and the expensive
``test_mce_irl_reasonable_mdp``), built on ``seals``' ``TabularModelPOMDP``. The numbers below
are the MDP's definition (transition table, state rewards, start distribution, horizon, and the
8-dimensional observation of each state), re-entered here; no code is shared.
"""

from __future__ import annotations

import numpy as np

from apprentice.envs.tabular.mdp import FiniteHorizonMDP

IMITATION_STATE_REWARDS = (1.0, 2.0, 2.0, -20.0, 3.0)
"""r(s) of the five states: a start state, two equivalent good states, a trap, a goal."""

IMITATION_RETURN_THRESHOLD = (20 - 1) * 2 * 0.8
"""30.4: ``imitation`` requires the learned policy's mean return to reach ``(H - 1) * 2 * 0.8``."""


def imitation_five_state_mdp() -> FiniteHorizonMDP:
    """The 5-state, 3-action, horizon-20 MDP of ``imitation``'s ``test_mce_irl_reasonable_mdp``.

    States: 0 start; 1 and 2 equivalent "good" states (reward 2); 3 a trap (reward -20);
    4 the goal (reward 3). Dynamics:

    - from 0: action 0 goes to 1 (prob .9) or 2 (.1); action 1 goes to the trap 3; action 2
      goes to 2 (.9) or 1 (.1);
    - from 1 and from 2 (identical): action 0 goes to 4 (.95) or 3 (.05); action 1 goes to 3;
      action 2 goes to 4;
    - from 3 every action goes to 4; from 4 every action goes back to 0.

    Rewards depend on the state only, ``r(s, a) = (1, 2, 2, -20, 3)[s]``, earned in the state the
    action is taken in (``seals`` pays ``reward(old_state)``), so an episode of H = 20 actions
    returns ``sum_{t=0}^{19} r(s_t)``. The start distribution is ``(.5, 0, 0, 0, .5)``.

    ``imitation`` checks, for discount 0, 0.99 and 1, that MCE IRL's learned state occupancy
    (its ``Dcum``, our ``apprentice.algorithms.irl.Visitation.state_occupancy_with_final_state``) matches the expert's
    (``np.allclose``, atol = rtol = 1e-3) and, for discount > 0, that the learned policy's mean
    return over 5 sampled episodes is at least ``IMITATION_RETURN_THRESHOLD`` = 30.4.

    Example:
        >>> mdp = imitation_five_state_mdp()
        >>> mdp.n_states, mdp.n_actions, mdp.horizon
        (5, 3, 20)
    """
    transitions = np.zeros((5, 3, 5))
    transitions[0, 0, [1, 2]] = (0.9, 0.1)
    transitions[0, 1, 3] = 1.0
    transitions[0, 2, [1, 2]] = (0.1, 0.9)
    for good in (1, 2):
        transitions[good, 0, [3, 4]] = (0.05, 0.95)
        transitions[good, 1, 3] = 1.0
        transitions[good, 2, 4] = 1.0
    transitions[3, :, 4] = 1.0
    transitions[4, :, 0] = 1.0
    rewards = np.repeat(np.asarray(IMITATION_STATE_REWARDS)[:, None], 3, axis=1)
    initial = np.array([0.5, 0.0, 0.0, 0.0, 0.5])
    return FiniteHorizonMDP(transitions, rewards, horizon=20, initial=initial)


def imitation_five_state_observations() -> np.ndarray:
    """The 8-dimensional observation of each state (``[5, 8]``) that ``imitation``'s reward net sees.

    ``imitation`` learns its reward on these observations (a linear layer with bias, or an MLP
    with hidden sizes (32, 32)); pass them, with a column of ones for the bias, as ``features``
    to ``apprentice.algorithms.irl.train`` to reproduce that parameterization instead of one-hot state features.
    """
    return np.array(
        [
            [3, -5, -1, -1, -4, 5, 3, 0],
            [4, -4, 2, 2, -4, -1, -2, -2],
            [3, -1, 5, -1, 0, 2, -5, 2],
            [-5, -1, 4, 1, 4, 1, 5, 3],
            [2, -5, 1, -5, 1, 4, 4, -3],
        ],
        dtype=np.float64,
    )
