"""``apprentice bench rwr``: reward-weighted regression against plain BC on mixed-quality data.

The dataset mixes episodes of the scripted expert with episodes of a degraded demonstrator:
``reversed`` pushes the wrong way (a sign-flipped actuator), ``weak`` applies 30% of the
expert's torque. BC imitates the mixture; RWR weights each episode by its return.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import jax
import numpy as np
from rich.table import Table

from apprentice import experts
from apprentice.algorithms.bc import BCConfig, train
from apprentice.bench.configs import RWRBenchConfig
from apprentice.data.trajectory import Trajectory
from apprentice.envs import Stream, collection_seed, env_spec, evaluation_seed
from apprentice.evaluation import evaluate
from apprentice.io_utils import atomic_write_text
from apprentice.progress import make_console, progress_bar
from apprentice.report.plots import plot_method_scores
from apprentice.rollout import rollout

DEGRADATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "reversed": lambda actions: -actions,
    "weak": lambda actions: 0.3 * actions,
}


def expert_demonstrations(env_id: str, n_episodes: int) -> list[Trajectory]:
    """The expert's episodes of the mixed datasets (collection seeds of dataset 0)."""
    return rollout(
        experts.load(env_id), env_id, n_episodes=n_episodes, seed=collection_seed(0, Stream.DEMONSTRATIONS, 0)
    )


def degraded_demonstrations(env_id: str, degradation: str, n_episodes: int) -> list[Trajectory]:
    """Episodes of the expert degraded by ``degradation`` (one of ``DEGRADATIONS``; dataset 1's seeds)."""
    expert, degrade = experts.load(env_id), DEGRADATIONS[degradation]
    actor = lambda obs: degrade(expert(obs))  # noqa: E731
    return rollout(actor, env_id, n_episodes=n_episodes, seed=collection_seed(0, Stream.DEMONSTRATIONS, 1))


def run_rwr(config: RWRBenchConfig = RWRBenchConfig()) -> dict:
    """Train BC, RWR (R - min R) and RWR (exp(R / T)) for each T on each mixture; table, JSON and plot."""
    start = time.perf_counter()
    expert = experts.load(config.env_id)
    spec = env_spec(config.env_id)
    good = expert_demonstrations(config.env_id, config.n_expert_episodes)
    bc = BCConfig(loss=config.loss)
    methods = {"BC": bc, "RWR (R - min R)": replace(bc, weighting="return")}
    for temperature in config.temperatures:
        methods[f"RWR exp(R/{temperature:g})"] = replace(bc, weighting="exp_return", rwr_temperature=temperature)
    rows: list[dict[str, Any]] = []
    total = len(config.degradations) * len(methods) * len(config.seeds)
    with progress_bar(total, "RWR vs BC") as bar:
        for name in config.degradations:
            bad = degraded_demonstrations(config.env_id, name, config.n_degraded_episodes)
            bad_return = float(np.mean([t.episode_return for t in bad]))
            for method, bc_config in methods.items():
                scores = []
                for seed in config.seeds:
                    trained = train(jax.random.key(seed), bc_config, good + bad, spec, progress=False)
                    evaluation = evaluate(trained.policy, config.env_id, config.eval_episodes, evaluation_seed())
                    scores.append(expert.normalized_score(evaluation.mean_return))
                    bar.advance(1)
                rows.append(
                    {
                        "degradation": name,
                        "degraded_return": bad_return,
                        "method": method,
                        "normalized_mean": float(np.mean(scores)),
                        "normalized_std": float(np.std(scores)),
                        "normalized_per_seed": scores,
                    }
                )
    out = Path(config.out)
    stats = expert.require_stats()
    summary = {
        "config": _jsonable(config),
        "rows": rows,
        "seconds": time.perf_counter() - start,
        "expert_return": stats.mean_return,
        "random_return": stats.random_mean_return,
    }
    summary["plot"] = str(
        plot_method_scores(
            rows, "degradation", out / "rwr_vs_bc.png", title=f"{config.env_id}: expert + degraded demonstrations"
        )
    )
    atomic_write_text(out / "results.json", json.dumps(summary, indent=2) + "\n")
    table = Table(
        "degraded demonstrator",
        "its return",
        "method",
        "normalized score (mean +- std over seeds)",
        title=f"{config.n_expert_episodes} expert + {config.n_degraded_episodes} degraded episodes, {config.env_id}",
    )
    for r in rows:
        table.add_row(
            r["degradation"],
            f"{r['degraded_return']:.0f}",
            r["method"],
            f"{r['normalized_mean']:.3f} +- {r['normalized_std']:.3f}",
        )
    make_console().print(table)
    return summary


def _jsonable(config: RWRBenchConfig) -> dict:
    import dataclasses

    return dataclasses.asdict(config)
