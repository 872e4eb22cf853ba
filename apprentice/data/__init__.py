"""Demonstrations and preferences: trajectory, transition and preference-pair types, batching, file formats."""

from apprentice.data.batching import iterate_minibatches, minibatch_indices, n_batches
from apprentice.data.minari_io import export_minari, import_minari
from apprentice.data.npz_io import load_trajectories, save_trajectories
from apprentice.data.preferences import Preferences
from apprentice.data.trajectory import (
    Trajectory,
    Transitions,
    concatenate,
    flatten,
    split_episode_indices,
    split_episodes,
    subsample,
    without_actions,
)

__all__ = [
    "Preferences",
    "Trajectory",
    "Transitions",
    "concatenate",
    "export_minari",
    "flatten",
    "subsample",
    "import_minari",
    "iterate_minibatches",
    "load_trajectories",
    "minibatch_indices",
    "n_batches",
    "save_trajectories",
    "split_episode_indices",
    "split_episodes",
    "without_actions",
]
