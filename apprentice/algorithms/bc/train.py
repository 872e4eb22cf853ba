"""Behavior cloning: config, the jitted epoch, early stopping on a validation split."""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax
from jaxtyping import PRNGKeyArray

from apprentice.algorithms.bc.losses import LossSettings, bc_loss, validation_score
from apprentice.algorithms.bc.weights import return_weights
from apprentice.algorithms.configs.bc import BCConfig
from apprentice.data.augmentation import GaussianObsNoise
from apprentice.data.batching import minibatch_indices, n_batches
from apprentice.data.trajectory import Trajectory, Transitions, flatten, split_episode_indices
from apprentice.envs.spec import EnvSpec, require_data_matches
from apprentice.policies.base import Policy
from apprentice.policies.build import PolicyArchitecture, make_policy, observation_stats
from apprentice.progress import progress_bar


MIN_VALIDATION_WEIGHT = 1e-3
"""Below this mean per-sample weight (the training data's mean is 1) a validation split is
ignored: under reward weighting it would measure only demonstrations the objective discards."""


@dataclass(frozen=True)
class BCResult:
    """A trained policy with everything needed to save, evaluate and rerun it."""

    policy: Policy
    architecture: PolicyArchitecture
    spec: EnvSpec
    history: list[dict] = field(default_factory=list)
    """One row per epoch: ``epoch``, ``train_loss``, ``val_score`` (what early stopping watches, see
    :func:`~apprentice.algorithms.bc.losses.validation_score`), ``gradient_steps``, ``seconds``."""
    best_epoch: int = 0
    """Epoch whose parameters were kept (lowest validation loss, or the last)."""


@dataclass(frozen=True)
class EpochSettings:
    """Everything static about a training epoch: it keys the compilation cache of :func:`train_epoch`."""

    loss: LossSettings
    learning_rate: float
    batch_size: int
    n_samples: int
    """Rows the epoch's data holds (before the sentinel row)."""
    augment: Callable | None = None
    padded: bool = False
    """Whether rows past the real ones may be padding (``train(capacity=...)``): the plan then
    puts the real rows first and steps whose batch holds none are skipped. Without padding the
    epoch is a plain scan, without those conditionals (about 3% faster on bench speed's workload)."""


