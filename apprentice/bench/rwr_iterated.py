"""``apprentice bench rwr-iterated``: RWR iterated into policy search, and AWR, against BC and PPO.

A sibling of ``bench rwr`` rather than an option of it: ``bench rwr`` asks a one-shot, offline
question (which weighting recovers the expert from a fixed mixed dataset, bars per degradation);
this suite asks an online one, return against env steps, with other budgets, tables and a curve
plot. It reuses ``bench rwr``'s mixed data for its offline part. Three parts:

1. **Online** (per env and seed): iterated RWR and AWR from scratch, and PPO, each for
   ``env_steps``; the deterministic policy's return after every iteration (PPO: every
   ``ppo_eval_every`` steps); BC on ``n_expert_episodes`` expert episodes as a line.
2. **Offline** (per env and seed), on ``bench rwr``'s mixed data (expert + ``reversed``
   episodes): BC, one-shot RWR (iteration 0 of iterated RWR on the data) and AWR with
   ``n_iterations=0``; then iterated RWR and AWR continuing online from that data.
3. **PG = RWR** on CartPole (:mod:`apprentice.bench.pg_rwr`): the cosine of RWR's gradient on an
   expert's data with the policy gradient.
"""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path
from typing import Any

import gymnasium
import jax
import numpy as np
from rich.table import Table

from apprentice import experts
from apprentice.algorithms.bc import train as bc_train
from apprentice.algorithms.configs.bc import BCConfig
from apprentice.algorithms.configs.rwr import AWRConfig, RWRConfig
from apprentice.algorithms.rl import ppo
from apprentice.algorithms.rwr import awr, iterated
from apprentice.bench.configs import ENV_SETTINGS
from apprentice.bench.pg_rwr import pg_rwr_study
from apprentice.bench.rwr import degraded_demonstrations, expert_demonstrations
from apprentice.bench.rwr_iterated_config import RWRIteratedBenchConfig
from apprentice.envs import env_spec, evaluation_seed
from apprentice.evaluation import evaluate
from apprentice.io_utils import atomic_write_text, jsonable
from apprentice.progress import make_console, progress_bar
from apprentice.report.plots import plot_return_vs_env_steps


def _rwr_config(config: RWRIteratedBenchConfig, n_iterations: int) -> RWRConfig:
    return RWRConfig(
        n_iterations=n_iterations, episodes_per_iteration=config.rwr_episodes, eval_episodes=config.eval_episodes
    )


def _awr_config(config: RWRIteratedBenchConfig, n_iterations: int) -> AWRConfig:
    return AWRConfig(
        n_iterations=n_iterations, steps_per_iteration=config.awr_steps, eval_episodes=config.eval_episodes
    )


def _ppo_config(config: RWRIteratedBenchConfig, env_id: str):
    base = ENV_SETTINGS[env_id].ppo if env_id in ENV_SETTINGS else ppo.PPOConfig()
    return dataclasses.replace(
        base,
        total_steps=config.env_steps,
        eval_every=config.ppo_eval_every,
        eval_episodes=config.eval_episodes,
        backend="gymnasium",
    )


def _curve(metrics: list[dict], steps_key: str, return_key: str) -> tuple[list[int], list[float]]:
    return [int(r[steps_key]) for r in metrics], [float(r[return_key]) for r in metrics]


