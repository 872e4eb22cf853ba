"""The config of ``apprentice bench rwr-iterated`` (:mod:`apprentice.bench.rwr_iterated`), apart from
``configs.py`` (which stays under the house's 600 lines); imports neither jax nor numpy, so ``--help``
is fast."""

from __future__ import annotations

from dataclasses import dataclass

from apprentice.field_ranges import PositiveInt, Ranged


@dataclass(frozen=True)
class RWRIteratedBenchConfig(Ranged):
    """Iterated RWR and AWR against BC and PPO: return against env steps; offline AWR on bench rwr's
    mixed-quality data; and the "PG = RWR" gradients on an expert's data."""

    envs: tuple[str, ...] = ("Pendulum-v1",)
    """Env ids with a registered expert (continuous actions for the offline part)."""
    seeds: tuple[int, ...] = (0, 1, 2)
    """Training seeds (seed s also seeds its collection envs)."""
    env_steps: PositiveInt = 60_000
    """Env steps of each online learner (RWR, AWR, PPO)."""
    rwr_episodes: PositiveInt = 20
    """Episodes per iterated-RWR iteration."""
    awr_steps: PositiveInt = 2000
    """Env steps per AWR iteration."""
    ppo_eval_every: PositiveInt = 4000
    """PPO evaluates every this many env steps (its curve)."""
    n_expert_episodes: PositiveInt = 10
    """Expert episodes BC learns from (and of the mixed dataset, beside the degraded ones)."""
    n_degraded_episodes: PositiveInt = 20
    """Episodes of bench rwr's ``reversed`` demonstrator in the mixed dataset."""
    eval_episodes: PositiveInt = 10
    """Evaluation episodes of each policy (from the evaluation seeds, which no collection uses)."""
    pg_seeds: tuple[int, ...] = (0, 1, 2)
    """Seeds of the "PG = RWR" gradient study on CartPole (empty: skip it)."""
    out: str = "runs/bench-rwr-iterated"
    """Folder for results.json, the plot and the tables."""
