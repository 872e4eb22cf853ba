"""The template grammar of the shipped corpus: hand-made valid and invalid strings, and the anchors of
free-running validity (the corpus itself never leaves the language; a uniform model leaves it at
the exact rate the automaton gives)."""

from __future__ import annotations

import numpy as np
import pytest

from apprentice.bench.text_compounding import free_running_statistics
from apprentice.data.text import NAMES, NOUNS, POSITIVE_ADJECTIVES, CharVocab, generate_corpus, load_corpus
from apprentice.data.text_grammar import TemplateGrammar


@pytest.fixture(scope="module")
def grammar() -> TemplateGrammar:
    return TemplateGrammar()


VALID = [
    "what a lovely cake!",
    "what a awful cake!",
    "anna loves the happy cat.",
    "the red cat hates the cruel dog.",
    "the tall river sees the quiet garden.",
    "the cat is very red.",
    "the cat is so gloomy.",
    "max thinks the song was kind and warm.",
    "zoe fears the bridge at school.",
    "the tiny horse paints the boat by the sea.",
    "the horse paints zoe at night.",
    "the coffee blames oscar in the morning.",
    "emma, the lamp is broken.",
    "i admire the movie because it is delightful.",
    "i avoid the storm because it is ugly.",
]
INVALID = [
    "anna loves the awful cat.",  # a positive verb with a negative adjective
    "the cat is red.",  # the template needs an intensifier
    "the tiny horse paints the boat at night.",  # "at night" is an adverb, not a place
    "what a red cake!",  # no neutral exclamations
    "i see the cat because it is red.",  # no neutral first-person sentences
    "i love the cat because it is awful.",  # mixed polarity
    "max thinks the song was kind and cruel.",  # mixed polarity
    "the happy cat hates the dog.",  # subjects take neutral adjectives only
    "anna loves the happy cat",  # no full stop
    "anna loves the happy cat!",  # wrong punctuation
    "anna  loves the happy cat.",  # a double space
    "bob loves the happy cat.",  # not a name of the list
    "",  # an empty line
]


def test_hand_made_sentences(grammar):
    for sentence in VALID:
        assert grammar.is_valid(sentence + "\n"), sentence
    for sentence in INVALID:
        assert not grammar.is_valid(sentence + "\n"), sentence
    assert grammar.is_valid("") and grammar.is_valid("".join(s + "\n" for s in VALID))
    assert not grammar.is_valid("what a lovely cake!")  # a line without its newline is unfinished ...
    assert grammar.is_valid_prefix("what a lovely cake!")  # ... but still a valid prefix
    assert not grammar.is_valid_prefix("what a lovely cake!!")


def test_valid_next_characters_by_hand(grammar):
    assert grammar.valid_next_characters("the cat is very re") == "d"
    assert grammar.valid_next_characters("what a lovely cake") == "!"
    assert grammar.valid_next_characters("what a lovely cake!") == "\n"
    assert grammar.valid_next_characters("anna loves the awful") == ""
    # After "anna loves the ": a positive adjective (the object's) or a noun (before a place).
    expected = sorted({a[0] for a in POSITIVE_ADJECTIVES} | {n[0] for n in NOUNS})
    assert grammar.valid_next_characters("anna loves the ") == "".join(expected)
    # A line starts with a name, "the ", "i " or "what a ".
    starts = "".join(sorted({n[0] for n in NAMES} | {"t", "i", "w"}))
    assert grammar.valid_next_characters("") == starts == grammar.valid_next_characters("what a lovely cake!\n")


def test_generator_output_is_in_the_language(grammar):
    assert grammar.is_valid(load_corpus())
    for seed in (1, 2):
        assert grammar.is_valid(generate_corpus(seed=seed, n_sentences=3000))


def test_absorbing_and_line_recovery_judgements(grammar):
    text = "what a lovely cake!\nanna loves the cruel cat.\nemma, the lamp is old.\n"
    wrong = text.index("cruel")  # "c" may start "cheerful" or "cat", nothing positive starts "cr"
    assert grammar.is_valid_prefix(text[: wrong + 1]) and not grammar.is_valid_prefix(text[: wrong + 2])
    assert grammar.first_invalid(text) == wrong + 1
    judgement = grammar.line_judgement(text)
    assert np.flatnonzero(judgement.mistakes).tolist() == [wrong + 1]
    second_newline = text.index("\n", wrong)
    assert judgement.judged[: wrong + 2].all() and not judgement.judged[wrong + 2 : second_newline + 1].any()
    assert judgement.judged[second_newline + 1 :].all()  # the next line is judged afresh, and it is valid
    assert (judgement.states[second_newline + 1 :] != grammar.dead).all()


def corpus_documents(text: str, length: int) -> list[str]:
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
    return [text[s : s + length] for s in starts[:500] if s + length <= len(text)]


def test_the_corpus_itself_never_leaves_the_language(grammar):
    stats = free_running_statistics(corpus_documents(load_corpus(), 128), grammar)
    assert stats["left_by"].max() == 0 and stats["invalid_tokens"].max() == 0
    assert stats["line_mistake_rate"] == 0 and stats["hazard"] == 0 and stats["invalid_line_fraction"] == 0


def test_uniform_model_leaves_at_the_exact_rate(grammar):
    vocab = CharVocab.from_text(load_corpus())
    n_start = len({n[0] for n in NAMES} | {"t", "i", "w"})
    exact = grammar.uniform_survival(vocab, 6)
    assert exact[0] == pytest.approx(n_start / vocab.size, abs=1e-15)
    rng = np.random.default_rng(0)
    n = 40000
    texts = ["".join(vocab.chars[i] for i in row) for row in rng.integers(0, vocab.size, (n, 6))]
    stats = free_running_statistics(texts, grammar)
    left = 1 - exact
    assert np.all(np.abs(stats["left_by"] - left) <= 4 * np.sqrt(left * (1 - left) / n) + 1e-12)
    # Expected invalid tokens (absorbing) are the partial sums of the probability of having left.
    np.testing.assert_allclose(stats["invalid_tokens"].mean(axis=0), np.cumsum(stats["left_by"]))
