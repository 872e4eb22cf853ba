"""``apprentice bench returns``: BC and DAgger on MuJoCo with the shipped experts, expert-normalized,
beside the numbers HumanCompatibleAI's ``imitation`` published, and the wall-clock to reach the expert.

Per env and seed:

* BC is trained from scratch on ``n`` expert episodes for every ``n`` in ``demo_counts``
  (collected from ``collection_seed(seed, Stream.DEMONSTRATIONS)``) and its final policy evaluated on ``eval_episodes``;
* DAgger (pure schedule: the learner drives after round 0) gets ``initial_labels`` expert steps,
  then rounds of ``steps_per_round`` learner steps, all labeled, up to ``label_budget`` labels;
  each round's policy is evaluated on ``round_eval_episodes`` and the last on ``eval_episodes``.

DAgger's rounds collect from run seed ``seed`` of ``apprentice.envs.seeds`` (round 0 from the
demonstrations stream, later rounds from the interactive stream). Every evaluation uses episodes
seeded from ``evaluation_seed()``, which no collection uses. Wall-clock ("seconds") counts collection,
expert labeling and training, compilation included, and leaves the evaluations out. The time to
expert of a method is the mean wall-clock, over seeds, of the first point of its curve (demo
count for BC, round for DAgger) whose seed-mean score reaches ``threshold``.

Each env is written to ``<out>/<env_id>.json`` after every seed, so several processes can share
the work (one ``--envs`` each) and a last ``--plot-only`` call merges them.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path

import jax
import numpy as np
from rich.table import Table

from apprentice import experts
from apprentice.algorithms.bc import BCConfig
from apprentice.algorithms.bc import train as bc_train
from apprentice.algorithms.dagger import DAggerConfig, InteractiveConfig, dagger
from apprentice.bench.configs import ReturnsBenchConfig
from apprentice.bench.per_env_results import per_env_payloads
from apprentice.envs import Stream, collection_seed, env_spec, evaluation_seed
from apprentice.evaluation import evaluate
from apprentice.io_utils import atomic_write_text
from apprentice.progress import make_console, progress_bar
from apprentice.report.plots import plot_return_vs_demos, plot_score_vs_labels
from apprentice.rollout import rollout

IMITATION_PUBLISHED = {
    "Hopper-v5": {"BC": 1.003, "DAgger": 1.011},
    "HalfCheetah-v5": {"BC": 0.923, "DAgger": 1.017},
    "Walker2d-v5": {"BC": 0.956, "DAgger": 1.002},
}
"""``imitation`` v1.0's published expert-normalized scores on seals/Hopper-v1, seals/HalfCheetah-v1
and seals/Walker2d-v1 (fixed-horizon variants of the same robots; PPO experts from its model hub;
tuned settings in ``imitation/scripts/config/tuned_hps``: BC 20 epochs, batch 64, all of the
hub's demos; DAgger 100,000 env steps, exponential beta 0.7, 1 epoch per round)."""


def run_returns(config: ReturnsBenchConfig = ReturnsBenchConfig()) -> dict:
    """Run every (env, seed), then print the tables and draw the plots."""
    out = Path(config.out)
    if not config.plot_only:
        for env_id in config.envs:
            if experts.load(env_id).stats is None:
                raise ValueError(
                    f"{env_id}: the expert has no measured returns; run `apprentice experts --env {env_id} --measure`"
                )
        for env_id in config.envs:
            _run_env(env_id, config, out / f"{env_id}.json")
    return summarize(out)


def _run_env(env_id: str, config: ReturnsBenchConfig, path: Path) -> list[dict]:
    expert = experts.load(env_id)
    spec = env_spec(env_id)
    bc = BCConfig(n_epochs=config.bc_epochs)
    rows, start = [], time.perf_counter()
    with progress_bar(len(config.seeds) * (len(config.demo_counts) + 1), f"returns bench {env_id}") as bar:
        for seed in config.seeds:
            for n_demos in config.demo_counts:
                t0 = time.perf_counter()
                demos = rollout(
                    expert, env_id, n_episodes=n_demos, seed=collection_seed(seed, Stream.DEMONSTRATIONS), n_envs=1
                )
                policy = bc_train(jax.random.key(seed), bc, demos, spec, progress=False).policy
                seconds = time.perf_counter() - t0
                evaluation = evaluate(policy, env_id, config.eval_episodes, evaluation_seed(), expert=expert)
                rows.append(
                    {
                        "env_id": env_id,
                        "method": "BC",
                        "seed": seed,
                        "n_demos": n_demos,
                        "labels": sum(len(t) for t in demos),
                        "seconds": seconds,
                        "mean_return": evaluation.mean_return,
                        "normalized_score": evaluation.normalized_score,
                    }
                )
                bar.advance(1, last=f"seed {seed} BC {n_demos} demos: {evaluation.normalized_score:.2f}")
            result = dagger.train(jax.random.key(seed), _dagger_config(config, seed), expert, env_id, progress=False)
            final = evaluate(result.policy, env_id, config.eval_episodes, evaluation_seed(), expert=expert)
            for row in result.metrics:
                rows.append(
                    {
                        "env_id": env_id,
                        "method": "DAgger",
                        "seed": seed,
                        "round": row["round"],
                        "labels": row["labels"],
                        "seconds": row["seconds_excluding_eval"],
                        "mean_return": row["mean_return"],
                        "normalized_score": row["normalized_score"],
                    }
                )
            rows[-1].update(final_mean_return=final.mean_return, final_normalized_score=final.normalized_score)
            bar.advance(1, last=f"seed {seed} DAgger: {final.normalized_score:.2f}")
            payload = {"env_id": env_id, "config": asdict(config), "rows": rows, "seconds": time.perf_counter() - start}
            atomic_write_text(path, json.dumps(payload, indent=2) + "\n")
    return rows


def _dagger_config(config: ReturnsBenchConfig, seed: int) -> DAggerConfig:
    interactive = InteractiveConfig(
        initial_labels=config.initial_labels,
        steps_per_round=config.steps_per_round,
        n_rounds=config.n_rounds,
        label_budget=config.label_budget,
        eval_episodes=config.round_eval_episodes,
        run_seed=seed,
    )
    return DAggerConfig(interactive=interactive, bc=BCConfig(n_epochs=config.dagger_epochs, validation_fraction=0.0))


def summarize(out: Path) -> dict:
    """Merge ``<out>/<env_id>.json`` into ``results.json``: the curves (``summary``, drawn as score
    against labels), BC's return against demos (``rows``), the table beside imitation's numbers
    (``table``) and the time to expert (``time_to_expert``); print the tables, draw the plots."""
    payloads = per_env_payloads(out, "bench returns")
    threshold = payloads[0]["config"]["threshold"]
    rows = [row for payload in payloads for row in payload["rows"]]
    summary = _curves(rows)
    result = {
        "summary": summary,
        "rows": _return_vs_demos(rows),
        "table": _table_rows(rows),
        "time_to_expert": _time_to_expert(summary, threshold),
        "threshold": threshold,
        "config": payloads[0]["config"],
    }
    result["plots"] = [
        str(plot_score_vs_labels(summary, out / "score_vs_labels.png")),
        str(plot_return_vs_demos(result["rows"], out / "returns_vs_demos.png")),
    ]
    atomic_write_text(out / "results.json", json.dumps(result, indent=2) + "\n")
    console = make_console()
    console.print(_rich_table(result["table"]))
    console.print(_rich_time_table(result["time_to_expert"]))
    return result


def _curves(rows: list[dict]) -> list[dict]:
    """Seed means per point of each curve: BC per demo count, DAgger per round."""
    summary = []
    for env_id in dict.fromkeys(r["env_id"] for r in rows):
        for method, point_key in (("BC", "n_demos"), ("DAgger", "round")):
            points = [r for r in rows if (r["env_id"], r["method"]) == (env_id, method)]
            for point in sorted({r[point_key] for r in points}):
                group = [r for r in points if r[point_key] == point]
                scores = np.array([r["normalized_score"] for r in group])
                summary.append(
                    {
                        "env_id": env_id,
                        "method": method,
                        "budget": int(np.mean([r["labels"] for r in group])),
                        point_key: point,
                        "labels_mean": float(np.mean([r["labels"] for r in group])),
                        "normalized_mean": float(scores.mean()),
                        "normalized_std": float(scores.std()),
                        "seconds_mean": float(np.mean([r["seconds"] for r in group])),
                        "seconds_std": float(np.std([r["seconds"] for r in group])),
                        "n_seeds": len(group),
                    }
                )
    return summary


def _return_vs_demos(rows: list[dict]) -> list[dict]:
    points, all_stats = [], experts.read_stats()
    for env_id in dict.fromkeys(r["env_id"] for r in rows):
        stats = all_stats[env_id]
        bc = [r for r in rows if (r["env_id"], r["method"]) == (env_id, "BC")]
        for n_demos in sorted({r["n_demos"] for r in bc}):
            returns = [r["mean_return"] for r in bc if r["n_demos"] == n_demos]
            points.append(
                {
                    "env_id": env_id,
                    "method": "BC",
                    "n_demos": n_demos,
                    "mean_return": float(np.mean(returns)),
                    "std_return": float(np.std(returns)),
                    "n_seeds": len(returns),
                    "expert_return": stats.mean_return,
                    "random_return": stats.random_mean_return,
                }
            )
    return points


def _table_rows(rows: list[dict]) -> list[dict]:
    """Per env: BC at the largest demo count and DAgger's last policy, final evaluations."""
    table = []
    for env_id in dict.fromkeys(r["env_id"] for r in rows):
        bc = [r for r in rows if (r["env_id"], r["method"]) == (env_id, "BC")]
        most = max(r["n_demos"] for r in bc)
        bc_scores = [r["normalized_score"] for r in bc if r["n_demos"] == most]
        finals = [r for r in rows if (r["env_id"], r["method"]) == (env_id, "DAgger") and "final_normalized_score" in r]
        dagger_scores = [r["final_normalized_score"] for r in finals]
        published = IMITATION_PUBLISHED.get(env_id, {})
        table.append(
            {
                "env_id": env_id,
                "bc_demos": most,
                "bc_labels": float(np.mean([r["labels"] for r in bc if r["n_demos"] == most])),
                "bc_normalized_mean": float(np.mean(bc_scores)),
                "bc_normalized_std": float(np.std(bc_scores)),
                "imitation_bc": published.get("BC"),
                "dagger_labels": float(np.mean([r["labels"] for r in finals])) if finals else None,
                "dagger_normalized_mean": float(np.mean(dagger_scores)) if finals else None,
                "dagger_normalized_std": float(np.std(dagger_scores)) if finals else None,
                "imitation_dagger": published.get("DAgger"),
                "n_seeds": len(bc_scores),
            }
        )
    return table


def _time_to_expert(summary: list[dict], threshold: float) -> list[dict]:
    """Per env and method: the first curve point whose seed-mean score reaches ``threshold``."""
    reached = []
    for env_id in dict.fromkeys(r["env_id"] for r in summary):
        for method in ("BC", "DAgger"):
            curve = [r for r in summary if (r["env_id"], r["method"]) == (env_id, method)]
            if not curve:
                continue
            first = next((r for r in curve if r["normalized_mean"] >= threshold), None)
            reached.append(
                {
                    "env_id": env_id,
                    "method": method,
                    "reached": first is not None,
                    "labels": first and first["labels_mean"],
                    "seconds_mean": first and first["seconds_mean"],
                    "seconds_std": first and first["seconds_std"],
                    "best_normalized_mean": max(r["normalized_mean"] for r in curve),
                    "largest_labels": curve[-1]["labels_mean"],
                }
            )
    return reached


def _rich_table(table: list[dict]) -> Table:
    rich = Table(
        "env",
        "BC (demos)",
        "BC",
        "imitation BC",
        "DAgger (labels)",
        "DAgger",
        "imitation DAgger",
        title="Expert-normalized score, mean +- std over seeds; imitation's published v1.0 numbers beside",
    )
    for r in table:
        dagger_cell = (
            "-"
            if r["dagger_normalized_mean"] is None
            else f"{r['dagger_normalized_mean']:.3f} +- {r['dagger_normalized_std']:.3f}"
        )
        rich.add_row(
            r["env_id"],
            str(r["bc_demos"]),
            f"{r['bc_normalized_mean']:.3f} +- {r['bc_normalized_std']:.3f}",
            _cell(r["imitation_bc"]),
            "-" if r["dagger_labels"] is None else f"{r['dagger_labels']:.0f}",
            dagger_cell,
            _cell(r["imitation_dagger"]),
        )
    return rich


def _rich_time_table(rows: list[dict]) -> Table:
    rich = Table(
        "env", "method", "labels", "wall-clock (s)", "best score", title="Time to expert (first point at the threshold)"
    )
    for r in rows:
        if r["reached"]:
            rich.add_row(
                r["env_id"],
                r["method"],
                f"{r['labels']:.0f}",
                f"{r['seconds_mean']:.1f} +- {r['seconds_std']:.1f}",
                f"{r['best_normalized_mean']:.3f}",
            )
        else:
            rich.add_row(
                r["env_id"],
                r["method"],
                f"not reached by {r['largest_labels']:.0f}",
                "-",
                f"{r['best_normalized_mean']:.3f}",
            )
    return rich


def _cell(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"
