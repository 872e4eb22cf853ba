"""Policy iteration against the PDL on random MDPs: ``apprentice theory policy-iteration`` (deck 000).

For every random MDP of the config (``n_mdps`` per ``(gamma, concentration)``, a random initial
deterministic policy each), ``theory.policy_iteration`` runs to the optimum and records, at every
step and for every start state s0, ``V^{pi_{t+1}}(s0) - V^{pi_t}(s0)`` (two policy evaluations)
and ``1/(1-gamma) E_{s ~ d^{pi_{t+1}}_{s0}} A^{pi_t}(s, pi_{t+1}(s))`` (occupancy times advantage).
The study reports the largest gap between the two sides, the smallest improvement (monotonicity
says >= 0), the number of steps, and that the last policy is optimal (against
``theory.optimal_discounted``). ``run_policy_iteration`` prints a rich table, writes
``results.json`` (atomically) and ``policy_iteration.png`` into ``config.out`` and returns the
results as a JSON-ready dict.
"""

from __future__ import annotations

import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
from rich.table import Table

from apprentice.bench.study_output import finish_study
from apprentice.bench.theory_configs import PolicyIterationConfig
from apprentice.envs.tabular.mdp import random_actions, random_tabular_mdp
from apprentice.report.theory_plots import plot_policy_iteration
from apprentice.theory.evaluation import optimal_discounted
from apprentice.theory.policy_iteration import policy_iteration

__all__ = ["PolicyIterationConfig", "run_policy_iteration"]


def _seed(base: int, *stream: int) -> int:
    return int(np.random.SeedSequence([base, *stream]).generate_state(1)[0])


def run_policy_iteration(config: PolicyIterationConfig = PolicyIterationConfig()) -> dict:
    """Run policy iteration on every MDP; print a table; write results.json and policy_iteration.png.

    Returns:
        A JSON-ready dict: ``groups`` (one per (gamma, concentration): the worst |lhs - rhs|, the
        smallest improvement, steps, optimality), ``max_abs_gap``, ``min_improvement``,
        ``examples`` (the traces drawn in the plot), ``plot``, ``seconds``.

    Example:
        >>> results = run_policy_iteration(PolicyIterationConfig(out="/tmp/pi", n_mdps=2))  # doctest: +SKIP
        >>> results["max_abs_gap"] < 1e-9  # doctest: +SKIP
        True
    """
    start = time.perf_counter()
    out_dir = Path(config.out)
    groups, examples = [], []
    for g, gamma in enumerate(config.gammas):
        for c, concentration in enumerate(config.concentrations):
            gaps, minima, steps, optimality, relative_gaps = [], [], [], [], []
            for i in range(config.n_mdps):
                seed = _seed(config.seed, g, c, i)
                mdp = random_tabular_mdp(seed, config.n_states, config.n_actions, gamma, concentration=concentration)
                pi0 = random_actions(seed + 1, config.n_states, config.n_actions)
                trace = policy_iteration(mdp, pi0, tie_tol=config.tie_tol)
                optimum = optimal_discounted(mdp)
                gaps.append(trace.max_abs_gap)
                scale = max(1.0, float(np.abs(trace.improvement).max(initial=0.0)))
                relative_gaps.append(trace.max_abs_gap / scale)
                minima.append(trace.min_improvement)
                steps.append(trace.n_steps)
                optimality.append(float(np.abs(trace.values[-1] - optimum.values).max()))
                if i == 0:
                    examples.append(
                        {
                            "gamma": gamma,
                            "concentration": concentration,
                            "values": trace.values_under_initial.tolist(),
                            "optimal_value": float(optimum.values @ mdp.initial),
                            "improvement": (trace.improvement @ mdp.initial).tolist(),
                            "pdl": (trace.pdl @ mdp.initial).tolist(),
                            "switched": trace.switched.tolist(),
                        }
                    )
            groups.append(
                {
                    "gamma": gamma,
                    "concentration": concentration,
                    "n_mdps": config.n_mdps,
                    "max_abs_gap": float(max(gaps)),
                    "max_relative_gap": float(max(relative_gaps)),
                    "min_improvement": float(min(minima)),
                    "steps_min": int(min(steps)),
                    "steps_max": int(max(steps)),
                    "steps_mean": float(np.mean(steps)),
                    "max_distance_to_optimum": float(max(optimality)),
                }
            )
    results = {
        "config": asdict(config),
        "groups": groups,
        "max_abs_gap": max(group["max_abs_gap"] for group in groups),
        "min_improvement": min(group["min_improvement"] for group in groups),
        "identity_holds": all(group["max_abs_gap"] < 1e-9 for group in groups),
        "monotone": all(group["min_improvement"] >= -1e-12 for group in groups),
        "examples": examples,
    }
    return finish_study(results, out_dir, start, (plot_policy_iteration, "policy_iteration.png"), _table)


def _table(results: dict) -> Table:
    config = results["config"]
    table = Table(
        title=f"Policy iteration vs the PDL ({config['n_states']} states, {config['n_actions']} actions, exact float64)"
    )
    for column in ("gamma", "concentration", "MDPs", "max |lhs - rhs|", "min improvement", "steps", "|V^pi_T - V*|"):
        table.add_column(column)
    for group in results["groups"]:
        table.add_row(
            f"{group['gamma']:g}",
            f"{group['concentration']:g}",
            str(group["n_mdps"]),
            f"{group['max_abs_gap']:.1e}",
            f"{group['min_improvement']:.2e}",
            f"{group['steps_min']}..{group['steps_max']} (mean {group['steps_mean']:.1f})",
            f"{group['max_distance_to_optimum']:.1e}",
        )
    return table
