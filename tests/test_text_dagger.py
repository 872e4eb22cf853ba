"""The DAgger of text: the set-label loss, corpus windows and rollout labels, one tiny round, the bench's fit."""

from __future__ import annotations

import dataclasses

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from apprentice.algorithms.configs.preferences import NextTokenConfig
from apprentice.algorithms.preferences.next_token import next_token_loss
from apprentice.algorithms.preferences.text_dagger import (
    LabeledWindows,
    corpus_windows,
    label_rollouts,
    label_set_probabilities,
    set_label_loss,
    text_dagger,
)
from apprentice.bench.configs import TextCompoundingConfig
from apprentice.data.text import CharVocab, load_corpus
from apprentice.data.text_grammar import TemplateGrammar
from apprentice.policies.transformer import CharTransformer

TINY = NextTokenConfig(context_length=63, d_model=16, n_layers=1, n_heads=2, n_steps=3, warmup_steps=1, batch_size=4)


@pytest.fixture(scope="module")
def vocab() -> CharVocab:
    return CharVocab.from_text(load_corpus())


@pytest.fixture(scope="module")
def grammar() -> TemplateGrammar:
    return TemplateGrammar()


def sharp_model(vocab) -> CharTransformer:
    model = CharTransformer(vocab.size, 64, 32, 1, 2, head="untied", key=jax.random.key(0))
    return jax.tree.map(lambda x: 5 * x if isinstance(x, jax.Array) and x.ndim == 2 else x, model)


def test_one_character_sets_are_next_token_cross_entropy(vocab):
    model = sharp_model(vocab)
    tokens = jnp.asarray(np.stack([vocab.encode(load_corpus()[i : i + 40]) for i in (0, 97, 300)]))
    labels = jax.nn.one_hot(tokens[:, 1:], vocab.size).astype(bool)
    loss, reference = eqx.filter_jit(lambda m: (set_label_loss(m, tokens, labels), next_token_loss(m, tokens)))(model)
    assert float(loss) == pytest.approx(float(reference), rel=1e-6)


def test_set_label_loss_by_hand(vocab):
    model = sharp_model(vocab)
    tokens = jnp.asarray(vocab.encode("\nwhat a"))[None]
    labels = np.zeros((1, 6, vocab.size), dtype=bool)
    labels[0, 0, vocab.encode("wt")] = True  # position 0: the set {w, t}
    labels[0, 3, vocab.encode("a")] = True  # position 3: the one character "a"; the rest unlabeled
    logits, loss = eqx.filter_jit(lambda m: (m.logits(tokens[0, :-1]), set_label_loss(m, tokens, jnp.asarray(labels))))(
        model
    )
    p = np.asarray(jax.nn.softmax(logits, axis=-1))
    by_hand = -(np.log(p[0, vocab.encode("wt")].sum()) + np.log(p[3, vocab.encode("a")[0]])) / 2
    assert float(loss) == pytest.approx(by_hand, rel=1e-5)
    data = LabeledWindows(np.asarray(tokens), labels)
    np.testing.assert_allclose(
        label_set_probabilities(model, data), [p[0, vocab.encode("wt")].sum(), p[3, vocab.encode("a")[0]]], rtol=1e-5
    )


def test_corpus_windows_start_at_lines_and_stop_at_the_budget(vocab, grammar):
    text = load_corpus()[:3000]
    one_hot = corpus_windows(text, vocab, 64, budget=500)
    sets = corpus_windows(text, vocab, 64, budget=500, grammar=grammar)
    assert one_hot.n_labels == sets.n_labels == 500
    assert (one_hot.tokens[:, 0] == vocab.encode("\n")[0]).all()
    labeled = one_hot.labels.any(axis=-1)
    np.testing.assert_array_equal(labeled, sets.labels.any(axis=-1))
    next_tokens = one_hot.tokens[:, 1:][labeled]
    assert (one_hot.labels[labeled].sum(axis=-1) == 1).all() and one_hot.labels[labeled][
        np.arange(500), next_tokens
    ].all()
    assert sets.labels[labeled][np.arange(500), next_tokens].all()  # the corpus's character is always valid
    assert (sets.labels[labeled].sum(axis=-1) > 1).any()  # and some sets hold more than it
    decoded = vocab.decode(one_hot.tokens[0])
    assert decoded.startswith("\n" + text.splitlines()[0] + "\n")
    with pytest.raises(ValueError, match="shorter than the window"):
        corpus_windows(text, vocab, 20, budget=10)


def test_rollout_labels_stop_inside_a_broken_line(vocab, grammar):
    rollout = "anna loves the cruel cat.\nwhat a kind"
    data = label_rollouts(vocab.encode(rollout)[None], vocab, grammar, budget=1000)
    labeled = data.labels[0].any(axis=-1)
    wrong, newline = rollout.index("cruel") + 1, rollout.index("\n")
    assert labeled[: wrong + 1].all() and not labeled[wrong + 1 : newline + 1].any() and labeled[newline + 1 :].all()
    assert vocab.decode(np.flatnonzero(data.labels[0, wrong])) == "ahio"  # cat, cake; cheerful; city; coffee
    assert data.labels[0, wrong, vocab.encode("r")[0]] == False  # noqa: E712
    assert label_rollouts(vocab.encode(rollout)[None], vocab, grammar, budget=7).n_labels == 7


def test_one_tiny_round_spends_the_budget_exactly(vocab, grammar):
    corpus = corpus_windows(load_corpus()[:4000], vocab, 64, budget=300)
    result = text_dagger(jax.random.key(0), TINY, corpus, vocab, grammar, rollout_budget=150, n_rounds=1)
    assert result.data.n_labels == 450 and result.rounds[-1]["rollout_labels"] == 150
    assert [row["round"] for row in result.rounds] == [0, 1]
    with pytest.raises(ValueError, match="n_rounds"):
        text_dagger(jax.random.key(0), TINY, corpus, vocab, grammar, rollout_budget=0, n_rounds=1)


def test_bench_config_refuses_lengths_past_the_context():
    with pytest.raises(ValueError, match="context_length"):
        TextCompoundingConfig(lengths=(8, 200))
    assert dataclasses.replace(TextCompoundingConfig(), lengths=(2, 64)).lengths == (2, 64)
