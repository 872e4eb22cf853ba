"""The pair of observations ``(s, s')`` as one observation: its space, its spec and its arrays.

What learning from observations alone reads: BCO's inverse dynamics model ``p(a | s, s')`` and
GAIfO's discriminator ``d(s, s')``. Each leaf of the observation tree is joined with its next
value along its last axis (a vector ``(d,)`` becomes ``(2 d,)``, an image ``(H, W, C)`` becomes
``(H, W, 2 C)``, as a frame stack of two; a scalar becomes ``(2,)``), so the pair keeps the
observation's tree and kind and every encoder the factory builds for the observation (MLP, CNN,
Dict) takes the pair too.

Example:
    >>> pair_space(ArraySpace((4,)))
    ArraySpace(shape=(8,), dtype='float32')
    >>> pair_observations(np.zeros((5, 4)), np.ones((5, 4))).shape
    (5, 8)
"""

from __future__ import annotations

import dataclasses
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from apprentice.envs.spaces import ArraySpace, Space, map_space
from apprentice.envs.spec import EnvSpec


def pair_space(space: Space) -> Space:
    """The space of ``(s, s')`` for observations of ``space``: every leaf's last axis doubled."""
    from apprentice.envs.spaces import DictSpace, TupleSpace

    def pair_leaf(leaf: ArraySpace) -> ArraySpace:
        shape = (2,) if not leaf.shape else (*leaf.shape[:-1], 2 * leaf.shape[-1])
        return ArraySpace(shape, leaf.dtype)

    if isinstance(space, ArraySpace):
        return pair_leaf(space)
    if isinstance(space, DictSpace):
        return DictSpace(tuple((key, pair_space(sub)) for key, sub in space.items))
    if isinstance(space, TupleSpace):
        return TupleSpace(tuple(pair_space(sub) for sub in space.items))
    raise ValueError(f"pair_space: expected an ArraySpace, DictSpace or TupleSpace, got {type(space).__name__}")


def pair_spec(spec: EnvSpec) -> EnvSpec:
    """``spec`` with the pair ``(s, s')`` as its observation (the actions are the env's)."""
    return dataclasses.replace(spec, observation=pair_space(spec.observation))


def pair_observations(obs: Any, next_obs: Any, *, batched: bool = True) -> Any:
    """``(s, s')`` joined leaf by leaf along the last axis; NumPy leaves stay NumPy, JAX ones JAX.

    ``batched``: the leaves have a leading batch axis (a scalar observation is then ``(N,)``).
    """

    def join(now, nxt):
        xp = jnp if isinstance(now, jax.Array) or isinstance(nxt, jax.Array) else np
        if now.ndim == (1 if batched else 0):
            return xp.stack([now, nxt], axis=-1)
        return xp.concatenate([now, nxt], axis=-1)

    return jax.tree.map(join, obs, next_obs)


def pair_stats(mean: Any, std: Any, space: Space) -> tuple[Any, Any]:
    """The pair's standardization statistics from one observation's (``observation_stats``: flat
    per leaf), the same for ``s`` and ``s'``; ``None`` (images: scaled in the encoder) stays ``None``."""
    shapes = map_space(lambda leaf: leaf.shape, space)

    def double(x, shape):
        if x is None:
            return None
        x = jnp.reshape(jnp.asarray(x), shape)
        return jnp.ravel(pair_observations(x, x, batched=False))

    is_shape = lambda x: isinstance(x, tuple) and all(isinstance(d, int) for d in x)  # noqa: E731
    if mean is None:
        return None, None
    pair_mean, pair_std = (
        jax.tree.map(lambda s, x: double(x, s), shapes, stat, is_leaf=is_shape) for stat in (mean, std)
    )
    return pair_mean, pair_std
