"""``apprentice bench labels``: expert-normalized return against the number of expert labels,
for BC, DART, DAgger and HG-DAgger.

At a budget of L labels: BC trains on L steps of expert rollouts; DAgger, DART and HG-DAgger
collect L/5 labels in round 0 (expert demonstrations) and then run up to 4 rounds of L/5 env
steps each, stopping at L labels. HG-DAgger labels only the steps where its gate hands control
to the expert, so it may end below L: its points sit at the labels it actually used. All
collection runs one env, whole episodes one after another (a budget cuts only the last one).
Seed s collects from run seed s of ``apprentice.envs.seeds`` (BC's demonstrations and round 0 of the
interactive methods from its demonstrations stream, later rounds from its interactive stream);
each final policy is evaluated on 20 episodes from ``evaluation_seed()``, which no collection uses.

Each env is written to ``<out>/<env_id>.json`` after every budget, so several processes
can share the work (one ``--envs`` each) and a last ``--plot-only`` call draws them together.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, replace
from pathlib import Path

import jax
import numpy as np
from rich.table import Table

from apprentice import experts
from apprentice.algorithms.bc import BCConfig
from apprentice.algorithms.bc import train as bc_train
from apprentice.algorithms.dagger import (
    DAggerConfig,
    DARTConfig,
    HGDAggerConfig,
    InteractiveConfig,
    dagger,
    dart,
    hg_dagger,
)
from apprentice.bench.configs import LABEL_METHODS as METHODS
from apprentice.bench.configs import LabelsBenchConfig
from apprentice.envs import Stream, collection_seed, env_spec, evaluation_seed
from apprentice.evaluation import evaluate
from apprentice.io_utils import atomic_write_text
from apprentice.progress import make_console, progress_bar
from apprentice.report.plots import plot_score_vs_labels
from apprentice.rollout import rollout


def run_labels(config: LabelsBenchConfig = LabelsBenchConfig()) -> dict:
    """Run every (env, method, budget, seed), then print the table and draw the plot."""
    out = Path(config.out)
    unknown = set(config.methods) - set(METHODS)
    if unknown:
        raise ValueError(f"methods: expected some of {METHODS}, got {sorted(unknown)}")
    if not config.plot_only:
        for env_id in config.envs:
            _run_env(env_id, config, out / f"{env_id}.json")
    return _summarize(out)


def _run_env(env_id: str, config: LabelsBenchConfig, path: Path) -> list[dict]:
    """All runs of one env; ``path`` is rewritten after every budget, so a cut run keeps its rows."""
    start = time.perf_counter()
    expert = experts.load(env_id)
    spec = env_spec(env_id)
    bc = BCConfig(n_epochs=config.epochs, min_gradient_steps=config.min_steps, validation_fraction=0.0)
    rows = []
    total = len(config.methods) * len(config.budgets) * len(config.seeds)
    with progress_bar(total, f"labels bench {env_id}") as bar:
        for budget in config.budgets:
            per_round = max(1, budget // (config.rounds + 1))
            interactive = InteractiveConfig(
                initial_labels=per_round,
                steps_per_round=per_round,
                n_rounds=config.rounds,
                label_budget=budget,
                eval_episodes=0,
            )
            for method in config.methods:
                for seed in config.seeds:
                    key = jax.random.key(seed)
                    run_config = replace(interactive, run_seed=seed)
                    if method == "BC":
                        demos = rollout(
                            expert, env_id, n_steps=budget, seed=collection_seed(seed, Stream.DEMONSTRATIONS), n_envs=1
                        )
                        policy, labels = bc_train(key, bc, demos, spec, progress=False).policy, budget
                    else:
                        result = _interactive(method, key, run_config, bc, expert, env_id)
                        policy, labels = result.policy, result.metrics[-1]["labels"]
                    evaluation = evaluate(policy, env_id, config.eval_episodes, evaluation_seed(), expert=expert)
                    rows.append(
                        {
                            "env_id": env_id,
                            "method": method,
                            "budget": budget,
                            "seed": seed,
                            "labels": labels,
                            "mean_return": evaluation.mean_return,
                            "normalized_score": evaluation.normalized_score,
                            "disagreement_rate": evaluation.disagreement_rate,
                        }
                    )
                    bar.advance(1, last=f"{method} L={budget}: {evaluation.normalized_score:.2f}")
            payload = {"env_id": env_id, "config": asdict(config), "rows": rows, "seconds": time.perf_counter() - start}
            atomic_write_text(path, json.dumps(payload, indent=2) + "\n")
    return rows


def _interactive(method, key, interactive, bc, expert, env_id):
    if method == "DAgger":
        return dagger.train(key, DAggerConfig(interactive=interactive, bc=bc), expert, env_id, progress=False)
    if method == "DART":
        return dart.train(key, DARTConfig(interactive=interactive, bc=bc), expert, env_id, progress=False)
    return hg_dagger.train(key, HGDAggerConfig(interactive=interactive, bc=bc), expert, env_id, progress=False)


def _summarize(out: Path) -> dict:
    files = sorted(out.glob("*.json"))
    files = [f for f in files if f.name != "results.json"]
    if not files:
        raise ValueError(f"{out}: expected per-env JSON files from earlier runs, found none")
    rows = [row for f in files for row in json.loads(f.read_text())["rows"]]
    summary = []
    for env_id in dict.fromkeys(r["env_id"] for r in rows):
        for method in dict.fromkeys(r["method"] for r in rows):
            for budget in sorted({r["budget"] for r in rows}):
                group = [r for r in rows if (r["env_id"], r["method"], r["budget"]) == (env_id, method, budget)]
                if group:
                    scores = np.array([r["normalized_score"] for r in group])
                    summary.append(
                        {
                            "env_id": env_id,
                            "method": method,
                            "budget": budget,
                            "labels_mean": float(np.mean([r["labels"] for r in group])),
                            "normalized_mean": float(scores.mean()),
                            "normalized_std": float(scores.std()),
                            "n_seeds": len(group),
                        }
                    )
    plot = plot_score_vs_labels(summary, out / "score_vs_labels.png")
    result = {"summary": summary, "plot": str(plot), "first_budget_at_095": _first_at(summary, 0.95)}
    atomic_write_text(out / "results.json", json.dumps(result, indent=2) + "\n")
    make_console().print(_table(summary))
    return result


def _first_at(summary: list[dict], threshold: float) -> dict:
    """Per env and method: the smallest budget whose mean normalized score reaches ``threshold``."""
    reached = {}
    for row in summary:
        key = f"{row['env_id']} {row['method']}"
        if row["normalized_mean"] >= threshold and key not in reached:
            reached[key] = row["budget"]
    return reached


def _table(summary: list[dict]) -> Table:
    budgets = sorted({r["budget"] for r in summary})
    table = Table(
        "env",
        "method",
        *[str(b) for b in budgets],
        title="Expert-normalized score (mean +- std over seeds) against the expert-label budget",
    )
    for env_id in dict.fromkeys(r["env_id"] for r in summary):
        for method in dict.fromkeys(r["method"] for r in summary):
            cells = {r["budget"]: r for r in summary if (r["env_id"], r["method"]) == (env_id, method)}
            if cells:
                table.add_row(
                    env_id,
                    method,
                    *[
                        f"{cells[b]['normalized_mean']:.2f} +- {cells[b]['normalized_std']:.2f}" if b in cells else "-"
                        for b in budgets
                    ],
                )
    return table
