"""Text as demonstrations: a character vocabulary, the shipped sentence corpus, training windows.

Next-token prediction is behavior cloning on text: the state is the prefix, the action the next
character. This module turns a string into the integer arrays that training needs.

The corpus, ``corpus/sentences.txt``, is one templated English sentence per line, written by
:func:`generate_corpus` from a fixed seed. It is shipped as a file (and a test checks that the
generator still reproduces it byte for byte) rather than generated at import: the file is the data,
readable and diffable, and it cannot drift if the word lists or Python's ``random`` ever change.
Sentences have a polarity (positive, negative or neutral) that picks their sentiment words, so a
programmatic reward can count :data:`POSITIVE_WORDS` and :data:`NEGATIVE_WORDS`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import jax
import numpy as np
from jaxtyping import Array, Int, PRNGKeyArray

CORPUS_PATH = Path(__file__).parent / "corpus" / "sentences.txt"
CORPUS_SEED, CORPUS_SENTENCES = 0, 4000
"""The seed and sentence count that :func:`generate_corpus` used to write :data:`CORPUS_PATH`."""

NAMES = ("anna", "ben", "clara", "david", "emma", "felix", "grace", "henry", "iris", "jack",
         "lena", "max", "nora", "oscar", "paul", "rosa", "sam", "tara", "victor", "zoe")  # fmt: skip
NOUNS = ("cat", "dog", "garden", "river", "house", "book", "song", "teacher", "city", "forest",
         "window", "letter", "painting", "kitchen", "train", "market", "bird", "storm", "child",
         "movie", "bridge", "lamp", "story", "road", "village", "horse", "boat", "cake", "friend",
         "coffee")  # fmt: skip
NEUTRAL_ADJECTIVES = ("red", "small", "old", "tall", "wooden", "quiet", "green", "round", "heavy",
                      "young", "blue", "narrow", "distant", "empty", "tiny", "large")  # fmt: skip
POSITIVE_ADJECTIVES = ("good", "great", "happy", "lovely", "wonderful", "kind", "bright",
                       "brilliant", "pleasant", "cheerful", "delightful", "beautiful", "warm",
                       "gentle", "excellent")  # fmt: skip
NEGATIVE_ADJECTIVES = ("bad", "awful", "sad", "terrible", "horrible", "gloomy", "nasty", "dreadful",
                       "cruel", "angry", "miserable", "boring", "ugly", "cold", "broken")  # fmt: skip
POSITIVE_VERBS = ("loves", "likes", "enjoys", "admires", "praises", "adores", "helps")
NEGATIVE_VERBS = ("hates", "dislikes", "fears", "ignores", "blames", "avoids", "hurts")
NEUTRAL_VERBS = ("sees", "finds", "carries", "paints", "follows", "watches", "visits", "reads", "opens", "draws")
FIRST_PERSON_VERBS = {"positive": ("love", "like", "enjoy", "admire"), "negative": ("hate", "dislike", "fear", "avoid")}
INTENSIFIERS = ("very", "really", "quite", "so", "rather", "truly")
ADVERBS = ("slowly", "quickly", "often", "quietly", "again", "today", "at night", "in the morning")
PLACES = ("in the park", "near the river", "at the station", "by the sea", "in the kitchen",
          "on the hill", "under the bridge", "at school")  # fmt: skip

POSITIVE_WORDS = frozenset(POSITIVE_ADJECTIVES + POSITIVE_VERBS + FIRST_PERSON_VERBS["positive"])
"""Words that only positive sentences of the corpus use."""
NEGATIVE_WORDS = frozenset(NEGATIVE_ADJECTIVES + NEGATIVE_VERBS + FIRST_PERSON_VERBS["negative"])
"""Words that only negative sentences of the corpus use."""


@dataclass(frozen=True)
class CharVocab:
    """A character vocabulary: character ``chars[i]`` has id ``i``.

    Example:
        >>> vocab = CharVocab.from_text("hello world")
        >>> vocab.decode(vocab.encode("hold"))
        'hold'
    """

    chars: str
    """The characters, each once, in id order."""

    def __post_init__(self):
        if not self.chars:
            raise ValueError("CharVocab: expected at least one character, got an empty string")
        if len(set(self.chars)) != len(self.chars):
            repeated = sorted({c for c in self.chars if self.chars.count(c) > 1})
            raise ValueError(f"CharVocab: expected each character once, got repeats of {repeated}")

    @classmethod
    def from_text(cls, text: str) -> CharVocab:
        """The sorted set of characters in ``text``."""
        return cls("".join(sorted(set(text))))

    @property
    def size(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> Int[np.ndarray, " n"]:
        """Character ids of ``text``, as ``int32``; raises on a character outside the vocabulary."""
        index = {c: i for i, c in enumerate(self.chars)}
        try:
            return np.fromiter((index[c] for c in text), dtype=np.int32, count=len(text))
        except KeyError as error:
            char = error.args[0]
            raise ValueError(
                f"encode: character {char!r} (U+{ord(char):04X}) at position {text.index(char)} is not in the "
                f"vocabulary; expected one of the {self.size} characters {self.chars!r}"
            ) from None

    def decode(self, ids) -> str:
        """The text of integer ids (any array-like of ints); raises on an id outside ``[0, size)``."""
        ids = np.asarray(ids)
        if ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer):
            raise ValueError(f"decode: expected a 1-D array of integer ids, got shape {ids.shape} of {ids.dtype}")
        bad = np.flatnonzero((ids < 0) | (ids >= self.size))
        if bad.size:
            raise ValueError(
                f"decode: expected ids in [0, {self.size}), got {int(ids[bad[0]])} at position {int(bad[0])}"
            )
        return "".join(self.chars[i] for i in ids.tolist())


def generate_corpus(seed: int = CORPUS_SEED, n_sentences: int = CORPUS_SENTENCES) -> str:
    """``n_sentences`` templated English sentences, one per line, from ``seed``.

    Each sentence first draws a polarity (40% positive, 40% negative, 20% neutral) and then a
    template; sentiment words come only from the lists of its polarity. Only ``Random.random``
    is used, whose sequence Python keeps stable across versions.

    Example:
        >>> generate_corpus(seed=1, n_sentences=2).count("\\n")
        2
    """
    rng = random.Random(seed)

    def pick(options):
        return options[int(rng.random() * len(options))]

    def sentence() -> str:
        u = rng.random()
        polarity = "positive" if u < 0.4 else "negative" if u < 0.8 else "neutral"
        adjectives = {"positive": POSITIVE_ADJECTIVES, "negative": NEGATIVE_ADJECTIVES}.get(
            polarity, NEUTRAL_ADJECTIVES
        )
        verbs = {"positive": POSITIVE_VERBS, "negative": NEGATIVE_VERBS}.get(polarity, NEUTRAL_VERBS)
        name, noun, adjective, verb = pick(NAMES), pick(NOUNS), pick(adjectives), pick(verbs)
        subject = name if rng.random() < 0.5 else f"the {pick(NEUTRAL_ADJECTIVES)} {pick(NOUNS)}"
        templates = [
            lambda: f"{subject} {verb} the {adjective} {noun}.",
            lambda: f"the {noun} is {pick(INTENSIFIERS)} {adjective}.",
            lambda: f"{name} thinks the {noun} was {adjective} and {pick(adjectives)}.",
            lambda: f"{subject} {verb} the {noun} {pick(PLACES)}.",
            lambda: f"the {noun} {verb} {name} {pick(ADVERBS)}.",
            lambda: f"{name}, the {noun} is {adjective}.",
        ]
        if polarity != "neutral":
            templates += [
                lambda: f"i {pick(FIRST_PERSON_VERBS[polarity])} the {noun} because it is {adjective}.",
                lambda: f"what a {adjective} {noun}!",
            ]
        return pick(templates)()

    return "".join(sentence() + "\n" for _ in range(n_sentences))


def load_corpus() -> str:
    """The shipped corpus (:data:`CORPUS_PATH`), one sentence per line; nothing is downloaded."""
    if not CORPUS_PATH.is_file():
        raise FileNotFoundError(
            f"corpus: expected the shipped file {CORPUS_PATH}; regenerate it with "
            "CORPUS_PATH.write_text(generate_corpus()) from apprentice.data.text"
        )
    return CORPUS_PATH.read_text(encoding="utf-8")


def split_lines(text: str, validation_fraction: float, seed: int) -> tuple[str, str]:
    """``(train_text, validation_text)``: whole lines held out at random, each part in corpus order.

    Lines, not a contiguous tail, are held out, so both parts mix every template and polarity.
    """
    if not 0.0 < validation_fraction < 1.0:
        raise ValueError(f"validation_fraction: expected a value in (0, 1), got {validation_fraction}")
    lines = text.splitlines(keepends=True)
    n_val = int(validation_fraction * len(lines) + 0.5)
    if n_val < 1 or n_val >= len(lines):
        raise ValueError(
            f"split_lines: expected at least one line in each part, got {len(lines)} lines and "
            f"validation_fraction {validation_fraction}"
        )
    held_out = np.zeros(len(lines), dtype=bool)
    held_out[np.random.default_rng(seed).permutation(len(lines))[:n_val]] = True
    return (
        "".join(line for line, out in zip(lines, held_out) if not out),
        "".join(line for line, out in zip(lines, held_out) if out),
    )


def fixed_windows(tokens: Int[np.ndarray, " n"], length: int) -> Int[np.ndarray, "windows length"]:
    """Non-overlapping windows of ``length`` tokens (the remainder is dropped), for evaluation.

    A window of ``context + 1`` tokens gives ``context`` (prefix, next token) pairs.
    """
    tokens = np.asarray(tokens)
    n_windows = len(tokens) // length
    if n_windows == 0:
        raise ValueError(f"fixed_windows: expected at least {length} tokens, got {len(tokens)}")
    return tokens[: n_windows * length].reshape(n_windows, length)


def random_windows(
    key: PRNGKeyArray, tokens: Int[Array, " n"], length: int, batch_size: int
) -> Int[Array, "batch length"]:
    """``batch_size`` windows of ``length`` tokens at uniform random offsets; jittable.

    ``length`` and ``batch_size`` must be static under ``jit``, and ``len(tokens) >= length``.

    Example:
        >>> random_windows(jax.random.key(0), jnp.arange(100), 9, 4).shape
        (4, 9)
    """
    if tokens.shape[0] < length:
        raise ValueError(f"random_windows: expected at least {length} tokens, got {tokens.shape[0]}")
    starts = jax.random.randint(key, (batch_size,), 0, tokens.shape[0] - length + 1)
    return jax.vmap(lambda start: jax.lax.dynamic_slice(tokens, (start,), (length,)))(starts)


def unigram_entropy(text: str) -> float:
    """Entropy of the character frequencies of ``text``, in nats: ``-sum_c p(c) log p(c)``.

    The cross-entropy a model reaches by predicting each character without looking at the prefix;
    a model that uses context must go below it.
    """
    _, counts = np.unique(np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32), return_counts=True)
    p = counts / counts.sum()
    return float(-(p * np.log(p)).sum())
