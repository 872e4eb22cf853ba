"""Tabular demonstrations (state and action index sequences), their empirical occupancy, and a sampler.

The empirical occupancy of N episodes is the sample mean of the discounted visit counts,

    rho_hat(s, a) = (1/N) sum_n sum_{t<T} gamma^t 1[s^n_t = s, a^n_t = a],

an unbiased estimate of the expert's ``rho`` (see ``visitation.py``) when the episodes are full
length T = H. For an infinite horizon the episodes are truncated at T, and ``rho_hat`` is rescaled
to the total ``1 / (1 - gamma)``, which is exact when the discounted tail ``gamma^T`` is spent like
the observed part (a small bias when ``gamma^T`` is small).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from jaxtyping import ArrayLike, Float, Int

from apprentice.algorithms.irl.soft_bellman import check_discount
from apprentice.algorithms.irl.visitation import Visitation, occupancy_total
from apprentice.data.trajectory import Trajectory
from apprentice.envs.tabular.mdp import TabularMDP, validate_policy


@dataclass(frozen=True, eq=False)
class Demonstrations:
    """N equal-length tabular episodes: T + 1 state indices and T action indices each.

    Example:
        >>> demos = Demonstrations(states=np.array([[0, 1, 1]]), actions=np.array([[1, 0]]))
        >>> demos.n_episodes, demos.n_steps
        (1, 2)
    """

    states: Int[np.ndarray, "N T1"]
    """``states[n, t]`` = s_t of episode n, for t = 0..T (the final state s_T included)."""
    actions: Int[np.ndarray, "N T"]
    """``actions[n, t]`` = a_t, the action taken in ``states[n, t]``, for t = 0..T-1."""

    def __post_init__(self) -> None:
        states, actions = np.asarray(self.states), np.asarray(self.actions)
        for name, array in (("states", states), ("actions", actions)):
            if not np.issubdtype(array.dtype, np.integer):
                raise ValueError(f"Demonstrations.{name} must be integer indices; got dtype {array.dtype}")
        if actions.ndim != 2 or actions.shape[0] == 0 or actions.shape[1] == 0:
            raise ValueError(f"Demonstrations.actions must have shape (N, T) with N, T >= 1; got {actions.shape}")
        expected = (actions.shape[0], actions.shape[1] + 1)
        if states.shape != expected:
            raise ValueError(
                f"Demonstrations.states must have shape (N, T + 1) = {expected} (the final state "
                f"included) to match actions {actions.shape}; got {states.shape}"
            )
        object.__setattr__(self, "states", states.astype(np.int64))
        object.__setattr__(self, "actions", actions.astype(np.int64))

    @property
    def n_episodes(self) -> int:
        return int(self.actions.shape[0])

    @property
    def n_steps(self) -> int:
        """T: actions per episode."""
        return int(self.actions.shape[1])

    @classmethod
    def from_trajectories(cls, trajectories: Sequence[Trajectory]) -> "Demonstrations":
        """Stack ``Trajectory`` objects whose observations are state indices (equal lengths)."""
        if len(trajectories) == 0:
            raise ValueError("expected at least one trajectory; got none")
        lengths = sorted({len(trajectory) for trajectory in trajectories})
        if len(lengths) != 1:
            raise ValueError(f"trajectories must all have the same length; got lengths {lengths}")
        states = np.stack([np.asarray(t.observations).reshape(-1) for t in trajectories])
        actions = np.stack([np.asarray(t.actions).reshape(-1) for t in trajectories])
        if states.shape[1] != lengths[0] + 1:
            raise ValueError(
                "trajectory observations must be scalar state indices (shape (T + 1,)); "
                f"got {np.asarray(trajectories[0].observations).shape}"
            )
        return cls(states=states, actions=actions)

    def check_indices(self, n_states: int, n_actions: int) -> None:
        """Raise unless every state is in [0, S) and every action in [0, A)."""
        for name, array, bound in (("states", self.states, n_states), ("actions", self.actions, n_actions)):
            if array.min() < 0 or array.max() >= bound:
                raise ValueError(
                    f"Demonstrations.{name} must lie in [0, {bound}); got values from {array.min()} to {array.max()}"
                )


def empirical_visitation(
    demonstrations: Demonstrations,
    n_states: int,
    n_actions: int,
    discount: float,
    horizon: int | None,
) -> Visitation:
    """The sample-mean discounted visitation of ``demonstrations`` (numpy float64).

    Args:
        demonstrations: N episodes of T steps; for a finite horizon T must equal ``horizon``.
        n_states, n_actions: the MDP's sizes.
        discount: gamma in [0, 1] (finite) or [0, 1) (``horizon=None``).
        horizon: H, or None for an infinite horizon (truncated episodes, rescaled; see above).

    Example:
        >>> demos = Demonstrations(states=np.array([[0, 1, 1]]), actions=np.array([[1, 0]]))
        >>> empirical_visitation(demos, 2, 2, discount=0.5, horizon=2).state_action_occupancy
        array([[0. , 1. ],
               [0.5, 0. ]])
    """
    discount = check_discount(discount, horizon)
    demonstrations.check_indices(n_states, n_actions)
    steps = demonstrations.n_steps
    if horizon is not None and steps != horizon:
        raise ValueError(
            f"finite-horizon demonstrations must have exactly horizon={horizon} actions per episode; got {steps}"
        )
    times = np.arange(steps)[None, :]
    counts = np.zeros((steps, n_states, n_actions))
    np.add.at(counts, (times, demonstrations.states[:, :-1], demonstrations.actions), 1.0)
    per_step = counts / demonstrations.n_episodes
    final = np.bincount(demonstrations.states[:, -1], minlength=n_states) / demonstrations.n_episodes
    weights = np.power(discount, np.arange(steps + 1, dtype=np.float64))
    rho = np.einsum("h,hsa->sa", weights[:-1], per_step)
    if horizon is None:
        rho = rho * (occupancy_total(discount, None) / weights[:-1].sum())
        state = rho.sum(-1)
        return Visitation(rho, state, state, None, None, discount, None)
    state = rho.sum(-1)
    return Visitation(rho, state, state + weights[-1] * final, per_step, final, discount, horizon)


def sample_demonstrations(
    mdp: TabularMDP,
    policy: Float[ArrayLike, "S A"],
    n_episodes: int,
    n_steps: int,
    seed: int,
) -> Demonstrations:
    """``n_episodes`` episodes of ``n_steps`` actions of a stationary ``policy``, from ``mdp.initial``.

    For a discounted MDP the episodes are truncations of infinite ones; ``empirical_visitation``
    (``horizon=None``) rescales their discounted counts (choose ``gamma^n_steps`` small).

    Example:
        >>> from apprentice.envs.tabular import shifting_maze
        >>> mdp = shifting_maze("train")
        >>> demos = sample_demonstrations(mdp, np.full((36, 5), 0.2), 3, 10, seed=0)
        >>> demos.states.shape, demos.actions.shape
        ((3, 11), (3, 10))
    """
    policy = validate_policy(policy, mdp.n_states, mdp.n_actions)
    if policy.ndim != 2:
        raise ValueError(f"policy must have shape (S, A); got {policy.shape}")
    for name, value in (("n_episodes", n_episodes), ("n_steps", n_steps)):
        if int(value) != value or value < 1:
            raise ValueError(f"{name} must be a positive integer; got {value!r}")
    rng = np.random.default_rng(seed)
    policy_cdf = np.cumsum(policy, axis=-1)
    transition_cdf = np.cumsum(mdp.transitions, axis=-1)

    def draw(cdf: np.ndarray) -> np.ndarray:
        # Inverse-CDF sampling, one uniform per row; the cap guards against round-off in cdf[-1].
        return np.minimum((cdf < rng.random((cdf.shape[0], 1))).sum(-1), cdf.shape[-1] - 1)

    states = np.empty((n_episodes, n_steps + 1), dtype=np.int64)
    actions = np.empty((n_episodes, n_steps), dtype=np.int64)
    states[:, 0] = draw(np.broadcast_to(np.cumsum(mdp.initial), (n_episodes, mdp.n_states)))
    for t in range(n_steps):
        actions[:, t] = draw(policy_cdf[states[:, t]])
        states[:, t + 1] = draw(transition_cdf[states[:, t], actions[:, t]])
    return Demonstrations(states=states, actions=actions)
