"""Plots a person would rather look at than read (matplotlib, Agg backend, PNG files)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.ticker import Formatter, MaxNLocator

from apprentice.io_utils import atomic_open


def plot_return_vs_demos(rows: Sequence[dict], path: str | os.PathLike) -> Path:
    """One panel per env: mean return (+- std) against the number of demonstrations, a line per
    method, with the expert's and the random policy's returns as horizontal references.

    ``rows`` hold ``env_id``, ``method``, ``n_demos``, ``mean_return``, ``std_return``,
    ``expert_return`` and ``random_return``.
    """
    fig, panels = _panels_per_env(rows, width=5.2, height=4.0)
    for ax, env_id, env_rows in panels:
        for method in dict.fromkeys(r["method"] for r in env_rows):
            points = sorted((r for r in env_rows if r["method"] == method), key=lambda r: r["n_demos"])
            x = [p["n_demos"] for p in points]
            mean = [p["mean_return"] for p in points]
            std = [p["std_return"] for p in points]
            ax.errorbar(x, mean, yerr=std, marker="o", capsize=3, label=method)
        ax.axhline(env_rows[0]["expert_return"], color="green", linestyle="--", label="expert")
        ax.axhline(env_rows[0]["random_return"], color="gray", linestyle=":", label="random")
        ax.set_xscale("log")
        ticks = sorted({r["n_demos"] for r in env_rows})
        ax.set_xticks(ticks, [str(t) for t in ticks])
        ax.minorticks_off()
        ax.set_xlabel("expert demonstrations (episodes)")
        ax.set_ylabel("return")
        ax.set_title(env_id)
        ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    return save_figure(fig, path)


def plot_method_scores(rows: Sequence[dict], group_key: str, path: str | os.PathLike, title: str = "") -> Path:
    """Grouped bars of ``normalized_mean`` (+- ``normalized_std``) per ``method`` within each group."""
    groups = list(dict.fromkeys(r[group_key] for r in rows))
    methods = list(dict.fromkeys(r["method"] for r in rows))
    width = 0.8 / len(methods)
    fig, ax = plt.subplots(figsize=(3.4 + 2.2 * len(groups), 3.8))
    for k, method in enumerate(methods):
        points = [next(r for r in rows if r[group_key] == g and r["method"] == method) for g in groups]
        xs = [i + (k - (len(methods) - 1) / 2) * width for i in range(len(groups))]
        ax.bar(
            xs,
            [p["normalized_mean"] for p in points],
            width,
            yerr=[p["normalized_std"] for p in points],
            capsize=3,
            label=method,
        )
    ax.axhline(1.0, color="green", linestyle="--", linewidth=1, label="expert")
    ax.axhline(0.0, color="gray", linestyle=":", linewidth=1, label="random")
    ax.set_xticks(range(len(groups)), groups)
    ax.set_ylabel("expert-normalized score")
    ax.set_title(title)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    return save_figure(fig, path)


def _panels_per_env(rows: Sequence[dict], width: float, height: float):
    """A figure with one panel per ``env_id`` in ``rows`` (in order of appearance), and for each
    panel ``(axes, env_id, that env's rows)``."""
    env_ids = list(dict.fromkeys(r["env_id"] for r in rows))
    fig, axes = plt.subplots(1, len(env_ids), figsize=(width * len(env_ids), height), squeeze=False)
    return fig, [(ax, env_id, [r for r in rows if r["env_id"] == env_id]) for ax, env_id in zip(axes[0], env_ids)]


def compact_number(value: float, _position: object = None, digits: int = 3) -> str:
    """A tick label short enough not to run into its neighbours: 1500 -> 1.5k, 2000000 -> 2M.

    >>> [compact_number(v) for v in (0, 0.25, 40, 1500, 20000, 2_000_000, -3000)]
    ['0', '0.25', '40', '1.5k', '20k', '2M', '-3k']
    """
    for scale, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= scale:
            return f"{value / scale:.{digits}g}{suffix}"
    return f"{value:.{digits}g}"


class CompactFormatter(Formatter):
    """Tick labels by :func:`compact_number`, with as many significant digits as it takes (3 to
    8) for neighbouring ticks to read differently (1.775 and 1.78, not 1.78 twice).

    >>> CompactFormatter().format_ticks([1.77, 1.775, 1.78, 1.785])
    ['1.77', '1.775', '1.78', '1.785']
    """

    def __call__(self, value: float, position: object = None) -> str:
        return compact_number(value)

    def format_ticks(self, values) -> list[str]:
        for digits in range(3, 9):
            labels = [compact_number(value, digits=digits) for value in values]
            if len(set(labels)) == len(labels):
                return labels
        return labels


def readable_ticks(ax, integer_x: bool = False, max_ticks: int = 6) -> None:
    """At most ``max_ticks`` ticks per axis, compact labels (1.5k, 2M) on both that never repeat;
    whole numbers on x when it counts epochs, rounds or labels. Keeps tick labels from running
    together."""
    ax.xaxis.set_major_locator(MaxNLocator(nbins=max_ticks, integer=integer_x))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=max_ticks))
    ax.xaxis.set_major_formatter(CompactFormatter())
    ax.yaxis.set_major_formatter(CompactFormatter())


