"""The config of ``apprentice bench sqil`` (:mod:`apprentice.bench.sqil`), apart from ``configs.py``
(which stays under the house's 600 lines); imports neither jax nor numpy, so ``--help`` is fast."""

from __future__ import annotations

from dataclasses import dataclass

from apprentice.field_ranges import Count, PositiveInt, Ranged

SQIL_METHODS = ("SQIL", "GAIL", "BC")
"""The methods ``bench sqil`` compares, all from the same demonstrations."""

SQIL_ENV_STEPS = {"CartPole-v1": 10_000, "Pendulum-v1": 12_000}
"""SQIL's env steps per env (soft Q-learning on CartPole, SAC on Pendulum); GAIL
keeps ``bench irl``'s PPO budget (``ENV_SETTINGS``: 200k steps on CartPole, 1M on Pendulum)."""


@dataclass(frozen=True)
class SQILBenchConfig(Ranged):
    """SQIL against GAIL and BC, each seed's three methods from the same demonstrations."""

    envs: tuple[str, ...] = ("CartPole-v1", "Pendulum-v1")
    """Env ids, each with SQIL steps in ``SQIL_ENV_STEPS`` and GAIL settings in ``bench irl``'s ``ENV_SETTINGS``."""
    methods: tuple[str, ...] = SQIL_METHODS
    """Subset of SQIL, GAIL, BC."""
    n_demos: PositiveInt = 5
    """Expert episodes per seed (seed s records them from ``collection_seed(s, Stream.DEMONSTRATIONS)``)."""
    n_seeds: PositiveInt = 3
    """Seeds per method (seed s: its own demonstrations, shared by the three methods)."""
    sqil_steps: Count = 0
    """SQIL's env steps (0: the env's entry in SQIL_ENV_STEPS)."""
    gail_steps: Count = 0
    """GAIL's PPO env steps (0: the env's default in ENV_SETTINGS)."""
    eval_episodes: PositiveInt = 20
    """Evaluation episodes of each final policy (from ``evaluation_seed()``, which no collection uses)."""
    out: str = "runs/bench-sqil"
    """Folder for one JSON per env, the merged results.json, results.md and the plot."""
    plot_only: bool = False
    """Only merge the JSON files already in ``out`` into the table and plot."""

    def __post_init__(self) -> None:
        super().__post_init__()
        unknown = sorted(set(self.methods) - set(SQIL_METHODS))
        if unknown or not self.methods:
            raise ValueError(f"methods: expected some of {SQIL_METHODS}, got {list(self.methods)}")
        unknown_envs = sorted(set(self.envs) - set(SQIL_ENV_STEPS))
        if unknown_envs:
            raise ValueError(f"envs: expected some of {tuple(SQIL_ENV_STEPS)}, got {unknown_envs}")
