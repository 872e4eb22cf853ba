"""Checks at the public edges: shapes and finiteness, with errors that name what was expected."""

from __future__ import annotations

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
