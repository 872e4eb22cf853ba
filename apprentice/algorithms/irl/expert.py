"""What the expert is given as, and the occupancy MCE IRL matches: a ``Visitation``,
demonstrations, or a bare occupancy array, validated.

Whatever the form, the target is the expert's discounted occupancy over the steps where it acts,
``rho_E(s, a) = sum_{t<H} gamma^t Pr_E(s_t = s, a_t = a)`` (or its state marginal ``D_E(s)``),
which sums to ``sum_{t<H} gamma^t`` (``1 / (1 - gamma)`` for an infinite horizon).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import numpy as np
from jaxtyping import ArrayLike

from apprentice.algorithms.irl.demonstrations import Demonstrations, empirical_visitation
from apprentice.algorithms.irl.rewards import RewardInput
from apprentice.algorithms.irl.visitation import Visitation, occupancy_total
from apprentice.data.trajectory import Trajectory
from apprentice.envs.tabular.mdp import FiniteHorizonMDP, TabularMDP

OCCUPANCY_SUM_RTOL = 1e-6
"""Relative tolerance on the total of an expert occupancy given as an array."""

Expert = Visitation | Demonstrations | Sequence[Trajectory] | ArrayLike
"""An expert as a ``Visitation``, demonstrations, or an occupancy array ``[S]`` / ``[S, A]``."""


def check_expert_occupancy(
    occupancy: ArrayLike, n_states: int, n_actions: int, discount: float, horizon: int | None
) -> np.ndarray:
    """Return an expert occupancy ``[S]`` or ``[S, A]`` as float64 after checking it.

    It must be finite, non-negative and sum to ``sum_{t<H} gamma^t`` (``1/(1-gamma)`` for an
    infinite horizon): the expected discounted number of steps, as ``Visitation`` counts them.

    Example:
        >>> check_expert_occupancy([2.0, 1.0], n_states=2, n_actions=2, discount=1.0, horizon=3)
        array([2., 1.])
    """
    array = np.asarray(occupancy, dtype=np.float64)
    if array.shape not in ((n_states,), (n_states, n_actions)):
        raise ValueError(
            f"expert occupancy must have shape (S,) = ({n_states},) or (S, A) = "
            f"({n_states}, {n_actions}); got {array.shape}"
        )
    if not np.all(np.isfinite(array)):
        raise ValueError("expert occupancy must be finite; it contains NaN or inf")
    if np.any(array < 0):
        index = tuple(int(i) for i in np.argwhere(array < 0)[0])
        raise ValueError(f"expert occupancy must be non-negative; occupancy{list(index)} = {array[index]:.6g}")
    total, given = occupancy_total(discount, horizon), float(array.sum())
    if abs(given - total) > OCCUPANCY_SUM_RTOL * max(1.0, total):
        hint = ""
        with_final = None if horizon is None else occupancy_total(discount, horizon + 1)
        if with_final is not None and abs(given - with_final) <= OCCUPANCY_SUM_RTOL * with_final:
            hint = (
                " It sums to sum_{t<=H} gamma^t: it counts the final state s_H, as imitation's "
                "Dcum does; pass Visitation.state_occupancy (steps t < H) instead."
            )
        where = f"horizon={horizon}, discount={discount}" if horizon else f"discount={discount}"
        raise ValueError(
            f"expert occupancy must sum to {total:.10g} (the discounted number of steps for "
            f"{where}); got {given:.10g}.{hint}"
        )
    return array


def expert_target(
    expert: Expert,
    mdp: FiniteHorizonMDP | TabularMDP,
    discount: float,
    horizon: int | None,
    reward_input: RewardInput,
) -> tuple[np.ndarray, float]:
    """The occupancy to match and the expert's true return under ``mdp.rewards`` (NaN if unknown).

    The occupancy is ``[S]`` for ``reward_input='state'`` (a state-action one is summed over
    actions) and ``[S, A]`` for ``'state_action'`` (which a state occupancy cannot give).
    """
    n_states, n_actions = mdp.n_states, mdp.n_actions
    if isinstance(expert, (list, tuple)) and expert and all(isinstance(t, Trajectory) for t in expert):
        expert = Demonstrations.from_trajectories(expert)
    if isinstance(expert, Demonstrations):
        expert = empirical_visitation(expert, n_states, n_actions, discount, horizon)
    if isinstance(expert, Visitation):
        if expert.horizon != horizon or expert.discount != discount:
            raise ValueError(
                f"expert Visitation has horizon={expert.horizon}, discount={expert.discount}; "
                f"config has horizon={horizon}, discount={discount}"
            )
        occupancy, expert_return = expert.state_action_occupancy, expert.expected_return(mdp.rewards)
    else:
        occupancy = check_expert_occupancy(cast(ArrayLike, expert), n_states, n_actions, discount, horizon)
        expert_return = return_of_occupancy(occupancy, mdp.rewards, discount, horizon)
    if reward_input == "state_action" and occupancy.ndim == 1:
        raise ValueError(
            "reward_input='state_action' needs the expert's state-action occupancy (S, A); "
            f"got a state occupancy of shape {occupancy.shape}"
        )
    if reward_input == "state" and occupancy.ndim == 2:
        occupancy = occupancy.sum(-1)
    return occupancy, expert_return


def return_of_occupancy(occupancy: np.ndarray, rewards: np.ndarray, discount: float, horizon: int | None) -> float:
    """``sum rho r`` when that is the true return, else NaN.

    It is the episode return for an undiscounted finite horizon and the discounted return for an
    infinite one; a discounted finite-horizon occupancy does not determine the episode return,
    and a state occupancy determines it only for a reward that ignores the action.
    """
    if horizon is not None and discount != 1.0:
        return float("nan")
    if occupancy.ndim == 1:
        if not np.allclose(rewards, rewards[:, :1]):
            return float("nan")
        return float(occupancy @ rewards[:, 0])
    return float(np.sum(occupancy * rewards))
