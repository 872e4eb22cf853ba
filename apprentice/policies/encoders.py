"""Encoders: one observation (a pytree of arrays) -> one feature vector.

The first stage of every policy (``encoder -> core -> head``, :mod:`apprentice.policies.base`):

- :class:`MLPEncoder`: vectors (any shape, flattened), standardized by frozen statistics, then
  hidden layers.
- :class:`CNNEncoder`: ``uint8`` images ``(H, W, C)`` scaled to [0, 1], a convolutional torso
  (the Nature-DQN one of Mnih et al. 2015, or IMPALA's residual one of Espeholt et al. 2018),
  then hidden layers (``hidden_sizes=(512,)`` is the Nature network).
- :class:`DictEncoder`: one torso per key of a Dict observation (images: the Nature torso;
  vectors: standardized and flattened), concatenated, then hidden layers.

A frame stack of ``K`` observations reaches an encoder as the same tree with a leading axis of
``K`` on every leaf: vectors are flattened over it, images stack it into their channels.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray

from apprentice.envs.spaces import ArraySpace, DictSpace, Space, describe
from apprentice.policies.base import ObsNormalizer
from apprentice.policies.mlp import ACTIVATIONS, Activation

NATURE_CONVS = ((32, 8, 4), (64, 4, 2), (64, 3, 1))
"""(channels, kernel, stride) of the Nature-DQN torso (Mnih et al. 2015)."""
IMPALA_CHANNELS = (16, 32, 32)
"""Channels of the three residual stages of the IMPALA torso (Espeholt et al. 2018)."""


class Encoder(eqx.Module):
    """``features = encoder(obs)``: the interface every encoder implements."""

    out_size: eqx.AbstractVar[int]

    @abc.abstractmethod
    def __call__(self, obs: Any) -> Float[Array, " features"]:
        """Features of one observation (or one frame-stacked window of them)."""


class Trunk(eqx.Module):
    """``act(Linear(... act(Linear(x))))``: hidden layers, every one activated (none: identity)."""

    layers: tuple[eqx.nn.Linear, ...]
    activation: Activation = eqx.field(static=True)

    def __init__(self, in_size: int, hidden_sizes: Sequence[int], activation: Activation, *, key: PRNGKeyArray):
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation: expected one of {sorted(ACTIVATIONS)}, got {activation!r}")
        sizes = (in_size, *hidden_sizes)
        keys = jax.random.split(key, max(len(sizes) - 1, 1))
        self.layers = tuple(eqx.nn.Linear(a, b, key=k) for a, b, k in zip(sizes[:-1], sizes[1:], keys))
        self.activation = activation

    def __call__(self, x: Float[Array, " in"]) -> Float[Array, " out"]:
        act = ACTIVATIONS[self.activation]
        for layer in self.layers:
            x = act(layer(x))
        return x


class MLPEncoder(Encoder):
    """``Trunk((obs - mean) / std)`` over the flattened observation."""

    normalizer: ObsNormalizer
    trunk: Trunk
    out_size: int = eqx.field(static=True)

    def __init__(
        self, normalizer: ObsNormalizer, hidden_sizes: Sequence[int], activation: Activation, *, key: PRNGKeyArray
    ):
        self.normalizer = normalizer
        in_size = int(normalizer.mean.size)
        self.trunk = Trunk(in_size, hidden_sizes, activation, key=key)
        self.out_size = int(hidden_sizes[-1]) if hidden_sizes else in_size

    def __call__(self, obs: Array) -> Float[Array, " features"]:
        return self.trunk(self.normalizer(obs))


def as_image(obs: Array, frame_stack: int) -> Float[Array, "C H W"]:
    """``(H, W, C)`` (or ``(K, H, W, C)`` frames) -> float ``(K*C, H, W)``, ``uint8`` scaled by 1/255."""
    x = obs.astype(jnp.float32) / 255.0 if obs.dtype == jnp.uint8 else obs.astype(jnp.float32)
    if frame_stack > 1:
        x = jnp.moveaxis(x, 0, -2).reshape(*x.shape[1:3], -1)  # (K, H, W, C) -> (H, W, K*C)
    return jnp.moveaxis(x, -1, 0)


class NatureTorso(eqx.Module):
    """Three ReLU convolutions (32x8x8 stride 4, 64x4x4 stride 2, 64x3x3 stride 1), flattened."""

    convs: tuple[eqx.nn.Conv2d, ...]
    out_size: int = eqx.field(static=True)

    def __init__(self, image: tuple[int, int, int], *, key: PRNGKeyArray):
        height, width, channels = image
        keys = jax.random.split(key, len(NATURE_CONVS))
        convs = []
        for (out, kernel, stride), k in zip(NATURE_CONVS, keys):
            convs.append(eqx.nn.Conv2d(channels, out, kernel, stride, key=k))
            height, width, channels = (height - kernel) // stride + 1, (width - kernel) // stride + 1, out
            if min(height, width) < 1:
                raise ValueError(
                    f"cnn encoder: image {image[:2]} is too small for the Nature torso; expected at least 36x36"
                )
        self.convs = tuple(convs)
        self.out_size = height * width * channels

    def __call__(self, x: Float[Array, "C H W"]) -> Float[Array, " features"]:
        for conv in self.convs:
            x = jax.nn.relu(conv(x))
        return jnp.ravel(x)


class ResidualBlock(eqx.Module):
    """``x + conv(relu(conv(relu(x))))`` with 3x3 convolutions that keep the shape."""

    conv1: eqx.nn.Conv2d
    conv2: eqx.nn.Conv2d

    def __init__(self, channels: int, *, key: PRNGKeyArray):
        k1, k2 = jax.random.split(key)
        self.conv1 = eqx.nn.Conv2d(channels, channels, 3, padding=1, key=k1)
        self.conv2 = eqx.nn.Conv2d(channels, channels, 3, padding=1, key=k2)

    def __call__(self, x: Array) -> Array:
        return x + self.conv2(jax.nn.relu(self.conv1(jax.nn.relu(x))))


class ImpalaTorso(eqx.Module):
    """Per stage: a 3x3 convolution, 3x3 max-pool of stride 2, two residual blocks; ReLU, flattened."""

    convs: tuple[eqx.nn.Conv2d, ...]
    blocks: tuple[tuple[ResidualBlock, ResidualBlock], ...]
    pool: eqx.nn.MaxPool2d
    out_size: int = eqx.field(static=True)

    def __init__(self, image: tuple[int, int, int], *, key: PRNGKeyArray):
        height, width, channels = image
        convs, blocks = [], []
        for out, k in zip(IMPALA_CHANNELS, jax.random.split(key, len(IMPALA_CHANNELS))):
            kc, kb1, kb2 = jax.random.split(k, 3)
            convs.append(eqx.nn.Conv2d(channels, out, 3, padding=1, key=kc))
            blocks.append((ResidualBlock(out, key=kb1), ResidualBlock(out, key=kb2)))
            height, width, channels = (height + 1) // 2, (width + 1) // 2, out
        self.convs, self.blocks = tuple(convs), tuple(blocks)
        self.pool = eqx.nn.MaxPool2d(3, 2, padding=1)
        self.out_size = height * width * channels

    def __call__(self, x: Float[Array, "C H W"]) -> Float[Array, " features"]:
        for conv, (block1, block2) in zip(self.convs, self.blocks):
            x = block2(block1(self.pool(conv(x))))
        return jnp.ravel(jax.nn.relu(x))


class CNNEncoder(Encoder):
    """``Trunk(torso(image / 255))`` for one image observation."""

    torso: NatureTorso | ImpalaTorso
    trunk: Trunk
    frame_stack: int = eqx.field(static=True)
    out_size: int = eqx.field(static=True)

    def __init__(
        self,
        space: ArraySpace,
        torso: str,
        hidden_sizes: Sequence[int],
        activation: Activation,
        frame_stack: int,
        *,
        key: PRNGKeyArray,
    ):
        if len(space.shape) != 3:
            raise ValueError(f"{torso} encoder: expected image observations (H, W, C), got {describe(space)}")
        torso_key, trunk_key = jax.random.split(key)
        height, width, channels = space.shape
        image = (height, width, channels * frame_stack)
        self.torso = NatureTorso(image, key=torso_key) if torso == "cnn" else ImpalaTorso(image, key=torso_key)
        self.trunk = Trunk(self.torso.out_size, hidden_sizes, activation, key=trunk_key)
        self.frame_stack = frame_stack
        self.out_size = int(hidden_sizes[-1]) if hidden_sizes else self.torso.out_size

    def __call__(self, obs: Array) -> Float[Array, " features"]:
        return self.trunk(self.torso(as_image(obs, self.frame_stack)))


class DictEncoder(Encoder):
    """One torso per key (images: Nature; vectors: standardized, flattened), concatenated, then ``Trunk``."""

    parts: dict[str, NatureTorso | ObsNormalizer]
    trunk: Trunk
    frame_stack: int = eqx.field(static=True)
    out_size: int = eqx.field(static=True)

    def __init__(
        self,
        space: DictSpace,
        normalizers: dict[str, ObsNormalizer | None],
        hidden_sizes: Sequence[int],
        activation: Activation,
        frame_stack: int,
        *,
        key: PRNGKeyArray,
    ):
        keys = jax.random.split(key, len(space.items) + 1)
        parts: dict[str, NatureTorso | ObsNormalizer] = {}
        width = 0
        for (name, sub), k in zip(space.items, keys[1:]):
            if not isinstance(sub, ArraySpace):
                raise ValueError(f"dict encoder: expected arrays under each key, got {describe(sub)} under {name!r}")
            if sub.is_image:
                h, w, c = sub.shape
                parts[name] = torso = NatureTorso((h, w, c * frame_stack), key=k)
                width += torso.out_size
            else:
                normalizer = normalizers[name]
                assert normalizer is not None  # make_encoder gives every vector leaf one
                parts[name] = normalizer
                width += int(normalizer.mean.size)
        self.parts = parts
        self.trunk = Trunk(width, hidden_sizes, activation, key=keys[0])
        self.frame_stack = frame_stack
        self.out_size = int(hidden_sizes[-1]) if hidden_sizes else width

    def __call__(self, obs: dict[str, Array]) -> Float[Array, " features"]:
        pieces = []
        for name, part in self.parts.items():
            if isinstance(part, NatureTorso):
                pieces.append(part(as_image(obs[name], self.frame_stack)))
            else:
                pieces.append(part(obs[name]))
        return self.trunk(jnp.concatenate(pieces))


def vector_normalizer(space: ArraySpace, frame_stack: int, mean: Any = None, std: Any = None) -> ObsNormalizer:
    """A normalizer for one vector leaf (statistics of one frame, tiled over a frame stack)."""
    size = space.size
    mean = jnp.zeros(size) if mean is None else jnp.asarray(mean, jnp.float32).ravel()
    std = jnp.ones(size) if std is None else jnp.asarray(std, jnp.float32).ravel()
    if mean.size != size or std.size != size:
        raise ValueError(f"observation statistics: expected {size} features, got mean {mean.size} and std {std.size}")
    return ObsNormalizer(mean=jnp.tile(mean, frame_stack), std=jnp.tile(std, frame_stack))


def make_encoder(
    kind: str,
    space: Space,
    hidden_sizes: Sequence[int],
    activation: Activation,
    frame_stack: int,
    obs_mean: Any,
    obs_std: Any,
    *,
    key: PRNGKeyArray,
) -> Encoder:
    """The encoder ``kind`` (``mlp``, ``cnn``, ``impala``, ``dict``) for observations of ``space``."""
    if kind == "dict":
        if not isinstance(space, DictSpace):
            raise ValueError(
                f"dict encoder: expected Dict observations, got {describe(space)}; use --encoder mlp or cnn"
            )
        mean, std = obs_mean or {}, obs_std or {}
        # Only vector leaves get a normalizer; DictEncoder rejects nested Dict/Tuple leaves with a clear error.
        normalizers = {
            name: vector_normalizer(sub, frame_stack, mean.get(name), std.get(name))
            if isinstance(sub, ArraySpace) and not sub.is_image
            else None
            for name, sub in space.items
        }
        return DictEncoder(space, normalizers, hidden_sizes, activation, frame_stack, key=key)
    if not isinstance(space, ArraySpace):
        raise ValueError(
            f"{kind} encoder: expected a single array observation, got {describe(space)}; use --encoder dict"
        )
    if kind in ("cnn", "impala"):
        return CNNEncoder(space, kind, hidden_sizes, activation, frame_stack, key=key)
    if kind != "mlp":
        raise ValueError(f"encoder: expected one of 'mlp', 'cnn', 'impala', 'dict', got {kind!r}")
    if space.is_image:
        raise ValueError(f"mlp encoder: observations are images {describe(space)}; pass --encoder cnn (or impala)")
    return MLPEncoder(vector_normalizer(space, frame_stack, obs_mean, obs_std), hidden_sizes, activation, key=key)
