"""The figure of the compounding-error study (``apprentice theory compounding``).

Three panels, drawn from the dict ``run_compounding`` returns (so a saved ``results.json`` can
be re-plotted without rerunning anything):

(a) Ross & Bagnell's worst case: exact expected mistakes (markers) on the closed form (lines).
(b) Exact cost of BC and DAgger against the horizon H, log-log, with the fitted power laws.
(c) Exact cost of BC against the number of demonstrations N, log-log, with the fitted power law.

Uses matplotlib's object API with the Agg canvas (no pyplot, no global backend state) and
writes the PNG atomically.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from apprentice.io_utils import atomic_open


def _fit_label(name: str, fit: dict) -> str:
    return f"{name}: slope {fit['exponent']:.2f} [{fit['ci_low']:.2f}, {fit['ci_high']:.2f}]"


def plot_compounding(results: dict, path: str | Path) -> Path:
    """Draw the three panels of the compounding study into a PNG at ``path``; return the path.

    Args:
        results: the dict returned by ``apprentice.bench.compounding.run_compounding`` (or
            read back from its ``results.json``).
        path: where to write the PNG; parent folders are created.
    """
    path = Path(path)
    figure = Figure(figsize=(16, 4.8), layout="constrained")
    FigureCanvasAgg(figure)
    ax_worst, ax_horizon, ax_demos = figure.subplots(1, 3)

    rows = results["worst_case"]["rows"]
    for eps in sorted({row["epsilon"] for row in rows}):
        mine = sorted((r for r in rows if r["epsilon"] == eps), key=lambda r: r["horizon"])
        steps = [r["horizon"] for r in mine]
        (line,) = ax_worst.plot(steps, [r["closed_form"] for r in mine], label=f"eps = {eps:g}")
        ax_worst.plot(steps, [r["exact"] for r in mine], "o", color=line.get_color(), mfc="none")
    all_steps = np.asarray(sorted({row["horizon"] for row in rows}), dtype=float)
    ax_worst.plot(all_steps, all_steps / 2, ":", color="gray", label="T / 2 (eps T >> 1)")
    ax_worst.set(
        xscale="log",
        yscale="log",
        xlabel="horizon T",
        ylabel="expected mistakes",
        title="(a) worst case: closed form (lines) = exact (circles)",
    )
    ax_worst.legend(fontsize=8)

    sweep = results["horizon_sweep"]
    horizons = np.asarray(sweep["horizons"], dtype=float)
    for name, key, color in [("BC", "bc", "tab:red"), ("DAgger", "dagger", "tab:blue")]:
        fit = sweep[key]
        for costs in fit["costs"]:
            ax_horizon.plot(horizons, costs, color=color, alpha=0.15, lw=0.8)
        ax_horizon.plot(horizons, fit["mean_cost"], "o", color=color)
        ax_horizon.plot(
            horizons, fit["prefactor"] * horizons ** fit["exponent"], "-", color=color, label=_fit_label(name, fit)
        )
    ax_horizon.set(
        xscale="log",
        yscale="log",
        xlabel="horizon H",
        ylabel="J(expert) - J(learner)",
        title=f"(b) cost vs horizon, eps = {sweep['per_state_error']:g} per state",
    )
    ax_horizon.legend(fontsize=8)

    demos = results["demo_sweep"]
    counts = np.asarray(demos["n_demos"], dtype=float)
    fit = demos["bc"]
    stderr = np.asarray(fit["std_cost"]) / np.sqrt(fit["n_replicates"])
    ax_demos.errorbar(counts, fit["mean_cost"], yerr=stderr, fmt="o", color="tab:red", capsize=3)
    ax_demos.plot(
        counts, fit["prefactor"] * counts ** fit["exponent"], "-", color="tab:red", label=_fit_label("BC", fit)
    )
    ax_demos.set(
        xscale="log",
        yscale="log",
        xlabel="expert demonstrations N",
        ylabel="J(expert) - J(learner)",
        title=f"(c) BC cost vs N, H = {demos['horizon']}, |S| = {demos['n_states']}",
    )
    ax_demos.legend(fontsize=8)

    with atomic_open(path, "wb") as handle:
        figure.savefig(handle, format="png", dpi=110)
    return path