def save_figure(fig, path: str | os.PathLike) -> Path:
    path = Path(path)
    with atomic_open(path, "wb") as handle:
        fig.savefig(handle, format="png", dpi=110)
    plt.close(fig)
    return path


def plot_speed(result: dict, path: str | os.PathLike) -> Path:
    """BC's achieved FLOP/s beside the matmul peak measured next to it, one pair per repeat."""
    fractions = result["fraction_of_peak_all"]
    fig, ax = plt.subplots(figsize=(5.5, 3.6))
    ax.bar(range(1, len(fractions) + 1), fractions, color="tab:blue")
    ax.axhline(
        result["fraction_of_peak"], color="black", linestyle="--", label=f"median {result['fraction_of_peak']:.2f}"
    )
    ax.set_ylim(0, 1)
    ax.set_xlabel("repeat (matmul peak and BC epoch measured back to back)")
    ax.set_ylabel("BC FLOP/s / matmul peak FLOP/s")
    ax.set_title(
        f"BC MLP {result['config']['hidden_sizes']} batch {result['config']['batch_size']}: "
        f"{result['steps_per_second']:.0f} steps/s",
        fontsize=9,
    )
    ax.legend(fontsize=8)
    fig.tight_layout()
    return save_figure(fig, path)


def plot_peer_speed(result: dict, path: str | os.PathLike) -> Path:
    """Gradient steps per second of each contestant (median over rounds, a dot per round)."""
    rows = result["rows"]
    fig, ax = plt.subplots(figsize=(6.4, 0.5 * len(rows) + 1.4))
    names = [r["contestant"] for r in rows][::-1]
    rates = [r["steps_per_second"] for r in rows][::-1]
    ax.barh(names, rates, color=["tab:blue" if n == "apprentice" else "tab:gray" for n in names])
    for i, row in enumerate(rows[::-1]):
        ax.plot(
            [result["steps_timed"] / s for s in row["seconds_all"]], [i] * len(row["seconds_all"]), "k.", markersize=4
        )
        ax.annotate(
            f"{row['time_ratio_to_apprentice']:.1f}x time",
            (rates[i], i),
            textcoords="offset points",
            xytext=(4, -3),
            fontsize=7,
        )
    config = result["config"]
    ax.set_xlabel("gradient steps per second")
    ax.set_title(
        f"BC, MLP {list(config['hidden_sizes'])} tanh, batch {config['batch_size']}, Adam: same data", fontsize=9
    )
    ax.set_xlim(0, max(rates) * 1.25)
    fig.tight_layout()
    return save_figure(fig, path)


