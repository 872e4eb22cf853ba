"""Fitting ``cost ~ C x^k``: least squares on log-log axes, with a bootstrap confidence interval.

The exponent k is the least-squares slope of ``log mean_cost`` against ``log x`` over all the
x values given (equal weight per x; with log-spaced x that is equal weight per decade). Its
confidence interval is a percentile bootstrap (Efron & Tibshirani 1993, ch. 13) over the
independent replicates behind each mean: resample the replicates with replacement, refit,
take the ``(1 - confidence)/2`` and ``(1 + confidence)/2`` quantiles of the refitted slopes.

- ``paired=True``: replicate i is the same object at every x (one MDP instance swept over H),
  so whole rows are resampled together.
- ``paired=False``: replicates at different x are independent (fresh demonstrations for each N),
  so each column is resampled on its own.

The interval covers the spread due to the replicates only; how the exponent depends on the
chosen x range is reported separately as ``local_exponents`` (slopes between neighbours).
Pure numpy float64; the bootstrap takes a seed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
from jaxtyping import ArrayLike, Float


def log_log_slope(x: Float[ArrayLike, " n"], y: Float[ArrayLike, "*batch n"]) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares ``(slope, intercept)`` of ``log y`` on ``log x``, batched over y's leading dims."""
    log_x = np.log(np.asarray(x, dtype=np.float64))
    log_y = np.log(np.asarray(y, dtype=np.float64))
    centred = log_x - log_x.mean()
    slope = (log_y * centred).sum(axis=-1) / (centred**2).sum()
    return slope, log_y.mean(axis=-1) - slope * log_x.mean()


@dataclass(frozen=True)
class PowerLawFit:
    """``mean cost ~ prefactor * x ** exponent`` with a bootstrap interval for the exponent."""

    exponent: float
    """Least-squares slope of log(mean cost) on log(x)."""
    prefactor: float
    """exp(intercept) of that fit."""
    ci_low: float
    """Lower end of the bootstrap confidence interval of the exponent."""
    ci_high: float
    """Upper end of the bootstrap confidence interval of the exponent."""
    confidence: float
    """Coverage of the interval, e.g. 0.95."""
    n_replicates: int
    """Independent replicates behind each mean (instances or seeds)."""
    local_exponents: tuple[float, ...]
    """Slopes between neighbouring x values: how the exponent drifts across the range."""

    def to_dict(self) -> dict:
        """A JSON-ready dict (the interval also as ``ci``)."""
        return {**asdict(self), "local_exponents": list(self.local_exponents), "ci": [self.ci_low, self.ci_high]}


def fit_power_law(
    x: Float[ArrayLike, " n"] | Sequence[float],
    costs: Float[ArrayLike, "replicates n"],
    paired: bool,
    seed: int,
    n_bootstrap: int = 2000,
    confidence: float = 0.95,
) -> PowerLawFit:
    """Fit the exponent of ``mean(costs, axis=0) ~ x^k`` and bootstrap its interval.

    Args:
        x: positive x values (horizons, numbers of demonstrations), shape ``[n]``.
        costs: ``[replicates, n]`` positive costs; column j belongs to ``x[j]``.
        paired: resample whole rows (True) or each column independently (False).
        seed: seeds the bootstrap.
        n_bootstrap: bootstrap resamples.
        confidence: coverage of the percentile interval.

    Example:
        >>> h = np.array([10.0, 100.0, 1000.0])
        >>> fit_power_law(h, np.stack([h**2, 2 * h**2]), paired=True, seed=0).exponent
        2.0
    """
    x = np.asarray(x, dtype=np.float64)
    costs = np.asarray(costs, dtype=np.float64)
    if costs.ndim != 2 or costs.shape[1] != x.shape[0] or x.shape[0] < 2:
        raise ValueError(
            f"need x of shape [n >= 2] and costs of shape [replicates, n]; got x {x.shape}, costs {costs.shape}"
        )
    if np.any(x <= 0) or np.any(costs <= 0):
        raise ValueError(
            f"a log-log fit needs positive x and costs; got min x {x.min():.3g} and min cost {costs.min():.3g}"
        )
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1); got {confidence}")
    means = costs.mean(axis=0)
    slope, intercept = log_log_slope(x, means)
    log_x, log_m = np.log(x), np.log(means)
    local = tuple(float(v) for v in np.diff(log_m) / np.diff(log_x))

    rng = np.random.default_rng(seed)
    n_rep, n_x = costs.shape
    if paired:
        rows = rng.integers(0, n_rep, size=(n_bootstrap, n_rep))
        resampled = costs[rows].mean(axis=1)
    else:
        rows = rng.integers(0, n_rep, size=(n_bootstrap, n_rep, n_x))
        resampled = costs[rows, np.arange(n_x)].mean(axis=1)
    boot_slopes, _ = log_log_slope(x, resampled)
    low, high = np.quantile(boot_slopes, [(1 - confidence) / 2, (1 + confidence) / 2])
    return PowerLawFit(
        exponent=float(slope),
        prefactor=float(np.exp(intercept)),
        ci_low=float(low),
        ci_high=float(high),
        confidence=confidence,
        n_replicates=n_rep,
        local_exponents=local,
    )
