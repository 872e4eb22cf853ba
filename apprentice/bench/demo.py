"""``apprentice demo``: behavior cloning against the number of demonstrations, table and plot.

For CartPole-v1 (cross-entropy) and Pendulum-v1 (Gaussian NLL and squared error) it records
expert demonstrations, trains BC on the first N of them for a few N, evaluates each policy
over 20 episodes on held-out seeds, and reports returns beside the expert and a random policy.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import jax
from rich.console import Console
from rich.table import Table

from apprentice import experts
from apprentice.algorithms.bc import BCConfig, train
from apprentice.envs import env_spec
from apprentice.evaluation import evaluate
from apprentice.io_utils import atomic_write_text
from apprentice.progress import progress_bar
from apprentice.report.plots import plot_return_vs_demos
from apprentice.rollout import rollout


@dataclass(frozen=True)
class DemoCase:
    env_id: str
    losses: tuple[str, ...]
    demo_counts: tuple[int, ...]


CASES = (
    DemoCase("CartPole-v1", ("cross_entropy",), (1, 2, 5, 10)),
    DemoCase("Pendulum-v1", ("gaussian_nll", "mse"), (2, 5, 10, 20)),
)
EVAL_EPISODES, EVAL_SEED, DEMO_SEED, TRAIN_SEED = 20, 1000, 0, 0


def run_demo(out: Path, cases: tuple[DemoCase, ...] = CASES, bc_config: BCConfig = BCConfig()) -> dict:
    """Run every case, print the table, write ``results.json`` and ``returns_vs_demos.png`` under ``out``."""
    console = Console()
    start = time.perf_counter()
    rows = []
    n_runs = sum(len(c.losses) * len(c.demo_counts) for c in cases)
    with progress_bar(n_runs, "demo: BC runs") as bar:
        for case in cases:
            expert = experts.load(case.env_id)
            spec = env_spec(case.env_id)
            demos = rollout(expert, case.env_id, n_episodes=max(case.demo_counts), seed=DEMO_SEED)
            for loss in case.losses:
                for n_demos in case.demo_counts:
                    config = BCConfig(**{**bc_config.__dict__, "loss": loss})
                    trained = train(jax.random.key(TRAIN_SEED), config, demos[:n_demos], spec, progress=False)
                    result = evaluate(trained.policy, case.env_id, EVAL_EPISODES, EVAL_SEED, expert=expert)
                    rows.append(
                        {
                            "env_id": case.env_id,
                            "method": f"BC ({loss})",
                            "n_demos": n_demos,
                            "mean_return": result.mean_return,
                            "std_return": result.std_return,
                            "normalized_score": result.normalized_score,
                            "disagreement_rate": result.disagreement_rate,
                            "expert_return": expert.stats.mean_return,
                            "random_return": expert.stats.random_mean_return,
                            "epochs": len(trained.history),
                        }
                    )
                    bar.advance(1, last=f"{case.env_id} {loss} N={n_demos}: {result.mean_return:.1f}")
    console.print(_table(rows))
    out.mkdir(parents=True, exist_ok=True)
    plot = plot_return_vs_demos(rows, out / "returns_vs_demos.png")
    summary = {"rows": rows, "plot": str(plot), "seconds": time.perf_counter() - start,
               "eval_episodes": EVAL_EPISODES, "eval_seed": EVAL_SEED}
    atomic_write_text(out / "results.json", json.dumps(summary, indent=2) + "\n")
    console.print(f"plot: {plot}   table: {out / 'results.json'}   ({summary['seconds']:.0f} s)")
    return summary


def _table(rows: list[dict]) -> Table:
    table = Table("env", "method", "demos", "return (mean +- std)", "normalized", "disagreement", "expert", "random",
                  title=f"Behavior cloning vs number of demonstrations ({EVAL_EPISODES} evaluation episodes)")
    for r in rows:
        table.add_row(
            r["env_id"], r["method"], str(r["n_demos"]), f"{r['mean_return']:.1f} +- {r['std_return']:.1f}",
            f"{r['normalized_score']:.3f}", f"{r['disagreement_rate']:.3f}",
            f"{r['expert_return']:.1f}", f"{r['random_return']:.1f}",
        )
    return table
