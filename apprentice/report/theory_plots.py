"""The figures of the lectures' theory claims: ``theory policy-iteration``, ``theory shift``, ``theory range-q``.

Each function draws from the dict its study returns (so a saved ``results.json`` can be re-plotted
without rerunning anything), with matplotlib's object API on the Agg canvas (no pyplot, no global
backend state), and writes the PNG atomically.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from apprentice.report.plots import save_figure


def plot_policy_iteration(results: dict, path: str | Path) -> Path:
    """(a) V^{pi_t}(mu) / V*(mu) per iteration; (b) each step's improvement, both sides of the PDL."""
    figure = Figure(figsize=(12, 4.4), layout="constrained")
    FigureCanvasAgg(figure)
    ax_value, ax_pdl = figure.subplots(1, 2)
    for example in results["examples"]:
        label = f"gamma {example['gamma']:g}, conc. {example['concentration']:g}"
        values = np.asarray(example["values"]) / example["optimal_value"]
        (line,) = ax_value.plot(np.arange(len(values)), values, "o-", label=label)
        steps = np.arange(1, len(example["improvement"]) + 1)
        ax_pdl.plot(steps, example["pdl"], "-", color=line.get_color(), label=f"{label}: PDL side")
        ax_pdl.plot(steps, example["improvement"], "x", ms=9, color=line.get_color(), label="V^{t+1} - V^t")
    ax_value.axhline(1.0, color="gray", ls=":", lw=1)
    ax_value.set(
        xlabel="iteration t",
        ylabel="V^{pi_t}(mu) / V*(mu)",
        title="(a) policy iteration: value per iteration (one MDP per setting)",
    )
    ax_value.legend(fontsize=8)
    ax_pdl.set(
        yscale="log",
        xlabel="step t -> t+1",
        ylabel="improvement under mu",
        title=f"(b) V^(t+1) - V^t (x) vs 1/(1-gamma) E A^t (line): max gap {results['max_abs_gap']:.0e}",
    )
    ax_pdl.title.set_fontsize(10)
    ax_pdl.legend(fontsize=7, ncol=2)
    for axis in (ax_value, ax_pdl):
        axis.xaxis.set_major_locator(MaxNLocator(integer=True))
    return save_figure(figure, path)


def plot_shift(results: dict, path: str | Path) -> Path:
    """(a) tightrope D_TV per step with its bounds; (b) mistakes per step; (c) random MDPs, ratios to eps t."""
    figure = Figure(figsize=(17, 4.6), layout="constrained")
    FigureCanvasAgg(figure)
    ax_tv, ax_mistakes, ax_random = figure.subplots(1, 3)
    rope, chain = results["tightrope"], results["chain"]
    eps = rope["epsilon"]
    steps = np.arange(1, len(rope["tv"]) + 1)
    ax_tv.plot(steps, rope["tv"], lw=2.5, color="tab:red", label="D_TV, tightrope (BC)")
    ax_tv.plot(steps, chain["tv"], lw=2.5, color="tab:purple", label="D_TV, Ross-Bagnell chain")
    ax_tv.plot(steps, rope["tv_mixture_bound"], "--", color="black", label="1 - (1 - eps)^(t-1)")
    ax_tv.plot(steps, eps * steps, ":", color="black", label="eps t")
    ax_tv.plot(steps, 2 * eps * steps, "-.", color="gray", label="2 eps t (bounds 2 D_TV)")
    ax_tv.set(
        ylim=(0, 1.05), xlabel="step t", ylabel="total variation", title=f"(a) D_TV(p_train, p_pi), eps = {eps:g}"
    )
    ax_tv.legend(fontsize=8)

    ax_mistakes.plot(steps, rope["mistakes"], lw=2.5, color="tab:red", label="E mistakes at t, tightrope (BC)")
    ax_mistakes.plot(steps, chain["mistakes"], lw=2.5, color="tab:purple", label="E mistakes at t, chain")
    ax_mistakes.plot(steps, eps * steps, ":", color="black", label="eps t (sharper)")
    ax_mistakes.plot(steps, eps + 2 * eps * steps, "-.", color="gray", label="eps + 2 eps t (deck)")
    title = (
        f"(b) mistakes; totals: rope {rope['total_mistakes']:.1f}, chain {chain['total_mistakes']:.1f}, "
        f"eps H(H+1)/2 = {rope['total_sharp_bound']:.1f}, deck {rope['total_deck_bound']:.1f}"
    )
    ax_mistakes.set(ylim=(0, 1.05), xlabel="step t", ylabel="expected mistakes", title=title)
    ax_mistakes.title.set_fontsize(9)
    ax_mistakes.legend(fontsize=8)

    for name, ratios in results["random_tv_over_eps_t"].items():
        (line,) = ax_random.plot(steps, ratios, label=f"D_TV / eps t, {name}")
        ax_random.plot(
            steps, results["random_mistakes_over_eps_t"][name], "--", color=line.get_color(), label="mistakes / eps t"
        )
    ax_random.axhline(1.0, color="black", lw=1, ls=":")
    ax_random.set(
        yscale="log",
        xlabel="step t",
        ylabel="largest ratio over the MDPs",
        title=f"(c) {results['config']['n_mdps']} random MDPs: worst ratio to eps t (bound: 1)",
    )
    ax_random.legend(fontsize=7)
    return save_figure(figure, path)


