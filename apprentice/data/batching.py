"""Minibatch index plans: a random permutation cut into full batches, padded with a sentinel.

The same plan drives both the jitted training epoch (gathering on device) and the host-side
iterator, so every sample is seen exactly once per epoch and no sample is dropped.
"""

from __future__ import annotations

from collections.abc import Iterator

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Int, PRNGKeyArray

from apprentice.data.trajectory import Transitions


def n_batches(n_samples: int, batch_size: int) -> int:
    """Number of batches in an epoch: ``ceil(n_samples / batch_size)``."""
    if batch_size <= 0:
        raise ValueError(f"batch_size: expected a positive integer, got {batch_size}")
    return -(-n_samples // batch_size)


def minibatch_indices(key: PRNGKeyArray, n_samples: int, batch_size: int) -> Int[Array, "batches batch"]:
    """A permutation of ``range(n_samples)`` shaped ``(n_batches, batch_size)``.

    The last batch is padded with the index ``n_samples``, which callers map to a zero-weight
    sentinel row; ``n_samples`` and ``batch_size`` must be static under ``jit``.
    """
    total = n_batches(n_samples, batch_size) * batch_size
    order = jax.random.permutation(key, n_samples)
    padded = jnp.concatenate([order, jnp.full(total - n_samples, n_samples, order.dtype)])
    return padded.reshape(-1, batch_size)


def iterate_minibatches(key: PRNGKeyArray, data: Transitions, batch_size: int) -> Iterator[Transitions]:
    """Yield shuffled minibatches of ``data`` (the last may be smaller), as numpy ``Transitions``.

    Example:
        >>> for batch in iterate_minibatches(jax.random.key(0), transitions, 64):
        ...     print(len(batch))
    """
    plan = np.asarray(minibatch_indices(key, len(data), batch_size))
    for row in plan:
        idx = row[row < len(data)]
        yield data.take(idx)
