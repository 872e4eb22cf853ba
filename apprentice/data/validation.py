"""Checks at the public edges: shapes and finiteness, with errors that name what was expected."""

from __future__ import annotations

from typing import Any

import numpy as np


def require_shape(name: str, array: np.ndarray, expected: tuple, where: str = "") -> None:
    """Raise ``ValueError`` unless ``array.shape`` matches ``expected`` (``None`` matches anything)."""
    shape = tuple(array.shape)
    ok = len(shape) == len(expected) and all(e is None or e == s for e, s in zip(expected, shape))
    if not ok:
        wanted = "(" + ", ".join("*" if e is None else str(e) for e in expected) + ")"
        raise ValueError(f"{where}{name}: expected shape {wanted}, got {shape}")


def require_finite(name: str, array: np.ndarray, where: str = "") -> None:
    """Raise ``ValueError`` if a float array holds NaN or inf, naming the first bad index."""
    if not np.issubdtype(array.dtype, np.floating):
        return
    bad = ~np.isfinite(array)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"{where}{name}: expected finite values, got {array[index]} at index {index}")


OBSERVATION_ONLY_ALGORITHMS = "BCO and GAIfO (apprentice train bco|gaifo)"
"""The algorithms that learn from demonstrations without actions, named in every refusal."""


def require_actions(demos: Any, who: str) -> None:
    """Raise ``ValueError`` if ``demos`` (trajectories or ``Transitions``) hold no actions.

    Every algorithm that imitates actions (BC and reward-weighted regression, DAgger's initial
    data, GAIL, AIRL) calls this at its edge, so an observation-only dataset is refused in one
    line that names the algorithms that accept it.

    Example:
        >>> require_actions([Trajectory(np.zeros((3, 4)), None, np.ones(2))], "bc")
        Traceback (most recent call last):
        ValueError: bc: expected demonstrations with actions, got observation-only ones ...
    """
    items = [demos] if hasattr(demos, "acts") else list(demos)
    without = sum(1 for item in items if getattr(item, "acts", getattr(item, "actions", None)) is None)
    if without:
        raise ValueError(
            f"{who}: expected demonstrations with actions, got observation-only ones ({without} of {len(items)} "
            f"without actions); {OBSERVATION_ONLY_ALGORITHMS} learn from observations alone"
        )
