"""The compounding-error study: ``apprentice theory compounding``.

An experiment over the exact tabular math of ``apprentice.theory`` (the chain, the tightrope,
the tabular learners, the bounds, the power-law fit); its figure is
``apprentice.report.compounding_plot``. Three parts, every number an exact tabular computation
(no Monte Carlo evaluation):

(a) Worst case (Ross & Bagnell 2010): the closed form for the expected number of mistakes,
    ``T/2 - [1 - (1-2 eps)^(T+1)] / (4 eps) + 1/2``, against exact backward induction on the
    two-state chain of ``theory/worst_case.py``, over a grid of (eps, T).
(b) Horizon sweep: on tightrope MDPs (``theory/tightrope.py``), learn BC and DAgger policies with the
    same controlled per-state error eps (``theory/learners.py``), compute each one's exact cost
    ``J(pi*) - J(pihat)`` for H from about 10 to 1000, and fit the slope of log cost against
    log H (``theory/power_law.py``): BC comes out near 2, DAgger near 1. The BC and DAgger bounds of
    ``theory/bounds.py`` are checked on every learned policy.
(c) Demonstration sweep: at a fixed H, BC from N sampled expert demonstrations on a tightrope
    with a geometric wind; its exact cost falls like 1/N (Rajaraman et al. 2020: of order
    ``|S| H^2 / N`` up to a log factor).

``run_compounding`` prints a rich table, writes ``results.json`` (atomically) and
``compounding.png`` into ``config.out`` and returns the results as a JSON-ready dict.
"""

from __future__ import annotations

import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
from rich.progress import Progress
from rich.table import Table

from apprentice.bench.study_output import finish_study
from apprentice.bench.theory_configs import CompoundingConfig
from apprentice.envs.tabular.mdp import deterministic_policy
from apprentice.progress import make_console
from apprentice.report.compounding_plot import plot_compounding
from apprentice.theory.bounds import bc_bound_finite_horizon, dagger_bound_finite_horizon
from apprentice.theory.finite_horizon import expected_return, state_distributions
from apprentice.theory.learners import behavior_cloning, behavior_cloning_from_demos, dagger
from apprentice.theory.power_law import fit_power_law
from apprentice.theory.tightrope import geometric_wind, tightrope
from apprentice.theory.worst_case import expected_mistakes_closed_form, expected_mistakes_exact


def _stream_seed(base: int, stream: int, index: int) -> int:
    """Independent, reproducible seeds for each random stream of the study."""
    return int(np.random.SeedSequence([base, stream, index]).generate_state(1)[0])


def _worst_case(config: CompoundingConfig) -> dict:
    rows = []
    for eps in config.worst_case_epsilons:
        for steps in config.worst_case_horizons:
            exact = expected_mistakes_exact(eps, steps)
            closed = float(expected_mistakes_closed_form(eps, steps))
            rows.append({"epsilon": eps, "horizon": steps, "exact": exact, "closed_form": closed})
    errors = [abs(r["exact"] - r["closed_form"]) / max(1.0, abs(r["closed_form"])) for r in rows]
    return {"rows": rows, "max_relative_error": float(max(errors))}


def _horizon_sweep(config: CompoundingConfig, progress: Progress) -> dict:
    total = config.n_instances * len(config.horizons)
    task = progress.add_task("(b) BC and DAgger vs horizon", total=total)
    shape = (config.n_instances, len(config.horizons))
    bc_costs, dagger_costs = np.zeros(shape), np.zeros(shape)
    bc_on_policy_eps = np.zeros(shape)
    dagger_sizes: list[list[int]] = []
    tightness = {"bc_finite_horizon": 0.0, "dagger_finite_horizon": 0.0}
    all_hold = True
    for i in range(config.n_instances):
        for j, horizon in enumerate(config.horizons):
            rope = tightrope(
                _stream_seed(config.seed, 1, i),
                horizon,
                config.n_positions,
                config.max_depth,
                config.n_actions,
            )
            mdp, expert = rope.mdp, rope.expert_actions
            bc = behavior_cloning(mdp, expert, config.per_state_error)
            dg, sizes = dagger(mdp, expert, config.per_state_error, config.dagger_iterations)
            # Each check's gap is the exact cost J(pi*) - J(pihat) the exponent is fitted to.
            checks = [
                bc_bound_finite_horizon(mdp, expert, bc),
                dagger_bound_finite_horizon(mdp, expert, dg),
                dagger_bound_finite_horizon(mdp, expert, bc),  # BC's own on-policy epsilon
            ]
            bc_costs[i, j], dagger_costs[i, j] = float(checks[0].gap), float(checks[1].gap)
            bc_on_policy_eps[i, j] = float(checks[2].epsilon)
            for check in checks:
                all_hold &= check.holds()
                tightness[check.name] = max(tightness[check.name], float(check.tightness))
            if i == 0:
                dagger_sizes.append(sizes)
            progress.advance(task)
    if np.any(bc_costs <= 0) or np.any(dagger_costs <= 0):
        raise RuntimeError("a learner had zero cost; per_state_error must be > 0 for the fit")
    fits = {
        name: fit_power_law(
            config.horizons,
            costs,
            paired=True,
            seed=_stream_seed(config.seed, 3, k),
            n_bootstrap=config.n_bootstrap,
            confidence=config.confidence,
        ).to_dict()
        for k, (name, costs) in enumerate([("bc", bc_costs), ("dagger", dagger_costs)])
    }
    return {
        "horizons": list(config.horizons),
        "per_state_error": config.per_state_error,
        "n_states": config.n_positions * (config.max_depth + 1),
        "bc": {
            **fits["bc"],
            "mean_cost": bc_costs.mean(0).tolist(),
            "costs": bc_costs.tolist(),
            "mean_on_policy_epsilon": bc_on_policy_eps.mean(0).tolist(),
        },
        "dagger": {
            **fits["dagger"],
            "mean_cost": dagger_costs.mean(0).tolist(),
            "costs": dagger_costs.tolist(),
            "states_seen_per_round": dagger_sizes,
        },
        "bounds_hold": bool(all_hold),
        "max_bound_tightness": tightness,
    }


