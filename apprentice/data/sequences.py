"""Fixed-length sequence chunks of episodes: what a recurrent or frame-stacked policy trains on.

Each episode of ``T`` steps is cut into chunks of ``length`` steps starting at ``0, length,
2 length, ...``. A chunk starting at ``t0 > 0`` is preceded by up to ``burn_in`` earlier steps
that rebuild the memory from a zero state but carry no loss (``mask = 0``), as R2D2 does
(Kapturowski et al. 2019). Rows are left-aligned in arrays of width ``burn_in + length``, padded
past the episode's end with zero-weight steps; ``resets`` is true at every row's first step,
where the policy's state starts from its initial value. With ``length`` at least the longest
episode, every row is one whole episode. A step that ``labeled`` marks False (an interactive
learner's step that the expert did not label) feeds the memory but carries no loss.

Example:
    >>> chunks = sequence_chunks(trajectories, length=64, burn_in=16)
    >>> chunks.obs.shape, chunks.mask.shape      # (rows, 80, *obs_shape), (rows, 80)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import jax
import numpy as np

from apprentice.data.trajectory import Trajectory


@dataclass(frozen=True)
class SequenceChunks:
    """Rows of consecutive steps: ``obs`` a pytree of ``(N, W, ...)``, the rest ``(N, W, ...)``."""

    obs: Any
    acts: np.ndarray
    weights: np.ndarray
    """Per-step loss weights: the episode's weight on real steps, 0 on burn-in and padding."""
    mask: np.ndarray
    """1 on the steps that carry loss, 0 on burn-in and padding."""
    resets: np.ndarray
    """True where the policy state is reset: each row's first step."""

    def __len__(self) -> int:
        return int(self.acts.shape[0])

    @property
    def n_steps(self) -> int:
        """Steps that carry loss."""
        return int(self.mask.sum())


def sequence_chunks(
    trajectories: Sequence[Trajectory],
    length: int,
    burn_in: int = 0,
    weights: Sequence[float] | None = None,
    labeled: Sequence[np.ndarray | None] | None = None,
) -> SequenceChunks:
    """Cut ``trajectories`` into rows of ``burn_in + length`` steps (see the module docstring).

    Args:
        trajectories: at least one episode.
        length: steps per chunk that carry loss (>= 1).
        burn_in: steps before a chunk that only rebuild memory (>= 0).
        weights: optional weight per trajectory, given to each of its real steps.
        labeled: optional per trajectory, a boolean per step (or None: all): which steps carry loss.
    """
    trajectories = list(trajectories)
    if not trajectories:
        raise ValueError("sequence_chunks: expected at least one trajectory, got an empty list")
    if length < 1 or burn_in < 0:
        raise ValueError(
            f"sequence_chunks: expected length >= 1 and burn_in >= 0, got length={length}, burn_in={burn_in}"
        )
    if weights is not None and len(weights) != len(trajectories):
        raise ValueError(
            f"sequence_chunks: expected {len(trajectories)} weights (one per trajectory), got {len(weights)}"
        )
    per_traj = np.ones(len(trajectories)) if weights is None else np.asarray(weights, np.float64)
    if labeled is not None and len(labeled) != len(trajectories):
        raise ValueError(
            f"sequence_chunks: expected {len(trajectories)} label masks (one per trajectory), got {len(labeled)}"
        )
    masks = [
        np.ones(len(t), bool) if labeled is None or labeled[i] is None else np.asarray(labeled[i], bool)
        for i, t in enumerate(trajectories)
    ]
    for i, (traj, m) in enumerate(zip(trajectories, masks)):
        if m.shape != (len(traj),):
            raise ValueError(f"sequence_chunks: labeled[{i}]: expected shape ({len(traj)},), got {m.shape}")
    width = burn_in + length
    rows: list[tuple[int, int, int]] = []  # (trajectory, first step of the row, first step with loss)
    for i, traj in enumerate(trajectories):
        for start in range(0, len(traj), length):
            rows.append((i, max(start - burn_in, 0), start))
    n = len(rows)
    first = trajectories[0]
    obs = jax.tree.map(lambda leaf: np.zeros((n, width, *leaf.shape[1:]), leaf.dtype), first.observations)
    acts = np.zeros((n, width, *first.actions.shape[1:]), first.actions.dtype)
    step_weights = np.zeros((n, width), np.float32)
    mask = np.zeros((n, width), np.float32)
    resets = np.zeros((n, width), bool)
    resets[:, 0] = True
    for row, (i, begin, start) in enumerate(rows):
        traj = trajectories[i]
        end = min(start + length, len(traj))
        span = end - begin
        jax.tree.map(lambda out, src: out.__setitem__((row, slice(0, span)), src[begin:end]), obs, traj.observations)  # noqa: B023 (called in this iteration)
        acts[row, :span] = traj.actions[begin:end]
        mask[row, start - begin : span] = masks[i][start:end]
        step_weights[row, start - begin : span] = per_traj[i] * masks[i][start:end]
    return SequenceChunks(obs=obs, acts=acts, weights=step_weights, mask=mask, resets=resets)
