"""The configs of iterated reward-weighted regression and advantage-weighted regression (see
:mod:`apprentice.algorithms.rwr`); imports no jax.

Both nest a :class:`~apprentice.algorithms.configs.bc.BCConfig`, the weighted behavior cloning
that refits the policy each iteration, and the command line flattens it (``--n-epochs``,
``--hidden-sizes``), so no field here repeats a name of BC's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from apprentice.algorithms.configs.bc import BCConfig
from apprentice.envs.seeds import Stream, collection_seed, evaluation_seed, require_evaluation_seed
from apprentice.field_ranges import Count, Discount, Fraction, NonNegative, Positive, PositiveInt, Ranged
from apprentice.policies.architecture import Network

ValueTarget = Literal["td_lambda", "monte_carlo"]
"""What AWR's value network regresses on: TD(lambda) returns (bootstrapped from V where an episode
is cut short) or Monte-Carlo discounted rewards-to-go (no bootstrap)."""


@dataclass(frozen=True)
class PolicySearchConfig(Ranged):
    """The iteration both algorithms share: iteration 0 fits the demonstrations (or uniformly random
    episodes, from scratch), then each of ``n_iterations`` collects with the current policy's
    sampled actions, refits by weighted BC warm-started from it, and evaluates."""

    n_iterations: Count = 20
    """Collect-and-refit iterations after iteration 0 (0 with demonstrations: one fit on fixed
    data, i.e. offline RL)."""
    n_envs: PositiveInt = 8
    """Env copies stepping together while collecting."""
    eval_episodes: Count = 10
    """Evaluation episodes of the deterministic policy after each iteration (0: none)."""
    eval_seed: Count = evaluation_seed()
    """First env seed of the evaluation episodes (in the evaluation band of ``apprentice.envs.seeds``)."""
    run_seed: Count = 0
    """Run seed of the collection envs: iteration i is seeded ``collection_seed(run_seed, INTERACTIVE, i)``."""

    def __post_init__(self) -> None:
        super().__post_init__()
        collection_seed(self.run_seed, Stream.INTERACTIVE, self.n_iterations, self.n_envs)  # raises past the block
        require_evaluation_seed(self.eval_seed, max(1, self.eval_episodes), f"{type(self).__name__}.eval_seed")

    def iteration_seed(self, iteration: int) -> int:
        """The env seed of iteration ``iteration``'s collection (never an evaluation seed)."""
        return collection_seed(self.run_seed, Stream.INTERACTIVE, iteration, self.n_envs)


@dataclass(frozen=True)
class RWRConfig(PolicySearchConfig):
    """Iterated reward-weighted regression (Peters & Schaal 2007): weighted BC on the current
    policy's own episodes, each weighted by a transform of its return."""

    episodes_per_iteration: PositiveInt = 20
    """Episodes the current policy samples in each iteration (iteration 0 from scratch: random ones)."""
    bc: BCConfig = BCConfig(
        weighting="exp_return",
        rwr_temperature=1.0,
        n_epochs=20,
        min_gradient_steps=300,
        validation_fraction=0.0,
        patience=0,
        network=Network(hidden_sizes=(64, 64), activation="tanh"),
    )
    """The weighted BC of each iteration; its ``weighting`` (``return``: R - min R, or
    ``exp_return``: exp(R / T)) and ``rwr_temperature`` T are RWR's weights."""
    temperature_in_stds: bool = True
    """Count ``rwr_temperature`` in standard deviations of the iteration's returns (T = rwr_temperature
    * std R), so one value fits every env and every stage of learning; off: in units of return."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.bc.weighting == "none":
            raise ValueError(
                "RWRConfig.bc.weighting: expected 'return' (R - min R) or 'exp_return' (exp(R / T)), got 'none' "
                "(unweighted BC on the policy's own episodes does not improve it)"
            )
        self.bc.network.require_memoryless("RWRConfig.bc.network (iterated RWR)")


@dataclass(frozen=True)
class AWRConfig(PolicySearchConfig):
    """Advantage-weighted regression (Peng, Kumar, Zhang & Levine 2019): weighted BC with per-step
    weights ``min(exp(A(s, a) / beta), max_weight)``, the advantage taken against a learned V(s)."""

    steps_per_iteration: PositiveInt = 2000
    """Env steps the current policy samples in each iteration (iteration 0 from scratch: random ones)."""
    buffer_size: PositiveInt = 50_000
    """Most recent steps kept and refit on (the paper's replay buffer of 50k samples)."""
    beta: Positive = 1.0
    """Temperature of the weights exp(A / beta), in units of return (A is standardized first
    when normalize_advantages)."""
    max_weight: Positive = 20.0
    """Weights are clipped at this (the paper's 20)."""
    normalize_advantages: bool = True
    """Divide the advantages by their standard deviation over the buffer before the exponential, so
    that beta is in standard deviations of A and one value fits every reward scale."""
    gamma: Discount = 0.99
    """Discount factor of the value targets."""
    td_lambda: Fraction = 0.95
    """lambda of the TD(lambda) value targets (1: Monte Carlo bootstrapped at cut-short episodes)."""
    value_target: ValueTarget = "td_lambda"
    """``td_lambda`` (bootstrapped from V where an episode is cut short, 0 past a terminal state) or
    ``monte_carlo`` (discounted rewards-to-go, no bootstrap)."""
    value_steps: PositiveInt = 200
    """Adam steps on the value network per iteration (the paper's 200)."""
    value_batch_size: PositiveInt = 256
    """Samples per value step."""
    value_learning_rate: NonNegative = 1e-3
    """Adam step size of the value network (0 freezes it)."""
    bc: BCConfig = BCConfig(
        n_epochs=1,
        min_gradient_steps=1000,
        validation_fraction=0.0,
        patience=0,
        network=Network(hidden_sizes=(64, 64), activation="tanh"),
    )
    """The weighted BC of each iteration (the paper's 1000 policy steps); its ``network`` is also the
    body of the value network (built apart, as PPO's). Its ``weighting`` stays ``none``: AWR sets
    per-step weights."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.bc.weighting != "none":
            raise ValueError(
                f"AWRConfig.bc.weighting: expected 'none' (AWR weights each step by its advantage), "
                f"got {self.bc.weighting!r}"
            )
        self.bc.network.require_memoryless("AWRConfig.bc.network (AWR)")
