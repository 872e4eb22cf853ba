"""The one factory: a policy for an env spec from a :class:`PolicyArchitecture`."""

from __future__ import annotations

from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import PRNGKeyArray

from apprentice.envs.spaces import DictSpace, TupleSpace, describe
from apprentice.envs.spec import EnvSpec
from apprentice.policies.architecture import PolicyArchitecture, architecture_from_dict
from apprentice.policies.base import Policy
from apprentice.policies.cores import make_core
from apprentice.policies.encoders import make_encoder
from apprentice.policies.heads import CategoricalHead, DeterministicHead, GaussianHead, Squash

__all__ = ["PolicyArchitecture", "architecture_from_dict", "make_policy", "observation_stats"]


def make_policy(
    key: PRNGKeyArray,
    spec: EnvSpec,
    architecture: PolicyArchitecture = PolicyArchitecture(),
    obs_mean: Any = None,
    obs_std: Any = None,
) -> Policy:
    """A freshly initialized ``encoder -> core -> head`` policy for ``spec``.

    ``obs_mean``/``obs_std`` standardize vector observations (arrays for a single-array
    observation, dicts of them for a Dict one; see :func:`observation_stats`); images are scaled
    by 1/255 in the encoder instead.

    Example:
        >>> policy = make_policy(jax.random.key(0), env_spec("CartPole-v1"))
        >>> policy = make_policy(key, spec, PolicyArchitecture(encoder="cnn", core="gru", head="gaussian"))
    """
    head_kind = architecture.head
    discrete = spec.action_kind == "discrete"
    if discrete != (head_kind == "categorical"):
        raise ValueError(
            f"policy head {head_kind!r} does not fit {spec.action_kind} actions"
            f" of {spec.env_id or 'this env'}; expected "
            + ("'categorical'" if discrete else "'gaussian' or 'deterministic'")
        )
    if isinstance(spec.observation, (DictSpace, TupleSpace)) and architecture.encoder != "dict":
        raise ValueError(
            f"{spec.env_id or 'this env'} has {describe(spec.observation)} observations; "
            f"the {architecture.encoder} encoder takes one array: pass --encoder dict"
        )
    encoder_key, core_key, head_key = jax.random.split(key, 3)
    encoder = make_encoder(
        architecture.encoder,
        spec.observation,
        architecture.hidden_sizes,
        architecture.activation,
        architecture.frame_stack,
        obs_mean,
        obs_std,
        key=encoder_key,
    )
    core = make_core(architecture.core, encoder.out_size, architecture.core_size, key=core_key)
    out = spec.action_dim * (2 if head_kind == "gaussian" else 1)
    linear = eqx.nn.Linear(core.out_size, out, key=head_key)
    if head_kind == "categorical":
        head = CategoricalHead(linear)
    else:
        squash = _squash_for(spec) if architecture.squash else None
        if head_kind == "gaussian":
            head = GaussianHead(linear, squash, architecture.log_std_min, architecture.log_std_max)
        else:
            head = DeterministicHead(linear, squash)
    return Policy(encoder, core, head, architecture, spec.observation)


def observation_stats(obs: Any, min_std: float = 1e-3) -> tuple[Any, Any]:
    """Per-feature mean and std of a batch of observations (std floored at ``min_std``).

    For a dict of arrays, a dict of statistics; ``uint8`` images get none (``None``): the
    encoder scales them by 1/255.
    """
    if isinstance(obs, dict):
        pairs = {key: observation_stats(value, min_std) for key, value in obs.items()}
        return {k: v[0] for k, v in pairs.items()}, {k: v[1] for k, v in pairs.items()}
    obs = np.asarray(obs)
    if obs.dtype == np.uint8:
        return None, None
    flat = obs.reshape(obs.shape[0], -1).astype(np.float64)
    return flat.mean(0).astype(np.float32), np.maximum(flat.std(0), min_std).astype(np.float32)


def _squash_for(spec: EnvSpec) -> Squash:
    low, high = np.asarray(spec.action_low, np.float32), np.asarray(spec.action_high, np.float32)
    if not (np.isfinite(low).all() and np.isfinite(high).all()):
        raise ValueError(f"squash=True needs finite action bounds, but {spec.env_id} has low={low}, high={high}")
    return Squash(low=jnp.asarray(low), high=jnp.asarray(high))
