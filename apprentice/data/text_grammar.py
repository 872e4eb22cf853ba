"""The language of the shipped corpus, decidable: which characters may come next after a prefix.

:func:`~apprentice.data.text.generate_corpus` writes each line from one of eight sentence
templates whose sentiment words all come from one polarity's lists. This module writes the same
templates down as patterns (a sequence of slots, each a tuple of alternative strings) and runs
them as a character automaton, so the template becomes an expert that can be asked, for any
prefix, which next characters keep it a prefix of some valid document.

A *document* is a sequence of lines, each a sentence of the templates followed by ``"\\n"``; the
empty document is valid. The automaton is a nondeterministic one over pattern positions,
determinized on first use (subset construction, memoized), so stepping a character costs a dict
lookup once a state has been seen.

Two ways to judge text that has left the language:

- *absorbing* (:meth:`TemplateGrammar.first_invalid`): the first character outside the valid
  set ends the valid prefix; every later character is off the language too.
- *line recovery* (:meth:`TemplateGrammar.line_judgement`): a mistake breaks its line, the rest
  of a broken line is unjudged (no valid next characters are defined there), and the next
  ``"\\n"`` starts a fresh sentence. Each line is judged on its own.

Example:
    >>> grammar = TemplateGrammar()
    >>> grammar.valid_next_characters("the cat is very re")
    'd'
    >>> grammar.is_valid("what a lovely cake!\\n"), grammar.is_valid("anna loves the awful cat.\\n")
    (True, False)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from apprentice.data.text import (
    ADVERBS,
    FIRST_PERSON_VERBS,
    INTENSIFIERS,
    NAMES,
    NEGATIVE_ADJECTIVES,
    NEGATIVE_VERBS,
    NEUTRAL_ADJECTIVES,
    NEUTRAL_VERBS,
    NOUNS,
    PLACES,
    POSITIVE_ADJECTIVES,
    POSITIVE_VERBS,
    CharVocab,
)

Slot = tuple[str, ...]
"""The alternative strings one place of a pattern may hold (a literal is a one-element slot)."""
Pattern = tuple[Slot, ...]
"""A sentence template: its slots in order; a sentence is one alternative of each slot, concatenated."""

NEWLINE = "\n"
_END = (-1, -1, "", 0)
"""The automaton's position after a complete sentence: only the newline may follow."""


def sentence_patterns() -> tuple[Pattern, ...]:
    """The templates of :func:`~apprentice.data.text.generate_corpus`, one pattern per polarity and subject form.

    A subject is a name or ``"the {neutral adjective} {noun}"``; sentiment words (adjectives,
    verbs, first-person verbs) come from one polarity's lists, the neutral polarity has no
    first-person or exclamation templates.
    """
    word = {
        "positive": (POSITIVE_ADJECTIVES, POSITIVE_VERBS),
        "negative": (NEGATIVE_ADJECTIVES, NEGATIVE_VERBS),
        "neutral": (NEUTRAL_ADJECTIVES, NEUTRAL_VERBS),
    }
    subjects: tuple[Pattern, ...] = ((NAMES,), (("the ",), NEUTRAL_ADJECTIVES, (" ",), NOUNS))
    patterns: list[Pattern] = []
    for polarity, (adjectives, verbs) in word.items():
        for subject in subjects:
            patterns.append((*subject, (" ",), verbs, (" the ",), adjectives, (" ",), NOUNS, (".",)))
            patterns.append((*subject, (" ",), verbs, (" the ",), NOUNS, (" ",), PLACES, (".",)))
        patterns += [
            (("the ",), NOUNS, (" is ",), INTENSIFIERS, (" ",), adjectives, (".",)),
            (NAMES, (" thinks the ",), NOUNS, (" was ",), adjectives, (" and ",), adjectives, (".",)),
            (("the ",), NOUNS, (" ",), verbs, (" ",), NAMES, (" ",), ADVERBS, (".",)),
            (NAMES, (", the ",), NOUNS, (" is ",), adjectives, (".",)),
        ]
        if polarity != "neutral":
            first_person = FIRST_PERSON_VERBS[polarity]
            patterns += [
                (("i ",), first_person, (" the ",), NOUNS, (" because it is ",), adjectives, (".",)),
                (("what a ",), adjectives, (" ",), NOUNS, ("!",)),
            ]
    return tuple(patterns)


@dataclass(frozen=True)
class LineJudgement:
    """Text judged line by line (line recovery): where mistakes are and which positions have labels."""

    mistakes: np.ndarray
    """``bool[n]``: character ``i`` is outside the valid next characters of its still-valid line."""
    judged: np.ndarray
    """``bool[n]``: character ``i`` follows a prefix whose current line is still valid (it has a
    defined valid set, so it can be labeled); false inside a broken line, after its mistake."""
    states: np.ndarray
    """``int[n]``: the automaton state before character ``i`` (the dead state inside a broken line)."""


