"""BC's ``H Range(Q^pihat) eps`` bound beside ``H^2 eps Range(r)``: ``apprentice theory range-q`` (deck 004).

Every number is exact (``theory.range_q.bc_bound_range_q``: two policy evaluations for the gap,
the expert's state distributions times the learner's Q for the decomposition):

- random finite-horizon MDPs, ``n_mdps`` per (H, concentration), an optimal expert and one learner
  per noise level (the expert mixed with a random policy): the identity to 1e-9, both bounds
  never violated, and the ratio of the two bounds, ``Range(Q^pihat) / (H Range(r))``;
- the tightrope with BC (error eps on the rope, blind below it) at each H: a fall is nearly
  permanent, so Range(Q^pihat) grows like H and the two bounds nearly agree;
- the constructed cases: the repeated bandit of ``worst_case.range_q_tight_finite_horizon``
  (gap = H Range(Q) eps exactly, the H^2 bound H times larger) and the cliff of
  ``worst_case.bc_tight_finite_horizon`` (gap = both bounds).

``run_range_q`` prints a rich table, writes ``results.json`` (atomically) and ``range_q.png`` into
``config.out`` and returns the results as a JSON-ready dict.
"""

from __future__ import annotations

import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
from rich.table import Table

from apprentice.bench.study_output import finish_study
from apprentice.bench.theory_configs import RangeQConfig
from apprentice.envs.tabular.mdp import deterministic_policy, random_finite_horizon_mdp, random_policy
from apprentice.report.theory_plots import plot_range_q
from apprentice.theory.finite_horizon import optimal_finite_horizon
from apprentice.theory.learners import behavior_cloning
from apprentice.theory.range_q import RangeQBound, bc_bound_range_q
from apprentice.theory.tightrope import tightrope
from apprentice.theory.worst_case import bc_tight_finite_horizon, range_q_tight_finite_horizon

__all__ = ["RangeQConfig", "run_range_q"]


def _seed(base: int, *stream: int) -> int:
    return int(np.random.SeedSequence([base, *stream]).generate_state(1)[0])


def _row(family: str, horizon: int, results: list[RangeQBound]) -> dict:
    gap = np.concatenate([np.ravel(r.gap) for r in results])
    bound = np.concatenate([np.ravel(r.bound) for r in results])
    h2 = np.concatenate([np.ravel(r.h2_bound) for r in results])
    ratio = np.concatenate([np.ravel(r.ratio) for r in results])
    q = np.concatenate([np.ravel(r.q_range) for r in results])
    positive = bound > 0
    return {
        "family": family,
        "horizon": horizon,
        "n_learners": int(gap.size),
        "max_identity_gap": float(max(r.max_identity_gap for r in results)),
        "range_q_violations": int(np.sum(gap > bound + 1e-9)),
        "h2_violations": int(np.sum(gap > h2 + 1e-9)),
        "max_tightness_range_q": float(np.max(np.where(positive, gap / np.where(positive, bound, 1), 0))),
        "max_tightness_h2": float(np.max(np.where(h2 > 0, gap / np.where(h2 > 0, h2, 1), 0))),
        "ratio_median": float(np.median(ratio)),
        "ratio_min": float(ratio.min()),
        "ratio_max": float(ratio.max()),
        "q_range_median": float(np.median(q)),
        "points": {"gap": gap.tolist(), "range_q_bound": bound.tolist(), "h2_bound": h2.tolist()},
    }


