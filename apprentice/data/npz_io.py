"""Save and load trajectories as one ``.npz`` file (atomic writes, validated loads)."""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from apprentice.data import trees
from apprentice.data.trajectory import Trajectory
from apprentice.io_utils import atomic_open

FORMAT_VERSION = 1
_REQUIRED = ("observations", "actions", "rewards", "episode_lengths", "terminated", "truncated", "metadata")
_INFO_PREFIX = "infos__"
_OBSERVATION_ONLY = "observation_only"
"""Present (True) in a file of demonstrations without actions, which then has no ``actions`` field."""


def save_trajectories(
    path: str | os.PathLike, trajectories: Sequence[Trajectory], metadata: dict[str, Any] | None = None
) -> Path:
    """Write ``trajectories`` (and JSON-able ``metadata`` such as ``env_id``) to ``path``.

    Observation-only trajectories (``actions=None``, all of them) are written without an
    ``actions`` field and marked ``observation_only``, and load back without actions.

    The file is written to a temporary name and renamed, so ``path`` is never half-written.

    Example:
        >>> save_trajectories("demos.npz", trajs, {"env_id": "CartPole-v1"})
    """
    trajectories = list(trajectories)
    if not trajectories:
        raise ValueError("save_trajectories: expected at least one trajectory, got an empty list")
    info_keys = sorted(trajectories[0].infos)
    for i, traj in enumerate(trajectories):
        if sorted(traj.infos) != info_keys:
            raise ValueError(
                f"trajectory {i} infos: expected keys {info_keys} (as trajectory 0), got {sorted(traj.infos)}"
            )
    has_actions = trajectories[0].actions is not None
    if any((t.actions is not None) != has_actions for t in trajectories):
        raise ValueError("save_trajectories: expected actions in every trajectory or in none (observation-only)")
    has_states = trajectories[0].states is not None
    if any((t.states is not None) != has_states for t in trajectories):
        raise ValueError("save_trajectories: expected states in every trajectory or in none")
    structure = {"observations": tree_structure(trajectories[0].observations)}
    arrays: dict[str, Any] = {
        **flat_leaves("observations", trees.concatenate([t.observations for t in trajectories])),
        "rewards": np.concatenate([t.rewards for t in trajectories]),
        "episode_lengths": np.array([len(t) for t in trajectories], np.int64),
        "terminated": np.array([t.terminated for t in trajectories]),
        "truncated": np.array([t.truncated for t in trajectories]),
        "metadata": np.array(json.dumps({"format_version": FORMAT_VERSION, **(metadata or {})})),
    }
    if has_actions:
        arrays["actions"] = np.concatenate([t.actions for t in trajectories])
    else:
        arrays[_OBSERVATION_ONLY] = np.array(True)
    if has_states:
        structure["states"] = tree_structure(trajectories[0].states)
        arrays.update(flat_leaves("states", trees.concatenate([t.states for t in trajectories])))
    if structure != {"observations": None}:
        arrays["tree_structure"] = np.array(json.dumps(structure))
    for key in info_keys:
        arrays[_INFO_PREFIX + key] = np.concatenate([t.infos[key] for t in trajectories])
    path = Path(path)
    with atomic_open(path, "wb") as handle:
        np.savez_compressed(handle, **arrays)
    return path


