"""Tabular MDPs: the frozen MDP types, their validation, seeded generators, and the named MDPs
that tests and benchmarks share (imitation's 5-state MDP, the reward-transfer gridworlds).

Plain numpy, no jax: exact evaluation of these MDPs lives in ``apprentice.theory``, tabular
IRL in ``apprentice.algorithms.irl``.
"""

from apprentice.envs.tabular.mdp import (
    PROBABILITY_ATOL,
    FiniteHorizonMDP,
    TabularMDP,
    check_distribution,
    deterministic_policy,
    random_actions,
    random_finite_horizon_mdp,
    random_policy,
    random_tabular_mdp,
    validate_actions,
    validate_policy,
)
from apprentice.envs.tabular.reference_mdps import (
    IMITATION_RETURN_THRESHOLD,
    IMITATION_STATE_REWARDS,
    imitation_five_state_mdp,
    imitation_five_state_observations,
)
from apprentice.envs.tabular.transfer_mdps import ACTION_NAMES, MOVES, gridworld, shifting_maze, swapped_maze

__all__ = [
    "ACTION_NAMES",
    "IMITATION_RETURN_THRESHOLD",
    "IMITATION_STATE_REWARDS",
    "MOVES",
    "PROBABILITY_ATOL",
    "FiniteHorizonMDP",
    "TabularMDP",
    "check_distribution",
    "deterministic_policy",
    "gridworld",
    "imitation_five_state_mdp",
    "imitation_five_state_observations",
    "random_actions",
    "random_finite_horizon_mdp",
    "random_policy",
    "random_tabular_mdp",
    "shifting_maze",
    "swapped_maze",
    "validate_actions",
    "validate_policy",
]