def run_range_q(config: RangeQConfig = RangeQConfig()) -> dict:
    """Compute both sides and both bounds on every instance; print a table; write results.json and range_q.png.

    Returns:
        A JSON-ready dict: ``rows`` (per family and H: identity gap, violations of each bound, the
        largest gap / bound, the ratio of the bounds), ``tight_cases``, ``all_bounds_hold``,
        ``max_identity_gap``, ``plot``, ``seconds``.
    """
    start = time.perf_counter()
    out_dir = Path(config.out)
    rows = []
    for c, concentration in enumerate(config.concentrations):
        for j, horizon in enumerate(config.horizons):
            found = []
            for i in range(config.n_mdps):
                seed = _seed(config.seed, 0, c, j, i)
                mdp = random_finite_horizon_mdp(
                    seed, config.n_states, config.n_actions, horizon, concentration=concentration
                )
                expert_actions = optimal_finite_horizon(mdp).actions
                expert = deterministic_policy(expert_actions, config.n_actions)
                noise = random_policy(seed + 1, config.n_states, config.n_actions, (len(config.noise_levels),), horizon)
                weights = np.asarray(config.noise_levels).reshape(-1, 1, 1, 1)
                learners = (1.0 - weights) * expert + weights * noise
                found.append(bc_bound_range_q(mdp, expert_actions, learners))
            rows.append(_row(f"random MDPs, concentration {concentration:g}", horizon, found))
    for j, horizon in enumerate(config.horizons):
        rope = tightrope(_seed(config.seed, 1, j), horizon)
        learner = behavior_cloning(rope.mdp, rope.expert_actions, config.per_state_error)
        rows.append(_row("tightrope, BC", horizon, [bc_bound_range_q(rope.mdp, rope.expert_actions, learner)]))

    tight_horizon = max(config.horizons)
    rng = np.random.default_rng(_seed(config.seed, 2))
    errors = rng.uniform(0.0, 2.0 * config.per_state_error, size=(tight_horizon, config.tight_contexts))
    tight_cases = []
    for name, (mdp, expert_actions, learner) in [
        ("repeated bandit (Range(Q) tight)", range_q_tight_finite_horizon(tight_horizon, errors)),
        ("cliff, one mistake at step 0 (both tight)", bc_tight_finite_horizon(tight_horizon, 0.3)),
    ]:
        result = bc_bound_range_q(mdp, expert_actions, learner)
        tight_cases.append(
            {
                "case": name,
                "horizon": tight_horizon,
                "gap": float(result.gap),
                "decomposition": float(result.decomposition),
                "epsilon": float(result.epsilon),
                "q_range": float(result.q_range),
                "range_q_bound": float(result.bound),
                "h2_bound": float(result.h2_bound),
                "ratio": float(result.ratio),
            }
        )
    results = {
        "config": asdict(config),
        "rows": rows,
        "tight_cases": tight_cases,
        "max_identity_gap": max(row["max_identity_gap"] for row in rows),
        "all_bounds_hold": all(row["range_q_violations"] == 0 and row["h2_violations"] == 0 for row in rows),
    }
    return finish_study(results, out_dir, start, (plot_range_q, "range_q.png"), _table)


def _table(results: dict) -> Table:
    table = Table(title="BC: H Range(Q^pihat) eps against H^2 eps Range(r) (exact)")
    columns = ("family", "H", "learners", "max |gap - decomposition|", "violations (Range(Q), H^2)",
               "max gap / Range(Q) bound", "max gap / H^2 bound", "bound ratio median [min, max]")  # fmt: skip
    for column in columns:
        table.add_column(column)
    for row in results["rows"]:
        table.add_row(
            row["family"],
            str(row["horizon"]),
            str(row["n_learners"]),
            f"{row['max_identity_gap']:.1e}",
            f"{row['range_q_violations']}, {row['h2_violations']}",
            f"{row['max_tightness_range_q']:.3f}",
            f"{row['max_tightness_h2']:.4f}",
            f"{row['ratio_median']:.3f} [{row['ratio_min']:.3f}, {row['ratio_max']:.3f}]",
        )
    for case in results["tight_cases"]:
        table.add_row(
            case["case"],
            str(case["horizon"]),
            "1",
            f"{abs(case['gap'] - case['decomposition']):.1e}",
            "0, 0" if case["gap"] <= min(case["range_q_bound"], case["h2_bound"]) + 1e-9 else "violated",
            f"{case['gap'] / case['range_q_bound']:.3f}",
            f"{case['gap'] / case['h2_bound']:.4f}",
            f"{case['ratio']:.3f}",
        )
    return table