def load_trajectories(path: str | os.PathLike) -> tuple[list[Trajectory], dict[str, Any]]:
    """Read a file written by :func:`save_trajectories`: ``(trajectories, metadata)``.

    Raises ``ValueError`` naming the problem for a missing, truncated or corrupt file, a
    missing field, or lengths that do not add up.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path}: expected a demonstrations .npz file, but no such file exists")
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {k: archive[k] for k in archive.files}
    except (zipfile.BadZipFile, EOFError, OSError, KeyError, ValueError) as error:
        raise ValueError(f"{path}: expected a valid .npz archive, but it is truncated or corrupt ({error})") from None
    structure = json.loads(str(arrays.pop("tree_structure"))) if "tree_structure" in arrays else {"observations": None}
    for name, tree in structure.items():
        arrays[name] = unflatten_leaves(name, tree, arrays)
    observation_only = bool(arrays.pop(_OBSERVATION_ONLY, False))
    missing = [k for k in _REQUIRED if k not in arrays and not (k == "actions" and observation_only)]
    if missing:
        raise ValueError(f"{path}: expected fields {list(_REQUIRED)}, missing {missing}")
    metadata = json.loads(str(arrays["metadata"]))
    if metadata.get("format_version") != FORMAT_VERSION:
        raise ValueError(f"{path}: expected format_version {FORMAT_VERSION}, got {metadata.get('format_version')}")
    return _split_episodes(path, arrays), metadata


def _split_episodes(path: Path, arrays: dict[str, np.ndarray]) -> list[Trajectory]:
    lengths = arrays["episode_lengths"]
    n_episodes, n_steps = len(lengths), int(lengths.sum())
    if n_episodes == 0:
        raise ValueError(f"{path}: expected at least one episode, got an empty dataset")
    expected = {
        **({"actions": n_steps} if "actions" in arrays else {}),
        "rewards": n_steps,
        "observations": n_steps + n_episodes,
        "terminated": n_episodes,
        "truncated": n_episodes,
    }
    if "states" in arrays:
        expected["states"] = n_steps + n_episodes
    infos = {k[len(_INFO_PREFIX) :]: v for k, v in arrays.items() if k.startswith(_INFO_PREFIX)}
    expected.update({_INFO_PREFIX + k: n_steps for k in infos})
    for name, length in expected.items():
        got = trees.leading_size(arrays[name])
        if got != length:
            raise ValueError(f"{path}: field {name!r} expected length {length} from episode_lengths, got {got}")
    step_ends = np.cumsum(lengths)
    step_starts = step_ends - lengths
    trajectories = []
    for i, (start, end) in enumerate(zip(step_starts, step_ends)):
        obs_rows = slice(start + i, start + i + lengths[i] + 1)
        trajectories.append(
            Trajectory(
                observations=trees.take(arrays["observations"], obs_rows),
                states=trees.take(arrays["states"], obs_rows) if "states" in arrays else None,
                actions=arrays["actions"][start:end] if "actions" in arrays else None,
                rewards=arrays["rewards"][start:end],
                terminated=bool(arrays["terminated"][i]),
                truncated=bool(arrays["truncated"][i]),
                infos={k: v[start:end] for k, v in infos.items()},
            )
        )
    return trajectories


def tree_structure(tree: Any) -> Any:
    """JSON form of a pytree's shape of nodes: ``None`` for an array, a dict or a list of sub-forms."""
    if isinstance(tree, dict):
        return {key: tree_structure(value) for key, value in tree.items()}
    if isinstance(tree, (tuple, list)):
        return [tree_structure(value) for value in tree]
    return None


def flat_leaves(name: str, tree: Any) -> dict[str, np.ndarray]:
    """The leaves of ``tree`` as archive fields: ``name`` for one array, ``name.key.0...`` inside dicts and tuples."""
    if isinstance(tree, dict):
        return {k: v for key, value in tree.items() for k, v in flat_leaves(f"{name}.{key}", value).items()}
    if isinstance(tree, (tuple, list)):
        return {k: v for i, value in enumerate(tree) for k, v in flat_leaves(f"{name}.{i}", value).items()}
    return {name: np.asarray(tree)}


def unflatten_leaves(name: str, structure: Any, arrays: dict[str, np.ndarray]) -> Any:
    """Inverse of :func:`flat_leaves` given the :func:`tree_structure` (fields are removed from ``arrays``)."""
    if isinstance(structure, dict):
        return {key: unflatten_leaves(f"{name}.{key}", sub, arrays) for key, sub in structure.items()}
    if isinstance(structure, list):
        return tuple(unflatten_leaves(f"{name}.{i}", sub, arrays) for i, sub in enumerate(structure))
    if name not in arrays:
        raise ValueError(f"expected the field {name!r} that the file's tree_structure names; it is missing")
    return arrays.pop(name)
