"""Experts registered by env id, with their measured returns.

Measured returns come from two files: the ones shipped in the package (``stats.json`` beside this
module, read-only) and the ones measured on this machine (``apprentice experts --measure``),
kept in ``expert_stats.json`` in the user data directory (:func:`apprentice.paths.user_data_dir`).
An env id in the user's file overrides the shipped entry; measuring never writes into the package.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from apprentice.envs.env_ref import split_env_ref
from apprentice.experts.base import ActFn, Expert, ExpertStats
from apprentice.paths import user_data_dir

SHIPPED_STATS_PATH = Path(__file__).with_name("stats.json")
"""The measured returns shipped with the package (read, never written, by the library)."""
USER_STATS_NAME = "expert_stats.json"
"""The file name of the user's measured returns inside the user data directory."""
_REGISTRY: dict[str, tuple[ActFn, str, str, str]] = {}
EXPERT_KINDS = ("scripted", "trained")


def register(env_id: str, act: ActFn, description: str, view: str = "observation", kind: str = "scripted") -> None:
    """Register ``act`` as the expert for ``env_id`` (a later call replaces an earlier one).

    ``view="state"`` declares a privileged expert: it acts on the simulator's state that the env
    exposes in ``info["state"]``, not on the learner's observation. ``kind`` says where its rule
    comes from: ``scripted`` (a controller written by hand) or ``trained`` (a learned policy).
    """
    if view not in ("observation", "state"):
        raise ValueError(f"expert view: expected 'observation' or 'state', got {view!r}")
    if kind not in EXPERT_KINDS:
        raise ValueError(f"expert kind: expected one of {', '.join(EXPERT_KINDS)}, got {kind!r}")
    _REGISTRY[env_id] = (act, description, view, kind)


def available() -> list[str]:
    """Env ids that have an expert."""
    _load_builtin()
    return sorted(_REGISTRY)


def load(env_id: str) -> Expert:
    """The expert for ``env_id`` with its measured returns attached when they exist.

    An id with constructor arguments (``CartPole-v1{"max_episode_steps": 200}``) gets its base
    env's expert, without the base env's measured returns (they were measured without them).
    """
    _load_builtin()
    base, kwargs = split_env_ref(env_id)
    if base not in _REGISTRY:
        raise ValueError(f"no expert for env {env_id!r}; experts exist for: {', '.join(available())}")
    act, description, view, kind = _REGISTRY[base]
    stats = None if kwargs else read_stats().get(env_id)
    return Expert(env_id=env_id, act=act, description=description, stats=stats, view=view, kind=kind)


def user_stats_path() -> Path:
    """Where ``write_stats`` records measured returns: ``expert_stats.json`` in the user data directory."""
    return user_data_dir() / USER_STATS_NAME


def read_stats(path: Path | None = None) -> dict[str, ExpertStats]:
    """Measured expert stats by env id: the shipped ones overlaid by the user's (or only ``path``'s)."""
    if path is not None:
        return _read_stats_file(Path(path))
    return {**_read_stats_file(SHIPPED_STATS_PATH), **_read_stats_file(user_stats_path())}


def write_stats(env_id: str, stats: ExpertStats, path: Path | None = None) -> Path:
    """Record ``stats`` for ``env_id`` in the user's stats file (or ``path``), atomically; return the file.

    Other env ids already in that file are kept; the shipped file is never touched.
    """
    from apprentice.io_utils import atomic_write_text

    path = user_stats_path() if path is None else Path(path)
    table = {k: dataclasses.asdict(v) for k, v in _read_stats_file(path).items()}
    table[env_id] = dataclasses.asdict(stats)
    atomic_write_text(path, json.dumps(dict(sorted(table.items())), indent=2) + "\n")
    return path


def _read_stats_file(path: Path) -> dict[str, ExpertStats]:
    if not path.exists():
        return {}
    try:
        raw = json.loads(path.read_text())
        return {env_id: ExpertStats(**fields) for env_id, fields in raw.items()}
    except (json.JSONDecodeError, TypeError, AttributeError) as error:
        raise ValueError(
            f"{path}: expected a JSON object of expert stats by env id "
            f"({', '.join(field.name for field in dataclasses.fields(ExpertStats))}); {error}"
        ) from error


def _load_builtin() -> None:
    import apprentice.experts.scripted  # registers on import
    import apprentice.experts.trained  # noqa: F401  (registers on import)
