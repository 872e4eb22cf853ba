"""Run directories: ``config.json``, ``metrics.jsonl``, ``result.json`` and the saved policy."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterable

from apprentice.envs.spec import EnvSpec
from apprentice.io_utils import atomic_write_text
from apprentice.policies.base import Policy
from apprentice.policies.build import PolicyArchitecture
from apprentice.policies.serialization import load_policy, save_policy

CONFIG_FILE, METRICS_FILE, RESULT_FILE = "config.json", "metrics.jsonl", "result.json"


def write_run(
    directory: str | os.PathLike,
    config: dict[str, Any],
    policy: Policy,
    spec: EnvSpec,
    architecture: PolicyArchitecture,
    metrics: Iterable[dict[str, Any]],
    result: dict[str, Any],
) -> Path:
    """Write a complete run directory; every file is written atomically.

    ``config`` is everything needed to rerun (algorithm, its config, seed, data source).
    """
    directory = Path(directory)
    save_policy(directory, policy, spec, architecture)
    atomic_write_text(directory / CONFIG_FILE, json.dumps(config, indent=2) + "\n")
    atomic_write_text(directory / METRICS_FILE, "".join(json.dumps(row) + "\n" for row in metrics))
    atomic_write_text(directory / RESULT_FILE, json.dumps(result, indent=2) + "\n")
    return directory


def read_metrics(directory: str | os.PathLike) -> list[dict[str, Any]]:
    """The per-epoch rows of a run's ``metrics.jsonl``."""
    path = Path(directory) / METRICS_FILE
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


__all__ = ["load_policy", "read_metrics", "write_run"]