def plot_range_q(results: dict, path: str | Path) -> Path:
    """(a) exact gap against both bounds; (b) the ratio of the bounds against H, per family."""
    figure = Figure(figsize=(12, 4.6), layout="constrained")
    FigureCanvasAgg(figure)
    ax_scatter, ax_ratio = figure.subplots(1, 2)
    gaps, range_q, h2 = [], [], []
    for row in results["rows"]:
        gaps += row["points"]["gap"]
        range_q += row["points"]["range_q_bound"]
        h2 += row["points"]["h2_bound"]
    gap, bound, square = (np.asarray(v) for v in (gaps, range_q, h2))
    keep = gap > 0
    ax_scatter.loglog(bound[keep], gap[keep], ".", ms=4, alpha=0.5, color="tab:blue", label="H Range(Q^pihat) eps")
    ax_scatter.loglog(square[keep], gap[keep], ".", ms=4, alpha=0.5, color="tab:red", label="H^2 eps Range(r)")
    for case, marker in zip(results["tight_cases"], ("*", "P")):
        ax_scatter.loglog(case["range_q_bound"], case["gap"], marker, ms=14, color="tab:blue", mec="black")
        ax_scatter.loglog(
            case["h2_bound"], case["gap"], marker, ms=14, color="tab:red", mec="black", label=case["case"]
        )
    low, high = gap[keep].min(), max(bound.max(), square.max())
    ax_scatter.loglog([low, high], [low, high], color="black", lw=1, label="gap = bound")
    ax_scatter.set(
        xlabel="bound",
        ylabel="V^pi*(mu) - V^pihat(mu) (exact)",
        title="(a) every learner lies below the diagonal for both bounds",
    )
    ax_scatter.legend(fontsize=7)

    families = sorted({row["family"] for row in results["rows"]})
    for family in families:
        mine = sorted((row for row in results["rows"] if row["family"] == family), key=lambda row: row["horizon"])
        horizons = np.asarray([row["horizon"] for row in mine], dtype=float)
        (line,) = ax_ratio.plot(horizons, [row["ratio_median"] for row in mine], "o-", label=family)
        ax_ratio.fill_between(
            horizons, [row["ratio_min"] for row in mine], [row["ratio_max"] for row in mine],
            color=line.get_color(), alpha=0.15,
        )  # fmt: skip
    horizons = np.asarray(sorted({row["horizon"] for row in results["rows"]}), dtype=float)
    ax_ratio.plot(horizons, 1 / horizons, ":", color="gray", label="1 / H")
    ax_ratio.set(
        xscale="log",
        yscale="log",
        xlabel="horizon H",
        ylabel="Range(Q^pihat) / (H Range(r))",
        title="(b) Range(Q) bound / H^2 bound (median, min-max band)",
    )
    ax_ratio.legend(fontsize=8)
    return save_figure(figure, path)
