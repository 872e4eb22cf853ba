"""``apprentice bench preferences``: preference fine-tuning of a character model, measured two ways.

1. The reward-against-KL frontier of DPO and RLHF at several KL coefficients, beside the exact
   optimum of ``E[r] - beta KL`` (:mod:`apprentice.algorithms.preferences.text_frontier`).
2. Explicit against implicit (DPO) reward models, in distribution and under a synonym shift
   (:mod:`apprentice.algorithms.preferences.reward_generalization`).

Writes ``results.json`` and ``frontier.png`` and prints both tables.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path

import jax
import numpy as np
from rich.table import Table

from apprentice.algorithms.preferences.reward_generalization import explicit_vs_implicit
from apprentice.algorithms.preferences.text_frontier import reward_kl_frontier
from apprentice.algorithms.preferences.text_policy import TextTask
from apprentice.bench.configs import PreferencesBenchConfig
from apprentice.io_utils import atomic_write_text, jsonable
from apprentice.policies.transformer import CharTransformer
from apprentice.progress import make_console
from apprentice.report.preference_plots import plot_frontier


def run_preferences_bench(
    key, reference: CharTransformer, task: TextTask, config: PreferencesBenchConfig, out: str | Path
) -> dict:
    """Both experiments from ``reference``; results and plot written into ``out``."""
    frontier_key, generalization_key = jax.random.split(key)
    start = time.perf_counter()
    frontier = reward_kl_frontier(frontier_key, reference, task, config.frontier)
    frontier_seconds = time.perf_counter() - start
    runs = [
        explicit_vs_implicit(jax.random.fold_in(generalization_key, seed), reference, task, config.generalization)
        for seed in range(config.generalization_seeds)
    ]
    generalization = {"runs": runs, **summarize_generalization(runs)}
    out = Path(out)
    plot = plot_frontier(frontier, out / "frontier.png")
    result = {
        "out": str(out), "plot": str(plot), "config": asdict(config), "frontier": frontier, "generalization": generalization,
        "seconds": {"frontier": round(frontier_seconds, 1), "generalization": round(time.perf_counter() - start - frontier_seconds, 1)},
    }  # fmt: skip
    result = jsonable(result)
    atomic_write_text(out / "results.json", json.dumps(result, indent=2) + "\n")
    _print_tables(result)
    return result


def summarize_generalization(runs: list[dict]) -> dict:
    """Mean and standard deviation over runs of each accuracy, per reward model."""
    summary: dict[str, dict[str, float]] = {}
    for name in ("explicit", "implicit"):
        summary[name] = {}
        for split in runs[0][name]:
            values = np.array([run[name][split] for run in runs])
            summary[name][split] = float(values.mean())
            summary[name][f"{split}_std"] = float(values.std())
    return summary


def _print_tables(result: dict) -> None:
    console = make_console()
    table = Table(title=f"reward against KL -> {result['plot']}")
    for column in ("algorithm", "beta", "KL (nats)", "true reward"):
        table.add_column(column)
    for p in result["frontier"]["points"]:
        table.add_row(p["algorithm"], "" if p["beta"] is None else f"{p['beta']:g}", f"{p['kl']:.2f} +- {p['kl_stderr']:.2f}",
                      f"{p['reward']:.3f} +- {p['reward_stderr']:.3f}")  # fmt: skip
    console.print(table)
    generalization = result["generalization"]
    table = Table(
        title=f"explicit against implicit reward models: held-out accuracy against the true order ({len(generalization['runs'])} seeds)"
    )
    for column in ("reward model", "in distribution", "shifted (synonyms)", "shifted, changed pairs only"):
        table.add_column(column)
    for name in ("explicit", "implicit"):
        scores = generalization[name]
        table.add_row(
            name,
            *(
                f"{scores[split]:.3f} +- {scores[split + '_std']:.3f}"
                for split in ("in_distribution", "shifted", "shifted_changed")
            ),
        )
    console.print(table)
