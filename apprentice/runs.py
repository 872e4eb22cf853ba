"""Run directories: ``config.json``, ``metrics.jsonl``, ``result.json`` and the saved model.

``config.json`` is everything needed to rerun a run (the command and every argument it parsed;
``apprentice rerun RUN_DIR`` reads it back with :func:`load_config`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from apprentice.io_utils import atomic_write_text, jsonable

if TYPE_CHECKING:
    from apprentice.envs.spec import EnvSpec
    from apprentice.policies.base import Policy
    from apprentice.policies.build import PolicyArchitecture

CONFIG_FILE, METRICS_FILE, RESULT_FILE = "config.json", "metrics.jsonl", "result.json"
BEST_POLICY_DIR = "best"
"""The subdirectory holding the best evaluated policy of a run that evaluates while it trains."""


def write_run(
    directory: str | os.PathLike,
    config: dict[str, Any],
    metrics: Iterable[dict[str, Any]],
    result: dict[str, Any],
    *,
    policy: Policy | None = None,
    spec: EnvSpec | None = None,
    architecture: PolicyArchitecture | None = None,
    best_policy: Policy | None = None,
) -> Path:
    """Write a complete run directory; every file is written atomically.

    ``config`` is everything needed to rerun (the command, its arguments, what it found);
    ``metrics`` one row per epoch, round or evaluation; ``result`` the final numbers. With
    ``policy`` (and its ``spec`` and ``architecture``) the policy is saved beside them, and
    ``best_policy`` (the best evaluated one) in ``best/``; models of other kinds (language
    models, discriminators, reward tables) are saved by their own writers.
    """
    directory = Path(directory)
    if policy is not None or best_policy is not None:
        from apprentice.policies.serialization import save_policy

        if spec is None or architecture is None:
            raise ValueError("write_run: expected spec and architecture with a policy, got None")
        for where, saved in ((directory, policy), (directory / BEST_POLICY_DIR, best_policy)):
            if saved is not None:
                save_policy(where, saved, spec, architecture)
    atomic_write_text(directory / CONFIG_FILE, json.dumps(jsonable(config), indent=2) + "\n")
    atomic_write_text(directory / METRICS_FILE, "".join(json.dumps(jsonable(row)) + "\n" for row in metrics))
    atomic_write_text(directory / RESULT_FILE, json.dumps(jsonable(result), indent=2) + "\n")
    return directory


def load_config(directory: str | os.PathLike) -> dict[str, Any]:
    """A run's ``config.json``: ``{"command": "train bc", "seed": 0, "config": {...}, ...}``.

    Raises ``ValueError`` (one line) when the folder has no ``config.json`` or it names no command.
    """
    path = Path(directory) / CONFIG_FILE
    if not path.is_file():
        raise ValueError(
            f"{directory}: expected a run directory with {CONFIG_FILE} (written by `apprentice train ...`), found none"
        )
    config = json.loads(path.read_text())
    if not isinstance(config, dict) or not isinstance(config.get("command"), str):
        raise ValueError(f'{path}: expected a JSON object with a "command", got {str(config)[:80]}')
    return config


def read_metrics(directory: str | os.PathLike) -> list[dict[str, Any]]:
    """The rows of a run's ``metrics.jsonl`` (one per epoch, round or evaluation)."""
    path = Path(directory) / METRICS_FILE
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def read_result(directory: str | os.PathLike) -> dict[str, Any]:
    """A run's ``result.json``: its final numbers."""
    path = Path(directory) / RESULT_FILE
    if not path.is_file():
        raise ValueError(f"{directory}: expected a finished run directory with {RESULT_FILE}, found none")
    return json.loads(path.read_text())


def load_policy(directory: str | os.PathLike):
    """The policy saved in a run directory and its env spec (see :func:`apprentice.policies.serialization.load_policy`)."""
    from apprentice.policies.serialization import load_policy as load

    return load(directory)


__all__ = ["load_config", "load_policy", "read_metrics", "read_result", "write_run"]
