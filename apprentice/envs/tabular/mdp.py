"""Finite MDPs as frozen dataclasses: discounted and finite-horizon, validated, plus seeded generators.

Conventions used by every tabular computation (``apprentice.theory``, tabular IRL):

- ``transitions[s, a, s'] = P(s' | s, a)``, ``rewards[s, a] = r(s, a)``, ``initial[s] = mu(s)``.
- A stationary stochastic policy is an array ``policy[..., s, a] = pi(a | s)``; a time-indexed
  one (finite horizon) is ``policy[..., h, s, a] = pi_h(a | s)`` for ``h = 0 .. H-1``. Leading
  ``...`` dimensions are a batch of policies.
- A deterministic policy is given as integer actions ``actions[s]`` (or ``actions[h, s]``);
  ``deterministic_policy`` turns it into the one-hot array form.

The arrays are stored as read-only numpy float64; this module imports no jax. Exact
computations convert them to ``jnp.float64`` inside ``jax.enable_x64`` (see
``apprentice.theory.evaluation``); nothing here touches JAX's global configuration.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from jaxtyping import Float, Int
from numpy.typing import ArrayLike

PROBABILITY_ATOL = 1e-9
"""How far from 1 a probability vector's sum may be before it is rejected."""


def _frozen_float64(name: str, value: ArrayLike, ndim: int) -> np.ndarray:
    array = np.array(value, dtype=np.float64, copy=True)
    if array.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite; it contains NaN or inf")
    array.setflags(write=False)
    return array


def check_distribution(name: str, probabilities: np.ndarray) -> None:
    """Raise if the last axis of ``probabilities`` is not a probability vector everywhere.

    The message names the first offending index and what its entries sum to.
    """
    if np.any(probabilities < 0):
        index = tuple(int(i) for i in np.argwhere(probabilities < 0)[0])
        raise ValueError(f"{name} must be non-negative; {name}{list(index)} = {probabilities[index]:.6g}")
    sums = probabilities.sum(axis=-1)
    bad = np.abs(sums - 1.0) > PROBABILITY_ATOL
    if np.any(bad):
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        where = f"{name}[{', '.join(map(str, index))}, :]" if index else name
        raise ValueError(
            f"{where} must sum to 1 (a probability distribution over its last axis), but sums to {sums[index]:.12g}"
        )


def _freeze_dynamics(mdp) -> None:
    """Validate ``transitions``, ``rewards`` and ``initial`` and store read-only float64 copies."""
    transitions = _frozen_float64("transitions", mdp.transitions, 3)
    rewards = _frozen_float64("rewards", mdp.rewards, 2)
    initial = _frozen_float64("initial", mdp.initial, 1)
    _check_transitions(transitions, rewards, initial)
    object.__setattr__(mdp, "transitions", transitions)
    object.__setattr__(mdp, "rewards", rewards)
    object.__setattr__(mdp, "initial", initial)


def _check_transitions(transitions: np.ndarray, rewards: np.ndarray, initial: np.ndarray) -> None:
    n_states, n_actions, n_next = transitions.shape
    if n_next != n_states:
        raise ValueError(
            f"transitions must have shape (S, A, S); got {transitions.shape} "
            f"(S={n_states} states but {n_next} next states)"
        )
    if rewards.shape != (n_states, n_actions):
        raise ValueError(
            f"rewards must have shape (S, A) = ({n_states}, {n_actions}) to match transitions; got {rewards.shape}"
        )
    if initial.shape != (n_states,):
        raise ValueError(f"initial must have shape (S,) = ({n_states},); got {initial.shape}")
    check_distribution("transitions", transitions)
    check_distribution("initial", initial)


@dataclass(frozen=True, eq=False)
class TabularMDP:
    """A finite discounted MDP (S, A, P, r, gamma, mu).

    Example:
        >>> mdp = random_tabular_mdp(seed=0, n_states=4, n_actions=2, gamma=0.9)
        >>> mdp.n_states, mdp.n_actions
        (4, 2)
    """

    transitions: Float[np.ndarray, "S A S"]
    """P[s, a, s'] = probability of moving to s' after taking a in s; rows sum to 1."""
    rewards: Float[np.ndarray, "S A"]
    """r(s, a): the expected reward for taking a in s."""
    gamma: float
    """Discount factor, in [0, 1)."""
    initial: Float[np.ndarray, " S"]
    """mu(s): the distribution of the first state."""

    def __post_init__(self) -> None:
        _freeze_dynamics(self)
        gamma = float(self.gamma)
        if not 0.0 <= gamma < 1.0:
            raise ValueError(f"gamma must be in [0, 1) for a discounted MDP; got {gamma}")
        object.__setattr__(self, "gamma", gamma)

    @property
    def n_states(self) -> int:
        return self.transitions.shape[0]

    @property
    def n_actions(self) -> int:
        return self.transitions.shape[1]


@dataclass(frozen=True, eq=False)
class FiniteHorizonMDP:
    """A finite MDP run for exactly ``horizon`` steps, undiscounted, with time-indexed policies.

    The value is ``V_0(s) = E[sum_{h=0}^{H-1} r(s_h, a_h) | s_0 = s]``; dynamics and rewards are
    the same at every step, policies may change with ``h``.

    Example:
        >>> mdp = random_finite_horizon_mdp(seed=0, n_states=3, n_actions=2, horizon=5)
        >>> mdp.horizon
        5
    """

    transitions: Float[np.ndarray, "S A S"]
    """P[s, a, s'] = probability of moving to s' after taking a in s; rows sum to 1."""
    rewards: Float[np.ndarray, "S A"]
    """r(s, a): the expected reward for taking a in s, at any step."""
    horizon: int
    """H: the number of actions taken in an episode (steps h = 0 .. H-1)."""
    initial: Float[np.ndarray, " S"]
    """mu(s): the distribution of the first state s_0."""

    def __post_init__(self) -> None:
        _freeze_dynamics(self)
        if int(self.horizon) != self.horizon or self.horizon < 1:
            raise ValueError(f"horizon must be a positive integer; got {self.horizon!r}")
        object.__setattr__(self, "horizon", int(self.horizon))

    @property
    def n_states(self) -> int:
        return self.transitions.shape[0]

    @property
    def n_actions(self) -> int:
        return self.transitions.shape[1]

    @property
    def reward_range(self) -> float:
        """max r - min r: the most one step's reward can differ between two policies."""
        return float(self.rewards.max() - self.rewards.min())


