"""Every numeric field of every config and command declares its range, and a value just outside
it is refused at construction with the field's flag (``apprentice.field_ranges``)."""

from __future__ import annotations

import dataclasses
import importlib
import math
import typing

import pytest

from apprentice.cli import COMMANDS
from apprentice.field_ranges import Range, declared_ranges, flag_name

CONFIG_MODULES = (
    "apprentice.algorithms.configs.bc",
    "apprentice.algorithms.configs.dagger",
    "apprentice.algorithms.configs.rl",
    "apprentice.algorithms.configs.irl",
    "apprentice.algorithms.configs.preferences",
    "apprentice.algorithms.configs.sqil",
    "apprentice.algorithms.configs.rwr",
    "apprentice.policies.architecture",
)


def config_classes() -> list[type]:
    classes = []
    for name in CONFIG_MODULES:
        module = importlib.import_module(name)
        classes += [obj for obj in vars(module).values() if dataclasses.is_dataclass(obj) and obj.__module__ == name]
    for command in COMMANDS.values():
        args = command.args_type()
        classes.append(typing.get_origin(args) or args)
    return sorted(set(classes), key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


def numeric_fields(cls: type) -> list[str]:
    hints = typing.get_type_hints(cls)
    numbers = (int, float, int | None, float | None)
    return [field.name for field in dataclasses.fields(cls) if hints[field.name] in numbers]


def outside(allowed: Range) -> list[float]:
    """Values just outside ``allowed``: below its low end, above its high end, NaN, a fraction for integers."""
    values: list[float] = [math.nan]
    if allowed.low is not None:
        values.append(allowed.low if allowed.low_open else allowed.low - (1 if allowed.integer else 1e-3))
    if allowed.high is not None:
        values.append(allowed.high if allowed.high_open else allowed.high + (1 if allowed.integer else 1e-3))
    if allowed.integer:
        values.append((allowed.low or 0) + 2.5)
    return values


CLASSES = config_classes()
CASES = [
    (cls, name, value)
    for cls in CLASSES
    for name, allowed in declared_ranges(cls).items()
    for value in outside(allowed)
]


def test_the_sweep_covers_the_algorithm_configs_and_the_commands():
    names = {cls.__name__ for cls in CLASSES}
    assert {"BCConfig", "InteractiveConfig", "PPOConfig", "SACConfig", "GAILConfig", "MCEIRLConfig"} <= names
    assert {"NextTokenConfig", "PreferenceRLConfig", "Network", "CollectArgs", "TrainBCArgs"} <= names
    assert len(CASES) > 300


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_every_numeric_field_declares_its_range(cls):
    undeclared = sorted(set(numeric_fields(cls)) - set(declared_ranges(cls)))
    assert not undeclared, f"{cls.__name__}: numeric fields without a declared range: {undeclared}"


def required_values(cls: type) -> dict[str, object]:
    """Values for the fields without defaults (the commands' required flags)."""
    return {
        field.name: "x"
        for field in dataclasses.fields(cls)
        if field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
    }


@pytest.mark.parametrize(("cls", "name", "value"), CASES, ids=lambda x: getattr(x, "__name__", str(x)))
def test_a_value_outside_the_range_names_the_flag(cls, name, value):
    required = required_values(cls)
    cls(**required)  # the defaults are in range
    with pytest.raises(ValueError, match=f"^{flag_name(name)}: expected "):
        cls(**{**required, name: value})


LEARNING_RATES = [(cls, name) for cls in CLASSES for name in declared_ranges(cls) if name.endswith("learning_rate")]


@pytest.mark.parametrize(("cls", "name"), LEARNING_RATES, ids=lambda x: getattr(x, "__name__", str(x)))
def test_a_learning_rate_of_zero_is_accepted_it_freezes_what_it_updates(cls, name):
    cls(**{**required_values(cls), name: 0.0})


def test_the_message_says_what_was_expected_and_what_was_given():
    from apprentice.algorithms.configs.bc import BCConfig
    from apprentice.algorithms.configs.rl import SACConfig

    with pytest.raises(ValueError, match=r"^--learning-rate: expected a value >= 0, got -1$"):
        BCConfig(learning_rate=-1)
    with pytest.raises(ValueError, match=r"^--validation-fraction: expected a value in \[0, 1\), got 1.0$"):
        BCConfig(validation_fraction=1.0)
    with pytest.raises(ValueError, match=r"^--tau: expected a value in \(0, 1\], got 0$"):
        SACConfig(tau=0)
    with pytest.raises(ValueError, match=r"^--n-epochs: expected an integer >= 1, got 2.5$"):
        BCConfig(n_epochs=2.5)  # type: ignore[arg-type]
