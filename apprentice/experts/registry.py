"""Experts registered by env id, with their measured returns read from ``stats.json``."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from apprentice.experts.base import ActFn, Expert, ExpertStats

STATS_PATH = Path(__file__).with_name("stats.json")
_REGISTRY: dict[str, tuple[ActFn, str, str]] = {}


def register(env_id: str, act: ActFn, description: str, view: str = "observation") -> None:
    """Register ``act`` as the expert for ``env_id`` (a later call replaces an earlier one).

    ``view="state"`` declares a privileged expert: it acts on the simulator's state that the env
    exposes in ``info["state"]``, not on the learner's observation.
    """
    if view not in ("observation", "state"):
        raise ValueError(f"expert view: expected 'observation' or 'state', got {view!r}")
    _REGISTRY[env_id] = (act, description, view)


def available() -> list[str]:
    """Env ids that have an expert."""
    _load_builtin()
    return sorted(_REGISTRY)


def load(env_id: str) -> Expert:
    """The expert for ``env_id`` with its measured returns attached when they exist."""
    _load_builtin()
    if env_id not in _REGISTRY:
        raise ValueError(f"no expert for env {env_id!r}; experts exist for: {', '.join(available())}")
    act, description, view = _REGISTRY[env_id]
    stats = read_stats().get(env_id)
    return Expert(env_id=env_id, act=act, description=description, stats=stats, view=view)


def read_stats(path: Path = STATS_PATH) -> dict[str, ExpertStats]:
    """All measured expert stats, by env id."""
    if not path.exists():
        return {}
    raw = json.loads(path.read_text())
    return {env_id: ExpertStats(**fields) for env_id, fields in raw.items()}


def write_stats(env_id: str, stats: ExpertStats, path: Path = STATS_PATH) -> None:
    """Record ``stats`` for ``env_id`` in the stats file, atomically."""
    from apprentice.io_utils import atomic_write_text

    table = {k: dataclasses.asdict(v) for k, v in read_stats(path).items()}
    table[env_id] = dataclasses.asdict(stats)
    atomic_write_text(path, json.dumps(dict(sorted(table.items())), indent=2) + "\n")


def _load_builtin() -> None:
    import apprentice.experts.scripted  # registers on import
    import apprentice.experts.trained  # noqa: F401  (registers on import)