def plot_dagger_race(result: dict, path: str | os.PathLike) -> Path:
    """Expert-normalized score after each DAgger round against the wall-clock at its end, a line per
    run and a colour per library (apprentice's first, compiling run dashed), log time axis."""
    fig, ax = plt.subplots(figsize=(8.4, 3.9))
    styles = {"apprentice": ("tab:blue", "-"), "imitation": ("tab:gray", "-")}
    for library, runs in result["runs"].items():
        colour, _ = styles.get(library, ("tab:orange", "-"))
        for i, run in enumerate(runs):
            compiling = library == "apprentice" and i == 0
            label = (
                f"{library} (first run, compiling)"
                if compiling
                else (library if i == int(library == "apprentice") else None)
            )
            ax.plot(
                [r["seconds"] for r in run],
                [r["normalized_score"] for r in run],
                marker="o",
                markersize=3,
                color=colour,
                linestyle="--" if compiling else "-",
                label=label,
            )
    ax.axhline(result["config"]["threshold"], color="green", linestyle=":", linewidth=1, label="threshold")
    ax.set_xscale("log")
    ax.set_xlabel("wall-clock at the end of the round (s, evaluation excluded)")
    ax.set_ylabel("expert-normalized score")
    config = result["config"]
    ax.set_title(
        f"DAgger on {result['env_id']}: {config['label_budget']} labels, rounds of {config['steps_per_round']}, "
        f"MLP {list(config['hidden_sizes'])}, {config['epochs']} epochs/round",
        fontsize=9,
    )
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    return save_figure(fig, path)


def plot_score_vs_labels(summary: Sequence[dict], path: str | os.PathLike) -> Path:
    """One panel per env: expert-normalized score (+- std over seeds) against expert labels used,
    a line per method; x is each point's mean number of labels actually used."""
    fig, panels = _panels_per_env(summary, width=5.0, height=3.9)
    for ax, env_id, rows in panels:
        for method in dict.fromkeys(r["method"] for r in rows):
            points = sorted((r for r in rows if r["method"] == method), key=lambda r: r["budget"])
            ax.errorbar(
                [p["labels_mean"] for p in points],
                [p["normalized_mean"] for p in points],
                yerr=[p["normalized_std"] for p in points],
                marker="o",
                capsize=3,
                label=method,
            )
        ax.axhline(1.0, color="green", linestyle="--", linewidth=1)
        ax.axhline(0.95, color="green", linestyle=":", linewidth=1)
        ax.set_xscale("log")
        ax.set_xlabel("expert labels")
        ax.set_ylabel("expert-normalized score")
        ax.set_title(env_id)
        ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return save_figure(fig, path)


def plot_return_vs_env_steps(curves: Sequence[dict], path: str | os.PathLike) -> Path:
    """One panel per env: mean return (a band of +- std over seeds) against env steps, a line per
    method; a method without env steps of its own (BC on demonstrations) is a horizontal line, and
    the expert's and the random policy's returns are references.

    ``curves`` hold ``env_id``, ``method``, ``env_steps``, ``mean_return`` and ``std_return`` (lists,
    one entry per evaluation; a single entry at 0 steps for a horizontal line), ``expert_return``
    and ``random_return``.
    """
    fig, panels = _panels_per_env(curves, width=5.6, height=4.0)
    for ax, env_id, rows in panels:
        for row in rows:
            mean, std = [float(m) for m in row["mean_return"]], [float(s) for s in row["std_return"]]
            if len(row["env_steps"]) == 1:
                line = ax.axhline(mean[0], linestyle="-.", linewidth=1.2, label=row["method"])
                ax.axhspan(mean[0] - std[0], mean[0] + std[0], color=line.get_color(), alpha=0.1)
                continue
            (line,) = ax.plot(row["env_steps"], mean, marker=".", label=row["method"])
            low = [m - s for m, s in zip(mean, std)]
            high = [m + s for m, s in zip(mean, std)]
            ax.fill_between(row["env_steps"], low, high, color=line.get_color(), alpha=0.15)
        ax.axhline(rows[0]["expert_return"], color="green", linestyle="--", linewidth=1, label="expert")
        ax.axhline(rows[0]["random_return"], color="gray", linestyle=":", linewidth=1, label="random")
        readable_ticks(ax)
        ax.set_xlabel("env steps")
        ax.set_ylabel("return (deterministic policy)")
        ax.set_title(env_id)
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    return save_figure(fig, path)
