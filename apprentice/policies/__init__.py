"""Policies: ``encoder -> core -> head``, built by one factory, acting statefully.

See :mod:`apprentice.policies.base` for the acting contract, :mod:`~apprentice.policies.encoders`,
:mod:`~apprentice.policies.cores` and :mod:`~apprentice.policies.heads` for the parts, and
:func:`make_policy` for the factory.
"""

from apprentice.policies.actor import PolicyActor
from apprentice.policies.architecture import PolicyArchitecture
from apprentice.policies.base import ObsNormalizer, Policy
from apprentice.policies.build import make_policy, observation_stats
from apprentice.policies.heads import CategoricalHead, DeterministicHead, GaussianHead, Head, Squash, require_density
from apprentice.policies.mlp import MLP
from apprentice.policies.serialization import load_policy, save_policy

__all__ = [
    "CategoricalHead",
    "DeterministicHead",
    "GaussianHead",
    "Head",
    "MLP",
    "ObsNormalizer",
    "Policy",
    "PolicyActor",
    "PolicyArchitecture",
    "Squash",
    "load_policy",
    "make_policy",
    "observation_stats",
    "require_density",
    "save_policy",
]
