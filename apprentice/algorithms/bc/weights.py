"""Reward-weighted regression: per-trajectory weights from returns, for imperfect demonstrators.

RWR (Peters & Schaal 2007) maximizes ``E[w(R(tau)) log pi(a | s)]``: behavior cloning in which
each demonstration counts in proportion to a non-negative transform of its return.
"""

from __future__ import annotations

import numpy as np

from apprentice.algorithms.configs.bc import Weighting


def return_weights(returns: np.ndarray, weighting: Weighting, temperature: float = 1.0) -> np.ndarray:
    """Weights, one per trajectory, scaled to mean 1.

    - ``"none"``: all ones.
    - ``"return"``: ``w = R - min R`` (non-negative; all ones when every return is equal).
    - ``"exp_return"``: ``w = exp((R - max R) / temperature)``; subtracting ``max R`` changes
      nothing after normalization but keeps the exponent from overflowing.

    Example:
        >>> return_weights(np.array([0.0, 10.0, 30.0]), "return")
        array([0.  , 0.75, 2.25])
    """
    returns = np.asarray(returns, np.float64)
    if returns.ndim != 1 or returns.size == 0:
        raise ValueError(f"returns: expected a non-empty 1-D array, got shape {returns.shape}")
    if weighting == "none":
        weights = np.ones_like(returns)
    elif weighting == "return":
        weights = returns - returns.min()
        if weights.max() == 0:
            weights = np.ones_like(returns)
    elif weighting == "exp_return":
        if temperature <= 0:
            raise ValueError(f"temperature: expected a positive number, got {temperature}")
        weights = np.exp((returns - returns.max()) / temperature)
    else:
        raise ValueError(f"weighting: expected 'none', 'return' or 'exp_return', got {weighting!r}")
    return weights / weights.mean()
