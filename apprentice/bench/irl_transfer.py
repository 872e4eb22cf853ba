"""Reward transfer with exact tabular AIRL (the AIRL paper's Table 1, in shape).

Learn AIRL rewards in a training gridworld from the expert, then re-solve them (soft-optimal
policy) in a test gridworld with the same state reward and different dynamics, and compare
exact discounted true returns (``apprentice.theory.evaluate_discounted``) of:

- ``expert (re-solved)``: the soft-optimal policy of the true reward in the test MDP (upper
  reference, normalized score 1);
- ``AIRL state-only``: ``g(s)`` with the paper's shaping ``gamma h(s') - h(s)``, re-solved;
- ``AIRL state-only, expected shaping``: ``g(s)`` with ``gamma E[h(s')|s, a] - h(s)``, re-solved;
- ``AIRL state-action``: ``g(s, a)``, re-solved;
- ``policy moved (GAIL fixed point)``: the imitation policy learned in the training MDP, used
  unchanged. GAIL is not run: in the tabular case its fixed point is the policy that matches the
  expert's occupancy, i.e. the expert's policy, which is also what state-action AIRL's learned
  policy converges to (measured: equal to ~1e-4 from an exact occupancy), so that policy stands
  in for "GAIL's policy moved to the new dynamics";
- ``uniform random`` (normalized score 0).

The expert is soft-optimal for the true reward in the training MDP, given either as its exact
occupancy (``exact``) or as ``n_demos`` sampled episodes of ``demo_steps`` steps (``demos``).
A seed sets the initial ``g, h`` (``init_scale``) and the demonstrations.

Run: ``python -m apprentice.bench.irl_transfer`` (writes ``runs/bench-irl-transfer``).
"""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path
from typing import Any

import jax
import numpy as np
from rich.table import Table

from apprentice.algorithms.irl.demonstrations import sample_demonstrations
from apprentice.algorithms.irl.soft_bellman import soft_value_iteration_discounted
from apprentice.algorithms.irl.tabular_airl import RewardShape, Shaping, train
from apprentice.algorithms.irl.visitation import policy_visitation
from apprentice.bench.configs import TransferBenchConfig
from apprentice.envs.tabular.mdp import TabularMDP
from apprentice.envs.tabular.transfer_mdps import shifting_maze, swapped_maze
from apprentice.experts.base import normalized_score
from apprentice.io_utils import atomic_write_text, jsonable
from apprentice.progress import make_console, progress_bar
from apprentice.report.plots import plot_method_scores
from apprentice.theory.evaluation import evaluate_discounted

MAZES = {"shifting": shifting_maze, "swapped": swapped_maze}
"""Builders of the gridworld pairs, by name (``configs.MAZE_NAMES``, which a test keeps equal)."""
METHODS = (
    "expert (re-solved)",
    "AIRL state-only",
    "AIRL state-only, expected shaping",
    "AIRL state-action",
    "policy moved (GAIL fixed point)",
    "uniform random",
)
AIRL_VARIANTS: dict[str, tuple[RewardShape, Shaping]] = {
    "AIRL state-only": ("state", "next_state"),
    "AIRL state-only, expected shaping": ("state", "expected"),
    "AIRL state-action": ("state_action", "next_state"),
}


def true_return(mdp: TabularMDP, policy: np.ndarray) -> float:
    """The exact discounted return ``mu^T V^pi`` under ``mdp.rewards``."""
    return float(evaluate_discounted(mdp, policy).values @ mdp.initial)


def transfer_returns(config: TransferBenchConfig, maze: str, expert_data: str, seed: int) -> dict[str, float]:
    """Test-MDP returns of every method for one (maze, expert data, seed)."""
    make = MAZES[maze]
    kwargs: dict[str, Any] = {
        "size": config.size,
        "slip": config.slip,
        "gamma": config.gamma,
        "goal_reward": config.goal_reward,
    }
    train_mdp, test_mdp = make("train", **kwargs), make("test", **kwargs)
    expert_policy = soft_value_iteration_discounted(train_mdp).policy
    if expert_data == "exact":
        expert = policy_visitation(train_mdp, expert_policy)
    else:
        expert = sample_demonstrations(
            train_mdp,
            expert_policy,
            config.n_demos,
            config.demo_steps,
            seed=1000 + seed,
        )
    returns = {"expert (re-solved)": true_return(test_mdp, soft_value_iteration_discounted(test_mdp).policy)}
    for method, (reward_shape, shaping) in AIRL_VARIANTS.items():
        airl_config = dataclasses.replace(config.airl, reward_shape=reward_shape, shaping=shaping)
        result = train(jax.random.key(seed), airl_config, train_mdp, expert)
        retrained = soft_value_iteration_discounted(test_mdp, result.reward_table).policy
        returns[method] = true_return(test_mdp, retrained)
        if reward_shape == "state_action":
            returns["policy moved (GAIL fixed point)"] = true_return(test_mdp, result.policy)
    uniform = np.full((test_mdp.n_states, test_mdp.n_actions), 1.0 / test_mdp.n_actions)
    returns["uniform random"] = true_return(test_mdp, uniform)
    returns["expert moved"] = true_return(test_mdp, expert_policy)
    return returns


