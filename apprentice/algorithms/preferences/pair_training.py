"""The training loop shared by every model fitted to preference pairs of text responses.

DPO, IPO and the explicit reward model differ only in their loss on a batch of pairs; this loop
draws ``batch_size`` pairs at random per step, runs ``chunk`` steps as one jitted ``lax.scan``
with Adam (after global-norm clipping), and records the mean of each statistic per chunk.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax
from jaxtyping import Array, PRNGKeyArray

from apprentice.algorithms.configs.preferences import PairTrainingConfig
from apprentice.progress import progress_bar

PairLoss = Callable[[eqx.Module, dict[str, Array]], tuple[Array, dict[str, Array]]]
"""``(model, batch) -> (loss, statistics)``; ``batch`` holds the same keys as the data, ``batch_size`` rows each."""
ModelT = TypeVar("ModelT", bound=eqx.Module)


def clipped_adam(learning_rate: float, grad_clip: float) -> optax.GradientTransformation:
    """Adam after clipping gradients to global norm ``grad_clip`` (0: no clipping)."""
    adam = optax.adam(learning_rate)
    return optax.chain(optax.clip_by_global_norm(grad_clip), adam) if grad_clip > 0 else adam


def fit_pairs(
    key: PRNGKeyArray,
    model: ModelT,
    data: dict[str, np.ndarray],
    loss_fn: PairLoss,
    config: PairTrainingConfig,
    *,
    description: str,
    progress: bool = True,
) -> tuple[ModelT, list[dict]]:
    """Fit ``model`` by ``loss_fn`` on random batches of ``data``; return it and one history row per chunk.

    ``loss_fn`` is a static argument of the jitted chunk: pass one function object per run (a
    new closure compiles again).
    """
    arrays = {name: jnp.asarray(value) for name, value in data.items()}
    n_pairs = {value.shape[0] for value in arrays.values()}
    if len(n_pairs) != 1:
        raise ValueError(f"data: expected one row per pair in every array, got lengths {sorted(n_pairs)}")
    params, static = eqx.partition(model, eqx.is_array)
    opt_state = config.optimizer().init(params)
    history, done = [], 0
    with progress_bar(config.n_steps, description, enabled=progress) as bar:
        while done < config.n_steps:
            n = min(config.eval_interval, config.n_steps - done)
            key, chunk_key = jax.random.split(key)
            params, opt_state, stats = _train_chunk(params, opt_state, chunk_key, arrays, static, loss_fn, config, n)
            done += n
            row = {"step": done, **{name: float(np.mean(values)) for name, values in stats.items()}}
            history.append(row)
            bar.advance(n, **{name: value for name, value in row.items() if name != "step"})
    return eqx.combine(params, static), history


@functools.partial(jax.jit, static_argnames=("static", "loss_fn", "config", "n_steps"))
def _train_chunk(params, opt_state, key, arrays, static, loss_fn: PairLoss, config: PairTrainingConfig, n_steps: int):
    optimizer = config.optimizer()
    n_pairs = next(iter(arrays.values())).shape[0]

    def step(carry, step_key):
        params, opt_state = carry
        rows = jax.random.randint(step_key, (config.batch_size,), 0, n_pairs)
        batch = {name: value[rows] for name, value in arrays.items()}
        grads, stats = jax.grad(lambda p: loss_fn(eqx.combine(p, static), batch), has_aux=True)(params)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        return (optax.apply_updates(params, updates), opt_state), stats

    (params, opt_state), stats = jax.lax.scan(step, (params, opt_state), jax.random.split(key, n_steps))
    return params, opt_state, stats
