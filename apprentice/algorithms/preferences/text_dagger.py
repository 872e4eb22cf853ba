"""The DAgger of text: the template grammar labels the model's own prefixes with their valid next characters.

Next-token prediction is behavior cloning on the corpus's prefixes; sampled freely, the model
visits its own prefixes, and one character outside the template's language leaves it for good.
DAgger (Ross et al. 2011) asks the expert at the learner's states: here the expert is the
template (:class:`~apprentice.data.text_grammar.TemplateGrammar`) and its label at a prefix is
the *set* of valid next characters. The loss of a set label is the log-likelihood of the set,

    L(theta) = -1/|labeled| sum_{(s, A) labeled} log sum_{c in A} pi_theta(c | s),

which for a one-character set ``{x_{t+1}}`` is next-token cross-entropy, so corpus windows and
labeled rollouts train in one loss. Minimizing it pushes down exactly the per-token error
``1 - pi_theta(A | s)`` that free-running sampling compounds, without prescribing a distribution
inside the valid set.

Labels exist only while the current line is still valid (line recovery: a broken line is
unlabeled until its newline, after which a fresh sentence starts and labels resume). So the
learner is taught not to leave the language, never how to finish a sentence it has already
broken: the rest of a broken line stays whatever the model makes of it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax
from jaxtyping import Array, Bool, Float, Int, PRNGKeyArray

from apprentice.algorithms.configs.preferences import NextTokenConfig
from apprentice.algorithms.preferences.text_policy import sample_in_batches
from apprentice.data.text import CharVocab
from apprentice.data.text_grammar import NEWLINE, TemplateGrammar
from apprentice.policies.transformer import CharTransformer


@dataclass(frozen=True)
class LabeledWindows:
    """Token windows with a set label (or none) at each position: the training data of set-label BC."""

    tokens: Int[np.ndarray, "n window"]
    """Token ids; position ``t``'s label is about the token after ``tokens[:, : t + 1]``."""
    labels: Bool[np.ndarray, "n window_minus_1 vocab"]
    """``labels[i, t, c]``: character ``c`` is a valid (or, for corpus labels, the) next token after
    ``tokens[i, : t + 1]``; an all-false row is an unlabeled position."""

    def __post_init__(self):
        tokens, labels = np.asarray(self.tokens), np.asarray(self.labels)
        if tokens.ndim != 2 or labels.ndim != 3 or labels.shape[:2] != (tokens.shape[0], tokens.shape[1] - 1):
            raise ValueError(
                f"LabeledWindows: expected tokens [n, W] and labels [n, W - 1, vocab], got {tokens.shape} and {labels.shape}"
            )

    @property
    def n_labels(self) -> int:
        """Labeled positions (one label per position, whatever the size of its set)."""
        return int(np.asarray(self.labels).any(axis=-1).sum())

    @staticmethod
    def concatenate(parts: list[LabeledWindows]) -> LabeledWindows:
        return LabeledWindows(np.concatenate([p.tokens for p in parts]), np.concatenate([p.labels for p in parts]))


def corpus_windows(
    text: str, vocab: CharVocab, window: int, budget: int, grammar: TemplateGrammar | None = None
) -> LabeledWindows:
    """The lines of ``text`` packed whole into windows that start with a newline, labeled until ``budget`` labels.

    Each window is ``"\\n"`` followed by as many whole lines as fit in ``window`` characters, padded
    with newlines (unlabeled). Labels are the next corpus character (one-hot: next-token
    prediction), or with ``grammar`` the template's valid next characters at that corpus prefix
    (the same positions, richer labels). The first ``budget`` positions in order are labeled.
    """
    if budget < 1:
        raise ValueError(f"corpus_windows: expected a budget of at least 1 label, got {budget}")
    lines = text.splitlines(keepends=True)
    if not lines or max(len(line) for line in lines) + 1 > window:
        raise ValueError(
            f"corpus_windows: expected lines shorter than the window ({window} characters), got none or longer"
        )
    chunks, current, n_labels = [], NEWLINE, 0
    for line in lines:
        if n_labels >= budget:
            break
        if len(current) + len(line) > window:
            chunks.append(current)
            current = NEWLINE
        current += line
        n_labels += len(line)
    chunks.append(current)
    tokens = np.stack([vocab.encode(chunk + NEWLINE * (window - len(chunk))) for chunk in chunks])
    labeled = np.zeros(tokens[:, 1:].shape, dtype=bool)
    for i, chunk in enumerate(chunks):
        labeled[i, : len(chunk) - 1] = True
    labeled &= np.cumsum(labeled.ravel()).reshape(labeled.shape) <= budget
    if grammar is None:
        labels = np.eye(vocab.size, dtype=bool)[tokens[:, 1:]]
    else:
        states = np.stack([grammar.line_judgement(vocab.decode(row[1:])).states for row in tokens])
        labels = grammar.valid_masks(states, vocab)
    return LabeledWindows(tokens, labels & labeled[..., None])