def run_transfer_bench(config: TransferBenchConfig = TransferBenchConfig()) -> dict:
    """Every (maze, expert data, seed); returns ``{"rows": [...], ...}`` (JSON-serializable).

    A row per (maze, expert data, method): ``mean_return``, ``std_return`` over seeds and the
    normalized score ``(R - R_random) / (R_expert - R_random)`` (mean +- std over seeds).
    """
    start = time.perf_counter()
    rows = []
    per_seed: dict[tuple[str, str], list[dict[str, float]]] = {}
    total = len(config.mazes) * len(config.expert_data) * len(config.seeds)
    with progress_bar(total, "AIRL reward transfer") as bar:
        for maze in config.mazes:
            for expert_data in config.expert_data:
                runs = per_seed.setdefault((maze, expert_data), [])
                for seed in config.seeds:
                    runs.append(transfer_returns(config, maze, expert_data, seed))
                    bar.advance(1, last=f"{maze}/{expert_data} seed {seed}")
    for (maze, expert_data), runs in per_seed.items():
        for method in (*METHODS, "expert moved"):
            values = np.array([run[method] for run in runs])
            scores = np.array(
                [normalized_score(run[method], run["expert (re-solved)"], run["uniform random"]) for run in runs]
            )
            rows.append(
                {
                    "setting": f"{maze} / {expert_data}",
                    "maze": maze,
                    "expert_data": expert_data,
                    "method": method,
                    "mean_return": float(values.mean()),
                    "std_return": float(values.std()),
                    "normalized_mean": float(scores.mean()),
                    "normalized_std": float(scores.std()),
                    "n_seeds": len(runs),
                }
            )
    summary = {
        "rows": rows,
        "config": jsonable(dataclasses.asdict(config)),
        "seconds": time.perf_counter() - start,
    }
    if config.out:
        summary["files"] = [str(path) for path in write_transfer_report(summary, Path(config.out))]
    return summary


def transfer_markdown(rows: list[dict]) -> str:
    """The rows as a Markdown table: return mean +- std and normalized score per setting."""
    lines = [
        "| setting | method | test-MDP return | normalized score |",
        "|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['setting']} | {row['method']} | {row['mean_return']:.3f} +- {row['std_return']:.3f} "
            f"| {row['normalized_mean']:.3f} +- {row['normalized_std']:.3f} |"
        )
    return "\n".join(lines) + "\n"


def write_transfer_report(summary: dict, out: Path) -> list[Path]:
    """Write ``results.json``, ``results.md`` and ``transfer.png`` under ``out`` (atomically)."""
    out.mkdir(parents=True, exist_ok=True)
    rows = summary["rows"]
    atomic_write_text(out / "results.json", json.dumps(summary, indent=2) + "\n")
    atomic_write_text(out / "results.md", transfer_markdown(rows))
    shown = [row for row in rows if row["method"] in METHODS]
    plot = plot_method_scores(shown, "setting", out / "transfer.png", title="AIRL reward transfer (test MDP)")
    return [out / "results.json", out / "results.md", plot]


def print_transfer_table(rows: list[dict]) -> None:
    """The rows as a rich table on stdout."""
    table = Table(title="AIRL reward transfer: exact returns in the test MDP")
    for column in ("setting", "method", "return", "normalized"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            row["setting"],
            row["method"],
            f"{row['mean_return']:.3f} +- {row['std_return']:.3f}",
            f"{row['normalized_mean']:.3f} +- {row['normalized_std']:.3f}",
        )
    make_console().print(table)


if __name__ == "__main__":
    result = run_transfer_bench()
    print_transfer_table(result["rows"])
    print(f"{result['seconds']:.0f} s; files: {result.get('files')}")
