"""``apprentice bench text-compounding``: compounding error of a character model, and the DAgger of text.

The shipped corpus is generated from templates, so the template is the expert and validity is
decidable (:mod:`apprentice.data.text_grammar`). For a model trained by next-token prediction:

1. The teacher-forced per-token error ``eps``: the mean probability mass outside the template's
   valid next characters, on the prefixes of held-out corpus lines (never trained on).
2. Free-running sampling from a newline: the probability that a sample has left the language by
   position ``t`` against ``1 - (1 - eps)^t`` (one independent chance ``eps`` per token), and the
   expected number of invalid tokens among the first ``T``, ``E N(T) = sum_{t <= T} P(left by t)``
   (a token is invalid when its prefix is no longer a prefix of any valid document), against
   ``sum_t 1 - (1 - eps)^t ~ eps T^2 / 2`` while ``eps T << 1``: the quadratic amplification of
   deck 000. The exponent of ``E N(T) ~ C T^k`` is fitted on log-log axes with a bootstrap over
   groups of samples (:func:`~apprentice.theory.power_law.fit_power_law`).
3. The DAgger of text (:mod:`apprentice.algorithms.preferences.text_dagger`) against plain
   next-token training at equal numbers of labeled tokens, with a control that isolates the label
   type: corpus prefixes labeled with their valid sets (the same states as next-token, the
   labels DAgger gets). The free-running invalid rate is the line-recovery mistake rate: mistakes
   per sampled token, a broken line unjudged until its newline.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import time
from pathlib import Path

import jax
import numpy as np

from apprentice.algorithms.preferences.next_token import train as train_next_token
from apprentice.algorithms.preferences.text_dagger import (
    LabeledWindows,
    corpus_windows,
    label_set_probabilities,
    sample_documents,
    text_dagger,
    train_on_labels,
)
from apprentice.bench.configs import TextCompoundingConfig
from apprentice.data.text import CharVocab, load_corpus, split_lines
from apprentice.data.text_grammar import TemplateGrammar
from apprentice.io_utils import atomic_write_text
from apprentice.theory.power_law import fit_power_law, log_log_slope

__all__ = ["TextCompoundingConfig", "free_running_statistics", "run_text_compounding"]

ARMS = ("next-token", "corpus sets", "DAgger")
"""The comparison's training schemes: corpus prefixes with the next character, corpus prefixes with
their valid sets, and DAgger (corpus round 0, then the model's own prefixes with their valid sets)."""


def free_running_statistics(texts: list[str], grammar: TemplateGrammar) -> dict:
    """How samples (each starting at a line start, all of one length ``L``) leave the template's language.

    Returns:
        ``left_by[t - 1]``: fraction of samples whose first ``t`` characters are no longer a valid
        prefix, ``t = 1 .. L``; ``invalid_tokens[i, T - 1]``: invalid tokens (absorbing) among the
        first ``T`` characters of sample ``i``; ``hazard``: first mistakes per character read from a
        still-valid prefix (the per-token error on the model's own valid prefixes);
        ``line_mistake_rate``: mistakes per character with line recovery; ``invalid_line_fraction``:
        of the complete sampled lines, those outside the language.
    """
    if not texts or len({len(t) for t in texts}) != 1:
        raise ValueError(
            f"free_running_statistics: expected samples of one length, got lengths {sorted({len(t) for t in texts})}"
        )
    length = len(texts[0])
    found = [grammar.first_invalid(t) for t in texts]
    first = np.array([length if i is None else i for i in found])
    reads = np.where(first < length, first + 1, length)  # characters read from a still-valid prefix
    positions = np.arange(1, length + 1)
    invalid_tokens = np.maximum(positions[None, :] - first[:, None], 0)
    left_by = (first[:, None] < positions[None, :]).mean(axis=0)
    judgements = [grammar.line_judgement(t) for t in texts]
    n_lines = sum(t.count("\n") for t in texts)
    invalid_lines = sum(not grammar.is_valid(line + "\n") for t in texts for line in t.split("\n")[:-1])
    return {
        "length": length,
        "n_samples": len(texts),
        "left_by": left_by,
        "invalid_tokens": invalid_tokens,
        "hazard": float((first < length).sum() / reads.sum()),
        "line_mistake_rate": float(sum(j.mistakes.sum() for j in judgements) / (length * len(texts))),
        "invalid_line_fraction": float(invalid_lines / n_lines) if n_lines else 0.0,
    }


def _teacher_forced_error(model, held_out: LabeledWindows) -> float:
    return float(1.0 - label_set_probabilities(model, held_out).mean())


def _compounding(config: TextCompoundingConfig, model, vocab, grammar, held_out, key) -> dict:
    """Parts 1 and 2 on the base model."""
    eps = _teacher_forced_error(model, held_out)
    texts = sample_documents(model, key, vocab, config.n_samples, config.model.context_length)
    stats = free_running_statistics(texts, grammar)
    t = np.arange(1, stats["length"] + 1)
    predicted_left = 1.0 - (1.0 - eps) ** t
    on_policy_left = 1.0 - (1.0 - stats["hazard"]) ** t
    lengths = np.asarray(config.lengths)
    groups = np.array_split(stats["invalid_tokens"][:, lengths - 1], config.n_groups)
    group_means = np.stack([g.mean(axis=0) for g in groups])
    fitted = group_means.min(axis=0) > 0  # a log-log fit needs every replicate positive
    fit = (
        fit_power_law(lengths[fitted], group_means[:, fitted], paired=True, seed=config.seed).to_dict()
        if fitted.sum() >= 2
        else None
    )
    return {
        "teacher_forced_error": eps,
        "n_held_out_labels": held_out.n_labels,
        "on_policy_hazard": stats["hazard"],
        "line_mistake_rate": stats["line_mistake_rate"],
        "invalid_line_fraction": stats["invalid_line_fraction"],
        "positions": t.tolist(),
        "left_by": stats["left_by"].tolist(),
        "predicted_left_by": predicted_left.tolist(),
        "on_policy_predicted_left_by": on_policy_left.tolist(),
        "lengths": lengths.tolist(),
        "expected_invalid_tokens": stats["invalid_tokens"][:, lengths - 1].mean(axis=0).tolist(),
        "predicted_invalid_tokens": np.cumsum(predicted_left)[lengths - 1].tolist(),
        "fitted_lengths": lengths[fitted].tolist(),
        "invalid_tokens_fit": fit,
        "predicted_exponent": float(log_log_slope(lengths, np.cumsum(predicted_left)[lengths - 1])[0]),
        "samples": [s.split("\n")[0] for s in texts[:6]],
    }


def _evaluate(model, config, vocab, grammar, held_out, key) -> dict:
    texts = sample_documents(model, key, vocab, config.eval_samples, config.model.context_length)
    stats = free_running_statistics(texts, grammar)
    return {
        "line_mistake_rate": stats["line_mistake_rate"],
        "invalid_line_fraction": stats["invalid_line_fraction"],
        "left_by_end": float(stats["left_by"][-1]),
        "teacher_forced_error": _teacher_forced_error(model, held_out),
    }


def _comparison(config: TextCompoundingConfig, train_text, vocab, grammar, held_out) -> tuple[list[dict], dict]:
    """Part 3: every arm at every budget and seed, then mean and std over seeds."""
    model_config = dataclasses.replace(config.model, n_steps=config.comparison_steps,
                                       warmup_steps=min(config.model.warmup_steps, config.comparison_steps - 1))  # fmt: skip
    window = model_config.context_length + 1
    lines = train_text.splitlines(keepends=True)
    rows = []
    for seed in config.comparison_seeds:
        order = np.random.default_rng([config.seed, seed]).permutation(len(lines))
        shuffled = "".join(lines[i] for i in order)
        key = jax.random.fold_in(jax.random.key(config.seed), 1 + seed)
        for budget in config.budgets:
            start = time.perf_counter()
            train_key, eval_key = jax.random.split(jax.random.fold_in(key, budget))
            corpus_budget = max(1, int(config.corpus_share * budget))
            dagger = text_dagger(train_key, model_config, corpus_windows(shuffled, vocab, window, corpus_budget), vocab,
                                 grammar, budget - corpus_budget, config.dagger_rounds)  # fmt: skip
            models = {
                "next-token": train_on_labels(
                    train_key, model_config, corpus_windows(shuffled, vocab, window, budget), vocab.size
                ),
                "corpus sets": train_on_labels(
                    train_key, model_config, corpus_windows(shuffled, vocab, window, budget, grammar), vocab.size
                ),
                "DAgger": dagger.model,
            }
            for arm, model in models.items():
                row = {"arm": arm, "seed": seed, "budget": budget,
                       **_evaluate(model, config, vocab, grammar, held_out, eval_key)}  # fmt: skip
                if arm == "DAgger":
                    row["labels"] = dagger.data.n_labels
                    row["rounds"] = dagger.rounds
                rows.append(row)
            print(f"budget {budget} seed {seed}: {time.perf_counter() - start:.0f} s, " + ", ".join(
                f"{r['arm']} {r['line_mistake_rate']:.4f}" for r in rows[-3:]), file=sys.stderr, flush=True)  # fmt: skip
    summary: dict = {}
    for arm in ARMS:
        per_budget = []
        for budget in config.budgets:
            chosen = [r for r in rows if r["arm"] == arm and r["budget"] == budget]
            entry: dict[str, float] = {"budget": budget}
            for metric in ("line_mistake_rate", "invalid_line_fraction", "left_by_end", "teacher_forced_error"):
                values = np.array([r[metric] for r in chosen])
                entry[metric], entry[f"{metric}_std"] = float(values.mean()), float(values.std())
            per_budget.append(entry)
        rates = np.array([e["line_mistake_rate"] for e in per_budget])
        slope = (
            float(log_log_slope(np.asarray(config.budgets), rates)[0]) if len(rates) > 1 and rates.min() > 0 else None
        )
        summary[arm] = {"rows": per_budget, "rate_slope_vs_labels": slope}
    return rows, summary


def run_text_compounding(config: TextCompoundingConfig | None = None, progress: bool = True) -> dict:
    """All three parts; writes ``results.json`` and ``text_compounding.png`` into ``config.out`` (default config: the run in docs/theory.md)."""
    from apprentice.report.text_compounding_plot import plot_text_compounding

    config = TextCompoundingConfig() if config is None else config

    start = time.perf_counter()
    corpus = load_corpus()
    vocab, grammar = CharVocab.from_text(corpus), TemplateGrammar()
    train_text, held_out_text = split_lines(corpus, config.held_out_fraction, config.seed)
    window = config.model.context_length + 1
    held_out = corpus_windows(held_out_text, vocab, window, len(held_out_text), grammar)
    base_key, sample_key = jax.random.split(jax.random.key(config.seed))
    base = train_next_token(base_key, config.model, train_text, vocab=vocab, progress=progress)
    result: dict = {
        "config": dataclasses.asdict(config),
        "base_validation_loss": base.validation_loss,
        "n_parameters": base.model.n_parameters(),
        "uniform_left_by_1": 1.0 - sum(c in vocab.chars for c in grammar.valid_after(grammar.start)) / vocab.size,
        "corpus_left_by_end": float(
            free_running_statistics(_corpus_documents(held_out_text, config.model.context_length), grammar)["left_by"][
                -1
            ]
        ),
        "compounding": _compounding(config, base.model, vocab, grammar, held_out, sample_key),
    }
    result["comparison_rows"], result["comparison"] = _comparison(config, train_text, vocab, grammar, held_out)
    result["seconds"] = time.perf_counter() - start
    out = Path(config.out)
    result["plot"] = str(plot_text_compounding(result, out / "text_compounding.png"))
    atomic_write_text(out / "results.json", json.dumps(result, indent=2) + "\n")
    return result


def _corpus_documents(text: str, length: int) -> list[str]:
    """The corpus cut into documents of ``length`` characters, each starting at a line start."""
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
    return [text[s : s + length] for s in starts if s + length <= len(text)]