def _demo_sweep(config: CompoundingConfig, progress: Progress) -> dict:
    total = config.demo_seeds * len(config.demo_counts)
    task = progress.add_task("(c) BC vs demonstrations", total=total)
    rope = tightrope(
        _stream_seed(config.seed, 2, 0),
        config.demo_horizon,
        config.demo_positions,
        config.demo_max_depth,
        config.n_actions,
        wind=geometric_wind(config.demo_positions, config.demo_wind_decay),
    )
    mdp, horizon = rope.mdp, config.demo_horizon
    expert = deterministic_policy(np.broadcast_to(rope.expert_actions, (horizon, mdp.n_states)), mdp.n_actions)
    expert_return = float(expected_return(mdp, expert))
    expert_states = state_distributions(mdp, expert)  # [H, S]
    costs = np.zeros((config.demo_seeds, len(config.demo_counts)))
    missing_mass = np.zeros_like(costs)
    for j, n_demos in enumerate(config.demo_counts):
        for k in range(config.demo_seeds):
            seed = _stream_seed(config.seed, 4, j * config.demo_seeds + k)
            policy, seen = behavior_cloning_from_demos(mdp, rope.expert_actions, n_demos, seed)
            costs[k, j] = expert_return - float(expected_return(mdp, policy))
            missing_mass[k, j] = float((expert_states * ~seen).sum() / horizon)
            progress.advance(task)
    fit = fit_power_law(
        config.demo_counts,
        costs,
        paired=False,
        seed=_stream_seed(config.seed, 3, 2),
        n_bootstrap=config.n_bootstrap,
        confidence=config.confidence,
    )
    mean = costs.mean(0)
    scale = mdp.n_states * horizon**2
    return {
        "n_demos": list(config.demo_counts),
        "horizon": horizon,
        "n_states": mdp.n_states,
        "bc": {**fit.to_dict(), "mean_cost": mean.tolist(), "std_cost": costs.std(0).tolist()},
        "mean_missing_mass": missing_mass.mean(0).tolist(),
        "cost_times_n_over_s_h2": (mean * np.asarray(config.demo_counts) / scale).tolist(),
    }


def _summary_table(results: dict) -> Table:
    table = Table(title="Compounding error: fitted exponents (exact tabular costs)")
    interval = f"{results['confidence']:.0%} CI"
    for column in ("experiment", "theory", "fitted", interval, "local slopes", "range"):
        table.add_column(column)
    sweep, demos = results["horizon_sweep"], results["demo_sweep"]
    h_range = f"H = {sweep['horizons'][0]}..{sweep['horizons'][-1]}"
    for label, theory, fit, span in [
        ("BC cost vs H", "2", sweep["bc"], h_range),
        ("DAgger cost vs H", "1", sweep["dagger"], h_range),
        (
            "BC cost vs N demos",
            "-1",
            demos["bc"],
            f"N = {demos['n_demos'][0]}..{demos['n_demos'][-1]}, H = {demos['horizon']}",
        ),
    ]:
        local = fit["local_exponents"]
        table.add_row(
            label,
            theory,
            f"{fit['exponent']:.3f}",
            f"[{fit['ci_low']:.3f}, {fit['ci_high']:.3f}]",
            f"{min(local):.2f} .. {max(local):.2f}",
            span,
        )
    worst = results["worst_case"]
    table.add_row(
        "Ross-Bagnell closed form",
        "exact",
        f"rel. err {worst['max_relative_error']:.1e}",
        "",
        "",
        f"{len(worst['rows'])} (eps, T) pairs",
    )
    table.add_row("bounds on learned policies", "hold", str(sweep["bounds_hold"]), "", "", "BC H^2, DAgger H")
    return table


def run_compounding(config: CompoundingConfig = CompoundingConfig(), progress: bool = True) -> dict:
    """Run parts (a), (b), (c); print a table; write results.json and compounding.png.

    Args:
        config: the study; the defaults are the canonical run.
        progress: show a rich progress bar over the sweeps.

    Returns:
        A JSON-serializable dict; ``results["exponents"]`` holds the three fitted exponents
        with their confidence intervals, the other keys every number behind them.

    Example:
        >>> results = run_compounding(CompoundingConfig(out="/tmp/compounding"), progress=False)
        >>> results["exponents"]["bc_vs_horizon"]["exponent"]  # doctest: +SKIP
        1.96...
    """
    start = time.perf_counter()
    out_dir = Path(config.out)
    console = make_console()
    with Progress(console=console, disable=not progress, transient=True) as bar:
        worst = _worst_case(config)
        sweep = _horizon_sweep(config, bar)
        demos = _demo_sweep(config, bar)

    def pick(fit: dict) -> dict:
        return {key: fit[key] for key in ("exponent", "ci_low", "ci_high", "ci")}

    results = {
        "config": asdict(config),
        "confidence": config.confidence,
        "exponents": {
            "bc_vs_horizon": pick(sweep["bc"]),
            "dagger_vs_horizon": pick(sweep["dagger"]),
            "bc_vs_demos": pick(demos["bc"]),
        },
        "worst_case": worst,
        "horizon_sweep": sweep,
        "demo_sweep": demos,
    }
    return finish_study(results, out_dir, start, (plot_compounding, "compounding.png"), _summary_table)
