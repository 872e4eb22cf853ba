"""Save a policy as ``policy.json`` (architecture + env spec) and ``policy.eqx`` (weights)."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

import equinox as eqx
import jax

from apprentice.envs.spec import EnvSpec
from apprentice.io_utils import atomic_open, atomic_write_text
from apprentice.policies.architecture import architecture_from_dict, concrete_encoder
from apprentice.policies.base import Policy
from apprentice.policies.build import make_policy

ARCHITECTURE_FILE, WEIGHTS_FILE = "policy.json", "policy.eqx"


def save_policy(directory: str | os.PathLike, policy: Policy, spec: EnvSpec, architecture: Any = None) -> None:
    """Write ``policy`` into ``directory`` (both files atomically); the architecture saved is the policy's own.

    ``architecture``, where a caller still passes one, must be the policy's (a check, not a source).
    """
    if architecture is not None:
        architecture = dataclasses.replace(
            architecture, encoder=concrete_encoder(architecture.encoder, spec.observation)
        )
    if architecture is not None and architecture != policy.architecture:
        raise ValueError(
            f"save_policy: architecture {architecture} differs from the policy's own {policy.architecture}"
        )
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    with atomic_open(directory / WEIGHTS_FILE, "wb") as handle:
        eqx.tree_serialise_leaves(handle, policy)
    description = {"architecture": dataclasses.asdict(policy.architecture), "env_spec": spec.to_dict()}
    atomic_write_text(directory / ARCHITECTURE_FILE, json.dumps(description, indent=2) + "\n")


def load_policy(directory: str | os.PathLike) -> tuple[Policy, EnvSpec]:
    """Read a policy saved by :func:`save_policy` (or a run directory): ``(policy, env_spec)``.

    Example:
        >>> policy, spec = load_policy("runs/bc-cartpole")
    """
    directory = Path(directory)
    description_path, weights_path = directory / ARCHITECTURE_FILE, directory / WEIGHTS_FILE
    for path in (description_path, weights_path):
        if not path.is_file():
            raise ValueError(
                f"{directory}: expected a saved policy with {ARCHITECTURE_FILE} and {WEIGHTS_FILE}; {path.name} is missing"
            )
    try:
        description = json.loads(description_path.read_text())
        architecture = architecture_from_dict(description["architecture"])
        spec = EnvSpec.from_dict(description["env_spec"])
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        raise ValueError(f"{description_path}: expected keys 'architecture' and 'env_spec' ({error})") from None
    skeleton = make_policy(jax.random.key(0), spec, architecture)
    try:
        with open(weights_path, "rb") as handle:
            policy = eqx.tree_deserialise_leaves(handle, skeleton)
    except Exception as error:  # equinox raises several types for short or mismatched files
        raise ValueError(
            f"{weights_path}: expected weights for {architecture}, but the file is truncated or does not match ({error})"
        ) from None
    return policy, spec
