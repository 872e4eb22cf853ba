"""Networks and heads: ``act``, ``log_prob``, ``entropy`` over single observations.

The names below are imported on first use (PEP 562), so that a light module of this package
(:mod:`apprentice.policies.activation`) can be imported without jax, as ``--help`` does.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

_SOURCES = {
    "PolicyActor": "actor",
    "ObsNormalizer": "base",
    "Policy": "base",
    "PolicyArchitecture": "build",
    "make_policy": "build",
    "observation_stats": "build",
    "CategoricalPolicy": "heads",
    "DeterministicPolicy": "heads",
    "GaussianPolicy": "heads",
    "Squash": "heads",
    "MLP": "mlp",
    "load_policy": "serialization",
    "save_policy": "serialization",
}

if TYPE_CHECKING:
    from apprentice.policies.actor import PolicyActor
    from apprentice.policies.base import ObsNormalizer, Policy
    from apprentice.policies.build import PolicyArchitecture, make_policy, observation_stats
    from apprentice.policies.heads import CategoricalPolicy, DeterministicPolicy, GaussianPolicy, Squash
    from apprentice.policies.mlp import MLP
    from apprentice.policies.serialization import load_policy, save_policy


def __getattr__(name: str):
    if name not in _SOURCES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_SOURCES[name]}"), name)
    globals()[name] = value
    return value


__all__ = sorted(_SOURCES)