def train(
    key: PRNGKeyArray,
    config: BCConfig,
    demos: Sequence[Trajectory] | Transitions,
    spec: EnvSpec,
    *,
    validation: Transitions | None = None,
    init_policy: Policy | None = None,
    augment: Callable | None = None,
    progress: bool = True,
    capacity: int | None = None,
) -> BCResult:
    """Train a policy by behavior cloning on ``demos`` for the env described by ``spec``.

    Trajectories are split by episode into train and validation (``config.validation_fraction``)
    and can be reward-weighted; ``Transitions`` are used whole, with ``validation`` if given.
    Each epoch is one jitted ``lax.scan`` over shuffled minibatches. With a validation set the
    parameters of the best validation epoch are returned.

    Args:
        init_policy: start from this policy's parameters and observation normalizer (a warm
            start, as DAgger's rounds may use) instead of a fresh initialization.
        augment: a hashable ``augment(key, obs_batch) -> obs_batch`` applied to every training
            minibatch (see :mod:`apprentice.data.augmentation`); ``config.obs_noise > 0`` builds
            a :class:`~apprentice.data.augmentation.GaussianObsNoise` when none is given.
        capacity: pad the training data with zero-weight rows to this many, so that calls on
            datasets that grow up to it share one compiled epoch (DAgger's rounds pass their
            label budget); the result is the same as without padding.

    Example:
        >>> demos = rollout(experts.load("CartPole-v1"), "CartPole-v1", n_episodes=10)
        >>> result = train(jax.random.key(0), BCConfig(), demos, env_spec("CartPole-v1"))
    """
    split_key, init_key, train_key = jax.random.split(key, 3)
    train_data, validation = _prepare_data(split_key, config, demos, validation)
    require_data_matches(spec, train_data, "training data")
    loss_name = config.loss_for(spec)
    _require_loss_fits(loss_name, spec, train_data)
    mean, std = observation_stats(train_data.obs) if config.normalize_obs else (None, None)
    architecture = config.architecture_for(spec)
    policy = make_policy(init_key, spec, architecture, mean, std) if init_policy is None else init_policy
    if augment is None and config.obs_noise > 0:
        feature_std = observation_stats(train_data.obs)[1]
        augment = GaussianObsNoise(scale=tuple(float(config.obs_noise * s) for s in feature_std))
    settings = EpochSettings(
        loss=LossSettings(loss_name, config.l2_coef, config.entropy_coef),
        learning_rate=config.learning_rate,
        batch_size=min(config.batch_size, len(train_data)),
        n_samples=max(len(train_data), capacity or 0),
        augment=augment,
        padded=capacity is not None,
    )
    params, static = eqx.partition(policy, eqx.is_array)
    opt_state = optax.adam(config.learning_rate).init(params)
    if train_data.weights.sum() <= 0:
        raise ValueError(f"weights: expected at least one positive per-sample weight, got all {len(train_data)} zero")
    weight_scale = 1.0 / float(train_data.weights.mean())
    device_data = epoch_arrays(train_data, spec, weight_scale, capacity=settings.n_samples)
    if validation is not None and validation.weights.mean() * weight_scale < MIN_VALIDATION_WEIGHT:
        validation = None  # held-out episodes that weigh ~0 say nothing about the weighted objective
    device_val = None if validation is None else epoch_arrays(validation, spec, weight_scale)
    history, best = [], (np.inf, params, 0)
    steps_per_epoch = n_batches(len(train_data), settings.batch_size)
    n_epochs = max(config.n_epochs, -(-config.min_gradient_steps // steps_per_epoch))
    start = time.perf_counter()
    with progress_bar(n_epochs, "behavior cloning", enabled=progress) as bar:
        for epoch in range(1, n_epochs + 1):
            train_key, epoch_key = jax.random.split(train_key)
            params, opt_state, train_loss = train_epoch(params, opt_state, epoch_key, device_data, static, settings,
                                                        len(train_data))
            row = {"epoch": epoch, "train_loss": float(train_loss), "gradient_steps": epoch * steps_per_epoch}
            if device_val is not None:
                row["val_score"] = float(validation_score_jit(params, device_val, static, settings.loss))
            row["seconds"] = time.perf_counter() - start
            history.append(row)
            bar.advance(1, train=row["train_loss"], **({"val": row["val_score"]} if "val_score" in row else {}))
            score = row.get("val_score", -epoch)  # without validation the latest epoch is kept
            if score < best[0]:
                best = (score, params, epoch)
            elif config.patience and epoch - best[2] >= config.patience:
                break
    policy = eqx.combine(best[1], static)
    return BCResult(policy=policy, architecture=architecture, spec=spec, history=history, best_epoch=best[2])


def train_epoch(params, opt_state, key, data, static, settings: EpochSettings, n_samples: int | None = None):
    """One pass over ``data`` in shuffled minibatches: ``(params, opt_state, mean_batch_loss)``.

    ``data`` holds ``settings.n_samples`` rows plus one zero-weight sentinel row that pads the
    last batch. With ``settings.padded`` only its first ``n_samples`` rows are real and the rest
    are zero-weight padding, so a dataset that grows inside a fixed capacity (DAgger's rounds,
    see ``train(capacity=...)``) reuses one compiled epoch, whose batches past the real rows are
    skipped, not computed. Compiled once per (policy structure, settings).
    """
    n_samples = settings.n_samples if n_samples is None else n_samples
    if not 0 < n_samples <= settings.n_samples or (n_samples < settings.n_samples and not settings.padded):
        raise ValueError(f"n_samples: expected 1..{settings.n_samples} (the rows data holds; fewer only with "
                         f"settings.padded), got {n_samples}")
    return epoch_scan(params, opt_state, key, data, jnp.int32(n_samples), static, settings)


def shuffled_plan(key, n_real, capacity: int, batch_size: int):
    """Minibatch indices ``(n_batches(capacity), batch_size)`` and which batches hold real rows.

    The first ``n_real`` entries are a random permutation of the real rows (the real rows of
    ``permutation(key, capacity)``, in its order), then come padding indices (all ``>= n_real``:
    zero-weight rows). ``n_real`` may be traced. When it equals ``capacity`` the plan is exactly
    :func:`~apprentice.data.batching.minibatch_indices` (and so ``iterate_minibatches(key)``);
    with padding it is too on jax 0.10, whose permutation orders any prefix of indices the same
    whatever the length (tested: padded epochs equal unpadded ones).
    """
    order = jax.random.permutation(key, capacity)
    order = jax.lax.cond(n_real < capacity, lambda o: o[jnp.argsort(o >= n_real, stable=True)], lambda o: o, order)
    total = n_batches(capacity, batch_size)
    plan = jnp.concatenate([order, jnp.full(total * batch_size - capacity, capacity, order.dtype)]).reshape(total, batch_size)
    return plan, jnp.arange(total) * batch_size < n_real


@functools.partial(jax.jit, static_argnames=("static", "settings"))
def epoch_scan(params, opt_state, key, data, n_real, static, settings: EpochSettings):
    """The jitted epoch of :func:`train_epoch`: Adam steps over the batches of the real rows; the
    mean loss is over those batches."""
    optimizer = optax.adam(settings.learning_rate)
    if settings.padded:
        plan, active = shuffled_plan(key, n_real, settings.n_samples, settings.batch_size)
    else:
        plan = minibatch_indices(key, settings.n_samples, settings.batch_size)  # as iterate_minibatches(key)
        active = jnp.ones(plan.shape[0], bool)
    augment_key = jax.random.fold_in(key, 1)
    # One gather of the whole shuffled epoch up front: measured ~3% more steps/s than a
    # gather inside every scan step (apprentice bench speed, 256x256 MLP, batch 256).
    batches = jax.tree.map(lambda x: x[plan], data)
    batches["key"] = jax.random.split(augment_key, plan.shape[0])

    def step(carry, inputs):
        batch, is_real = inputs

        def update(carry):
            params, opt_state = carry
            augmented = batch if settings.augment is None else {**batch, "obs": settings.augment(batch["key"], batch["obs"])}
            loss_fn = lambda p: bc_loss(eqx.combine(p, static), augmented, settings.loss)  # noqa: E731
            (loss, _), grads = jax.value_and_grad(loss_fn, has_aux=True)(params)
            updates, opt_state = optimizer.update(grads, opt_state, params)
            return (optax.apply_updates(params, updates), opt_state), loss.astype(jnp.float32)

        if not settings.padded:
            return update(carry)
        return jax.lax.cond(is_real, update, lambda carry: (carry, jnp.zeros((), jnp.float32)), carry)

    (params, opt_state), losses = jax.lax.scan(step, (params, opt_state), (batches, active))
    return params, opt_state, jnp.sum(losses) / jnp.sum(active)


@functools.partial(jax.jit, static_argnames=("static", "settings"))
def validation_score_jit(params, data, static, settings: LossSettings):
    """:func:`~apprentice.algorithms.bc.losses.validation_score` over all of ``data``, jitted."""
    return validation_score(eqx.combine(params, static), data, settings)


def _prepare_data(key, config, demos, validation) -> tuple[Transitions, Transitions | None]:
    if isinstance(demos, Transitions):
        return demos, validation
    demos = list(demos)
    if not demos:
        raise ValueError("demos: expected at least one trajectory, got an empty dataset")
    if validation is not None:
        raise ValueError("validation: pass it only with Transitions; trajectories are split by episode")
    seed = int(jax.random.randint(key, (), 0, 2**31 - 1))
    # Weights are relative to the whole dataset (its best return, its spread), so they are
    # computed before the split: validation then measures the same weighted objective.
    returns = np.array([t.episode_return for t in demos])
    weights = return_weights(returns, config.weighting, config.rwr_temperature)
    train_ids, val_ids = split_episode_indices(len(demos), config.validation_fraction, seed)
    train_data = flatten([demos[i] for i in train_ids], weights[train_ids])
    if not val_ids:
        return train_data, None
    return train_data, flatten([demos[i] for i in val_ids], weights[val_ids])


def _require_loss_fits(loss: LossName, spec: EnvSpec, data: Transitions) -> None:
    if loss == "cross_entropy" and spec.action_kind != "discrete":
        raise ValueError(
            f"loss 'cross_entropy' expects discrete actions, but {spec.env_id or 'the env'} has continuous actions; "
            "use 'gaussian_nll' or 'mse'"
        )
    if loss in ("gaussian_nll", "mse") and spec.action_kind == "discrete":
        head = HEAD_OF_LOSS[loss]
        raise ValueError(
            f"loss {loss!r} (a {head} head) expects continuous actions, but the data has discrete "
            f"{data.acts.dtype} actions for {spec.env_id or 'a discrete env'}; use 'cross_entropy'"
        )


def epoch_arrays(data: Transitions, spec: EnvSpec, weight_scale: float = 1.0, capacity: int = 0) -> dict[str, jax.Array]:
    """Arrays for the jitted epoch: the rows of ``data``, zero-weight padding rows up to
    ``capacity``, and one zero-weight sentinel row (at index ``max(len(data), capacity)``).

    Weights are multiplied by ``weight_scale`` (the training set's ``1 / mean weight``, so that
    training and validation losses are on one scale).
    """
    n = len(data)
    obs = data.obs.reshape(n, -1).astype(np.float32)
    if spec.action_kind == "discrete" and data.acts.ndim == 1:
        acts = data.acts.astype(np.int32)
    else:
        acts = data.acts.reshape(n, -1).astype(np.float32)
    weights = (data.weights * weight_scale).astype(np.float32)
    arrays = {"obs": obs, "acts": acts, "weights": weights, "mask": np.ones(n, np.float32)}
    padding = max(capacity - n, 0) + 1
    return {k: jnp.asarray(np.concatenate([v, np.zeros((padding, *v.shape[1:]), v.dtype)])) for k, v in arrays.items()}
