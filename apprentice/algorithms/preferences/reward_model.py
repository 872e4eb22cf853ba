"""Fit a reward model to pairwise preferences by the Bradley-Terry likelihood (Christiano et al. 2017).

    min_theta  E_(x, y_w, y_l) [ -log sigmoid(r_theta(x, y_w) - r_theta(x, y_l)) ]

with the options of :func:`~apprentice.algorithms.preferences.losses.bradley_terry_loss` (margin,
soft labels, centering). The model is any Equinox module called as ``model(item)``, or
``model(item, context)`` when the data has contexts, returning a scalar; :class:`RewardMLP` is
the default. Each epoch is one jitted ``lax.scan`` over shuffled minibatches (as BC's).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax
from jaxtyping import Array, Float, PRNGKeyArray

from apprentice.algorithms.configs.preferences import RewardModelConfig
from apprentice.algorithms.preferences.losses import bradley_terry_loss, preference_accuracy
from apprentice.data.batching import minibatch_indices
from apprentice.data.preferences import Preferences
from apprentice.policies.mlp import MLP, Activation
from apprentice.progress import progress_bar


class RewardMLP(eqx.Module):
    """``r(x, y) = f([phi(y), phi(x)])``: an MLP on the flattened item (and context) features.

    ``phi`` flattens float arrays; integer arrays (discrete ids, token sequences) are one-hot
    encoded with ``vocab_size`` first, so a token sequence of length ``L`` becomes ``L * vocab_size``
    features (a position-aware bag of tokens). ``hidden_sizes=()`` is a linear reward.

    Example:
        >>> model = RewardMLP((3,), hidden_sizes=(16,), key=jax.random.key(0))
        >>> model(jnp.ones(3)).shape
        ()
    """

    net: MLP
    vocab_size: int | None = eqx.field(static=True)

    def __init__(
        self,
        item_shape: tuple[int, ...],
        *,
        context_shape: tuple[int, ...] | None = None,
        vocab_size: int | None = None,
        hidden_sizes: tuple[int, ...] = (64, 64),
        activation: Activation = "relu",
        key: PRNGKeyArray,
    ):
        width = lambda shape: int(np.prod(shape, dtype=int)) * (vocab_size or 1)  # noqa: E731
        n_features = width(item_shape) + (0 if context_shape is None else width(context_shape))
        self.vocab_size = vocab_size
        self.net = MLP(n_features, 1, tuple(hidden_sizes), activation, key=key)

    def features(self, x: Array) -> Float[Array, " features"]:
        if jnp.issubdtype(x.dtype, jnp.integer):
            if self.vocab_size is None:
                raise ValueError(
                    f"RewardMLP: integer items need vocab_size for one-hot features, got {x.dtype} with vocab_size None"
                )
            return jax.nn.one_hot(x, self.vocab_size).ravel()
        return jnp.ravel(x).astype(jnp.float32)

    def __call__(self, item: Array, context: Array | None = None) -> Float[Array, ""]:
        features = self.features(item)
        if context is not None:
            features = jnp.concatenate([features, self.features(context)])
        return self.net(features)[0]


class SegmentReturn(eqx.Module):
    """``R(sigma) = sum_t r(o_t, a_t)``: a per-step reward summed over a trajectory segment.

    Christiano et al. 2017 compare segments ``sigma = (o_0, a_0), ..., (o_{k-1}, a_{k-1})`` by
    ``P(sigma_1 > sigma_2) = sigmoid(R(sigma_1) - R(sigma_2))`` with this sum, so the learned
    ``step_reward`` is a per-step reward an RL learner can use. Items are ``(k, *step_shape)``.

    Example:
        >>> model = SegmentReturn(RewardMLP((4,), hidden_sizes=(16,), key=jax.random.key(0)))
        >>> model(jnp.ones((25, 4))).shape  # a 25-step segment of 4 features per step
        ()
    """

    step_reward: Callable[..., Float[Array, ""]]

    def __call__(self, segment: Array, context: Array | None = None) -> Float[Array, ""]:
        if context is None:
            return jnp.sum(jax.vmap(self.step_reward)(segment))
        return jnp.sum(jax.vmap(self.step_reward, in_axes=(0, None))(segment, context))


@dataclass(frozen=True)
class RewardModelResult:
    """The trained reward model and its learning curve."""

    model: eqx.Module
    metrics: list[dict] = field(default_factory=list)
    """One row per epoch: ``epoch``, ``train_loss`` (mean minibatch loss), ``train_accuracy`` and,
    with held-out pairs, ``held_out_loss`` and ``held_out_accuracy``; ``seconds``."""
    held_out_accuracy: float | None = None
    """Accuracy of the returned model on the held-out pairs (``None`` without any)."""


@dataclass(frozen=True)
class LossSettings:
    """The hashable part of the objective (a static argument of the jitted epoch)."""

    margin: float = 0.0
    centering_coef: float = 0.0
    soft_labels: bool = True


def rewards_of(model: Callable, items: Array, contexts: Array | None) -> Float[Array, " n"]:
    """``r(x_i, y_i)`` for each row: ``model(item)`` or ``model(item, context)``, vmapped."""
    if contexts is None:
        return jax.vmap(model)(items)
    return jax.vmap(model)(items, contexts)


def reward_model_loss(
    model: Callable, batch: dict[str, Array], settings: LossSettings
) -> tuple[Float[Array, ""], dict[str, Float[Array, ""]]]:
    """``(loss, aux)``: the masked Bradley-Terry loss of ``model`` on ``batch`` and its accuracy.

    ``batch`` holds ``chosen``, ``rejected``, ``probability`` and ``mask`` (0 on padding rows),
    and ``context`` when the data has contexts.
    """
    context = batch.get("context")
    chosen, rejected = rewards_of(model, batch["chosen"], context), rewards_of(model, batch["rejected"], context)
    loss = bradley_terry_loss(
        chosen,
        rejected,
        margin=settings.margin,
        probability=batch["probability"] if settings.soft_labels else None,
        centering_coef=settings.centering_coef,
        mask=batch["mask"],
    )
    return loss, {"accuracy": preference_accuracy(chosen, rejected, mask=batch["mask"])}


def preference_arrays(data: Preferences) -> dict[str, Array]:
    """Device arrays of ``data`` plus one all-zero sentinel row (``mask = 0``) at index ``len(data)``."""
    arrays = {
        "chosen": data.chosen,
        "rejected": data.rejected,
        "probability": data.labels(),
        "mask": np.ones(len(data), np.float32),
    }
    if data.context is not None:
        arrays["context"] = data.context
    return {k: jnp.asarray(np.concatenate([v, np.zeros((1, *v.shape[1:]), v.dtype)])) for k, v in arrays.items()}


def train(
    key: PRNGKeyArray,
    config: RewardModelConfig,
    data: Preferences,
    *,
    held_out: Preferences | None = None,
    model: eqx.Module | None = None,
    progress: bool = True,
) -> RewardModelResult:
    """Fit a reward model to ``data`` by minimizing the Bradley-Terry loss with Adam.

    Without ``held_out``, ``config.held_out_fraction`` of the pairs are held out (randomly, by
    ``key``). The model of the last epoch is returned.

    Args:
        model: start from this module (any ``model(item[, context]) -> scalar``); default a fresh
            :class:`RewardMLP` sized for ``data``.

    Example:
        >>> data = bradley_terry_preferences(jax.random.key(0), lambda y: y @ w, first, second)
        >>> result = train(jax.random.key(1), RewardModelConfig(hidden_sizes=()), data)
        >>> result.held_out_accuracy
    """
    if not isinstance(data, Preferences):
        raise ValueError(f"data: expected a Preferences dataset, got {type(data).__name__}")
    split_key, init_key, train_key = jax.random.split(key, 3)
    if held_out is None:
        data, held_out = data.split(split_key, config.held_out_fraction)
    elif held_out.item_shape != data.item_shape or (held_out.context is None) != (data.context is None):
        raise ValueError(
            f"held_out: expected items of shape {data.item_shape} like data"
            f"{' with' if data.context is not None else ' without'} contexts, got items of shape "
            f"{held_out.item_shape}{' with' if held_out.context is not None else ' without'} contexts"
        )
    if model is None:
        model = RewardMLP(
            data.item_shape,
            context_shape=None if data.context is None else data.context.shape[1:],
            vocab_size=config.vocab_size,
            hidden_sizes=config.hidden_sizes,
            activation=config.activation,
            key=init_key,
        )
    settings = LossSettings(config.margin, config.centering_coef, config.soft_labels)
    batch_size = min(config.batch_size, len(data))
    params, static = eqx.partition(model, eqx.is_array)
    opt_state = optax.adam(config.learning_rate).init(params)
    device_data = preference_arrays(data)
    device_held_out = None if held_out is None else preference_arrays(held_out)
    history, start = [], time.perf_counter()
    with progress_bar(config.n_epochs, "reward model", enabled=progress) as bar:
        for epoch in range(1, config.n_epochs + 1):
            train_key, epoch_key = jax.random.split(train_key)
            params, opt_state, train_loss, train_accuracy = train_epoch(
                params, opt_state, epoch_key, device_data, static, settings, config.learning_rate, batch_size, len(data)
            )
            row = {"epoch": epoch, "train_loss": float(train_loss), "train_accuracy": float(train_accuracy)}
            if device_held_out is not None:
                loss, aux = evaluate(params, device_held_out, static, settings)
                row["held_out_loss"], row["held_out_accuracy"] = float(loss), float(aux["accuracy"])
            row["seconds"] = time.perf_counter() - start
            history.append(row)
            bar.advance(1, loss=row["train_loss"])
    return RewardModelResult(
        model=eqx.combine(params, static), metrics=history, held_out_accuracy=history[-1].get("held_out_accuracy")
    )


@functools.partial(jax.jit, static_argnames=("static", "settings", "learning_rate", "batch_size", "n_pairs"))
def train_epoch(
    params, opt_state, key, data, static, settings: LossSettings, learning_rate: float, batch_size: int, n_pairs: int
):
    """One pass over the ``n_pairs`` pairs of ``data`` in shuffled minibatches (a ``lax.scan``):
    ``(params, opt_state, mean_batch_loss, mean_batch_accuracy)``."""
    optimizer = optax.adam(learning_rate)
    plan = minibatch_indices(key, n_pairs, batch_size)
    batches = jax.tree.map(lambda x: x[plan], data)

    def step(carry, batch):
        params, opt_state = carry
        loss_fn = lambda p: reward_model_loss(eqx.combine(p, static), batch, settings)  # noqa: E731
        (loss, aux), grads = jax.value_and_grad(loss_fn, has_aux=True)(params)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        return (optax.apply_updates(params, updates), opt_state), (loss, aux["accuracy"])

    (params, opt_state), (losses, accuracies) = jax.lax.scan(step, (params, opt_state), batches)
    return params, opt_state, jnp.mean(losses), jnp.mean(accuracies)


@functools.partial(jax.jit, static_argnames=("static", "settings"))
def evaluate(params, data, static, settings: LossSettings):
    """``(loss, {"accuracy": ...})`` of the model on all of ``data`` (sentinel row masked out)."""
    return reward_model_loss(eqx.combine(params, static), data, settings)
