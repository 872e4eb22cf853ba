"""The configs of learning from observations alone: BCO (:mod:`apprentice.algorithms.observations_only.bco`)
and GAIfO (GAIL's loop with the discriminator on ``(s, s')``); imports no jax."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from apprentice.algorithms.configs.bc import BCConfig
from apprentice.algorithms.configs.irl import DiscriminatorInput, GAILConfig
from apprentice.field_ranges import Count, NonNegative, PositiveInt, Ranged
from apprentice.policies.architecture import Network


@dataclass(frozen=True)
class BCOConfig(Ranged):
    """Behavioral cloning from observation (Torabi, Warnell & Stone 2018).

    Pre-demonstration phase: a random policy acts for ``pre_demonstration_steps``; an inverse
    dynamics model ``p(a | s, s')`` learns the agent's actions from its own state pairs; it labels
    the expert's state pairs with their most likely actions; behavior cloning on them gives the
    policy. BCO(alpha): then ``n_iterations`` more rounds, each of ``alpha *
    pre_demonstration_steps`` steps by the current policy, added to the model's data, the model
    retrained, the expert relabeled, the policy retrained.
    """

    pre_demonstration_steps: PositiveInt = 5000
    """Steps of the random policy before the demonstrations are read (the paper's I^pre)."""
    alpha: NonNegative = 0.0
    """BCO(alpha): each later round collects alpha * pre_demonstration_steps steps with the current policy."""
    n_iterations: Count = 0
    """Rounds of post-demonstration interaction (0: BCO(0), the pre-demonstration model only)."""
    stochastic_interaction: bool = True
    """The current policy samples its actions while it collects model data (else it takes the mode)."""
    inverse_dynamics: BCConfig = field(
        default_factory=lambda: BCConfig(
            network=Network(hidden_sizes=(64, 64)), n_epochs=100, patience=10, min_gradient_steps=2000
        )
    )
    """How the inverse dynamics model is trained: behavior cloning on the agent's own
    ``((s, s'), a)`` pairs (its loss names the head: cross-entropy for discrete actions, Gaussian
    NLL for continuous ones by default, ``mse`` for squared error); its validation split holds out
    whole episodes of the agent's interaction."""
    bc: BCConfig = field(default_factory=BCConfig)
    """Behavior cloning of the policy on the expert's observations and the model's labels."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.n_iterations > 0 and self.alpha <= 0:
            raise ValueError(
                f"BCOConfig: n_iterations={self.n_iterations} rounds of post-demonstration interaction need "
                f"alpha > 0 (each collects alpha * pre_demonstration_steps steps), got alpha={self.alpha}"
            )
        self.inverse_dynamics.network.require_memoryless("BCO's inverse dynamics model")

    @property
    def steps_per_iteration(self) -> int:
        """Env steps of each post-demonstration round, ``alpha * pre_demonstration_steps`` (at least 1)."""
        return max(1, round(self.alpha * self.pre_demonstration_steps))


@dataclass(frozen=True)
class GAIfOConfig(GAILConfig):
    """GAIfO (Torabi, Warnell & Stone 2018, "Generative adversarial imitation from observation"):
    GAIL with the discriminator ``d(s, s')`` on state transitions, so demonstrations need no actions."""

    algorithm: ClassVar[str] = "gaifo"
    discriminator_input: ClassVar[DiscriminatorInput] = "state_pair"