def online_runs(config: RWRIteratedBenchConfig, env_id: str, seed: int, demos=None) -> dict[str, tuple]:
    """``{method: (env_steps, returns)}`` of the online learners for one seed (from ``demos`` if given)."""
    key = jax.random.key(seed)
    episode_steps = gymnasium.spec(env_id).max_episode_steps or 1000
    rwr_iterations = max(1, config.env_steps // (config.rwr_episodes * episode_steps))
    rwr_config = dataclasses.replace(_rwr_config(config, rwr_iterations), run_seed=seed)
    if demos is not None:  # AWR from the mixed data is its offline part; online only RWR continues from it
        rwr = iterated.train(key, rwr_config, env_id, demos, progress=False)
        return {"iterated RWR from mixed demos": _curve(rwr.metrics, "env_steps", "mean_return")}
    rwr = iterated.train(key, rwr_config, env_id, progress=False)
    awr_iterations = max(1, config.env_steps // config.awr_steps)
    awr_config = dataclasses.replace(_awr_config(config, awr_iterations), run_seed=seed)
    awr_result = awr.train(key, awr_config, env_id, progress=False)
    trained = ppo.train(key, _ppo_config(config, env_id), env_id, progress=False)
    return {
        "iterated RWR": _curve(rwr.metrics, "env_steps", "mean_return"),
        "AWR": _curve(awr_result.metrics, "env_steps", "mean_return"),
        "PPO": _curve(trained.metrics, "env_steps", "eval_return"),
    }


def offline_scores(config: RWRIteratedBenchConfig, env_id: str, seed: int, demos) -> dict[str, float]:
    """Returns of BC, one-shot RWR and offline AWR on ``demos`` (no env steps of their own)."""
    key = jax.random.key(seed)
    spec = env_spec(env_id)
    bc = bc_train(key, BCConfig(), demos, spec, progress=False).policy
    rwr = iterated.train(key, _rwr_config(config, 0), env_id, demos, progress=False)
    offline_awr = awr.train(key, _awr_config(config, 0), env_id, demos, progress=False)
    return {
        "BC": evaluate(bc, env_id, config.eval_episodes, evaluation_seed()).mean_return,
        "RWR exp(R/std R), one shot": rwr.metrics[-1]["mean_return"],
        "AWR, one iteration (offline)": offline_awr.metrics[-1]["mean_return"],
    }


def _mean_std(curves: list[tuple[list[int], list[float]]]) -> dict[str, list[float]]:
    """Mean and std over seeds at each evaluation (runs cut to the shortest)."""
    n = min(len(c[1]) for c in curves)
    returns = np.array([c[1][:n] for c in curves])
    steps = np.array([c[0][:n] for c in curves]).mean(0)
    return {"env_steps": steps.tolist(), "mean_return": returns.mean(0).tolist(), "std_return": returns.std(0).tolist()}


def run_rwr_iterated(config: RWRIteratedBenchConfig) -> dict[str, Any]:
    """Run the three parts; write results.json and the plot; print the tables."""
    start = time.perf_counter()
    out = Path(config.out)
    results: dict[str, Any] = {"config": dataclasses.asdict(config), "curves": [], "offline": [], "final": []}
    if config.pg_seeds:
        results["pg_rwr"] = pg_rwr_study(config.pg_seeds)
    with progress_bar(len(config.envs) * len(config.seeds), "RWR, AWR, PPO against env steps") as bar:
        for env_id in config.envs:
            stats = experts.load(env_id).require_stats()
            good = expert_demonstrations(env_id, config.n_expert_episodes)
            mixed = good + degraded_demonstrations(env_id, "reversed", config.n_degraded_episodes)
            per_method: dict[str, list] = {}
            offline: dict[str, list[float]] = {}
            for seed in config.seeds:
                for name, curve in {
                    **online_runs(config, env_id, seed),
                    **online_runs(config, env_id, seed, mixed),
                }.items():
                    per_method.setdefault(name, []).append(curve)
                bc = bc_train(jax.random.key(seed), BCConfig(), good, env_spec(env_id), progress=False).policy
                per_method.setdefault(f"BC ({config.n_expert_episodes} expert episodes)", []).append(
                    ([0], [evaluate(bc, env_id, config.eval_episodes, evaluation_seed()).mean_return])
                )
                for name, value in offline_scores(config, env_id, seed, mixed).items():
                    offline.setdefault(name, []).append(value)
                bar.advance(1)
                _write(out, results, start)
            reference = {
                "env_id": env_id,
                "expert_return": stats.mean_return,
                "random_return": stats.random_mean_return,
            }
            for method, curves in per_method.items():
                summary = _mean_std(curves)
                results["curves"].append({**reference, "method": method, **summary})
                finals = [c[1][-1] for c in curves]
                results["final"].append(
                    {
                        **reference,
                        "method": method,
                        "env_steps": int(summary["env_steps"][-1]),
                        "mean_return": float(np.mean(finals)),
                        "std_return": float(np.std(finals)),
                        "normalized_score": float(np.mean([experts.load(env_id).normalized_score(f) for f in finals])),
                        "per_seed": finals,
                    }
                )
            for method, values in offline.items():
                results["offline"].append(
                    {
                        **reference,
                        "method": method,
                        "mean_return": float(np.mean(values)),
                        "std_return": float(np.std(values)),
                        "normalized_score": float(np.mean([experts.load(env_id).normalized_score(v) for v in values])),
                        "per_seed": values,
                    }
                )
    results["plot"] = str(plot_return_vs_env_steps(results["curves"], out / "return_vs_env_steps.png"))
    _write(out, results, start)
    _print_tables(results)
    final = {row["method"]: row for row in results["final"]}
    results["mean_return"] = {m: r["mean_return"] for m, r in final.items()}
    results["normalized_score"] = {m: r["normalized_score"] for m, r in final.items()}
    return results


def _write(out: Path, results: dict, start: float) -> None:
    results["seconds"] = time.perf_counter() - start
    atomic_write_text(out / "results.json", json.dumps(jsonable(results), indent=2) + "\n")


def _print_tables(results: dict) -> None:
    console = make_console()
    table = Table("env", "method", "env steps", "return (mean +- std over seeds)", "normalized", title="online")
    for r in results["final"]:
        table.add_row(
            r["env_id"],
            r["method"],
            str(r["env_steps"]),
            f"{r['mean_return']:.1f} +- {r['std_return']:.1f}",
            f"{r['normalized_score']:.3f}",
        )
    console.print(table)
    table = Table("env", "method", "return (mean +- std over seeds)", "normalized", title="offline, mixed data")
    for r in results["offline"]:
        table.add_row(
            r["env_id"], r["method"], f"{r['mean_return']:.1f} +- {r['std_return']:.1f}", f"{r['normalized_score']:.3f}"
        )
    console.print(table)
    if "pg_rwr" in results:
        study = results["pg_rwr"]
        table = Table(
            "gradient", "cosine with grad J (mean +- std over seeds)", "per seed", title="PG = RWR off-policy"
        )
        for r in study["rows"]:
            per_seed = ", ".join(f"{c:.3f}" for c in r["per_seed"])
            table.add_row(r["gradient"], f"{r['cosine_mean']:.3f} +- {r['cosine_std']:.3f}", per_seed)
        console.print(table)