def validate_policy(policy: ArrayLike, n_states: int, n_actions: int, horizon: int | None = None) -> np.ndarray:
    """Return ``policy`` as float64 after checking its shape and that each pi(.|s) sums to 1.

    Args:
        policy: ``[..., S, A]`` (stationary) or, with ``horizon``, ``[..., H, S, A]``.
        n_states, n_actions: the MDP's sizes.
        horizon: H for a time-indexed policy, None for a stationary one.
    """
    array = np.asarray(policy, dtype=np.float64)
    tail = (n_states, n_actions) if horizon is None else (horizon, n_states, n_actions)
    what = "(..., S, A)" if horizon is None else "(..., H, S, A)"
    if array.ndim < len(tail) or array.shape[-len(tail) :] != tail:
        raise ValueError(f"policy must have shape {what} ending in {tail}; got {array.shape}")
    check_distribution("policy", array)
    return array


def validate_actions(actions: ArrayLike, n_states: int, n_actions: int, horizon: int | None = None) -> np.ndarray:
    """Return deterministic ``actions`` as int64 ``[S]`` or, with ``horizon``, ``[H, S]``.

    A stationary ``[S]`` array is accepted where ``[H, S]`` is asked and repeated over time.
    """
    array = np.asarray(actions)
    if not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"deterministic actions must be integers; got dtype {array.dtype}")
    if horizon is not None and array.shape == (n_states,):
        array = np.broadcast_to(array, (horizon, n_states))
    expected = (n_states,) if horizon is None else (horizon, n_states)
    if array.shape != expected:
        raise ValueError(f"deterministic actions must have shape {expected}; got {array.shape}")
    if array.min() < 0 or array.max() >= n_actions:
        raise ValueError(f"actions must lie in [0, {n_actions}); got values from {array.min()} to {array.max()}")
    return array.astype(np.int64)


def deterministic_policy(actions: Int[ArrayLike, "*shape"], n_actions: int) -> np.ndarray:
    """One-hot policy ``[*shape, A]`` with ``pi(a | s) = 1[a == actions[s]]``.

    Example:
        >>> deterministic_policy(np.array([1, 0]), n_actions=2)
        array([[0., 1.],
               [1., 0.]])
    """
    array = np.asarray(actions)
    if array.size and (array.min() < 0 or array.max() >= n_actions):
        raise ValueError(f"actions must lie in [0, {n_actions}); got values from {array.min()} to {array.max()}")
    return np.eye(n_actions, dtype=np.float64)[array]


def random_tabular_mdp(
    seed: int,
    n_states: int,
    n_actions: int,
    gamma: float,
    reward_low: float = 0.0,
    reward_high: float = 1.0,
    concentration: float = 1.0,
) -> TabularMDP:
    """A random discounted MDP: Dirichlet(concentration) transitions, uniform rewards and mu.

    Small ``concentration`` (e.g. 0.1) gives nearly deterministic, sparse dynamics.
    """
    rng = np.random.default_rng(seed)
    transitions = rng.dirichlet(np.full(n_states, concentration), size=(n_states, n_actions))
    rewards = rng.uniform(reward_low, reward_high, size=(n_states, n_actions))
    initial = rng.dirichlet(np.ones(n_states))
    return TabularMDP(transitions, rewards, gamma, initial)


def random_finite_horizon_mdp(
    seed: int,
    n_states: int,
    n_actions: int,
    horizon: int,
    reward_low: float = 0.0,
    reward_high: float = 1.0,
    concentration: float = 1.0,
) -> FiniteHorizonMDP:
    """A random finite-horizon MDP, drawn as in ``random_tabular_mdp``."""
    rng = np.random.default_rng(seed)
    transitions = rng.dirichlet(np.full(n_states, concentration), size=(n_states, n_actions))
    rewards = rng.uniform(reward_low, reward_high, size=(n_states, n_actions))
    initial = rng.dirichlet(np.ones(n_states))
    return FiniteHorizonMDP(transitions, rewards, horizon, initial)


def random_policy(
    seed: int,
    n_states: int,
    n_actions: int,
    batch: tuple[int, ...] = (),
    horizon: int | None = None,
    concentration: float = 1.0,
) -> np.ndarray:
    """Random stochastic policies ``[*batch, S, A]`` (or ``[*batch, H, S, A]`` with ``horizon``).

    Each pi(.|s) is Dirichlet(concentration); small concentration gives near-deterministic ones.
    """
    rng = np.random.default_rng(seed)
    shape = (*batch, n_states) if horizon is None else (*batch, horizon, n_states)
    return rng.dirichlet(np.full(n_actions, concentration), size=shape)


def random_actions(seed: int, n_states: int, n_actions: int, horizon: int | None = None) -> np.ndarray:
    """Random deterministic actions ``[S]`` (or ``[H, S]`` with ``horizon``), uniform over A."""
    rng = np.random.default_rng(seed)
    shape = (n_states,) if horizon is None else (horizon, n_states)
    return rng.integers(0, n_actions, size=shape)
