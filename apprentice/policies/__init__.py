"""Networks and heads: ``act``, ``log_prob``, ``entropy`` over single observations."""

from apprentice.policies.actor import PolicyActor
from apprentice.policies.base import ObsNormalizer, Policy
from apprentice.policies.build import PolicyArchitecture, make_policy, observation_stats
from apprentice.policies.heads import CategoricalPolicy, DeterministicPolicy, GaussianPolicy, Squash
from apprentice.policies.mlp import MLP
from apprentice.policies.serialization import load_policy, save_policy

__all__ = [
    "CategoricalPolicy",
    "DeterministicPolicy",
    "GaussianPolicy",
    "MLP",
    "ObsNormalizer",
    "Policy",
    "PolicyActor",
    "PolicyArchitecture",
    "Squash",
    "load_policy",
    "make_policy",
    "observation_stats",
    "save_policy",
]
