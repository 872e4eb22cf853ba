"""Demonstrations: ``Trajectory`` (one episode) and ``Transitions`` (flattened samples)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from apprentice.data import trees
from apprentice.data.validation import require_finite, require_shape


@dataclass(frozen=True)
class Trajectory:
    """One episode: ``T + 1`` observations, ``T`` actions and rewards.

    Observations are one array or a pytree of them (a dict for Gymnasium's ``Dict`` spaces),
    each with leading axis ``T + 1``; images stay ``uint8``. Where the env exposes the
    simulator's state beside the learner's observation (a privileged view), ``states`` holds it,
    so an expert that acts on the state can label the learner's steps afterwards.

    Actions are integers for discrete action spaces, floats for continuous ones, or float
    probability vectors ``(T, n_actions)`` for a soft (stochastic) discrete expert. They may be
    absent (``None``): an observation-only demonstration (video, motion capture), which only the
    algorithms that learn from observations (BCO, GAIfO) accept; see
    :func:`~apprentice.data.validation.require_actions`.

    Example:
        >>> traj = Trajectory(np.zeros((3, 4)), np.array([0, 1]), np.ones(2), terminated=True)
        >>> len(traj), traj.episode_return
        (2, 2.0)
    """

    observations: Any
    """``(T + 1, *obs_shape)`` (per leaf): the first observation through the final one."""
    actions: Any
    """``(T, *action_shape)``: the action taken after each of the first ``T`` observations; ``None``
    for an observation-only demonstration (the length is then that of ``rewards``). Typed ``Any``
    rather than ``ndarray | None``: the readers that need actions are guarded at their public
    edge by ``require_actions`` and keep reading an array."""
    rewards: np.ndarray
    """``(T,)``: the reward of each step."""
    terminated: bool = False
    """The episode ended in a terminal state (no bootstrapping past it)."""
    truncated: bool = False
    """The episode was cut by a time limit or a budget."""
    infos: dict[str, np.ndarray] = field(default_factory=dict)
    """Optional per-step arrays of length ``T`` (e.g. ``expert_labeled``)."""
    states: Any = None
    """Optional ``(T + 1, ...)`` privileged view (the simulator's state) beside each observation."""

    def __post_init__(self) -> None:
        obs = trees.as_arrays(self.observations)
        acts = None if self.actions is None else np.asarray(self.actions)
        rews = np.asarray(self.rewards, dtype=np.float32)
        object.__setattr__(self, "actions", acts)
        object.__setattr__(self, "rewards", rews)
        object.__setattr__(self, "terminated", bool(self.terminated))
        object.__setattr__(self, "truncated", bool(self.truncated))
        where = "Trajectory."
        first = ("actions", acts) if acts is not None else ("rewards", rews)
        if first[1].ndim == 0 or first[1].shape[0] == 0:
            raise ValueError(f"{where}{first[0]}: expected at least one step, got shape {first[1].shape}")
        steps = first[1].shape[0]
        require_shape("rewards", rews, (steps,), where)
        for name, tree in (("observations", obs), ("states", self.states)):
            if tree is None:
                continue
            tree = trees.as_arrays(tree)
            object.__setattr__(self, name, tree)
            for path, leaf in trees.with_paths(tree):
                require_shape(name + path, leaf, (steps + 1, *leaf.shape[1:]), where)
                require_finite(name + path, leaf, where)
        for name, value in (("actions", acts), ("rewards", rews)):
            if value is not None:
                require_finite(name, value, where)
        infos = {key: np.asarray(value) for key, value in self.infos.items()}
        for key, value in infos.items():
            if value.ndim == 0 or value.shape[0] != steps:
                raise ValueError(f"{where}infos[{key!r}]: expected length {steps}, got shape {value.shape}")
        object.__setattr__(self, "infos", infos)

    def __len__(self) -> int:
        return int(self.rewards.shape[0])

    @property
    def has_actions(self) -> bool:
        """Whether the actions were recorded (``False`` for an observation-only demonstration)."""
        return self.actions is not None

    @property
    def episode_return(self) -> float:
        """Undiscounted sum of rewards."""
        return float(self.rewards.sum())


@dataclass(frozen=True)
class Transitions:
    """Flattened ``(obs, act, next_obs, done)`` samples with a per-sample weight.

    Built from trajectories with :func:`flatten`; the unit of a training batch. From
    observation-only trajectories ``acts`` is ``None`` and the samples are the state pairs
    ``(s, s')`` (what BCO labels and GAIfO's discriminator sees).
    """

    obs: Any
    """``(N, *obs_shape)`` (per leaf of a pytree observation)."""
    acts: Any
    """``(N, *action_shape)``; integers, floats, or ``(N, n_actions)`` probabilities; ``None``
    for observation pairs without actions (typed ``Any``, as ``Trajectory.actions``)."""
    next_obs: Any
    """``(N, *obs_shape)`` (per leaf)."""
    dones: np.ndarray
    """``(N,)``: true where the next observation is terminal."""
    weights: np.ndarray
    """``(N,)``: per-sample loss weights (1 by default; reward-weighted regression sets them)."""

    def __post_init__(self) -> None:
        where = "Transitions."
        n = trees.leading_size(self.obs)
        if n == 0:
            raise ValueError(f"{where}obs: expected at least one sample, got an empty dataset")
        for name in ("obs", "acts", "next_obs", "dones", "weights"):
            value = trees.as_arrays(getattr(self, name))
            object.__setattr__(self, name, value)
            for path, leaf in trees.with_paths(value):
                if leaf.ndim == 0 or leaf.shape[0] != n:
                    raise ValueError(f"{where}{name}{path}: expected length {n} (as obs), got shape {leaf.shape}")
                require_finite(name + path, leaf, where)
        for (path, nxt), (_, now) in zip(trees.with_paths(self.next_obs), trees.with_paths(self.obs)):
            require_shape("next_obs" + path, nxt, now.shape, where)
        if (self.weights < 0).any():
            raise ValueError(f"{where}weights: expected non-negative values, got min {self.weights.min()}")

    def __len__(self) -> int:
        return trees.leading_size(self.obs)

    @property
    def has_actions(self) -> bool:
        """Whether the samples carry actions (``False`` for observation pairs ``(s, s')``)."""
        return self.acts is not None

    def take(self, index: Any) -> Transitions:
        """The samples at ``index`` (an index array, a mask or a slice)."""
        return Transitions(**{f.name: trees.take(getattr(self, f.name), index) for f in dataclasses.fields(self)})

    def with_weights(self, weights: np.ndarray) -> Transitions:
        """The same samples with new per-sample weights."""
        return dataclasses.replace(self, weights=np.asarray(weights, np.float32))

    def head(self, n: int) -> Transitions:
        """The first ``n`` samples."""
        return self.take(slice(0, n))


def flatten(trajectories: Sequence[Trajectory], weights: Sequence[float] | np.ndarray | None = None) -> Transitions:
    """All steps of ``trajectories`` as one ``Transitions``.

    Args:
        trajectories: at least one episode.
        weights: optional weight per trajectory, given to each of its steps.
    """
    trajectories = list(trajectories)
    if not trajectories:
        raise ValueError("flatten: expected at least one trajectory, got an empty list")
    if weights is not None and len(weights) != len(trajectories):
        raise ValueError(f"flatten: expected {len(trajectories)} weights (one per trajectory), got {len(weights)}")
    _require_consistent(trajectories)
    dones = [np.zeros(len(t), bool) for t in trajectories]
    for done, traj in zip(dones, trajectories):
        done[-1] = traj.terminated
    per_traj = np.ones(len(trajectories)) if weights is None else np.asarray(weights, np.float64)
    return Transitions(
        obs=trees.concatenate([trees.take(t.observations, slice(None, -1)) for t in trajectories]),
        acts=None if trajectories[0].actions is None else np.concatenate([t.actions for t in trajectories]),
        next_obs=trees.concatenate([trees.take(t.observations, slice(1, None)) for t in trajectories]),
        dones=np.concatenate(dones),
        weights=np.repeat(per_traj, [len(t) for t in trajectories]).astype(np.float32),
    )


def without_actions(trajectories: Sequence[Trajectory]) -> list[Trajectory]:
    """The same episodes as observation-only demonstrations (actions dropped; rewards, flags,
    states and infos kept): what BCO and GAIfO learn from, and what ``collect --no-actions`` saves."""
    return [dataclasses.replace(t, actions=None) for t in trajectories]


def subsample(trajectories: Sequence[Trajectory], every: int, seed: int) -> Transitions:
    """Every ``every``-th step of each trajectory, from a random offset in ``[0, every)``.

    How the GAIL paper (Ho & Ermon 2016) thinned its demonstrations so that few trajectories
    hold few state-action pairs; ``every = 1`` keeps all steps.
    """
    if every < 1:
        raise ValueError(f"subsample: expected every >= 1, got {every}")
    data = flatten(trajectories)
    rng = np.random.default_rng(seed)
    rows, start = [], 0
    for traj in trajectories:
        rows.append(start + np.arange(rng.integers(0, min(every, len(traj))), len(traj), every))
        start += len(traj)
    return data.take(np.concatenate(rows))


def concatenate(datasets: Sequence[Transitions]) -> Transitions:
    """Join several ``Transitions`` (for example DAgger's aggregated rounds)."""
    datasets = list(datasets)
    if not datasets:
        raise ValueError("concatenate: expected at least one Transitions, got an empty list")
    if len({d.has_actions for d in datasets}) > 1:
        raise ValueError("concatenate: expected actions in every Transitions or in none, got a mix")
    fields = [f.name for f in dataclasses.fields(Transitions)]
    return Transitions(**{name: trees.concatenate([getattr(d, name) for d in datasets]) for name in fields})


def split_episodes(
    trajectories: Sequence[Trajectory], validation_fraction: float, seed: int
) -> tuple[list[Trajectory], list[Trajectory]]:
    """Split by whole episodes into (train, validation), so no episode straddles both.

    See :func:`split_episode_indices` for how many go where.
    """
    trajectories = list(trajectories)
    train_ids, val_ids = split_episode_indices(len(trajectories), validation_fraction, seed)
    return [trajectories[i] for i in train_ids], [trajectories[i] for i in val_ids]


def split_episode_indices(n_episodes: int, validation_fraction: float, seed: int) -> tuple[list[int], list[int]]:
    """Episode indices for (train, validation), each in increasing order.

    Validation gets ``fraction * n`` episodes rounded half up, and training at least one. So
    with the default fraction 0.1, datasets of fewer than 5 episodes have no validation split:
    holding out one of two episodes would halve the data to get a one-episode, noisy estimate.
    """
    if not 0.0 <= validation_fraction < 1.0:
        raise ValueError(f"validation_fraction: expected a value in [0, 1), got {validation_fraction}")
    if n_episodes == 0:
        raise ValueError("split_episodes: expected at least one trajectory, got an empty list")
    n_val = min(int(validation_fraction * n_episodes + 0.5), n_episodes - 1)
    val_ids = set(np.random.default_rng(seed).permutation(n_episodes)[:n_val].tolist())
    return [i for i in range(n_episodes) if i not in val_ids], sorted(val_ids)


def _require_consistent(trajectories: list[Trajectory]) -> None:
    first = trajectories[0]
    without = [i for i, t in enumerate(trajectories) if t.actions is None]
    if without and len(without) != len(trajectories):
        raise ValueError(
            f"trajectory {without[0]} actions: expected actions in every trajectory or in none "
            "(observation-only), got a mix"
        )
    first_paths = [path for path, _ in trees.with_paths(first.observations)]
    for i, traj in enumerate(trajectories[1:], start=1):
        paths = [path for path, _ in trees.with_paths(traj.observations)]
        if paths != first_paths:
            raise ValueError(
                f"trajectory {i} observations: expected the parts {first_paths} (as trajectory 0), got {paths}"
            )
        pairs = [
            (f"observations{p}", a, b)
            for (p, a), (_, b) in zip(trees.with_paths(first.observations), trees.with_paths(traj.observations))
        ]
        if not without:
            pairs.append(("actions", first.actions, traj.actions))
        for name, a, b in pairs:
            if a.shape[1:] != b.shape[1:]:
                raise ValueError(
                    f"trajectory {i} {name}: expected per-step shape {a.shape[1:]} (as trajectory 0), got {b.shape[1:]}"
                )
            if np.issubdtype(a.dtype, np.integer) != np.issubdtype(b.dtype, np.integer):
                raise ValueError(
                    f"trajectory {i} {name}: expected dtype kind of {a.dtype} (as trajectory 0), got {b.dtype}"
                )
