"""The ranges of numeric config fields, declared in the field's type and checked at construction.

A config field says what values it takes in its annotation, ``learning_rate: Positive = 1e-3``,
and a config that extends :class:`Ranged` checks every such field when it is built, so a bad
number fails with the field's flag before any work starts (``--learning-rate: expected a value
> 0, got -1.0``). ``tests/test_config_ranges.py`` sweeps every config class: each numeric field
declares a range (``Real`` where every finite value is meaningful), and a value just outside it is
refused with the flag's name. Imports neither jax nor numpy: configs and ``--help`` stay light.

Example:
    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True)
    ... class Fit(Ranged):
    ...     learning_rate: Positive = 1e-3
    >>> Fit(learning_rate=-1.0)
    Traceback (most recent call last):
    ...
    ValueError: --learning-rate: expected a value > 0, got -1.0
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import types
import typing
from dataclasses import dataclass
from typing import Annotated, Any


@dataclass(frozen=True)
class Range:
    """The values a numeric field takes: between ``low`` and ``high`` (``None``: unbounded), each
    end included unless ``*_open``; ``integer`` fields also refuse non-integral values."""

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    integer: bool = False

    def admits(self, value: Any) -> bool:
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or math.isnan(value):
            return False
        if self.integer and not float(value).is_integer():
            return False
        if self.low is not None and (value <= self.low if self.low_open else value < self.low):
            return False
        return self.high is None or (value < self.high if self.high_open else value <= self.high)

    def describe(self) -> str:
        noun = "an integer" if self.integer else "a value"
        if self.low is not None and self.high is not None:
            left, right = "(" if self.low_open else "[", ")" if self.high_open else "]"
            return f"{noun} in {left}{_number(self.low)}, {_number(self.high)}{right}"
        if self.low is not None:
            return f"{noun} {'>' if self.low_open else '>='} {_number(self.low)}"
        if self.high is not None:
            return f"{noun} {'<' if self.high_open else '<='} {_number(self.high)}"
        return f"a finite {'integer' if self.integer else 'number'}"


def _number(bound: float) -> str:
    return str(int(bound)) if float(bound).is_integer() else str(bound)


Positive = Annotated[float, Range(low=0, low_open=True)]
"""A step size, temperature, tolerance: > 0."""
NonNegative = Annotated[float, Range(low=0)]
"""A coefficient that 0 turns off: >= 0."""
Fraction = Annotated[float, Range(low=0, high=1)]
"""A probability or a share: in [0, 1]."""
Discount = Annotated[float, Range(low=0, high=1)]
"""A discount factor gamma: in [0, 1]."""
UnitStep = Annotated[float, Range(low=0, high=1, low_open=True)]
"""A mixing rate that must move (Polyak's tau, a policy step): in (0, 1]."""
HeldOutFraction = Annotated[float, Range(low=0, high=1, high_open=True)]
"""A share held out of the training data (1 would leave none): in [0, 1)."""
Real = Annotated[float, Range()]
"""Any finite number (a signed target, a bound)."""
PositiveInt = Annotated[int, Range(low=1, integer=True)]
"""A size or a number of steps: >= 1."""
AtLeastTwo = Annotated[int, Range(low=2, integer=True)]
"""A number of samples to compare (a pair, a leave-one-out baseline): >= 2."""
Count = Annotated[int, Range(low=0, integer=True)]
"""A count that may be 0 (0 often means off or derived): >= 0."""


def flag_name(field: str) -> str:
    """The command-line flag of a config field: ``learning_rate`` -> ``--learning-rate``."""
    return "--" + field.replace("_", "-")


_DECLARED: dict[type, dict[str, Range]] = {}


def declared_ranges(cls: type) -> dict[str, Range]:
    """Each field of dataclass ``cls`` whose type declares a :class:`Range` (also inside ``| None``)."""
    if cls not in _DECLARED:
        _DECLARED[cls] = _find_ranges(cls)
    return _DECLARED[cls]


def _find_ranges(cls: type) -> dict[str, Range]:
    hints = typing.get_type_hints(cls, include_extras=True)
    ranges = {}
    for field in dataclasses.fields(cls):
        found = _range_of(hints[field.name])
        if found is not None:
            ranges[field.name] = found
    return ranges


def _range_of(hint: Any) -> Range | None:
    if typing.get_origin(hint) is Annotated:
        return next((item for item in hint.__metadata__ if isinstance(item, Range)), None)
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        return next((found for arg in typing.get_args(hint) if (found := _range_of(arg)) is not None), None)
    return None


def check_ranges(config: Any) -> None:
    """Raise ``ValueError`` naming the flag of the first field of ``config`` outside its range
    (``None`` is left to the field's own meaning)."""
    for name, allowed in declared_ranges(type(config)).items():
        value = getattr(config, name)
        if value is not None and not allowed.admits(value):
            raise ValueError(f"{flag_name(name)}: expected {allowed.describe()}, got {value!r}")


class Ranged:
    """A frozen dataclass base that checks its fields' declared ranges when built; a subclass with
    its own ``__post_init__`` calls ``super().__post_init__()`` first."""

    def __post_init__(self) -> None:
        check_ranges(self)
