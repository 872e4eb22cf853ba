"""Behavior cloning: losses, reward-weighted regression weights, and the training loop."""

from apprentice.algorithms.bc.losses import (
    LossSettings,
    bc_loss,
    cross_entropy_loss,
    gaussian_nll_loss,
    mse_loss,
    validation_score,
)
from apprentice.algorithms.bc.train import BCConfig, BCResult, train, train_epoch
from apprentice.algorithms.bc.weights import return_weights

__all__ = [
    "BCConfig",
    "BCResult",
    "LossSettings",
    "bc_loss",
    "cross_entropy_loss",
    "gaussian_nll_loss",
    "mse_loss",
    "return_weights",
    "train",
    "train_epoch",
    "validation_score",
]
