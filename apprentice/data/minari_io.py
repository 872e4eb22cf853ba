"""Export trajectories to, and import them from, Minari datasets: local and offline only.

Minari keeps datasets under ``$MINARI_DATASETS_PATH`` (default ``~/.minari/datasets``); both
functions respect it and never download. Images are stored as they are (``uint8``), not as
Minari's default JPEG, which changed pixels of ``apprentice/PixelDictCartPole-v1`` frames by up to
90 of 255 levels. An export is built in a temporary folder beside the
target and renamed into place, so a failed export leaves nothing half-written.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from apprentice.data import trees
from apprentice.data.trajectory import Trajectory


def datasets_root() -> Path:
    """The Minari datasets folder in force: ``$MINARI_DATASETS_PATH`` or ``~/.minari/datasets``."""
    root = os.environ.get("MINARI_DATASETS_PATH")
    return Path(root) if root else Path.home() / ".minari" / "datasets"


def export_minari(
    dataset_id: str,
    trajectories: Sequence[Trajectory],
    env_id: str,
    algorithm_name: str = "apprentice",
    overwrite: bool = False,
) -> Path:
    """Write ``trajectories`` as the local Minari dataset ``dataset_id`` (e.g. ``"apprentice/cartpole-expert-v0"``).

    Returns the dataset's folder. Refuses to replace an existing dataset unless ``overwrite``.
    Minari's format records an action at every step, so observation-only trajectories are
    refused (save them with ``save_trajectories`` as ``.npz``).
    """
    import minari
    from minari.data_collector import EpisodeBuffer

    trajectories = list(trajectories)
    if not trajectories:
        raise ValueError("export_minari: expected at least one trajectory, got an empty list")
    if any(t.actions is None for t in trajectories):
        raise ValueError(
            "export_minari: Minari datasets record an action at every step, got observation-only trajectories; "
            "save them as .npz instead (apprentice collect --no-actions --out FILE.npz)"
        )
    _require_fits_env(trajectories, env_id)
    root = datasets_root()
    target = root / dataset_id
    if target.exists() and not overwrite:
        raise ValueError(f"Minari dataset {dataset_id!r} already exists at {target}; pass overwrite=True to replace it")
    buffers = [
        EpisodeBuffer(
            id=i,
            observations=trees.tree_map(list, t.observations),  # a list per leaf: Minari's layout of Dict spaces
            actions=list(t.actions),
            rewards=list(t.rewards.astype(np.float64)),
            terminations=[False] * (len(t) - 1) + [t.terminated],
            truncations=[False] * (len(t) - 1) + [t.truncated],
        )
        for i, t in enumerate(trajectories)
    ]
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".apprentice-export-", dir=root))
    try:
        with _datasets_path(staging), warnings.catch_warnings():
            # Minari warns about every optional provenance field left empty (author, permalink...).
            warnings.filterwarnings("ignore", message=".*is set to None", category=UserWarning)
            minari.create_dataset_from_buffers(
                dataset_id=dataset_id,
                buffer=buffers,
                env=env_id,
                eval_env=env_id,
                algorithm_name=algorithm_name,
                author="apprentice",
                description=f"{len(trajectories)} episodes of {env_id} exported by apprentice",
                jpeg_encoding=False,  # Minari JPEG-compresses image spaces by default: lossy, up to ~90 levels off
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging / dataset_id, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _require_fits_env(trajectories: Sequence[Trajectory], env_id: str) -> None:
    """Raise unless every trajectory's observations and actions have the shapes of ``env_id``'s
    spaces (Minari records the env beside the data but does not check them against each other)."""
    import gymnasium

    env = gymnasium.make(env_id)
    observation_space, action_space = env.observation_space, env.action_space
    env.close()
    for i, trajectory in enumerate(trajectories):
        first = trees.tree_map(lambda leaf: leaf[0], trajectory.observations)
        for what, space, value in (
            ("observations", observation_space, first),
            ("actions", action_space, trajectory.actions[0]),
        ):
            if not _fits(space, value):
                raise ValueError(
                    f"export_minari: {env_id} expects {what} of {space}, got trajectory {i}'s "
                    f"{_describe(value)}; pass the env the trajectories were collected in"
                )


def _fits(space: Any, value: Any) -> bool:
    from gymnasium import spaces

    if isinstance(space, spaces.Dict):
        return (
            isinstance(value, dict)
            and set(value) == set(space.spaces)
            and all(_fits(sub, value[name]) for name, sub in space.spaces.items())
        )
    if isinstance(space, spaces.Box):
        return np.shape(value) == space.shape
    if isinstance(space, spaces.Discrete):
        return np.ndim(value) == 0
    return True  # other spaces: Minari's own checks


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{name}: {_describe(leaf)}" for name, leaf in sorted(value.items())) + "}"
    return f"shape {np.shape(value)}"


def import_minari(dataset_id: str) -> tuple[list[Trajectory], dict[str, str]]:
    """Read the local Minari dataset ``dataset_id``: ``(trajectories, metadata)`` with ``env_id``.

    Observations keep their tree: an array, or for Dict and Tuple spaces a dict or tuple of
    arrays. Raises ``ValueError`` when the dataset is not on disk (nothing is downloaded).
    """
    import minari

    if not (datasets_root() / dataset_id / "data").exists():
        raise ValueError(
            f"Minari dataset {dataset_id!r}: expected it under {datasets_root()} "
            "(set MINARI_DATASETS_PATH to its root); it is not there and nothing is downloaded"
        )
    dataset = minari.load_dataset(dataset_id, download=False)
    trajectories = []
    for episode in dataset.iterate_episodes():
        trajectories.append(
            Trajectory(
                observations=trees.tree_map(np.asarray, episode.observations),
                actions=episode.actions,
                rewards=episode.rewards,
                terminated=bool(episode.terminations[-1]),
                truncated=bool(episode.truncations[-1]),
            )
        )
    env_spec = dataset.spec.env_spec
    return trajectories, {"env_id": env_spec.id if env_spec is not None else ""}


@contextlib.contextmanager
def _datasets_path(path: Path) -> Iterator[None]:
    previous = os.environ.get("MINARI_DATASETS_PATH")
    os.environ["MINARI_DATASETS_PATH"] = str(path)
    try:
        yield
    finally:
        if previous is None:
            del os.environ["MINARI_DATASETS_PATH"]
        else:
            os.environ["MINARI_DATASETS_PATH"] = previous
