"""The figures of the preference experiments (matplotlib, Agg backend, PNG files written atomically).

``plot_preference_margins`` draws :mod:`apprentice.bench.deterministic_preferences` (DPO's and
IPO's margins when one arm always wins); ``plot_frontier`` the reward-against-KL frontier of
``apprentice bench preferences`` (:mod:`apprentice.algorithms.preferences.text_frontier`).
"""

from __future__ import annotations

import os
from pathlib import Path

from apprentice.io_utils import atomic_open


def plot_preference_margins(experiment: dict, path: str | os.PathLike) -> Path:
    """DPO's and IPO's log-ratio margin against training steps, with IPO's target ``1/(2 tau)``; a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.6, 3.8))
    ax.plot(experiment["steps"], experiment["dpo_margin"], label="DPO")
    ax.plot(experiment["steps"], experiment["ipo_margin"], label="IPO")
    ax.axhline(
        experiment["target_margin"],
        color="gray",
        linestyle="--",
        linewidth=1,
        label=f"1 / (2 tau) = {experiment['target_margin']:.3g}",
    )
    ax.set_xlabel("gradient step")
    ax.set_ylabel("log-ratio margin h")
    ax.set_title(f"one arm always preferred (tau = beta = {experiment['tau']:.3g})")
    ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    path = Path(path)
    with atomic_open(path, "wb") as handle:
        fig.savefig(handle, format="png", dpi=110)
    plt.close(fig)
    return path


def plot_frontier(result: dict, path: str | os.PathLike) -> Path:
    """Reward against KL: the optimum's curve and one marker per run, labeled by beta; written atomically."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    optimum = result["optimum"]
    ax.plot(optimum["kl"], optimum["reward"], color="0.4", linestyle="--", label="optimum of E[r] - beta KL")
    styles = {"reference": ("black", "*"), "DPO": ("tab:blue", "o"), "RLHF": ("tab:orange", "s")}
    for algorithm, (color, marker) in styles.items():
        points = [p for p in result["points"] if p["algorithm"] == algorithm]
        if not points:
            continue
        ax.errorbar([p["kl"] for p in points], [p["reward"] for p in points], yerr=[p["reward_stderr"] for p in points],
                    color=color, marker=marker, linestyle="none", label=algorithm)  # fmt: skip
        for p in points:
            if p["beta"] is not None:
                ax.annotate(
                    f"{p['beta']:g}",
                    (p["kl"], p["reward"]),
                    textcoords="offset points",
                    xytext=(4, 4),
                    fontsize=7,
                    color=color,
                )
    ax.set_xscale("symlog", linthresh=1.0)
    ax.set_xlabel("KL(pi || pi_ref), nats per response")
    ax.set_ylabel("mean true reward (sentiment sign)")
    ax.set_title("Reward against KL, character transformer (labels: beta)")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    with atomic_open(path, "wb") as handle:
        fig.savefig(handle, format=Path(path).suffix.lstrip(".") or "png", dpi=120)
    plt.close(fig)
    return Path(path)
