"""The report's first section: per env, return against the shared budget with every method
overlaid (:func:`plot_summary`), and a table ranking them with the budget from which each stays
within 90% of the expert (:func:`summary_sections`). The grouping is :mod:`apprentice.report.summary`."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from apprentice.experts import ExpertStats, read_stats
from apprentice.report.html import Image, Section, Table, Text, format_value
from apprentice.report.plots import plt, readable_ticks, save_figure
from apprentice.report.summary import (
    BUDGET_AXES,
    SummaryLine,
    budget_to_reach,
    choose_axis,
    env_id,
    left_out,
    summary_lines,
)

if TYPE_CHECKING:
    from apprentice.report.run_report import RunDir

NEAR_EXPERT = 0.9
"""The expert-normalized score the table's cost column asks each method to reach and keep."""
SUMMARY_ANCHOR = "summary"


def plot_summary(
    lines: Sequence[SummaryLine], axis: str, env_id: str, stats: ExpertStats | None, path: str | os.PathLike
) -> Path:
    """A line per :class:`SummaryLine`: curves as their mean with a +- std band over seeds, runs
    of one point each as markers with +- std error bars joined along the budget; the expert's
    and the random policy's returns (``stats``) as dashed and dotted references."""
    fig, ax = plt.subplots(figsize=(8.0, 3.9))
    for index, line in enumerate(lines):
        color = f"C{index % 10}"
        x, mean, std = np.array(line.x), np.array(line.mean), np.array(line.std)
        seeds = max(line.n_seeds)
        label = f"{line.label} ({seeds} seed{'s' if seeds > 1 else ''})"
        if line.kind == "curve":
            ax.plot(x, mean, color=color, marker="." if len(x) < 30 else None, label=label)
            if seeds > 1:
                ax.fill_between(x, mean - std, mean + std, color=color, alpha=0.2, linewidth=0)
        else:
            ax.errorbar(x, mean, yerr=std, color=color, marker="o", linestyle="--", capsize=3, label=label)
    if stats is not None:
        ax.axhline(
            stats.mean_return, color="green", linestyle="--", linewidth=1, label=f"expert {stats.mean_return:.4g}"
        )
        ax.axhline(
            stats.random_mean_return,
            color="gray",
            linestyle=":",
            linewidth=1,
            label=f"random {stats.random_mean_return:.4g}",
        )
    readable_ticks(ax, integer_x=axis != "seconds")
    ax.set_xlabel(BUDGET_AXES[axis].title)
    ax.set_ylabel("return (mean +- std over seeds)")
    ax.set_title(env_id, fontsize=10)
    ax.grid(alpha=0.3)
    handles, labels = ax.get_legend_handles_labels()  # methods first, then the reference lines
    order = sorted(range(len(labels)), key=lambda i: labels[i].startswith(("expert ", "random ")))
    ax.legend(
        [handles[i] for i in order],
        [labels[i] for i in order],
        fontsize=8,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
    )
    fig.tight_layout()
    return save_figure(fig, path)


def summary_sections(runs: Sequence[RunDir], out: Path, axis: str = "auto") -> list[Section]:
    """The summary: an opening section and one subsection per env of the training runs, each
    with its figure (PNG into ``out``) and its ranking table; ``axis`` is a name of
    :data:`~apprentice.report.summary.BUDGET_AXES` or ``"auto"`` (the shared one, per env)."""
    if axis != "auto" and axis not in BUDGET_AXES:
        raise ValueError(f"--budget: expected auto or one of {', '.join(BUDGET_AXES)}, got {axis!r}")
    training = [run for run in runs if run.kind == "training"]
    by_env: dict[str, list[RunDir]] = {}
    for run in training:
        by_env.setdefault(env_id(run), []).append(run)
    opening = (
        f"{len(training)} training run{'s' if len(training) != 1 else ''} on {len(by_env)} env"
        f"{'s' if len(by_env) != 1 else ''}: per env, the return of every method against the budget the runs "
        f"share, mean +- std over the seeds of each configuration (runs whose config.json differ only in their "
        f"seeds), with the expert's and a random policy's returns as reference lines."
        if training
        else "No training runs: nothing to compare (benchmark folders have their own sections below)."
    )
    sections = [Section("Summary: which method is better, and at what cost", [Text(opening)], anchor=SUMMARY_ANCHOR)]
    stats = read_stats() if training else {}
    for env, env_runs in by_env.items():
        sections.append(_env_section(env, env_runs, out, axis, stats.get(env)))
    return sections


