"""Behavior cloning: config, the jitted epoch, early stopping on a validation split."""

from __future__ import annotations

import dataclasses
import functools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax
from jaxtyping import PRNGKeyArray

from apprentice.algorithms.bc.losses import HEAD_OF_LOSS, LossName, LossSettings, bc_loss, validation_score
from apprentice.algorithms.bc.weights import return_weights
from apprentice.algorithms.configs.bc import BCConfig
from apprentice.data import trees
from apprentice.data.augmentation import GaussianObsNoise
from apprentice.data.batching import minibatch_indices, n_batches
from apprentice.data.sequences import SequenceChunks, sequence_chunks
from apprentice.data.trajectory import Trajectory, Transitions, flatten, split_episode_indices
from apprentice.data.validation import require_actions
from apprentice.envs.spec import EnvSpec, require_data_matches
from apprentice.policies.architecture import PolicyArchitecture
from apprentice.policies.base import Policy
from apprentice.policies.build import make_policy, observation_stats
from apprentice.policies.chunking import chunk_spec, chunk_targets
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
    metrics: list[dict] = field(default_factory=list)
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
    host_loop: bool = False
    """Run the epoch's steps from a host loop (:func:`epoch_loop`), for policies with convolutions."""


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
    and can be reward-weighted; a step whose ``infos["labeled"]`` is False (an interactive
    learner's step the expert did not label) carries no loss (a stateful policy still reads it);
    ``Transitions`` are used whole, with ``validation`` if given (they
    have no episodes: a ``weighting`` or ``validation_fraction`` with them is an error).
    Each epoch is one jitted ``lax.scan`` over shuffled minibatches. With a validation set the
    parameters of the best validation epoch are returned.

    Args:
        init_policy: start from this policy's parameters and observation normalizer (a warm
            start, as DAgger's rounds may use) instead of a fresh initialization; it must have
            the structure the config's architecture builds.
        augment: a hashable ``augment(key, obs_batch) -> obs_batch`` applied to every training
            minibatch (see :mod:`apprentice.data.augmentation`); ``config.obs_noise > 0`` builds
            a :class:`~apprentice.data.augmentation.GaussianObsNoise` instead (not both).
        capacity: pad the training data with zero-weight rows to this many, so that calls on
            datasets that grow up to it share one compiled epoch (DAgger's rounds pass their
            label budget); the result is the same as without padding.

    Example:
        >>> demos = rollout(experts.load("CartPole-v1"), "CartPole-v1", n_episodes=10)
        >>> result = train(jax.random.key(0), BCConfig(), demos, env_spec("CartPole-v1"))
    """
    require_actions(demos, "bc")
    split_key, init_key, train_key = jax.random.split(key, 3)
    architecture = config.architecture_for(spec) if init_policy is None else init_policy.architecture
    if architecture.stateful and isinstance(demos, Transitions):
        raise ValueError(
            f"a policy with core={architecture.core!r} and frame_stack={architecture.frame_stack} learns from "
            "sequences: expected trajectories (episode boundaries), got shuffled Transitions"
        )
    data_spec = spec
    if architecture.chunk > 1 and not isinstance(demos, Transitions):  # targets: the next `chunk` expert actions
        data_spec = chunk_spec(spec, architecture.chunk, flat=False)
        demos = [dataclasses.replace(t, actions=chunk_targets(t.actions, architecture.chunk)) for t in demos]
    flat_data, validation = _prepare_data(split_key, config, demos, validation)
    require_data_matches(data_spec, flat_data, "training data")
    loss_name = config.loss_for(spec)
    _require_loss_fits(loss_name, spec, flat_data)
    mean, std = observation_stats(flat_data.obs) if config.normalize_obs else (None, None)
    if init_policy is None:
        policy = make_policy(init_key, spec, architecture, mean, std)
    else:
        _require_same_structure(init_policy, config.architecture_for(spec))
        policy = init_policy
    if augment is not None and config.obs_noise > 0:
        raise ValueError(
            f"obs_noise={config.obs_noise} builds an augmentation, but augment= was passed too; expected one of them"
        )
    if augment is None and config.obs_noise > 0:
        feature_std = observation_stats(flat_data.obs)[1]
        augment = GaussianObsNoise(scale=tuple(float(config.obs_noise * s) for s in feature_std))
    train_data: Transitions | SequenceChunks = flat_data
    if architecture.stateful:
        train_data, validation = _prepare_sequences(split_key, config, demos, architecture)
    settings = EpochSettings(
        loss=LossSettings(loss_name, config.l2_coef, config.entropy_coef),
        learning_rate=config.learning_rate,
        batch_size=min(_rows_per_batch(config, train_data), len(train_data)),
        n_samples=max(len(train_data), capacity or 0),
        augment=augment,
        padded=capacity is not None,
        host_loop=has_convolutions(policy),
    )
    params, static = eqx.partition(policy, eqx.is_array)
    opt_state = optax.adam(config.learning_rate).init(params)
    if train_data.weights.sum() <= 0:
        raise ValueError(f"weights: expected at least one positive per-sample weight, got all {len(train_data)} zero")
    weight_scale = 1.0 / _mean_weight(train_data)
    device_data = epoch_arrays(train_data, data_spec, weight_scale, capacity=settings.n_samples)
    if validation is not None and _mean_weight(validation) * weight_scale < MIN_VALIDATION_WEIGHT:
        validation = None  # held-out episodes that weigh ~0 say nothing about the weighted objective
    device_val = None if validation is None else epoch_arrays(validation, data_spec, weight_scale)
    history, best = [], (np.inf, params, 0)
    steps_per_epoch = n_batches(len(train_data), settings.batch_size)
    n_epochs = max(config.n_epochs, -(-config.min_gradient_steps // steps_per_epoch))
    start = time.perf_counter()
    with progress_bar(n_epochs, "behavior cloning", enabled=progress) as bar:

        def record(done: _DispatchedEpoch) -> bool:
            """Read ``done``'s numbers (waiting for it), log its row; whether training stops after it."""
            nonlocal best
            row = {
                "epoch": done.epoch,
                "train_loss": float(done.train_loss),
                "gradient_steps": done.epoch * steps_per_epoch,
            }
            if done.val_score is not None:
                row["val_score"] = float(done.val_score)
            row["seconds"] = time.perf_counter() - start
            history.append(row)
            bar.advance(1, train=row["train_loss"], **({"val": row["val_score"]} if "val_score" in row else {}))
            score = row.get("val_score", -done.epoch)  # without validation the latest epoch is kept
            if score < best[0]:
                best = (score, done.params, done.epoch)
                return False
            return bool(config.patience) and done.epoch - best[2] >= config.patience

        # Epoch k + 1 is dispatched before epoch k's numbers are read, so the device is not idle
        # while the host logs; only when epoch k may end training (patience) is it read first,
        # so no epoch is computed that the loop without look-ahead would not compute.
        pending: _DispatchedEpoch | None = None
        for epoch in range(1, n_epochs + 1):
            if pending is not None and config.patience and pending.epoch - best[2] >= config.patience:
                if record(pending):
                    pending = None
                    break
                pending = None
            train_key, epoch_key = jax.random.split(train_key)
            params, opt_state, train_loss = train_epoch(
                params, opt_state, epoch_key, device_data, static, settings, len(train_data)
            )
            val_score = None if device_val is None else validation_score_jit(params, device_val, static, settings.loss)
            if pending is not None:
                record(pending)  # cannot stop training: checked before this epoch was dispatched
            pending = _DispatchedEpoch(epoch, params, train_loss, val_score)
        if pending is not None:
            record(pending)
    policy = eqx.combine(best[1], static)
    return BCResult(policy=policy, architecture=policy.architecture, spec=spec, metrics=history, best_epoch=best[2])


class _DispatchedEpoch(NamedTuple):
    """An epoch handed to the device whose loss and validation score (device scalars) are not read yet."""

    epoch: int
    params: object
    train_loss: jax.Array
    val_score: jax.Array | None


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
        raise ValueError(
            f"n_samples: expected 1..{settings.n_samples} (the rows data holds; fewer only with "
            f"settings.padded), got {n_samples}"
        )
    epoch = epoch_loop if settings.host_loop else epoch_scan
    return epoch(params, opt_state, key, data, jnp.int32(n_samples), static, settings)


def has_convolutions(policy: Policy) -> bool:
    """Whether ``policy`` holds a convolutional layer (its epochs then run as :func:`epoch_loop`)."""
    return any(
        isinstance(x, eqx.nn.Conv) for x in jax.tree.leaves(policy, is_leaf=lambda x: isinstance(x, eqx.nn.Conv))
    )


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
    plan = jnp.concatenate([order, jnp.full(total * batch_size - capacity, capacity, order.dtype)]).reshape(
        total, batch_size
    )
    return plan, jnp.arange(total) * batch_size < n_real


def epoch_plan(key, n_real, settings: EpochSettings):
    """The epoch's minibatch index plan ``(n_batches, batch_size)`` and which batches hold real rows."""
    if settings.padded:
        return shuffled_plan(key, n_real, settings.n_samples, settings.batch_size)
    plan = minibatch_indices(key, settings.n_samples, settings.batch_size)  # as iterate_minibatches(key)
    return plan, jnp.ones(plan.shape[0], bool)


def batch_update(params, opt_state, batch, static, settings: EpochSettings):
    """One Adam step on ``batch``: ``(params, opt_state, loss)``."""
    optimizer = optax.adam(settings.learning_rate)
    augmented = batch if settings.augment is None else {**batch, "obs": settings.augment(batch["key"], batch["obs"])}
    loss_fn = lambda p: bc_loss(eqx.combine(p, static), augmented, settings.loss)  # noqa: E731
    (loss, _), grads = jax.value_and_grad(loss_fn, has_aux=True)(params)
    updates, opt_state = optimizer.update(grads, opt_state, params)
    return optax.apply_updates(params, updates), opt_state, loss.astype(jnp.float32)


@functools.partial(jax.jit, static_argnames=("static", "settings"))
def epoch_scan(params, opt_state, key, data, n_real, static, settings: EpochSettings):
    """The jitted epoch of :func:`train_epoch`: Adam steps over the batches of the real rows; the
    mean loss is over those batches."""
    plan, active = epoch_plan(key, n_real, settings)
    # One gather of the whole shuffled epoch up front: measured ~3% more steps/s than a
    # gather inside every scan step (apprentice bench speed, 256x256 MLP, batch 256).
    batches = jax.tree.map(lambda x: x[plan], data)
    batches["key"] = jax.random.split(jax.random.fold_in(key, 1), plan.shape[0])

    def step(carry, inputs):
        batch, is_real = inputs

        def update(carry):
            params, opt_state, loss = batch_update(*carry, batch, static, settings)  # type: ignore[call-arg]  # *carry
            return (params, opt_state), loss

        if not settings.padded:
            return update(carry)
        return jax.lax.cond(is_real, update, lambda carry: (carry, jnp.zeros((), jnp.float32)), carry)

    (params, opt_state), losses = jax.lax.scan(step, (params, opt_state), (batches, active))
    return params, opt_state, jnp.sum(losses) / jnp.sum(active)


@functools.partial(jax.jit, static_argnames=("static", "settings"))
def _loop_step(params, opt_state, data, rows, key, static, settings: EpochSettings):
    batch = {**jax.tree.map(lambda x: x[rows], data), "key": key}
    return batch_update(params, opt_state, batch, static, settings)


def epoch_loop(params, opt_state, key, data, n_real, static, settings: EpochSettings):
    """The same epoch as :func:`epoch_scan` (same plan, same keys), as a host loop over one jitted step.

    For policies with convolutions: XLA on the CPU runs a convolution inside a loop about 10x
    slower than the same one outside it (measured: 4 steps of a Nature CNN on 264 frame pairs,
    20.8 s as a ``lax.scan``, 2.1 s unrolled), so image epochs dispatch each step from the host.
    """
    plan, active = jax.jit(epoch_plan, static_argnames="settings")(key, n_real, settings)
    keys = jax.random.split(jax.random.fold_in(key, 1), plan.shape[0])
    losses = []
    for i in np.flatnonzero(np.asarray(active)):
        params, opt_state, loss = _loop_step(params, opt_state, data, plan[i], keys[i], static, settings)
        losses.append(loss)
    return params, opt_state, jnp.mean(jnp.stack(losses))


@functools.partial(jax.jit, static_argnames=("static", "settings"))
def validation_score_jit(params, data, static, settings: LossSettings):
    """:func:`~apprentice.algorithms.bc.losses.validation_score` over all of ``data``, jitted."""
    return validation_score(eqx.combine(params, static), data, settings)


def _prepare_data(key, config, demos, validation) -> tuple[Transitions, Transitions | None]:
    if isinstance(demos, Transitions):
        if config.weighting != "none":
            raise ValueError(
                f"weighting={config.weighting!r}: return weighting needs trajectories (episode returns), "
                "got Transitions; pass trajectories, or weights in the Transitions with weighting='none'"
            )
        if config.validation_fraction > 0:
            raise ValueError(
                f"validation_fraction={config.validation_fraction} holds out episodes, which Transitions "
                "do not have; expected validation_fraction=0 (pass validation= to validate)"
            )
        return demos, validation
    if validation is not None:
        raise ValueError("validation: pass it only with Transitions; trajectories are split by episode")
    demos, weights, train_ids, val_ids = _episode_split(key, config, demos)
    train_data = _labeled_steps([demos[i] for i in train_ids], weights[train_ids])
    if not val_ids:
        return train_data, None
    return train_data, _labeled_steps([demos[i] for i in val_ids], weights[val_ids])


def _labeled_steps(trajectories: list[Trajectory], weights: np.ndarray) -> Transitions:
    """The steps of ``trajectories`` that carry a label (all, unless ``infos["labeled"]`` says otherwise)."""
    data = flatten(trajectories, weights)
    masks = [t.infos.get("labeled") for t in trajectories]
    if all(mask is None for mask in masks):
        return data
    keep = np.concatenate(
        [np.ones(len(t), bool) if m is None else np.asarray(m, bool) for t, m in zip(trajectories, masks)]
    )
    if not keep.any():
        raise ValueError("demos: expected at least one labeled step, got none (every infos['labeled'] is False)")
    return data.take(keep)


def _episode_split(key, config: BCConfig, demos) -> tuple[list[Trajectory], np.ndarray, list[int], list[int]]:
    """``(demos, per-episode weights, train ids, validation ids)``: the split both data paths share."""
    demos = list(demos)
    if not demos:
        raise ValueError("demos: expected at least one trajectory, got an empty dataset")
    seed = int(jax.random.randint(key, (), 0, 2**31 - 1))
    # Weights are relative to the whole dataset (its best return, its spread), so they are
    # computed before the split: validation then measures the same weighted objective.
    returns = np.array([t.episode_return for t in demos])
    weights = return_weights(returns, config.weighting, config.rwr_temperature)
    train_ids, val_ids = split_episode_indices(len(demos), config.validation_fraction, seed)
    return demos, weights, train_ids, val_ids


def _rows_per_batch(config: BCConfig, data: Transitions | SequenceChunks) -> int:
    """``batch_size`` counts steps: a batch of sequences holds ``batch_size // sequence_length`` of them."""
    if isinstance(data, SequenceChunks):
        return max(1, config.batch_size // config.sequence_length)
    return config.batch_size


def _mean_weight(data: Transitions | SequenceChunks) -> float:
    """Mean per-step weight over the steps that carry loss."""
    if isinstance(data, SequenceChunks):
        return float(data.weights.sum() / max(data.mask.sum(), 1.0))
    return float(data.weights.mean())


def _prepare_sequences(key, config: BCConfig, demos, architecture: PolicyArchitecture):
    """Training and validation :class:`SequenceChunks` for a stateful policy, split as
    :func:`_prepare_data` splits (the same key, so the same episodes)."""
    demos, weights, train_ids, val_ids = _episode_split(key, config, demos)
    burn_in = max(config.burn_in, architecture.frame_stack - 1)

    def chunks(ids):
        chosen = [demos[i] for i in ids]
        return sequence_chunks(
            chosen, config.sequence_length, burn_in, weights[ids], labeled=[t.infos.get("labeled") for t in chosen]
        )

    return chunks(train_ids), (chunks(val_ids) if val_ids else None)


def _require_same_structure(init_policy: Policy, configured: PolicyArchitecture) -> None:
    """Raise unless ``init_policy`` has the architecture the config describes, up to the fields the
    config does not set (the Gaussian head's log-std range stays the policy's own)."""
    own = dataclasses.replace(
        init_policy.architecture, log_std_min=configured.log_std_min, log_std_max=configured.log_std_max
    )
    if own != configured:
        raise ValueError(
            f"init_policy: expected the policy this config builds ({configured}), got one built as "
            f"{init_policy.architecture}; match the config's head, hidden_sizes, activation, squash, "
            "encoder and core to it"
        )


def _require_loss_fits(loss: LossName, spec: EnvSpec, data: Transitions) -> None:
    if loss == "cross_entropy" and spec.action_kind != "discrete":
        raise ValueError(
            f"loss 'cross_entropy' expects discrete actions, but {spec.env_id or 'the env'} has continuous actions; "
            "use 'gaussian_nll' or 'mse' (or another continuous head)"
        )
    if loss != "cross_entropy" and spec.action_kind == "discrete":
        head = HEAD_OF_LOSS[loss]
        raise ValueError(
            f"loss {loss!r} (a {head} head) expects continuous actions, but the data has discrete "
            f"{data.acts.dtype} actions for {spec.env_id or 'a discrete env'}; use 'cross_entropy'"
        )


def epoch_arrays(
    data: Transitions | SequenceChunks, spec: EnvSpec, weight_scale: float = 1.0, capacity: int = 0
) -> dict[str, jax.Array]:
    """Arrays for the jitted epoch: the rows of ``data``, zero-weight padding rows up to
    ``capacity``, and one zero-weight sentinel row (at index ``max(len(data), capacity)``).

    A row is a sample of ``Transitions`` or a sequence of :class:`SequenceChunks` (which adds
    ``resets``). Weights are multiplied by ``weight_scale`` (the training set's ``1 / mean
    weight``, so that training and validation losses are on one scale). Observations keep their
    tree and shape; floats become ``float32`` and images stay ``uint8``.
    """
    n = len(data)
    sequences = isinstance(data, SequenceChunks)
    per_step = data.acts.shape[:2] if sequences else (n,)
    obs = trees.tree_map(lambda x: x if x.dtype == np.uint8 else x.astype(np.float32), data.obs)
    if spec.action_kind == "discrete" and data.acts.ndim == len(per_step):
        acts = data.acts.astype(np.int32)
    else:
        acts = data.acts.reshape(*per_step, -1).astype(np.float32)
    weights = (data.weights * weight_scale).astype(np.float32)
    mask = data.mask if isinstance(data, SequenceChunks) else np.ones(n, np.float32)
    arrays = {"obs": obs, "acts": acts, "weights": weights, "mask": mask}
    if isinstance(data, SequenceChunks):
        arrays["resets"] = data.resets
    padding = max(capacity - n, 0) + 1
    pad = lambda v: jnp.asarray(np.concatenate([v, np.zeros((padding, *v.shape[1:]), v.dtype)]))  # noqa: E731
    return jax.tree.map(pad, arrays)