class TemplateGrammar:
    """The corpus's template language as a lazily determinized character automaton.

    States are small integers; :attr:`start` is the state at the beginning of a line,
    :attr:`dead` the state of a prefix that has left the language (it has no valid next
    character). One instance memoizes every state it has visited; it is not thread-safe.
    """

    def __init__(self, patterns: tuple[Pattern, ...] | None = None):
        self.patterns = sentence_patterns() if patterns is None else patterns
        if not self.patterns or any(not slot for pattern in self.patterns for slot in pattern):
            raise ValueError("TemplateGrammar: expected non-empty patterns of non-empty slots")
        if any(not alternative for pattern in self.patterns for slot in pattern for alternative in slot):
            raise ValueError("TemplateGrammar: expected non-empty alternative strings in every slot")
        self._sets: list[frozenset] = []
        self._ids: dict[frozenset, int] = {}
        self._transitions: list[dict[str, int]] = []
        self._valid: list[str | None] = []
        self.dead = self._intern(frozenset())
        starts: set[tuple] = set()
        for p in range(len(self.patterns)):
            starts |= self._entering(p, 0)
        self.start = self._intern(frozenset(starts))

    @property
    def n_states_seen(self) -> int:
        """Deterministic states built so far (the automaton grows as text visits new prefixes)."""
        return len(self._sets)

    def _entering(self, p: int, slot: int) -> set[tuple]:
        """The positions at the start of ``slot`` of pattern ``p`` (the sentence's end past the last slot)."""
        if slot == len(self.patterns[p]):
            return {_END}
        return {(p, slot, alternative, 0) for alternative in self.patterns[p][slot]}

    def _intern(self, positions: frozenset) -> int:
        if positions not in self._ids:
            self._ids[positions] = len(self._sets)
            self._sets.append(positions)
            self._transitions.append({})
            self._valid.append(None)
        return self._ids[positions]

    def step(self, state: int, char: str) -> int:
        """The state after reading ``char`` in ``state`` (:attr:`dead` if ``char`` is not valid there)."""
        known = self._transitions[state].get(char)
        if known is not None:
            return known
        following: set[tuple] = set()
        for position in self._sets[state]:
            if position == _END:
                if char == NEWLINE:
                    following |= self._sets[self.start]
                continue
            p, slot, alternative, offset = position
            if alternative[offset] != char:
                continue
            if offset + 1 < len(alternative):
                following.add((p, slot, alternative, offset + 1))
            else:
                following |= self._entering(p, slot + 1)
        result = self._intern(frozenset(following))
        self._transitions[state][char] = result
        return result

    def valid_after(self, state: int) -> str:
        """The characters that may follow in ``state``, sorted (empty for :attr:`dead`)."""
        valid = self._valid[state]
        if valid is None:
            chars = {NEWLINE if position == _END else position[2][position[3]] for position in self._sets[state]}
            valid = self._valid[state] = "".join(sorted(chars))
        return valid

    def run(self, text: str, state: int | None = None) -> int:
        """The state after reading ``text`` from ``state`` (default :attr:`start`)."""
        state = self.start if state is None else state
        for char in text:
            state = self.step(state, char)
            if state == self.dead:
                break
        return state

    def valid_next_characters(self, prefix: str) -> str:
        """The characters ``c`` for which ``prefix + c`` is still a prefix of a valid document, sorted."""
        return self.valid_after(self.run(prefix))

    def is_valid_prefix(self, text: str) -> bool:
        """Whether ``text`` is the beginning of some valid document."""
        return self.run(text) != self.dead

    def is_valid(self, text: str) -> bool:
        """Whether ``text`` is a valid document: complete lines, each a sentence of the templates."""
        return self.run(text) == self.start

    def first_invalid(self, text: str) -> int | None:
        """The index of the first character that leaves the language (absorbing), or ``None``."""
        state = self.start
        for i, char in enumerate(text):
            state = self.step(state, char)
            if state == self.dead:
                return i
        return None

    def line_judgement(self, text: str) -> LineJudgement:
        """Judge ``text`` (starting at a line start) with line recovery; see :class:`LineJudgement`."""
        n = len(text)
        mistakes, judged = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
        states = np.empty(n, dtype=np.int64)
        state = self.start
        for i, char in enumerate(text):
            states[i] = state
            if state == self.dead:  # inside a broken line: unjudged until its newline
                state = self.start if char == NEWLINE else self.dead
                continue
            judged[i] = True
            state = self.step(state, char)
            mistakes[i] = state == self.dead
        return LineJudgement(mistakes=mistakes, judged=judged, states=states)

    def valid_mask(self, state: int, vocab: CharVocab) -> np.ndarray:
        """``bool[vocab.size]``: which of the vocabulary's characters may follow in ``state``."""
        valid = self.valid_after(state)
        return np.fromiter((c in valid for c in vocab.chars), dtype=bool, count=vocab.size)

    def valid_masks(self, states: np.ndarray, vocab: CharVocab) -> np.ndarray:
        """``bool[*states.shape, vocab.size]``: :meth:`valid_mask` of every state in ``states``."""
        states = np.asarray(states)
        unique, inverse = np.unique(states, return_inverse=True)
        table = (
            np.stack([self.valid_mask(int(s), vocab) for s in unique])
            if unique.size
            else np.zeros((0, vocab.size), bool)
        )
        return table[inverse.reshape(states.shape)]

    def uniform_survival(self, vocab: CharVocab, length: int) -> np.ndarray:
        """``float[length]``: exact probability that ``t + 1`` characters drawn uniformly from ``vocab``
        (from a line start) are still a valid prefix, for ``t = 0 .. length - 1``.

        Forward over the automaton: each valid character carries ``1 / vocab.size`` of its state's mass.
        The number of live states grows with ``length``; keep it small (tens).
        """
        if length < 1:
            raise ValueError(f"uniform_survival: expected length >= 1, got {length}")
        mass = {self.start: 1.0}
        survival = np.empty(length)
        for t in range(length):
            following: dict[int, float] = {}
            for state, p in mass.items():
                for char in self.valid_after(state):
                    if char in vocab.chars:
                        nxt = self.step(state, char)
                        following[nxt] = following.get(nxt, 0.0) + p / vocab.size
            mass = following
            survival[t] = sum(mass.values())
        return survival
