"""Next-token prediction (language-model pre-training) as behavior cloning on text.

The expert is the text. At position ``t`` of a window the state is the prefix ``s_t = x_{<=t}``
(truncated to the context), the expert's action is the next character ``a_t = x_{t+1}``, and the
loss is behavior cloning's cross-entropy, averaged over every (state, action) pair of a batch:

    L(theta) = -1/(B T) sum_b sum_t log pi_theta(a_t | s_t)

A causal transformer scores all ``T`` states of a window in one forward pass, so one window of
``T + 1`` characters is ``T`` demonstrations. The trained model is the reference policy that DPO
and RLHF then fine-tune against a preference or a programmatic reward.
"""

from __future__ import annotations

import functools
import math
import time
from dataclasses import dataclass, field

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax
from jaxtyping import Array, Float, Int, PRNGKeyArray

from apprentice.algorithms.configs.preferences import NextTokenConfig
from apprentice.data.text import CharVocab, fixed_windows, random_windows, split_lines, unigram_entropy
from apprentice.policies.transformer import CharTransformer
from apprentice.progress import progress_bar


@dataclass(frozen=True)
class NextTokenResult:
    """A trained character model with its vocabulary and learning curves."""

    model: CharTransformer
    vocab: CharVocab
    config: NextTokenConfig
    train_loss: np.ndarray
    """Per-step training loss, nats/char, shape ``(n_steps,)``."""
    metrics: list[dict] = field(default_factory=list)
    """One row per chunk: ``step``, ``train_loss`` (chunk mean), ``val_loss`` (nats/char),
    ``val_bits_per_char``, ``learning_rate``, ``seconds``."""
    unigram_entropy: float = math.nan
    """Entropy of the training text's character frequencies (nats): the loss of a context-free model."""

    @property
    def validation_loss(self) -> float:
        """The last validation loss, nats/char."""
        return self.metrics[-1]["val_loss"]


def next_token_loss(model: CharTransformer, windows: Int[Array, "batch window"]) -> Float[Array, ""]:
    """Mean of ``-log pi(x_{t+1} | x_{<=t})`` over every position of every window (nats/char)."""

    def window_loss(window):
        log_probs = jax.nn.log_softmax(model.logits(window[:-1]), axis=-1)
        return -jnp.take_along_axis(log_probs, window[1:, None], axis=-1).mean()

    return jax.vmap(window_loss)(windows).mean()


def train(
    key: PRNGKeyArray, config: NextTokenConfig, corpus: str, *, vocab: CharVocab | None = None, progress: bool = True
) -> NextTokenResult:
    """Train a :class:`~apprentice.policies.transformer.CharTransformer` on ``corpus`` by next-token BC.

    Lines of ``corpus`` are split into train and validation by a seed drawn from ``key``. Each step
    draws ``batch_size`` windows at random offsets of the training text; ``eval_interval`` steps
    run as one jitted ``lax.scan``, then the validation loss is measured. The last parameters are
    returned (no early stopping: the cosine schedule ends at a small learning rate).

    Args:
        vocab: the vocabulary (default: every character of ``corpus``); pass one to share it
            between models.

    Example:
        >>> from apprentice.data.text import load_corpus
        >>> result = train(jax.random.key(0), NextTokenConfig(n_steps=500), load_corpus())
        >>> result.vocab.decode(result.model.sample(jax.random.key(1), result.vocab.encode("\\n"), 40, 0.8))
    """
    split_key, init_key, train_key = jax.random.split(key, 3)
    vocab = CharVocab.from_text(corpus) if vocab is None else vocab
    seed = int(jax.random.randint(split_key, (), 0, 2**31 - 1))
    train_text, val_text = split_lines(corpus, config.validation_fraction, seed)
    window = config.context_length + 1
    if len(train_text) < window or len(val_text) < window:
        raise ValueError(
            f"corpus: expected at least {window} characters (context_length + 1) in both the training and "
            f"validation parts, got {len(train_text)} and {len(val_text)}"
        )
    train_tokens = jnp.asarray(vocab.encode(train_text))
    val_windows = jnp.asarray(fixed_windows(vocab.encode(val_text), window)[: config.max_validation_windows])
    params, static = eqx.partition(config.make_model(init_key, vocab.size), eqx.is_array)
    opt_state = config.optimizer().init(params)
    schedule = config.learning_rate_schedule()
    losses, history, done = [], [], 0
    start = time.perf_counter()
    with progress_bar(config.n_steps, "next-token prediction", enabled=progress) as bar:
        while done < config.n_steps:
            n = min(config.eval_interval, config.n_steps - done)
            train_key, chunk_key = jax.random.split(train_key)
            params, opt_state, chunk_losses = train_chunk(params, opt_state, chunk_key, train_tokens, static, config, n)
            val_loss = float(validation_loss(params, val_windows, static))
            done += n
            losses.append(np.asarray(chunk_losses))
            row = {
                "step": done,
                "train_loss": float(chunk_losses.mean()),
                "val_loss": val_loss,
                "val_bits_per_char": val_loss / math.log(2),
                "learning_rate": float(schedule(done - 1)),
                "seconds": time.perf_counter() - start,
            }
            history.append(row)
            bar.advance(n, train=row["train_loss"], val=val_loss, bpc=row["val_bits_per_char"])
    return NextTokenResult(
        model=eqx.combine(params, static),
        vocab=vocab,
        config=config,
        train_loss=np.concatenate(losses),
        metrics=history,
        unigram_entropy=unigram_entropy(train_text),
    )


@functools.partial(jax.jit, static_argnames=("static", "config", "n_steps"))
def train_chunk(params, opt_state, key, train_tokens, static, config: NextTokenConfig, n_steps: int):
    """``n_steps`` gradient steps in one ``lax.scan``: ``(params, opt_state, per-step losses)``.

    Compiled once per (model structure, config, chunk length, corpus size); the optimizer's step
    count lives in ``opt_state``, so the schedule continues across chunks.
    """
    optimizer = config.optimizer()

    def step(carry, step_key):
        params, opt_state = carry
        windows = random_windows(step_key, train_tokens, config.context_length + 1, config.batch_size)
        loss, grads = jax.value_and_grad(lambda p: next_token_loss(eqx.combine(p, static), windows))(params)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        return (optax.apply_updates(params, updates), opt_state), loss

    (params, opt_state), losses = jax.lax.scan(step, (params, opt_state), jax.random.split(key, n_steps))
    return params, opt_state, losses


@functools.partial(jax.jit, static_argnames=("static",))
def validation_loss(params, windows: Int[Array, "windows window"], static) -> Float[Array, ""]:
    """:func:`next_token_loss` over all ``windows`` (nats/char), jitted."""
    return next_token_loss(eqx.combine(params, static), windows)
