"""Build a policy from an architecture description and an env spec."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal

import jax.numpy as jnp
import numpy as np
from jaxtyping import PRNGKeyArray

from apprentice.envs.spec import EnvSpec
from apprentice.policies.base import ObsNormalizer, Policy
from apprentice.policies.heads import (
    LOG_STD_MAX,
    LOG_STD_MIN,
    CategoricalPolicy,
    DeterministicPolicy,
    GaussianPolicy,
    Squash,
)
from apprentice.policies.mlp import MLP, Activation

Head = Literal["categorical", "gaussian", "deterministic"]


@dataclass(frozen=True)
class PolicyArchitecture:
    """Everything needed to rebuild a policy's structure (saved as JSON beside its weights)."""

    head: Head = "categorical"
    """Output distribution: categorical (discrete), gaussian or deterministic (continuous)."""
    hidden_sizes: tuple[int, ...] = (256, 256)
    """Widths of the hidden layers of the MLP encoder."""
    activation: Activation = "relu"
    """Hidden-layer nonlinearity."""
    squash: bool = False
    """Squash continuous actions by tanh into the env's action bounds."""
    log_std_min: float = LOG_STD_MIN
    """Lower end of the Gaussian head's log-std range."""
    log_std_max: float = LOG_STD_MAX
    """Upper end of the Gaussian head's log-std range."""


def make_policy(
    key: PRNGKeyArray,
    spec: EnvSpec,
    architecture: PolicyArchitecture = PolicyArchitecture(),
    obs_mean: np.ndarray | None = None,
    obs_std: np.ndarray | None = None,
) -> Policy:
    """A freshly initialized policy for ``spec``, normalizing observations by ``obs_mean``/``obs_std``.

    Example:
        >>> policy = make_policy(jax.random.key(0), env_spec("CartPole-v1"))
    """
    head = architecture.head
    discrete = spec.action_kind == "discrete"
    if discrete != (head == "categorical"):
        raise ValueError(
            f"policy head {head!r} does not fit {spec.action_kind} actions"
            f" of {spec.env_id or 'this env'}; expected "
            + ("'categorical'" if discrete else "'gaussian' or 'deterministic'")
        )
    obs_dim = spec.obs_dim
    mean = jnp.zeros(obs_dim) if obs_mean is None else jnp.asarray(obs_mean, jnp.float32).ravel()
    std = jnp.ones(obs_dim) if obs_std is None else jnp.asarray(obs_std, jnp.float32).ravel()
    normalizer = ObsNormalizer(mean=mean, std=std)
    out = spec.action_dim * (2 if head == "gaussian" else 1)
    net = MLP(obs_dim, out, tuple(architecture.hidden_sizes), architecture.activation, key=key)
    if head == "categorical":
        return CategoricalPolicy(normalizer=normalizer, net=net)
    squash = _squash_for(spec) if architecture.squash else None
    if head == "gaussian":
        return GaussianPolicy(normalizer, net, squash, architecture.log_std_min, architecture.log_std_max)
    return DeterministicPolicy(normalizer=normalizer, net=net, squash=squash)


def observation_stats(obs: np.ndarray, min_std: float = 1e-3) -> tuple[np.ndarray, np.ndarray]:
    """Per-feature mean and std of ``obs`` (std floored at ``min_std`` for constant features)."""
    flat = obs.reshape(obs.shape[0], -1).astype(np.float64)
    return flat.mean(0).astype(np.float32), np.maximum(flat.std(0), min_std).astype(np.float32)


def architecture_from_dict(fields: dict) -> PolicyArchitecture:
    """Inverse of ``dataclasses.asdict`` for :class:`PolicyArchitecture`."""
    known = {f.name for f in dataclasses.fields(PolicyArchitecture)}
    unknown = set(fields) - known
    if unknown:
        raise ValueError(f"policy architecture: unknown fields {sorted(unknown)}; expected some of {sorted(known)}")
    return PolicyArchitecture(**{**fields, "hidden_sizes": tuple(fields.get("hidden_sizes", (256, 256)))})


def _squash_for(spec: EnvSpec) -> Squash:
    low, high = np.asarray(spec.action_low, np.float32), np.asarray(spec.action_high, np.float32)
    if not (np.isfinite(low).all() and np.isfinite(high).all()):
        raise ValueError(f"squash=True needs finite action bounds, but {spec.env_id} has low={low}, high={high}")
    return Squash(low=jnp.asarray(low), high=jnp.asarray(high))
