"""The figures of the preference experiments (matplotlib, Agg backend, PNG files written atomically).

``plot_preference_margins`` draws :mod:`apprentice.bench.deterministic_preferences` (DPO's and
IPO's margins when one arm always wins).
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
    ax.axhline(experiment["target_margin"], color="gray", linestyle="--", linewidth=1,
               label=f"1 / (2 tau) = {experiment['target_margin']:.3g}")
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
