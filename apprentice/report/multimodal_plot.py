"""The paths of each policy on the two-route task, drawn over the obstacle map (``bench multimodal``)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from apprentice.envs.two_routes import GOAL, GOAL_RADIUS, OBSTACLE, OBSTACLE_RADIUS, episode_outcome

ROUTE_COLORS = {"left": "tab:blue", "right": "tab:orange", "none": "tab:gray"}


def plot_paths(paths: dict[str, list[np.ndarray]], out: Path, title: str) -> Path:
    """A panel per policy: its paths ``(T + 1, 2)`` coloured by route, a cross where one collides."""
    n = len(paths)
    cols = min(n, 4)
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.4 * cols, 2.6 * rows), squeeze=False)
    for ax, (label, episodes) in zip(axes.flat, paths.items()):
        ax.add_patch(plt.Circle(tuple(OBSTACLE), OBSTACLE_RADIUS, color="0.3"))
        ax.add_patch(plt.Circle(tuple(GOAL), GOAL_RADIUS, color="tab:green", alpha=0.6))
        for positions in episodes:
            outcome = episode_outcome(positions)
            ax.plot(positions[:, 0], positions[:, 1], color=ROUTE_COLORS[outcome.route], lw=0.8, alpha=0.7)
            if outcome.collision:
                ax.plot(*positions[-1], "x", color="tab:red", ms=6)
        ax.set_title(label, fontsize=9)
        ax.set_xlim(-1.2, 1.2)
        ax.set_ylim(-0.9, 0.9)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    fig.suptitle(f"{title}: sampled paths (blue left, orange right, x a collision)", fontsize=10)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out
