"""Trained experts shipped in the package: one folder per env id with a saved policy.

Each folder holds ``policy.json`` and ``policy.eqx`` (as any run directory) and
``training.json``: the command that retrains it, its config, env steps and wall-clock time.
Importing this module registers every folder; a policy is loaded on its first call, so
listing experts stays cheap.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from apprentice.experts.registry import register
from apprentice.io_utils import atomic_write_text

TRAINED_DIR = Path(__file__).parent
POLICY_FILES = ("policy.json", "policy.eqx")


class TrainedPolicyExpert:
    """The deterministic action (the mode) of a saved policy, as a batched numpy callable.

    Continuous actions are clipped to the env's action box (from ``policy.json``): that is the
    action the env executes, so it is the label a learner should copy. The SAC experts shipped
    before the squash fix (see :class:`~apprentice.policies.heads.Squash`) emit actions up to
    about +-7 on MuJoCo's [-1, 1]; MuJoCo clips the control, but unclipped labels teach a
    learner targets the env never sees (measured: Hopper BC from 25 demos scored 0.59-1.03
    normalized over 3 seeds on raw labels, 0.995-1.012 on clipped ones).
    """

    def __init__(self, folder: Path):
        self.folder = folder
        self._actor: Callable[[np.ndarray], np.ndarray] | None = None

    def __call__(self, observations: np.ndarray) -> np.ndarray:
        if self._actor is None:
            import jax

            from apprentice.policies.actor import PolicyActor
            from apprentice.policies.serialization import load_policy

            policy, spec = load_policy(self.folder)
            self._actor = PolicyActor(policy, jax.random.key(0), deterministic=True, spec=spec)
        return self._actor(observations)


def folder_name(env_id: str) -> str:
    """``Hopper-v5`` -> ``hopper_v5`` (a valid package-data folder name)."""
    return env_id.lower().replace("-", "_")


def install(policy_dir: str | Path, env_id: str, training: dict[str, Any]) -> Path:
    """Copy a saved policy for ``env_id`` into the package, with ``training`` as ``training.json``.

    The policy must have been trained on ``env_id``; an existing expert for it is replaced only
    once the new files are all in place (copied beside, then renamed).
    """
    policy_dir = Path(policy_dir)
    missing = [name for name in POLICY_FILES if not (policy_dir / name).is_file()]
    if missing:
        raise ValueError(
            f"{policy_dir}: expected a saved policy ({', '.join(POLICY_FILES)}); missing {', '.join(missing)}"
        )
    trained_on = json.loads((policy_dir / "policy.json").read_text())["env_spec"].get("env_id")
    if trained_on != env_id:
        raise ValueError(f"{policy_dir}: expected a policy for {env_id}, got one for {trained_on}")
    target = TRAINED_DIR / folder_name(env_id)
    staging = target.with_name(target.name + ".incoming")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    for name in POLICY_FILES:
        shutil.copyfile(policy_dir / name, staging / name)
    atomic_write_text(staging / "training.json", json.dumps(training, indent=2) + "\n")
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    _register(target)
    return target


def training_info(env_id: str) -> dict[str, Any] | None:
    """The ``training.json`` of the shipped expert for ``env_id``, if there is one."""
    path = TRAINED_DIR / folder_name(env_id) / "training.json"
    return json.loads(path.read_text()) if path.is_file() else None


def _register(folder: Path) -> None:
    env_id = json.loads((folder / "policy.json").read_text())["env_spec"]["env_id"]
    training = json.loads((folder / "training.json").read_text()) if (folder / "training.json").is_file() else {}
    description = training.get("description", f"trained policy ({folder.name})")
    register(env_id, TrainedPolicyExpert(folder), description, kind="trained")


for _folder in sorted(TRAINED_DIR.iterdir()):
    if _folder.is_dir() and all((_folder / name).is_file() for name in POLICY_FILES):
        _register(_folder)