def _env_section(env: str, runs: Sequence[RunDir], out: Path, axis: str, stats: ExpertStats | None) -> Section:
    chosen = choose_axis(runs) if axis == "auto" else axis
    title = f"Summary on {env}"
    anchor = f"{SUMMARY_ANCHOR}-{re.sub(r'[^A-Za-z0-9_-]+', '-', env).strip('-')}"
    if chosen is None:
        return Section(
            title,
            [
                Text(
                    "No run holds a return with a budget (labels, env steps, demonstrations or seconds): "
                    + ", ".join(run.label for run in runs)
                    + "."
                )
            ],
            3,
            anchor,
        )
    lines = summary_lines(runs, chosen)
    if not lines:
        return Section(title, [Text(f"No run can be placed on {BUDGET_AXES[chosen].title}.")], 3, anchor)
    budget = BUDGET_AXES[chosen].title
    png = plot_summary(lines, chosen, env, stats, out / f"{anchor}.png")
    blocks: list = [_verdict(lines, budget, stats)]
    blocks.append(Image(png, f"return on {env} against {budget}; bands and bars: +- std over seeds"))
    blocks.append(_ranking(lines, budget, stats))
    missing = left_out(runs, chosen)
    if missing:
        blocks.append(
            Text(f"Not on this axis ({budget}): {', '.join(missing)}; --budget seconds puts every run on one axis.")
        )
    if stats is None:
        blocks.append(
            Text(f"No expert stats for {env}: no reference lines (apprentice experts --measure records them).")
        )
    return Section(title, blocks, 3, anchor)


def _ranked(lines: Sequence[SummaryLine]) -> list[SummaryLine]:
    """Best final mean return first (each line at its largest budget); of equal returns, the one
    that spent less budget first."""
    return sorted(lines, key=lambda line: (-line.mean[-1], line.x[-1]))


def _verdict(lines: Sequence[SummaryLine], budget: str, stats: ExpertStats | None) -> Text:
    best = _ranked(lines)[0]
    score = f" (normalized {stats.normalized_score(best.mean[-1]):.2f})" if stats else ""
    text = (
        f"Best final return: {best.label}, {best.mean[-1]:.4g} +- {best.std[-1]:.4g}{score} "
        f"at {format_value(best.x[-1])} {budget}."
    )
    if stats is not None:
        level = _near_expert_return(stats)
        reaching = [(x, line.label) for line in lines if (x := budget_to_reach(line, level)) is not None]
        text += (
            f" Cheapest to reach {NEAR_EXPERT:g} of the expert and stay there: {min(reaching)[1]}, at {format_value(min(reaching)[0])} {budget}."
            if reaching
            else f" No method reaches {NEAR_EXPERT:g} of the expert and stays there."
        )
    return Text(text)


def _ranking(lines: Sequence[SummaryLine], budget: str, stats: ExpertStats | None) -> Table:
    rows = []
    for line in _ranked(lines):
        normalized = "-"
        to_reach = "-"
        if stats is not None:
            span = stats.mean_return - stats.random_mean_return
            normalized = f"{stats.normalized_score(line.mean[-1]):.3f} +- {line.std[-1] / abs(span):.3f}"
            reached = budget_to_reach(line, _near_expert_return(stats))
            to_reach = format_value(reached) if reached is not None else "not reached"
        rows.append(
            [
                line.label,
                "curve" if line.kind == "curve" else "points",
                str(max(line.n_seeds)),
                format_value(line.x[-1]),
                f"{line.mean[-1]:.4g} +- {line.std[-1]:.4g}",
                normalized,
                to_reach,
            ]
        )
    columns = [
        "method",
        "kind",
        "seeds",
        budget,
        "return",
        "normalized",
        f"{budget} from which >= {NEAR_EXPERT:g} of expert",
    ]
    return Table(columns, rows)


def _near_expert_return(stats: ExpertStats) -> float:
    return stats.random_mean_return + NEAR_EXPERT * (stats.mean_return - stats.random_mean_return)
