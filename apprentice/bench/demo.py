"""``apprentice demo``: behavior cloning against the number of demonstrations, table and plot.

For CartPole-v1 (cross-entropy) and Pendulum-v1 (Gaussian NLL and squared error) it records
expert demonstrations, trains BC on the first N of them for a few N, evaluates each policy
over 20 episodes from ``evaluation_seed()``, which no collection uses (three training seeds,
each with its own demonstrations),
and reports returns beside the expert and a random policy.
"""

from __future__ import annotations

import dataclasses
import json
import time
from dataclasses import dataclass
from pathlib import Path

import jax
import numpy as np
from rich.table import Table

from apprentice import experts
from apprentice.algorithms.bc import BCConfig, train
from apprentice.algorithms.configs.bc import BCLoss
from apprentice.envs import Stream, collection_seed, env_spec, evaluation_seed
from apprentice.evaluation import evaluate
from apprentice.io_utils import atomic_write_text
from apprentice.progress import make_console, progress_bar
from apprentice.report.plots import plot_return_vs_demos
from apprentice.rollout import rollout


@dataclass(frozen=True)
class DemoCase:
    env_id: str
    losses: tuple[BCLoss, ...]
    demo_counts: tuple[int, ...]


CASES = (
    DemoCase("CartPole-v1", ("cross_entropy",), (1, 2, 5, 10)),
    DemoCase("Pendulum-v1", ("gaussian_nll", "mse"), (2, 5, 10, 20)),
)
EVAL_EPISODES, EVAL_SEED, SEEDS = 20, evaluation_seed(), (0, 1, 2)


def run_demo(
    out: Path, cases: tuple[DemoCase, ...] = CASES, bc_config: BCConfig = BCConfig(), seeds: tuple[int, ...] = SEEDS
) -> dict:
    """Run every case, print the table, write ``results.json`` and ``returns_vs_demos.png`` under ``out``.

    Each seed ``s`` records its own demonstrations (``collection_seed(s, Stream.DEMONSTRATIONS)``) and trains with key
    ``s``; a point is the mean over seeds of the 20-episode evaluation return, +- its std.
    """
    console = make_console()
    start = time.perf_counter()
    rows = []
    n_runs = sum(len(c.losses) * len(c.demo_counts) for c in cases) * len(seeds)
    with progress_bar(n_runs, "demo: BC runs") as bar:
        for case in cases:
            expert = experts.load(case.env_id)
            spec = env_spec(case.env_id)
            demos = {
                s: rollout(
                    expert,
                    case.env_id,
                    n_episodes=max(case.demo_counts),
                    seed=collection_seed(s, Stream.DEMONSTRATIONS),
                )
                for s in seeds
            }
            for loss in case.losses:
                config = dataclasses.replace(bc_config, loss=loss)
                for n_demos in case.demo_counts:
                    per_seed = []
                    for seed in seeds:
                        trained = train(jax.random.key(seed), config, demos[seed][:n_demos], spec, progress=False)
                        per_seed.append(evaluate(trained.policy, case.env_id, EVAL_EPISODES, EVAL_SEED, expert=expert))
                        bar.advance(1, last=f"{case.env_id} {loss} N={n_demos}: {per_seed[-1].mean_return:.1f}")
                    rows.append(_row(case.env_id, loss, n_demos, per_seed, expert))
    console.print(_table(rows, seeds))
    out.mkdir(parents=True, exist_ok=True)
    plot = plot_return_vs_demos(rows, out / "returns_vs_demos.png")
    summary = {
        "rows": rows,
        "plot": str(plot),
        "seconds": time.perf_counter() - start,
        "eval_episodes": EVAL_EPISODES,
        "eval_seed": EVAL_SEED,
        "seeds": list(seeds),
        "bc_config": dataclasses.asdict(bc_config),
    }
    atomic_write_text(out / "results.json", json.dumps(summary, indent=2) + "\n")
    console.print(f"plot: {plot}   table: {out / 'results.json'}   ({summary['seconds']:.0f} s)")
    return summary


def _row(env_id: str, loss: str, n_demos: int, per_seed: list, expert) -> dict:
    returns = np.array([e.mean_return for e in per_seed])
    return {
        "env_id": env_id,
        "method": f"BC ({loss})",
        "n_demos": n_demos,
        "mean_return": float(returns.mean()),
        "std_return": float(returns.std()),
        "per_seed_returns": returns.tolist(),
        "normalized_score": float(np.mean([e.normalized_score for e in per_seed])),
        "disagreement_rate": float(np.mean([e.disagreement_rate for e in per_seed])),
        "expert_return": expert.stats.mean_return,
        "random_return": expert.stats.random_mean_return,
    }


def _table(rows: list[dict], seeds: tuple[int, ...]) -> Table:
    table = Table(
        "env",
        "method",
        "demos",
        "return",
        "normalized",
        "disagreement",
        "expert",
        "random",
        title=f"Behavior cloning vs number of demonstrations: mean +- std over {len(seeds)} seeds, "
        f"each evaluated on {EVAL_EPISODES} episodes",
    )
    for r in rows:
        table.add_row(
            r["env_id"],
            r["method"],
            str(r["n_demos"]),
            f"{r['mean_return']:.1f} +- {r['std_return']:.1f}",
            f"{r['normalized_score']:.3f}",
            f"{r['disagreement_rate']:.3f}",
            f"{r['expert_return']:.1f}",
            f"{r['random_return']:.1f}",
        )
    return table
