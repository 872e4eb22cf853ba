"""Observations as pytrees of numpy arrays: the few tree operations datasets need.

An observation is one array, or a dict or tuple of them (nested); a batch or an episode of
observations is the same tree with a leading axis on every leaf. These helpers keep that
uniform, so datasets, io and rollouts never branch on the observation's kind.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import jax
import numpy as np


def tree_map(fn: Callable, tree: Any, *rest: Any) -> Any:
    """``jax.tree.map`` over numpy leaves (dicts, tuples and lists are nodes; arrays are leaves)."""
    return jax.tree.map(fn, tree, *rest)


def leaves(tree: Any) -> list[np.ndarray]:
    return jax.tree.leaves(tree)


def leading_size(tree: Any) -> int:
    """The length of the leading axis (that of the first leaf; 0 for an empty tree or a scalar)."""
    first = leaves(tree)
    if not first:
        return 0
    array = np.asarray(first[0])
    return int(array.shape[0]) if array.ndim else 0


def take(tree: Any, index: Any) -> Any:
    """Every leaf indexed by ``index`` along the leading axis."""
    return tree_map(lambda leaf: leaf[index], tree)


def concatenate(trees: Sequence[Any]) -> Any:
    """Leaf-wise ``np.concatenate`` along the leading axis."""
    return tree_map(lambda *parts: np.concatenate(parts), *trees)


def stack(trees: Sequence[Any]) -> Any:
    """Leaf-wise ``np.stack`` into a new leading axis."""
    return tree_map(lambda *parts: np.stack(parts), *trees)


def as_arrays(tree: Any) -> Any:
    """The tree with every leaf as a numpy array (dicts stay dicts, lists become tuples)."""
    if isinstance(tree, list):
        tree = tuple(tree)
    return tree_map(np.asarray, tree)


def with_paths(tree: Any) -> list[tuple[str, np.ndarray]]:
    """``(path, leaf)`` pairs with paths as ``['image']`` or ``[0]`` (empty for a single array)."""
    return [(jax.tree_util.keystr(path), leaf) for path, leaf in jax.tree_util.tree_flatten_with_path(tree)[0]]