def label_rollouts(
    rollouts: Int[np.ndarray, "n length"], vocab: CharVocab, grammar: TemplateGrammar, budget: int
) -> LabeledWindows:
    """Rollouts (each starting after a newline) as windows ``"\\n" + rollout``, set-labeled where their line is valid.

    The first ``budget`` labelable positions in order get their valid set; the rest stay unlabeled.
    """
    rollouts = np.asarray(rollouts)
    newline = vocab.encode(NEWLINE)
    tokens = np.concatenate([np.tile(newline, (len(rollouts), 1)), rollouts], axis=1)
    judgements = [grammar.line_judgement(vocab.decode(row)) for row in rollouts]
    judged = np.stack([j.judged for j in judgements])
    judged &= np.cumsum(judged.ravel()).reshape(judged.shape) <= budget
    labels = grammar.valid_masks(np.stack([j.states for j in judgements]), vocab)
    return LabeledWindows(tokens, labels & judged[..., None])


def set_label_loss(
    model: CharTransformer, tokens: Int[Array, "batch window"], labels: Bool[Array, "batch window_minus_1 vocab"]
) -> Float[Array, ""]:
    """``-mean log pi(A | s)`` over the labeled positions of a batch (see the module docstring)."""

    def window_terms(window, label):
        log_probs = jax.nn.log_softmax(model.logits(window[:-1]), axis=-1)
        set_log_prob = jax.nn.logsumexp(jnp.where(label, log_probs, -jnp.inf), axis=-1)
        labeled = label.any(axis=-1)
        return jnp.where(labeled, -set_log_prob, 0.0).sum(), labeled.sum()

    total, count = jax.vmap(window_terms)(tokens, labels)
    return total.sum() / jnp.maximum(count.sum(), 1)


def label_set_probabilities(
    model: CharTransformer, data: LabeledWindows, batch_size: int = 64
) -> Float[np.ndarray, " labeled"]:
    """``pi(A | s)`` at every labeled position of ``data`` (teacher forcing), in order; ``1 -`` it is the per-token error."""
    out = []
    for start in range(0, len(data.tokens), batch_size):
        tokens, labels = data.tokens[start : start + batch_size], data.labels[start : start + batch_size]
        probabilities = np.asarray(_set_probabilities(model, jnp.asarray(tokens), jnp.asarray(labels)))
        out.append(probabilities[labels.any(axis=-1)])
    return np.concatenate(out)


@eqx.filter_jit
def _set_probabilities(model, tokens, labels):
    def window(tokens, labels):
        probabilities = jax.nn.softmax(model.logits(tokens[:-1]), axis=-1)
        return jnp.where(labels, probabilities, 0.0).sum(axis=-1)

    return jax.vmap(window)(tokens, labels)


def train_on_labels(
    key: PRNGKeyArray, config: NextTokenConfig, data: LabeledWindows, vocab_size: int
) -> CharTransformer:
    """A fresh model of ``config``'s architecture trained ``config.n_steps`` steps on ``data``'s set labels.

    Each step draws ``config.batch_size`` windows uniformly; the optimizer and schedule are
    ``config``'s (the same as next-token prediction's).
    """
    if data.tokens.shape[1] != config.context_length + 1:
        raise ValueError(
            f"train_on_labels: expected windows of context_length + 1 = {config.context_length + 1} tokens, "
            f"got {data.tokens.shape[1]}"
        )
    init_key, train_key = jax.random.split(key)
    params, static = eqx.partition(config.make_model(init_key, vocab_size), eqx.is_array)
    # Rows padded to a power of two (at least 64), so data sets of similar size share one compiled loop.
    n = len(data.tokens)
    capacity = max(64, 1 << (n - 1).bit_length())
    tokens = np.concatenate([data.tokens, np.zeros((capacity - n, data.tokens.shape[1]), data.tokens.dtype)])
    labels = np.concatenate([data.labels, np.zeros((capacity - n, *data.labels.shape[1:]), bool)])
    params = _train_steps(
        params, config.optimizer().init(params), train_key, jnp.asarray(tokens), jnp.asarray(labels), n, static, config
    )
    return eqx.combine(params, static)


