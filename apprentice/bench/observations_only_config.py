"""The config of ``apprentice bench observations-only`` (:mod:`apprentice.bench.observations_only`),
apart from ``configs.py`` (which stays under the house's 600 lines); imports neither jax nor numpy,
so ``--help`` is fast."""

from __future__ import annotations

from dataclasses import dataclass

from apprentice.bench.configs import ENV_SETTINGS
from apprentice.field_ranges import Count, Positive, PositiveInt, Ranged

OBSERVATIONS_ONLY_METHODS = ("BC", "BCO", "BCO(alpha)", "GAIL", "GAIfO")
"""With the expert's actions: BC and GAIL; from the same demonstrations' observations alone: BCO,
BCO(alpha) and GAIfO."""

OBSERVATIONS_ONLY_PRE_STEPS = {"CartPole-v1": 5000, "Pendulum-v1": 20_000, "LunarLander-v3": 20_000}
"""BCO's pre-demonstration steps (random actions) per env; others get ``pre_demonstration_steps``."""


@dataclass(frozen=True)
class ObservationsOnlyBenchConfig(Ranged):
    """BC and GAIL with the expert's actions against BCO, BCO(alpha) and GAIfO without them."""

    envs: tuple[str, ...] = ("CartPole-v1", "Pendulum-v1")
    """Env ids with a registered expert (GAIL and GAIfO: also settings in ``ENV_SETTINGS``)."""
    n_demos: PositiveInt = 10
    """Expert trajectories per seed (the same ones for every method; all their steps)."""
    n_seeds: PositiveInt = 3
    """Seeds (seed s: its own demonstrations, from ``collection_seed(s, DEMONSTRATIONS)``)."""
    methods: tuple[str, ...] = OBSERVATIONS_ONLY_METHODS
    """Subset of BC, BCO, BCO(alpha), GAIL, GAIfO."""
    pre_demonstration_steps: PositiveInt = 10_000
    """BCO's random steps for an env not in ``OBSERVATIONS_ONLY_PRE_STEPS``."""
    alpha: Positive = 0.25
    """BCO(alpha)'s alpha: each round collects alpha * pre-demonstration steps with the current policy."""
    alpha_iterations: PositiveInt = 4
    """BCO(alpha)'s rounds after the pre-demonstration one."""
    total_steps: Count = 0
    """PPO env steps of each GAIL/GAIfO run (0: the env's default in ENV_SETTINGS)."""
    eval_episodes: PositiveInt = 20
    """Evaluation episodes of each final policy (from ``evaluation_seed()``)."""
    out: str = "runs/bench-observations-only"
    """Folder for one JSON per env, the merged results.json, results.md and the plot."""
    plot_only: bool = False
    """Only merge the JSON files already in ``out`` into the table and plot."""

    def __post_init__(self) -> None:
        super().__post_init__()
        unknown = set(self.methods) - set(OBSERVATIONS_ONLY_METHODS)
        if unknown:
            raise ValueError(f"methods: expected some of {OBSERVATIONS_ONLY_METHODS}, got {sorted(unknown)}")
        adversarial = {"GAIL", "GAIfO"} & set(self.methods)
        missing = sorted(set(self.envs) - set(ENV_SETTINGS)) if adversarial else []
        if missing:
            raise ValueError(
                f"envs: {sorted(adversarial)} need settings in ENV_SETTINGS ({', '.join(ENV_SETTINGS)}), "
                f"got {missing}; drop them with --methods BC BCO BCO(alpha)"
            )
