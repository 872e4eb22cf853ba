"""The 64-bit policy of exact tabular work: it runs inside ``jax.enable_x64``, scoped.

Public, for ``apprentice.theory`` and for the layers above that compute exactly on tabular MDPs
(tabular IRL in ``apprentice.algorithms.irl``). The rest of the library trains float32
networks, so JAX's global x64 flag is never flipped.
Public functions that promise exactness wrap their body in ``exact_scope()`` (the scoped
``jax.enable_x64(True)`` context manager of jax >= 0.4.3x), build ``jnp.float64`` arrays inside
it and return numpy float64 arrays, which keep their precision whatever the caller's JAX
configuration is. The pure kernels they call (``*_kernel`` functions) do not enter any scope:
they compute in whatever dtype they are given, so they also work inside a caller's ``jit`` or
``grad`` in float32.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import ArrayLike


@contextlib.contextmanager
def exact_scope() -> Iterator[None]:
    """Enable 64-bit JAX types for the duration of the block only."""
    with jax.enable_x64(True):
        yield


def f64(value: ArrayLike) -> jax.Array:
    """``value`` as a ``jnp.float64`` array; call inside ``exact_scope()``."""
    array = jnp.asarray(value, dtype=jnp.float64)
    if array.dtype != jnp.float64:
        raise RuntimeError("f64 was called outside exact_scope(); 64-bit types are disabled")
    return array


def to_numpy(value: jax.Array) -> np.ndarray:
    """A numpy float64 copy of a JAX array (forces the computation)."""
    return np.asarray(value, dtype=np.float64)
