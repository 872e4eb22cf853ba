"""Cores: the memory between encoder and head, ``(state, features, reset) -> (state, features)``.

:class:`NoCore` is memoryless (its state is an empty tuple and the features pass through);
:class:`GRUCore` and :class:`LSTMCore` carry a hidden state across the steps of an episode. On
``reset`` (the first step of an episode) the state is zeroed before the step, so one scan over a
sequence that spans several episodes never leaks memory from one into the next.
"""

from __future__ import annotations

import abc
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Bool, Float, PRNGKeyArray


class Core(eqx.Module):
    """The interface every core implements."""

    out_size: eqx.AbstractVar[int]

    @abc.abstractmethod
    def initial_state(self) -> Any:
        """The state at the start of an episode (a pytree of arrays; ``()`` when memoryless)."""

    @abc.abstractmethod
    def __call__(self, state: Any, features: Float[Array, " in"], reset: Bool[Array, ""]) -> tuple[Any, Array]:
        """``(next_state, output_features)`` for one step."""

    @property
    def recurrent(self) -> bool:
        return True


def _zero_where(reset: Bool[Array, ""], state: Any, initial: Any) -> Any:
    return jax.tree.map(lambda s, i: jnp.where(reset, i, s), state, initial)


class NoCore(Core):
    """No memory: features pass through unchanged."""

    out_size: int = eqx.field(static=True)

    def initial_state(self) -> tuple:
        return ()

    def __call__(self, state, features, reset):
        return state, features

    @property
    def recurrent(self) -> bool:
        return False


class GRUCore(Core):
    """A gated recurrent unit (Cho et al. 2014): ``h_t = GRU(h_{t-1}, x_t)``, output ``h_t``."""

    cell: eqx.nn.GRUCell
    out_size: int = eqx.field(static=True)

    def __init__(self, in_size: int, hidden_size: int, *, key: PRNGKeyArray):
        self.cell = eqx.nn.GRUCell(in_size, hidden_size, key=key)
        self.out_size = hidden_size

    def initial_state(self) -> Float[Array, " hidden"]:
        return jnp.zeros(self.out_size)

    def __call__(self, state, features, reset):
        hidden = self.cell(features, _zero_where(reset, state, self.initial_state()))
        return hidden, hidden


class LSTMCore(Core):
    """A long short-term memory (Hochreiter & Schmidhuber 1997): state ``(h, c)``, output ``h``."""

    cell: eqx.nn.LSTMCell
    out_size: int = eqx.field(static=True)

    def __init__(self, in_size: int, hidden_size: int, *, key: PRNGKeyArray):
        self.cell = eqx.nn.LSTMCell(in_size, hidden_size, key=key)
        self.out_size = hidden_size

    def initial_state(self) -> tuple[Array, Array]:
        return jnp.zeros(self.out_size), jnp.zeros(self.out_size)

    def __call__(self, state, features, reset):
        hidden, cell = self.cell(features, _zero_where(reset, state, self.initial_state()))
        return (hidden, cell), hidden


def make_core(kind: str, in_size: int, hidden_size: int, *, key: PRNGKeyArray) -> Core:
    """The core ``kind`` (``none``, ``gru``, ``lstm``) over features of ``in_size``."""
    if kind == "none":
        return NoCore(out_size=in_size)
    if hidden_size < 1:
        raise ValueError(f"core_size: expected a positive integer, got {hidden_size}")
    if kind == "gru":
        return GRUCore(in_size, hidden_size, key=key)
    if kind == "lstm":
        return LSTMCore(in_size, hidden_size, key=key)
    raise ValueError(f"core: expected one of 'none', 'gru', 'lstm', got {kind!r}")
