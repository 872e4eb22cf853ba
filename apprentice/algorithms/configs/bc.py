"""Behavior cloning's config (see :mod:`apprentice.algorithms.bc.train`); imports no jax."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from apprentice.field_ranges import Count, HeldOutFraction, NonNegative, Positive, PositiveInt, Ranged
from apprentice.policies.architecture import HeadKind, HeadOptions, Network, PolicyArchitecture, concrete_encoder

if TYPE_CHECKING:
    from apprentice.envs.spec import EnvSpec

LossName = Literal["cross_entropy", "gaussian_nll", "mse", "gmm_nll", "binned_cross_entropy", "ddpm", "flow_matching"]
"""Behavior cloning's objectives: each is the imitation loss of one head (``HEAD_OF_LOSS``)."""
BCLoss = Literal[
    "auto", "cross_entropy", "gaussian_nll", "mse", "gmm_nll", "binned_cross_entropy", "ddpm", "flow_matching"
]
"""A loss name, or ``auto``: the head's own loss, or by action kind (see :meth:`BCConfig.loss_for`)."""
HeadChoice = Literal["auto", "categorical", "gaussian", "deterministic", "gmm", "discretized", "diffusion", "flow"]
"""A head (see :mod:`apprentice.policies.heads`), or ``auto``: the head of the loss."""
HEAD_OF_LOSS: dict[LossName, HeadKind] = {
    "cross_entropy": "categorical",
    "gaussian_nll": "gaussian",
    "mse": "deterministic",
    "gmm_nll": "gmm",
    "binned_cross_entropy": "discretized",
    "ddpm": "diffusion",
    "flow_matching": "flow",
}
"""Each loss is the imitation loss of one head: the head a loss name trains."""
LOSS_OF_HEAD: dict[HeadKind, LossName] = {head: loss for loss, head in HEAD_OF_LOSS.items()}
Weighting = Literal["none", "return", "exp_return"]
"""Per-trajectory weights of reward-weighted regression (see :func:`apprentice.algorithms.bc.weights.return_weights`)."""


@dataclass(frozen=True)
class BCConfig(Ranged):
    """Behavior cloning: maximize the likelihood of the expert's actions on the expert's states."""

    loss: BCLoss = "auto"
    """Objective; ``auto`` is the head's own loss, else cross-entropy for discrete actions and
    Gaussian NLL for continuous ones."""
    head: HeadChoice = "auto"
    """The policy's head: categorical, gaussian, deterministic, gmm (mixture of Gaussians),
    discretized (bins per action dimension), diffusion (DDPM) or flow (flow matching); ``auto``:
    the head of the loss."""
    head_options: HeadOptions = HeadOptions()
    """Options of the gmm, discretized, diffusion and flow heads."""
    network: Network = Network()
    """The policy's body: encoder (mlp for vectors, cnn or impala for uint8 images, dict for one per
    key of a Dict observation), hidden layers, core (none, gru or lstm: trained on sequence chunks
    of episodes) and frame stack; the head follows from the loss."""
    squash: bool = False
    """Squash continuous actions by tanh into the env's bounds."""
    learning_rate: NonNegative = 1e-3
    """Adam step size."""
    batch_size: PositiveInt = 256
    """Samples per gradient step."""
    n_epochs: PositiveInt = 200
    """Maximum number of passes over the training data."""
    min_gradient_steps: Count = 0
    """Run at least this many gradient steps, adding epochs on small datasets (0: just n_epochs)."""
    patience: Count = 50
    """Stop after this many epochs without a better validation loss (0: never stop early); 20 stopped
    Pendulum BC underfit on some seeds, where an epoch of 20 episodes is only ~15 steps."""
    validation_fraction: HeldOutFraction = 0.1
    """Fraction of episodes held out for validation and early stopping (0: none)."""
    l2_coef: NonNegative = 0.0
    """Coefficient of the L2 penalty on weight matrices."""
    entropy_coef: NonNegative = 0.0
    """Coefficient of the entropy bonus (stochastic heads only)."""
    weighting: Weighting = "none"
    """Per-trajectory weights: ``none``, ``return`` (R - min R) or ``exp_return`` (RWR)."""
    rwr_temperature: Positive = 1.0
    """Temperature of ``exp_return`` weights, in units of return."""
    normalize_obs: bool = True
    """Standardize observations by the training data's mean and std (frozen in the policy)."""
    obs_noise: NonNegative = 0.0
    """Augment training observations with Gaussian noise of this many feature standard deviations."""
    sequence_length: PositiveInt = 64
    """Steps per training sequence of a stateful policy (recurrent core or frame stack)."""
    burn_in: Count = 16
    """Steps before each sequence that rebuild memory without loss (at least frame_stack - 1 are used)."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.loss != "auto" and self.head != "auto" and HEAD_OF_LOSS[self.loss] != self.head:
            raise ValueError(
                f"BCConfig: loss {self.loss!r} trains the {HEAD_OF_LOSS[self.loss]!r} head, not {self.head!r}; "
                "give one of loss and head"
            )

    def loss_for(self, spec: EnvSpec) -> LossName:
        """The loss actually used for ``spec``."""
        if self.loss != "auto":
            return self.loss
        if self.head != "auto":
            return LOSS_OF_HEAD[self.head]
        return "cross_entropy" if spec.action_kind == "discrete" else "gaussian_nll"

    def architecture_for(self, spec: EnvSpec) -> PolicyArchitecture:
        """The policy architecture this config trains for ``spec``."""
        architecture = self.network.with_head(HEAD_OF_LOSS[self.loss_for(spec)], self.head_options, squash=self.squash)
        return dataclasses.replace(architecture, encoder=concrete_encoder(architecture.encoder, spec.observation))
