"""``apprentice bench sqil``: SQIL against GAIL and BC from the same demonstrations.

For each env and seed s: record ``n_demos`` expert episodes (env seeds from
``collection_seed(s, Stream.DEMONSTRATIONS)``); SQIL (soft Q-learning on CartPole, SAC on
Pendulum), GAIL (``bench irl``'s settings, all seeds in one vmapped run on the pure-JAX backend)
and BC (``bench irl``'s settings) of seed s all learn from those episodes, whole. Each final policy
is scored over ``eval_episodes`` episodes from ``evaluation_seed()``, which no collection uses,
with deterministic actions; scores are expert-normalized (random 0, expert 1). The env steps each
method took are in the table: SQIL and GAIL run on very different budgets.

Each env is written to ``<out>/<env_id>.json`` when done, so several processes can share the work
(one ``--envs`` each) and a last ``--plot-only`` call draws them together.
"""

from __future__ import annotations

import dataclasses
import json
import time
from dataclasses import asdict
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
from rich.table import Table

from apprentice import experts
from apprentice.algorithms.bc import BCConfig
from apprentice.algorithms.bc import train as bc_train
from apprentice.algorithms.configs.sqil import SQILConfig
from apprentice.algorithms.irl import sqil
from apprentice.algorithms.irl.adversarial import train_seeds
from apprentice.algorithms.rl.evaluation import mean_policy_return
from apprentice.bench.irl import adversarial_config
from apprentice.bench.per_env_results import per_env_rows
from apprentice.bench.sqil_config import SQIL_ENV_STEPS, SQIL_METHODS, SQILBenchConfig  # noqa: F401 (re-exported)
from apprentice.envs import Stream, collection_seed, env_spec, evaluation_seed
from apprentice.io_utils import atomic_write_text
from apprentice.progress import make_console, progress_bar
from apprentice.report.plots import plot_method_scores
from apprentice.rollout import rollout

BC = BCConfig(n_epochs=50, min_gradient_steps=2000, validation_fraction=0.0)
"""BC as ``bench irl`` trains it."""


def sqil_config(env_id: str, config: SQILBenchConfig) -> SQILConfig:
    """The SQIL the bench runs on ``env_id``: the defaults, its step budget, one evaluation at the end."""
    steps = config.sqil_steps or SQIL_ENV_STEPS[env_id]
    defaults = SQILConfig()
    budget = {"total_steps": steps, "eval_every": 0, "eval_episodes": config.eval_episodes}
    return dataclasses.replace(
        defaults,
        soft_q=dataclasses.replace(defaults.soft_q, **budget),  # type: ignore[arg-type]
        # Bursts of 8 updates: SAC's docs measured 1.6x the updates/s of 1 (same updates in all).
        sac=dataclasses.replace(defaults.sac, **budget, update_every=8),  # type: ignore[arg-type]
    )


def run_sqil_bench(config: SQILBenchConfig) -> dict:
    """Run every (env, method, seed), then print the table and write JSON, Markdown and the plot."""
    out = Path(config.out)
    if not config.plot_only:
        for env_id in config.envs:
            _run_env(env_id, config, out / f"{env_id}.json")
    return _summarize(out)


def _run_env(env_id: str, config: SQILBenchConfig, path: Path) -> list[dict]:
    start = time.perf_counter()
    expert = experts.load(env_id)
    stats = expert.require_stats()
    spec = env_spec(env_id)
    seeds = range(config.n_seeds)
    data = [
        rollout(expert, env_id, n_episodes=config.n_demos, seed=collection_seed(s, Stream.DEMONSTRATIONS))
        for s in seeds
    ]
    cell = {"env_id": env_id, "n_demos": config.n_demos, "expert_return": stats.mean_return}
    cell["random_return"] = stats.random_mean_return
    rows: list[dict] = []
    with progress_bar(len(config.methods), f"SQIL bench {env_id}") as bar:
        for method in config.methods:
            method_start = time.perf_counter()
            if method == "SQIL":
                runs = [_sqil_run(s, data[s], env_id, config) for s in seeds]
            elif method == "GAIL":
                runs = _gail_runs(data, env_id, config)
            else:
                runs = [_bc_run(s, data[s], spec, env_id, config) for s in seeds]
            seconds = time.perf_counter() - method_start
            for seed, run in enumerate(runs):
                score = expert.normalized_score(run["return"])
                rows.append({**cell, "method": method, "seed": seed, "seconds_all_seeds": seconds, **run})
                rows[-1]["normalized_score"] = score
            scores = [r["normalized_score"] for r in rows[-len(runs) :]]
            bar.advance(1, last=f"{method}: {np.mean(scores):.2f}")
    payload = {"env_id": env_id, "config": asdict(config), "rows": rows, "seconds": time.perf_counter() - start}
    atomic_write_text(path, json.dumps(payload, indent=2) + "\n")
    return rows


