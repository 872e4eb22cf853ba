"""``ValueNetwork``: scalars of an observation and, optionally, more inputs (an action).

Value functions ``V(s)``, action values ``Q(s, a)``, discriminators ``d(s, a)`` and shaping
potentials ``h(s)`` are all ``MLP(concat(encoder(obs), inputs))``. The encoder is the
policies' own (:func:`~apprentice.policies.encoders.make_encoder`) without hidden layers, so a
vector is only standardized and flattened and an image goes through its CNN torso; the
:class:`~apprentice.policies.architecture.Network`'s hidden layers then see the observation's
features and the extra inputs together. Built by :func:`apprentice.policies.make_value_network`.
"""

from __future__ import annotations

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array, Float

from apprentice.policies.encoders import Encoder
from apprentice.policies.mlp import MLP


class ValueNetwork(eqx.Module):
    """``net(concat(encoder(obs), *inputs))``: ``out_size`` numbers (one for a value or a logit).

    Example:
        >>> value = make_value_network(jax.random.key(0), spec.observation, Network((64, 64), "tanh"))
        >>> value(obs).shape
        (1,)
        >>> q = make_value_network(key, spec.observation, Network(), n_inputs=spec.action_dim)
        >>> q(obs, action)[0]
    """

    encoder: Encoder
    net: MLP

    def __call__(self, obs, *inputs: Array) -> Float[Array, " out"]:
        features = self.encoder(obs)
        if inputs:
            features = jnp.concatenate([features, *(jnp.ravel(x).astype(features.dtype) for x in inputs)])
        return self.net(features)

    def weight_sq_norm(self) -> Float[Array, ""]:
        """Sum of squared weight-matrix entries of the hidden and output layers (the L2 penalty)."""
        return self.net.weight_sq_norm()