@functools.partial(jax.jit, static_argnames=("static", "config"))
def _train_steps(params, opt_state, key, tokens, labels, n_rows, static, config: NextTokenConfig):
    optimizer = config.optimizer()

    def step(carry, step_key):
        params, opt_state = carry
        rows = jax.random.randint(step_key, (config.batch_size,), 0, n_rows)
        grads = jax.grad(lambda p: set_label_loss(eqx.combine(p, static), tokens[rows], labels[rows]))(params)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        return (optax.apply_updates(params, updates), opt_state), None

    (params, _), _ = jax.lax.scan(step, (params, opt_state), jax.random.split(key, config.n_steps))
    return params


def sample_documents(model: CharTransformer, key: PRNGKeyArray, vocab: CharVocab, n: int, length: int) -> list[str]:
    """``n`` free-running samples of ``length`` characters after a newline (temperature 1)."""
    prompts = np.tile(vocab.encode(NEWLINE), (n, 1))
    batch_size = min(256, 1 << (n - 1).bit_length())  # few distinct shapes, little padding
    return [vocab.decode(row) for row in sample_in_batches(model, key, prompts, length, batch_size)]


@dataclass(frozen=True)
class TextDAggerResult:
    """The last model of the DAgger of text, with its aggregated data and per-round counts."""

    model: CharTransformer
    data: LabeledWindows
    rounds: list[dict] = field(default_factory=list)
    """One row per round: ``round``, ``corpus_labels``, ``rollout_labels`` (cumulative), ``rollouts``."""


def text_dagger(
    key: PRNGKeyArray,
    config: NextTokenConfig,
    corpus_data: LabeledWindows,
    vocab: CharVocab,
    grammar: TemplateGrammar,
    rollout_budget: int,
    n_rounds: int,
) -> TextDAggerResult:
    """Round 0 trains on ``corpus_data``; each of ``n_rounds`` rounds samples the current model,
    labels ``rollout_budget // n_rounds`` of its valid-line prefixes with the grammar (the last
    round takes the remainder), aggregates, and retrains from scratch on everything so far.

    Rollouts are ``config.context_length`` characters long; enough are sampled to fill the
    round's quota (a model that breaks lines early yields fewer labels per rollout).
    """
    if n_rounds < 1 or rollout_budget < n_rounds:
        raise ValueError(
            f"text_dagger: expected n_rounds >= 1 and rollout_budget >= n_rounds, got {n_rounds}, {rollout_budget}"
        )
    train_key, sample_key = jax.random.split(key)
    data, length = corpus_data, config.context_length
    model = train_on_labels(train_key, config, data, vocab.size)
    rows = [{"round": 0, "corpus_labels": corpus_data.n_labels, "rollout_labels": 0, "rollouts": 0}]
    for r in range(1, n_rounds + 1):
        quota = rollout_budget // n_rounds + (rollout_budget % n_rounds if r == n_rounds else 0)
        labeled: list[LabeledWindows] = []
        n_rollouts, got = 0, 0
        while got < quota:
            n = max(8, int(1.25 * (quota - got) / length) + 1)
            texts = sample_documents(model, jax.random.fold_in(sample_key, 1000 * r + n_rollouts), vocab, n, length)
            part = label_rollouts(np.stack([vocab.encode(t) for t in texts]), vocab, grammar, quota - got)
            keep = part.labels.any(axis=(1, 2))
            part = LabeledWindows(part.tokens[keep], part.labels[keep])
            labeled.append(part)
            n_rollouts, got = n_rollouts + n, got + part.n_labels
        data = LabeledWindows.concatenate([data, *labeled])
        model = train_on_labels(train_key, config, data, vocab.size)
        rows.append({"round": r, "corpus_labels": corpus_data.n_labels, "rollout_labels": rows[-1]["rollout_labels"] + got,
                     "rollouts": n_rollouts})  # fmt: skip
    return TextDAggerResult(model=model, data=data, rounds=rows)
