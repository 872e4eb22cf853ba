"""``apprentice bench irl``: BC, GAIL and AIRL against the number of expert trajectories, the
GAIL paper's classic-control table (Ho & Ermon 2016, Table 1 / Figure 1) at our scale.

For each env, trajectory count N and seed s: record N expert episodes (env seeds from
``collection_seed(s, Stream.DEMONSTRATIONS)``) and
keep every ``subsample``-th step of each from a random offset (as the GAIL paper thinned its
data; 20 there and here). BC, GAIL and AIRL of seed s all learn from those same samples; the
GAIL (and AIRL) runs of all seeds go in one vmapped run on the pure-JAX backend. Each final
policy is evaluated over ``eval_episodes`` episodes (from ``evaluation_seed()``, which no
collection uses) with deterministic actions;
scores are normalized so that the random policy is 0 and the expert 1.

Each env is written to ``<out>/<env_id>.json`` after every trajectory count, so several processes
can share the work (one ``--envs`` each) and a last ``--plot-only`` call draws them together.
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
from apprentice.algorithms.irl.adversarial import AdversarialConfig, AIRLConfig, GAILConfig, train_seeds
from apprentice.algorithms.rl.evaluation import mean_policy_return
from apprentice.bench.configs import ENV_SETTINGS, EnvSettings, IRLBenchConfig  # noqa: F401 (EnvSettings: re-exported)
from apprentice.bench.configs import IRL_METHODS as METHODS  # noqa: F401 (re-exported)
from apprentice.bench.per_env_results import per_env_rows
from apprentice.data import subsample
from apprentice.envs import Stream, collection_seed, env_spec, evaluation_seed
from apprentice.io_utils import atomic_write_text
from apprentice.progress import make_console, progress_bar
from apprentice.report.plots import plot_return_vs_demos
from apprentice.rollout import rollout

PUBLISHED = {
    # (env, method, trajectories): the number as published, in the paper's own env version.
    ("CartPole-v1", "BC", 1): "72 / 200 (GAIL paper, CartPole v0)",
    ("CartPole-v1", "GAIL", 1): "200 / 200 (GAIL paper, CartPole v0)",
    ("Pendulum-v1", "GAIL", 50): "-226 (AIRL paper Table 2; expert -180, random -654)",
    ("Pendulum-v1", "AIRL", 50): "-205 (AIRL paper Table 2)",
}
"""Published numbers quoted in the issue; the other cells of the papers' tables are not quoted here."""


def adversarial_config(method: str, env_id: str, total_steps: int = 0) -> AdversarialConfig:
    """The GAIL or AIRL configuration the benchmark runs on ``env_id``."""
    settings = ENV_SETTINGS[env_id]
    ppo = settings.ppo if total_steps == 0 else dataclasses.replace(settings.ppo, total_steps=total_steps)
    config_class = GAILConfig if method == "GAIL" else AIRLConfig
    return config_class(
        ppo=dataclasses.replace(ppo, backend="jax"), reward=settings.reward, grad_penalty=settings.grad_penalty
    )


def run_irl_bench(config: IRLBenchConfig = IRLBenchConfig()) -> dict:
    """Run every (env, count, method, seed), then print the table and write the plot."""
    out = Path(config.out)
    if not config.plot_only:
        for env_id in config.envs:
            _run_env(env_id, config, out / f"{env_id}.json")
    return _summarize(out)


def _run_env(env_id: str, config: IRLBenchConfig, path: Path) -> list[dict]:
    start = time.perf_counter()
    expert = experts.load(env_id)
    spec = env_spec(env_id)
    bc = BCConfig(n_epochs=50, min_gradient_steps=2000, validation_fraction=0.0)
    rows: list[dict] = []
    total = len(config.demo_counts) * len(config.methods)
    with progress_bar(total, f"IRL bench {env_id}") as bar:
        for n_demos in config.demo_counts:
            data = [
                subsample(
                    rollout(expert, env_id, n_episodes=n_demos, seed=collection_seed(seed, Stream.DEMONSTRATIONS)),
                    config.subsample,
                    seed=seed,
                )
                for seed in range(config.n_seeds)
            ]
            stats = expert.require_stats()
            cell = {
                "env_id": env_id,
                "n_demos": n_demos,
                "expert_return": stats.mean_return,
                "random_return": stats.random_mean_return,
            }
            for method in config.methods:
                method_start = time.perf_counter()
                if method == "BC":
                    runs = [_bc_run(seed, bc, data[seed], spec, env_id, config) for seed in range(config.n_seeds)]
                else:
                    runs = _adversarial_runs(method, data, env_id, config)
                seconds = time.perf_counter() - method_start
                for seed, run in enumerate(runs):
                    rows.append(
                        {
                            **cell,
                            "method": method,
                            "seed": seed,
                            "n_samples": len(data[seed]),
                            "seconds_all_seeds": seconds,
                            **run,
                            "normalized_score": expert.normalized_score(run["return"]),
                        }
                    )
                scores = [r["normalized_score"] for r in rows[-len(runs) :]]
                bar.advance(1, last=f"{method} N={n_demos}: {np.mean(scores):.2f}")
            payload = {"env_id": env_id, "config": asdict(config), "rows": rows, "seconds": time.perf_counter() - start}
            atomic_write_text(path, json.dumps(payload, indent=2) + "\n")
    return rows