def _sqil_run(seed: int, demos, env_id: str, config: SQILBenchConfig) -> dict:
    result = sqil.train(jax.random.key(seed), sqil_config(env_id, config), env_id, demos, progress=False)
    final = result.metrics[-1]
    return {"return": final["eval_return"], "env_steps": final["env_steps"]}


def _gail_runs(data: list, env_id: str, config: SQILBenchConfig) -> list[dict]:
    gail = adversarial_config("GAIL", env_id, config.gail_steps)
    ppo = dataclasses.replace(gail.ppo, eval_episodes=config.eval_episodes, eval_seed=evaluation_seed())
    keys = jnp.stack([jax.random.key(seed) for seed in range(config.n_seeds)])
    results = train_seeds(keys, dataclasses.replace(gail, ppo=ppo), env_id, data, progress=False)
    return [{"return": r.rl.metrics[-1]["eval_return"], "env_steps": r.rl.metrics[-1]["env_steps"]} for r in results]


def _bc_run(seed: int, demos, spec, env_id: str, config: SQILBenchConfig) -> dict:
    policy = bc_train(jax.random.key(seed), BC, demos, spec, progress=False).policy
    return {"return": mean_policy_return(policy, env_id, config.eval_episodes, evaluation_seed()), "env_steps": 0}


def _summarize(out: Path) -> dict:
    rows = per_env_rows(out)
    summary = []
    for env_id in dict.fromkeys(r["env_id"] for r in rows):
        for method in dict.fromkeys(r["method"] for r in rows):
            group = [r for r in rows if (r["env_id"], r["method"]) == (env_id, method)]
            if not group:
                continue
            returns = np.array([r["return"] for r in group])
            scores = np.array([r["normalized_score"] for r in group])
            summary.append(
                {
                    "env_id": env_id,
                    "method": method,
                    "n_demos": group[0]["n_demos"],
                    "env_steps": group[0]["env_steps"],
                    "mean_return": float(returns.mean()),
                    "std_return": float(returns.std()),
                    "normalized_mean": float(scores.mean()),
                    "normalized_std": float(scores.std()),
                    "returns": [round(float(x), 1) for x in returns],
                    "n_seeds": len(group),
                    "seconds_all_seeds": group[0]["seconds_all_seeds"],
                    "expert_return": group[0]["expert_return"],
                    "random_return": group[0]["random_return"],
                }
            )
    plot = plot_method_scores(summary, "env_id", out / "sqil_scores.png", "SQIL, GAIL, BC: same demonstrations")
    atomic_write_text(out / "results.md", _markdown(summary))
    result = {"summary": summary, "plot": str(plot), "markdown": str(out / "results.md")}
    atomic_write_text(out / "results.json", json.dumps(result, indent=2) + "\n")
    make_console().print(_table(summary))
    return result


def _markdown(summary: list[dict]) -> str:
    lines = [
        "| env | method | env steps | return | normalized | per seed | seconds (all seeds) |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in summary:
        lines.append(
            f"| {r['env_id']} | {r['method']} | {r['env_steps']:,} | {r['mean_return']:.1f} ± {r['std_return']:.1f} | "
            f"{r['normalized_mean']:.2f} ± {r['normalized_std']:.2f} | {', '.join(map(str, r['returns']))} | "
            f"{r['seconds_all_seeds']:.0f} |"
        )
    return "\n".join(lines) + "\n"


def _table(summary: list[dict]) -> Table:
    table = Table("env", "method", "env steps", "return", "normalized", title="SQIL, GAIL, BC: mean +- std over seeds")
    for r in summary:
        table.add_row(
            r["env_id"],
            r["method"],
            f"{r['env_steps']:,}",
            f"{r['mean_return']:.1f} +- {r['std_return']:.1f}",
            f"{r['normalized_mean']:.2f} +- {r['normalized_std']:.2f}",
        )
    return table
