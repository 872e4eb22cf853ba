"""The one factory: a policy for an env spec from a :class:`PolicyArchitecture`."""

from __future__ import annotations

import dataclasses
from typing import Any, get_args

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import PRNGKeyArray

from apprentice.envs.spaces import DictSpace, Space, TupleSpace, describe
from apprentice.envs.spec import EnvSpec
from apprentice.policies.architecture import (
    HeadKind,
    Network,
    PolicyArchitecture,
    architecture_from_dict,
    concrete_encoder,
)
from apprentice.policies.base import Policy
from apprentice.policies.chunking import ChunkHead, chunk_spec
from apprentice.policies.cores import make_core
from apprentice.policies.denoiser import ActionScale, Denoiser
from apprentice.policies.diffusion import DiffusionHead
from apprentice.policies.discretized import DiscretizedHead
from apprentice.policies.encoders import make_encoder
from apprentice.policies.flow import FlowHead
from apprentice.policies.heads import CategoricalHead, DeterministicHead, GaussianHead, Head, Squash
from apprentice.policies.mixture import MixtureHead
from apprentice.policies.mlp import MLP
from apprentice.policies.value import ValueNetwork

__all__ = [
    "Network",
    "PolicyArchitecture",
    "architecture_from_dict",
    "concrete_encoder",
    "make_head",
    "make_policy",
    "make_value_network",
    "observation_stats",
]


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
    architecture = dataclasses.replace(architecture, encoder=concrete_encoder(architecture.encoder, spec.observation))
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
    head = make_head(head_key, spec, architecture, core.out_size)
    return Policy(encoder, core, head, architecture, spec.observation)


def make_head(key: PRNGKeyArray, spec: EnvSpec, architecture: PolicyArchitecture, n_features: int) -> Head:
    """The head ``architecture.head`` over ``n_features`` features, for the actions of ``spec``
    (for a chunk of ``architecture.chunk`` of them: the head over the flattened chunk, wrapped)."""
    if architecture.chunk > 1:
        if architecture.head == "categorical":
            raise ValueError("action chunking: expected a continuous head, got 'categorical'")
        single = dataclasses.replace(architecture, chunk=1)
        inner = make_head(key, chunk_spec(spec, architecture.chunk), single, n_features)
        return ChunkHead(inner, architecture.chunk, spec.action_dim)
    kind, d = architecture.head, spec.action_dim
    if kind == "categorical":
        return CategoricalHead(eqx.nn.Linear(n_features, d, key=key))
    if kind in ("gaussian", "deterministic"):
        squash = _squash_for(spec) if architecture.squash else None
        if kind == "deterministic":
            return DeterministicHead(eqx.nn.Linear(n_features, d, key=key), squash)
        linear = eqx.nn.Linear(n_features, 2 * d, key=key)
        return GaussianHead(linear, squash, architecture.log_std_min, architecture.log_std_max)
    if kind == "gmm":
        k = architecture.n_components
        return MixtureHead(eqx.nn.Linear(n_features, k * (1 + 2 * d), key=key), k, d)
    if kind == "discretized":
        low, high = _finite_box(spec, "the discretized head")
        return DiscretizedHead(
            eqx.nn.Linear(n_features, d * architecture.n_bins, key=key), low, high, architecture.n_bins
        )
    if kind in ("diffusion", "flow"):
        box = _finite_box(spec, None)
        scale = ActionScale(*box) if box is not None else ActionScale(None, None)
        denoiser = Denoiser(d, n_features, architecture.denoiser_sizes, key=key)
        if kind == "diffusion":
            return DiffusionHead(denoiser, scale, architecture.diffusion_steps, d)
        return FlowHead(denoiser, scale, architecture.flow_steps, d)
    raise ValueError(f"policy head: expected one of {list(get_args(HeadKind))}, got {kind!r}")


def make_value_network(
    key: PRNGKeyArray,
    observation: Space,
    network: Network = Network(),
    n_inputs: int = 0,
    out_size: int = 1,
    obs_mean: Any = None,
    obs_std: Any = None,
    *,
    who: str = "value network",
) -> ValueNetwork:
    """A freshly initialized :class:`ValueNetwork` over observations of ``observation``, taking
    ``n_inputs`` more numbers (an action's features) beside them.

    Memoryless: ``who`` (the algorithm) refuses a recurrent core or a frame stack with a one-line
    error. ``obs_mean``/``obs_std`` standardize vector observations as in :func:`make_policy`.
    The MLP gets ``key`` itself, so a vector critic starts where ``MLP(obs_dim + n_inputs, ...)``
    with the same key does.

    Example:
        >>> critic = make_value_network(jax.random.key(0), spec.observation, Network(), n_inputs=spec.action_dim)
    """
    network.require_memoryless(who)
    network = dataclasses.replace(network, encoder=concrete_encoder(network.encoder, observation))
    if isinstance(observation, (DictSpace, TupleSpace)) and network.encoder != "dict":
        raise ValueError(f"{who}: {describe(observation)} observations need --encoder dict, got {network.encoder!r}")
    encoder = make_encoder(
        network.encoder, observation, (), network.activation, 1, obs_mean, obs_std, key=jax.random.fold_in(key, 1)
    )
    net = MLP(encoder.out_size + n_inputs, out_size, network.hidden_sizes, network.activation, key=key)
    return ValueNetwork(encoder, net)


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


def _finite_box(spec: EnvSpec, who: str | None):
    """The action box as arrays, or ``None`` where it is unbounded (an error naming ``who`` if given)."""
    low, high = np.asarray(spec.action_low, np.float32), np.asarray(spec.action_high, np.float32)
    if not (np.isfinite(low).all() and np.isfinite(high).all()):
        if who is None:
            return None
        raise ValueError(f"{who} needs finite action bounds, but {spec.env_id} has low={low}, high={high}")
    return jnp.asarray(low), jnp.asarray(high)


def _squash_for(spec: EnvSpec) -> Squash:
    low, high = _finite_box(spec, "squash=True")
    return Squash(low=low, high=high)
