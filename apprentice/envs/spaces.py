"""Observation spaces as hashable trees: arrays of any shape and dtype, in dicts and tuples.

Gymnasium's ``Box``, ``Dict`` and ``Tuple`` map to :class:`ArraySpace`, :class:`DictSpace` and
:class:`TupleSpace`. An observation of a space is the matching pytree of arrays (a dict of arrays
for a ``DictSpace``, keys in sorted order as Gymnasium keeps them), so ``jax.tree`` functions
work on observations, batches of them and episodes of them alike. The spaces are frozen
dataclasses, hashable, so a spec can be a static field of a jitted module.

Example:
    >>> space = space_from_gym(gym.spaces.Dict({"image": Box(0, 255, (64, 64, 3), np.uint8),
    ...                                         "speed": Box(-1, 1, (1,))}))
    >>> space.paths()
    ["['image']", "['speed']"]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class ArraySpace:
    """One array per observation: its shape and NumPy dtype name (``uint8`` for images)."""

    shape: tuple[int, ...]
    dtype: str = "float32"

    @property
    def size(self) -> int:
        return int(np.prod(self.shape))

    @property
    def is_image(self) -> bool:
        """``(H, W, C)`` of ``uint8``: pixels that an image encoder scales by 1/255."""
        return len(self.shape) == 3 and self.dtype == "uint8"


@dataclass(frozen=True)
class DictSpace:
    """Named sub-spaces, in sorted key order (as Gymnasium's ``Dict``)."""

    items: tuple[tuple[str, "Space"], ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "items", tuple(sorted(self.items)))

    def keys(self) -> tuple[str, ...]:
        return tuple(key for key, _ in self.items)


@dataclass(frozen=True)
class TupleSpace:
    """Positional sub-spaces (as Gymnasium's ``Tuple``)."""

    items: tuple["Space", ...]


Space = ArraySpace | DictSpace | TupleSpace


def space_from_gym(space: Any) -> Space:
    """The tree of a Gymnasium observation space (``Box``, ``Dict``, ``Tuple``, nested)."""
    import gymnasium as gym

    if isinstance(space, gym.spaces.Box):
        return ArraySpace(tuple(int(n) for n in space.shape), np.dtype(space.dtype).name)
    if isinstance(space, gym.spaces.Dict):
        return DictSpace(tuple((str(key), space_from_gym(sub)) for key, sub in space.spaces.items()))
    if isinstance(space, gym.spaces.Tuple):
        return TupleSpace(tuple(space_from_gym(sub) for sub in space.spaces))
    raise ValueError(f"observation space: expected a Box, Dict or Tuple (nested), got {space}")


def space_to_json(space: Space) -> dict:
    """JSON-able form: ``{"box": [shape, dtype]}``, ``{"dict": {...}}`` or ``{"tuple": [...]}``."""
    if isinstance(space, ArraySpace):
        return {"box": [list(space.shape), space.dtype]}
    if isinstance(space, DictSpace):
        return {"dict": {key: space_to_json(sub) for key, sub in space.items}}
    return {"tuple": [space_to_json(sub) for sub in space.items]}


def space_from_json(fields: dict) -> Space:
    """Inverse of :func:`space_to_json`."""
    if "box" in fields:
        shape, dtype = fields["box"]
        return ArraySpace(tuple(int(n) for n in shape), str(dtype))
    if "dict" in fields:
        return DictSpace(tuple((key, space_from_json(sub)) for key, sub in fields["dict"].items()))
    if "tuple" in fields:
        return TupleSpace(tuple(space_from_json(sub) for sub in fields["tuple"]))
    raise ValueError(f"observation space: expected one of the keys 'box', 'dict', 'tuple', got {sorted(fields)}")


def map_space(fn: Callable[[ArraySpace], Any], space: Space) -> Any:
    """The pytree (dicts, tuples) of ``fn(leaf)`` over the array leaves of ``space``."""
    if isinstance(space, ArraySpace):
        return fn(space)
    if isinstance(space, DictSpace):
        return {key: map_space(fn, sub) for key, sub in space.items}
    return tuple(map_space(fn, sub) for sub in space.items)


def leaves_with_paths(space: Space, prefix: str = "") -> list[tuple[str, ArraySpace]]:
    """``(path, leaf)`` pairs in pytree order, paths as ``['image']`` or ``[0]``."""
    if isinstance(space, ArraySpace):
        return [(prefix, space)]
    if isinstance(space, DictSpace):
        return [pair for key, sub in space.items for pair in leaves_with_paths(sub, f"{prefix}[{key!r}]")]
    return [pair for i, sub in enumerate(space.items) for pair in leaves_with_paths(sub, f"{prefix}[{i}]")]


def describe(space: Space) -> str:
    """A short human form: ``float32(4,)`` or ``{'image': uint8(64, 64, 3), 'speed': float32(1,)}``."""
    if isinstance(space, ArraySpace):
        return f"{space.dtype}{space.shape}"
    if isinstance(space, DictSpace):
        return "{" + ", ".join(f"{key!r}: {describe(sub)}" for key, sub in space.items) + "}"
    return "(" + ", ".join(describe(sub) for sub in space.items) + ")"


def require_observations(space: Space, observations: Any, leading: int, name: str) -> None:
    """Raise ``ValueError`` unless ``observations`` is a tree of ``space`` with ``leading`` batch axes.

    The message names the key path, e.g. ``observations['image']: expected shape (N, 64, 64, 3)``.
    """
    _require(space, observations, leading, name)


def _require(space: Space, value: Any, leading: int, where: str) -> None:
    if isinstance(space, DictSpace):
        if not isinstance(value, dict):
            raise ValueError(f"{where}: expected a dict with keys {list(space.keys())}, got {type(value).__name__}")
        if sorted(value) != list(space.keys()):
            raise ValueError(f"{where}: expected keys {list(space.keys())}, got {sorted(value)}")
        for key, sub in space.items:
            _require(sub, value[key], leading, f"{where}[{key!r}]")
        return
    if isinstance(space, TupleSpace):
        if not isinstance(value, (tuple, list)) or len(value) != len(space.items):
            raise ValueError(f"{where}: expected a tuple of {len(space.items)} parts, got {type(value).__name__}")
        for i, sub in enumerate(space.items):
            _require(sub, value[i], leading, f"{where}[{i}]")
        return
    array = np.asarray(value)
    if array.ndim != leading + len(space.shape) or tuple(array.shape[leading:]) != space.shape:
        expected = ("N, " * leading) + ", ".join(map(str, space.shape))
        raise ValueError(f"{where}: expected shape ({expected.rstrip(', ')}), got {tuple(array.shape)}")