def _bc_run(seed, bc, data, spec, env_id: str, config: IRLBenchConfig) -> dict:
    policy = bc_train(jax.random.key(seed), bc, data, spec, progress=False).policy
    return {"return": mean_policy_return(policy, env_id, config.eval_episodes, evaluation_seed())}


def _adversarial_runs(method: str, data: list, env_id: str, config: IRLBenchConfig) -> list[dict]:
    adversarial = adversarial_config(method, env_id, config.total_steps)
    adversarial = dataclasses.replace(
        adversarial,
        ppo=dataclasses.replace(adversarial.ppo, eval_episodes=config.eval_episodes, eval_seed=evaluation_seed()),
    )
    keys = jnp.stack([jax.random.key(seed) for seed in range(config.n_seeds)])
    results = train_seeds(keys, adversarial, env_id, data, progress=False)
    runs = []
    for result in results:
        final = result.rl.metrics[-1]
        runs.append(
            {
                "return": final["eval_return"],
                "env_steps": final["env_steps"],
                "disc_accuracy_expert": final["disc_accuracy_expert"],
                "disc_accuracy_learner": final["disc_accuracy_learner"],
                "learned_reward_mean": final["learned_reward_mean"],
                "reward_kind": adversarial.reward,
            }
        )
    return runs


def _summarize(out: Path) -> dict:
    rows = per_env_rows(out)
    summary = []
    for env_id in dict.fromkeys(r["env_id"] for r in rows):
        for method in dict.fromkeys(r["method"] for r in rows):
            for n_demos in sorted({r["n_demos"] for r in rows}):
                group = [r for r in rows if (r["env_id"], r["method"], r["n_demos"]) == (env_id, method, n_demos)]
                if not group:
                    continue
                returns = np.array([r["return"] for r in group])
                scores = np.array([r["normalized_score"] for r in group])
                summary.append(
                    {
                        "env_id": env_id,
                        "method": method,
                        "n_demos": n_demos,
                        "n_samples": float(np.mean([r["n_samples"] for r in group])),
                        "mean_return": float(returns.mean()),
                        "std_return": float(returns.std()),
                        "normalized_mean": float(scores.mean()),
                        "normalized_std": float(scores.std()),
                        "n_seeds": len(group),
                        "seconds_all_seeds": group[0]["seconds_all_seeds"],
                        "expert_return": group[0]["expert_return"],
                        "random_return": group[0]["random_return"],
                        "published": PUBLISHED.get((env_id, method, n_demos), ""),
                    }
                )
    plot = plot_return_vs_demos(summary, out / "returns_vs_trajectories.png")
    markdown = _markdown(summary)
    atomic_write_text(out / "results.md", markdown)
    result = {"summary": summary, "plot": str(plot), "markdown": str(out / "results.md")}
    atomic_write_text(out / "results.json", json.dumps(result, indent=2) + "\n")
    make_console().print(_table(summary))
    return result


def _markdown(summary: list[dict]) -> str:
    lines = ["| env | trajectories (samples) | method | return | normalized | published |", "|---|---|---|---|---|---|"]
    for r in summary:
        lines.append(
            f"| {r['env_id']} | {r['n_demos']} ({r['n_samples']:.0f}) | {r['method']} | "
            f"{r['mean_return']:.1f} ± {r['std_return']:.1f} | {r['normalized_mean']:.2f} ± "
            f"{r['normalized_std']:.2f} | {r['published']} |"
        )
    return "\n".join(lines) + "\n"


def _table(summary: list[dict]) -> Table:
    table = Table(
        "env",
        "N (samples)",
        "method",
        "return",
        "normalized",
        "published",
        title="BC, GAIL, AIRL against expert trajectories: mean +- std over seeds",
    )
    for r in summary:
        table.add_row(
            r["env_id"],
            f"{r['n_demos']} ({r['n_samples']:.0f})",
            r["method"],
            f"{r['mean_return']:.1f} +- {r['std_return']:.1f}",
            f"{r['normalized_mean']:.2f} +- {r['normalized_std']:.2f}",
            r["published"],
        )
    return table
