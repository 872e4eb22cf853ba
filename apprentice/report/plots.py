"""Plots a person would rather look at than read (matplotlib, Agg backend, PNG files)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from apprentice.io_utils import atomic_open  # noqa: E402


def plot_return_vs_demos(rows: Sequence[dict], path: str | os.PathLike) -> Path:
    """One panel per env: mean return (+- std) against the number of demonstrations, a line per
    method, with the expert's and the random policy's returns as horizontal references.

    ``rows`` hold ``env_id``, ``method``, ``n_demos``, ``mean_return``, ``std_return``,
    ``expert_return`` and ``random_return``.
    """
    env_ids = list(dict.fromkeys(r["env_id"] for r in rows))
    fig, axes = plt.subplots(1, len(env_ids), figsize=(5.2 * len(env_ids), 4), squeeze=False)
    for ax, env_id in zip(axes[0], env_ids):
        env_rows = [r for r in rows if r["env_id"] == env_id]
        for method in dict.fromkeys(r["method"] for r in env_rows):
            points = sorted((r for r in env_rows if r["method"] == method), key=lambda r: r["n_demos"])
            x = [p["n_demos"] for p in points]
            mean = [p["mean_return"] for p in points]
            std = [p["std_return"] for p in points]
            ax.errorbar(x, mean, yerr=std, marker="o", capsize=3, label=method)
        ax.axhline(env_rows[0]["expert_return"], color="green", linestyle="--", label="expert")
        ax.axhline(env_rows[0]["random_return"], color="gray", linestyle=":", label="random")
        ax.set_xscale("log")
        ax.set_xlabel("expert demonstrations (episodes)")
        ax.set_ylabel("return")
        ax.set_title(env_id)
        ax.legend(fontsize=8)
    fig.tight_layout()
    path = Path(path)
    with atomic_open(path, "wb") as handle:
        fig.savefig(handle, format="png", dpi=110)
    plt.close(fig)
    return path
