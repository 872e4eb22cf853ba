"""Policies: ``encoder -> core -> head``, built by one factory, acting statefully.

See :mod:`apprentice.policies.base` for the acting contract, :mod:`~apprentice.policies.encoders`,
:mod:`~apprentice.policies.cores` and :mod:`~apprentice.policies.heads` for the parts, and
:func:`make_policy` for the factory. The names below are imported on first use (PEP 562), so that
the light modules of this package (``activation``, ``architecture``) import without jax, as
``--help`` does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from apprentice.lazy import lazy_getattr

_SOURCES = {
    "PolicyActor": "actor",
    "HeadOptions": "architecture",
    "Network": "architecture",
    "PolicyArchitecture": "architecture",
    "ObsNormalizer": "base",
    "Policy": "base",
    "make_policy": "build",
    "make_value_network": "build",
    "observation_stats": "build",
    "CategoricalHead": "heads",
    "DeterministicHead": "heads",
    "GaussianHead": "heads",
    "Head": "heads",
    "Squash": "heads",
    "require_density": "heads",
    "MLP": "mlp",
    "ValueNetwork": "value",
    "load_policy": "serialization",
    "save_policy": "serialization",
}

if TYPE_CHECKING:
    from apprentice.policies.actor import PolicyActor
    from apprentice.policies.architecture import HeadOptions, Network, PolicyArchitecture
    from apprentice.policies.base import ObsNormalizer, Policy
    from apprentice.policies.build import make_policy, make_value_network, observation_stats
    from apprentice.policies.heads import (
        CategoricalHead,
        DeterministicHead,
        GaussianHead,
        Head,
        Squash,
        require_density,
    )
    from apprentice.policies.mlp import MLP
    from apprentice.policies.serialization import load_policy, save_policy
    from apprentice.policies.value import ValueNetwork


__getattr__ = lazy_getattr(__name__, globals(), _SOURCES)


__all__ = sorted(_SOURCES)
