"""The names of the hidden-layer nonlinearities (see :mod:`apprentice.policies.mlp`).

A module of its own, importing no jax, so that algorithm configs (and ``apprentice ... --help``)
can name the choices without loading the networks.
"""

from typing import Literal

Activation = Literal["relu", "tanh", "gelu"]
