"""A multilayer perceptron with per-layer widths (``eqx.nn.MLP`` has one width for all)."""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray

from apprentice.policies.activation import Activation

ACTIVATIONS = {"relu": jax.nn.relu, "tanh": jnp.tanh, "gelu": jax.nn.gelu}


class MLP(eqx.Module):
    """``Linear -> act -> ... -> Linear``; the output layer has no activation.

    Example:
        >>> net = MLP(4, 2, (64, 64), "relu", key=jax.random.key(0))
        >>> net(jnp.zeros(4)).shape
        (2,)
    """

    layers: tuple[eqx.nn.Linear, ...]
    activation: Activation = eqx.field(static=True)

    def __init__(
        self, in_size: int, out_size: int, hidden_sizes: tuple[int, ...], activation: Activation, *, key: PRNGKeyArray
    ):
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation: expected one of {sorted(ACTIVATIONS)}, got {activation!r}")
        sizes = (in_size, *hidden_sizes, out_size)
        keys = jax.random.split(key, len(sizes) - 1)
        self.layers = tuple(eqx.nn.Linear(a, b, key=k) for a, b, k in zip(sizes[:-1], sizes[1:], keys))
        self.activation = activation

    def __call__(self, x: Float[Array, " in"]) -> Float[Array, " out"]:
        act = ACTIVATIONS[self.activation]
        for layer in self.layers[:-1]:
            x = act(layer(x))
        return self.layers[-1](x)

    def weight_sq_norm(self) -> Float[Array, ""]:
        """Sum of squared weight-matrix entries (biases excluded): the L2 penalty."""
        return sum(jnp.sum(layer.weight**2) for layer in self.layers)  # type: ignore[return-value]  # sum starts at 0
