"""Plots of the RL engine: the speed of the two environment backends, and learning curves."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from apprentice.report.plots import plt, save_figure


def plot_rl_speed(result: dict, path: str | os.PathLike) -> Path:
    """Left: training return against wall-clock seconds on both backends (JAX's curve starts after
    compiling). Right: env steps/s of PPO and of the bare envs, log scale."""
    fig, (curve_ax, bar_ax) = plt.subplots(1, 2, figsize=(10.5, 3.8))
    jax_curve = np.asarray(result["jax_train_return_curve"])
    jax_time = result["jax_compile_seconds"] + result["jax_run_seconds"] * np.arange(1, len(jax_curve) + 1) / len(
        jax_curve
    )
    gym_curve = np.asarray(result["gymnasium_train_return_curve"])
    gym_time = result["gymnasium_seconds"] * np.arange(1, len(gym_curve) + 1) / max(len(gym_curve), 1)
    curve_ax.plot(jax_time, jax_curve, label="pure-JAX backend (after compiling)")
    curve_ax.plot(gym_time, gym_curve, label="Gymnasium backend")
    curve_ax.axvline(result["jax_compile_seconds"], color="gray", linestyle=":", linewidth=1, label="JAX compile done")
    curve_ax.axhline(475, color="green", linestyle="--", linewidth=1, label="475")
    curve_ax.set_xlabel("wall-clock seconds")
    curve_ax.set_ylabel("mean training-episode return")
    curve_ax.set_title(f"PPO {result['env_id']}, {result['ppo_env_steps']:,} env steps", fontsize=9)
    curve_ax.legend(fontsize=8)
    labels = ["PPO\nJAX", "PPO\nGymnasium", "env only\nJAX", "env only\nGymnasium"]
    rates = [
        result["jax_ppo_steps_per_s"],
        result["gymnasium_ppo_steps_per_s"],
        result["env_only_jax_steps_per_s"],
        result["env_only_gymnasium_steps_per_s"],
    ]
    bar_ax.bar(labels, rates, color=["tab:blue", "tab:orange", "tab:blue", "tab:orange"])
    bar_ax.set_yscale("log")
    bar_ax.set_ylabel("env steps / s")
    bar_ax.set_title(f"PPO {result['ppo_speedup']:.1f}x, env only {result['env_only_speedup']:.0f}x", fontsize=9)
    fig.tight_layout()
    return save_figure(fig, path)


def plot_learning_curves(runs: Sequence[dict], path: str | os.PathLike) -> Path:
    """One panel per run: evaluation return against env steps, with the reference score dashed.

    Each run holds ``title``, ``env_steps``, ``eval_return`` (lists) and optionally ``reference``.
    """
    fig, axes = plt.subplots(1, len(runs), figsize=(4.2 * len(runs), 3.5), squeeze=False)
    for ax, run in zip(axes[0], runs):
        ax.plot(run["env_steps"], run["eval_return"], marker=".")
        if run.get("reference") is not None:
            ax.axhline(run["reference"], color="green", linestyle="--", linewidth=1, label=f"zoo {run['reference']}")
            ax.legend(fontsize=8)
        ax.set_xlabel("env steps")
        ax.set_ylabel("evaluation return")
        ax.set_title(run["title"], fontsize=9)
    fig.tight_layout()
    return save_figure(fig, path)
