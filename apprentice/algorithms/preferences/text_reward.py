"""A programmatic reward on generated text, and a meaning-preserving token-level shift of text.

The reward stands in for the sentiment classifier of the DPO paper's IMDb experiment: the sign
of (positive words minus negative words) in the first line of a text, with the word lists of the
shipped corpus (:data:`apprentice.data.text.POSITIVE_WORDS`, ``NEGATIVE_WORDS``). It is exact,
cheap and easy to read off a sample, and bounded like a classifier's score: an unbounded count
is hacked by RLHF with sentences such as "jack likes the kind kind likes the kind kind."
(measured: a mean count of 5.7 at a KL of 34 nats with beta 0.1).

The shift swaps words for synonyms of the same polarity that the corpus also uses
(:data:`SYNONYMS`): the true reward of a text does not change, its tokens do. Preference data
written with only the first word of each pair (:func:`only_first_synonyms`) and evaluated with
only the second (:func:`only_second_synonyms`) measures how a reward model generalizes across a
token-level shift, as in Razin et al. 2025 ("Why is your language model a poor implicit reward
model?", arXiv:2507.07981).
"""

from __future__ import annotations

import re

import numpy as np

from apprentice.data.text import NEGATIVE_WORDS, POSITIVE_WORDS

_COMPLETE_WORD = re.compile(r"[a-z]+(?=[^a-z])")
"""A word followed by a non-letter: a word cut off at the end of a truncated sample does not count."""

SYNONYMS: tuple[tuple[str, str], ...] = (
    ("good", "great"), ("happy", "cheerful"), ("lovely", "beautiful"), ("wonderful", "brilliant"),
    ("kind", "gentle"), ("pleasant", "delightful"), ("bright", "warm"),
    ("bad", "awful"), ("sad", "gloomy"), ("terrible", "horrible"), ("nasty", "cruel"),
    ("dreadful", "miserable"), ("angry", "cold"), ("boring", "ugly"),
    ("loves", "adores"), ("likes", "enjoys"), ("admires", "praises"),
    ("hates", "dislikes"), ("fears", "avoids"), ("blames", "hurts"),
    ("love", "enjoy"), ("like", "admire"), ("hate", "fear"), ("dislike", "avoid"),
)  # fmt: skip
"""Pairs of corpus words with the same polarity; each word appears in one pair at most."""


def first_line(text: str) -> str:
    """``text`` up to its first newline (a generated sentence ends there)."""
    return text.split("\n", 1)[0]


def sentiment_count(text: str) -> int:
    """Positive minus negative words in the first line of ``text``; a trailing cut-off word is ignored.

    Example:
        >>> sentiment_count("anna loves the lovely cat.\\nthe dog hates")
        2
    """
    line = first_line(text) + ("\n" if "\n" in text else "")
    words = _COMPLETE_WORD.findall(line)
    return sum(w in POSITIVE_WORDS for w in words) - sum(w in NEGATIVE_WORDS for w in words)


def sentiment_reward(text: str) -> float:
    """The sign of :func:`sentiment_count`: 1 (positive), 0 (neutral or mixed) or -1 (negative).

    Example:
        >>> sentiment_reward("anna loves the lovely cat."), sentiment_reward("what a dreadful cake!")
        (1.0, -1.0)
    """
    return float(np.sign(sentiment_count(text)))


def sentiment_rewards(texts: list[str]) -> np.ndarray:
    """:func:`sentiment_reward` of each text, as float32."""
    return np.array([sentiment_reward(t) for t in texts], np.float32)


def substitute_words(text: str, mapping: dict[str, str]) -> str:
    """``text`` with every whole word that is a key of ``mapping`` replaced by its value."""
    return re.sub(r"[a-z]+", lambda m: mapping.get(m.group(0), m.group(0)), text)


def only_first_synonyms(text: str) -> str:
    """Each word of :data:`SYNONYMS` written as the first of its pair (the training distribution)."""
    return substitute_words(text, {second: first for first, second in SYNONYMS})


def only_second_synonyms(text: str) -> str:
    """Each word of :data:`SYNONYMS` written as the second of its pair (the shifted distribution)."""
    return substitute_words(text, {first: second for first, second in SYNONYMS})
