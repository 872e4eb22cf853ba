"""The configs of discrete soft Q-learning (:mod:`apprentice.algorithms.rl.soft_q`) and of SQIL
(:mod:`apprentice.algorithms.irl.sqil`); imports no jax."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from apprentice.algorithms.configs.rl import SACConfig
from apprentice.envs.seeds import evaluation_seed, require_evaluation_seed
from apprentice.field_ranges import (
    Count,
    Discount,
    NonNegative,
    Positive,
    PositiveInt,
    Ranged,
    UnitStep,
)
from apprentice.policies.architecture import Network


@dataclass(frozen=True)
class SoftQConfig(Ranged):
    """Soft Q-learning for discrete actions (Haarnoja et al. 2017): a Boltzmann policy over a learned Q."""

    total_steps: PositiveInt = 30_000
    """Environment steps in all (summed over env copies)."""
    learning_starts: Count = 1_000
    """Uniformly random actions for this many steps before the first update."""
    buffer_size: PositiveInt = 100_000
    """Replay capacity in transitions (the agent's own; SQIL's demonstrations are kept apart)."""
    batch_size: PositiveInt = 64
    """Transitions per gradient update."""
    gamma: Discount = 0.99
    """Discount factor."""
    alpha: Positive = 0.1
    """Temperature: the policy is softmax(Q / alpha) and the soft value alpha logsumexp(Q / alpha)."""
    learning_rate: NonNegative = 1e-3
    """Adam step size of the Q network."""
    max_grad_norm: Positive = 10.0
    """Clip the global gradient norm to this."""
    tau: UnitStep = 1.0
    """Target update Q' <- (1 - tau) Q' + tau Q: 1 is a hard copy, a small value Polyak averaging."""
    target_update_every: PositiveInt = 250
    """Gradient updates between target updates (1 with a small tau: Polyak after every update)."""
    updates_per_step: PositiveInt = 1
    """Gradient updates per environment step (the update-to-data ratio)."""
    update_every: PositiveInt = 4
    """Env steps (per env copy) between bursts of updates, each burst one jitted scan."""
    n_envs: PositiveInt = 1
    """Env copies stepped together."""
    network: Network = Network(hidden_sizes=(64, 64), activation="relu")
    """The body of the Q network: a categorical policy whose logits are Q(s, .) / alpha."""
    eval_every: Count = 10_000
    """Evaluate the greedy policy every this many env steps (0: only at the end)."""
    eval_episodes: PositiveInt = 5
    """Episodes per evaluation."""
    eval_seed: Count = evaluation_seed()
    """First seed of the evaluation envs (in the evaluation band of ``apprentice.envs.seeds``,
    apart from the training envs' seeds)."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.network.require_memoryless("SoftQConfig.network")
        require_evaluation_seed(self.eval_seed, self.eval_episodes, "SoftQConfig.eval_seed")


def _sqil_sac() -> SACConfig:
    return SACConfig(total_steps=30_000, learning_starts=1_000, eval_every=10_000)


@dataclass(frozen=True)
class SQILConfig(Ranged):
    """SQIL (Reddy, Dragan & Levine 2019): off-policy RL with reward 1 on the demonstrations and 0 on
    the agent's own transitions, every batch drawn half from each."""

    algorithm: ClassVar[str] = "sqil"
    soft_q: SoftQConfig = field(default_factory=SoftQConfig)
    """The learner for discrete actions (its batch_size counts both halves)."""
    sac: SACConfig = field(default_factory=_sqil_sac)
    """The learner for continuous actions (its batch_size counts both halves)."""
    demo_fraction: UnitStep = 0.5
    """Share of each batch drawn from the demonstrations (the paper's balance: 0.5); in (0, 1]."""

    def __post_init__(self) -> None:
        super().__post_init__()
        for name in ("soft_q", "sac"):
            batch = getattr(self, name).batch_size
            n_demo = round(batch * self.demo_fraction)
            if not 1 <= n_demo <= batch:
                raise ValueError(
                    f"SQILConfig: {name}.batch_size = {batch} with demo_fraction = {self.demo_fraction} "
                    f"gives {n_demo} demonstrations per batch; expected at least 1"
                )
