"""What every command shares: the common flags, the console, the result table, and the bridge
between a run directory's ``config.json`` and the command line that wrote it.

Every command's arguments are a frozen dataclass that extends :class:`CommonArgs` (``--json``,
``--debug``), :class:`SeededArgs` (adds ``--seed``) or :class:`RunArgs` (adds the run directory
``--out``), so these flags are declared once. This module imports no jax: ``--help`` stays fast.
"""

from __future__ import annotations

import dataclasses
import shutil
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tyro

from apprentice.field_ranges import Count, Ranged
from apprentice.io_utils import jsonable

OUTPUT_FLAGS = ("json", "debug", "out", "force", "compile_cache")
"""Arguments that say where and how results go, not what is computed: not recorded for a rerun."""

NESTED_PREFIXES = tyro.conf.arg(name="")
"""Put on a command's ``config`` field in place of ``tyro.conf.OmitArgPrefixes`` when configs nested
in the config share field names: the config's own fields are flat flags (``--n-rounds``) and each
nested config keeps its field name as a prefix (``--ppo.learning-rate``, ``--reward-model.learning-rate``).
``OmitArgPrefixes`` flattens every level below it (tyro offers no way to restore a prefix further
down), so two nested ``learning_rate`` fields would both be ``--learning-rate`` and tyro refuses to
build the parser; ``name=""`` drops only the ``config.`` of the flags (tyro's documented way to
leave a field's own name out of its children's prefixes). :func:`command_argv` reads the marker."""


@dataclass(frozen=True, kw_only=True)
class CommonArgs(Ranged):
    json: bool = False
    """Print one JSON object with the results as the last line."""
    debug: bool = False
    """Show the Python traceback of an error instead of one line."""
    compile_cache: bool = True
    """Keep compiled programs in the user cache directory for the next run (apprentice.compile_cache);
    APPRENTICE_NO_COMPILE_CACHE=1 also turns it off. Results are the same either way."""


@dataclass(frozen=True, kw_only=True)
class SeededArgs(CommonArgs):
    seed: Count = 0
    """Seed of every random choice the command makes (same seed, same numbers)."""


@dataclass(frozen=True, kw_only=True)
class RunArgs(SeededArgs):
    out: str
    """Run directory to write: config.json (enough to rerun), metrics.jsonl, result.json and the model."""
    force: bool = False
    """Replace the run directory already at --out (without it, an existing one is refused)."""


@dataclass(frozen=True, kw_only=True)
class EnvKwargsArgs:
    """``--env-kwargs`` beside a command's ``--env`` (which also takes ``module:EnvId``)."""

    env_kwargs: str = ""
    """The env's constructor arguments as a JSON object, e.g. '{"max_episode_steps": 200}'. They
    become part of the env id (CartPole-v1{"max_episode_steps": 200}), which run directories record."""


def apply_env_kwargs(args: CommonArgs) -> CommonArgs:
    """``args`` with ``--env-kwargs`` written into ``--env`` (see :mod:`apprentice.envs.env_ref`)."""
    if not isinstance(args, EnvKwargsArgs) or not args.env_kwargs:
        return args
    from apprentice.envs.env_ref import parse_env_kwargs, with_kwargs

    kwargs = parse_env_kwargs(args.env_kwargs)
    env = getattr(args, "env", "")
    if not env:
        raise ValueError(f"--env-kwargs {args.env_kwargs}: expected --env with it (the env the arguments are for)")
    return dataclasses.replace(args, env=with_kwargs(env, kwargs), env_kwargs="")  # type: ignore[call-arg]


def claim_out(args: CommonArgs) -> None:
    """Before any work: refuse a ``--out`` that holds something, unless ``--force`` and it is a run
    directory (it holds ``config.json``), which is then deleted so no old file outlives the rerun."""
    if not isinstance(args, RunArgs) or not args.out:
        return
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out}: expected a run directory, got an existing file")
    if not out.is_dir() or not any(out.iterdir()):
        return
    is_run = (out / "config.json").is_file()
    if not args.force:
        what = "a run directory" if is_run else "a folder that is not empty"
        raise ValueError(f"--out {out}: {what} is already there; expected a new directory, or --force to replace it")
    if not is_run:
        raise ValueError(f"--out {out}: not a run directory (no config.json) and not empty; refusing to delete it")
    shutil.rmtree(out)


def run_config(command: str, args: CommonArgs, **found: Any) -> dict[str, Any]:
    """The ``config.json`` of a run: the command, what it found (``algorithm``, ``env_id``...) and
    every parsed argument except :data:`OUTPUT_FLAGS`, so :func:`command_argv` can rebuild it."""
    arguments = {k: v for k, v in dataclasses.asdict(args).items() if k not in OUTPUT_FLAGS}
    return jsonable({"command": command, **found, **arguments})


def command_argv(config: dict[str, Any], args_type: type) -> list[str]:
    """The options (after the command's name) that parse back into the arguments recorded in a
    run's ``config.json`` by :func:`run_config`; :data:`OUTPUT_FLAGS` are left to the caller.

    Booleans become tyro's ``--flag``/``--no-flag``, sequences ``--flag v1 v2 ...``, ``None``
    ``--flag None``. The fields of ``config`` (declared with ``OmitArgPrefixes``), nested ones too, are flat flags;
    a ``config`` declared with :data:`NESTED_PREFIXES` has flat fields and ``--nested.field`` for
    the configs in it; other nested dataclasses are ``--name.field``. A ``config.json`` older than
    the ``env`` key gives its recorded ``env_id`` to a command that takes ``--env``.

    Example:
        >>> from apprentice.cli.base import RunArgs
        >>> command_argv({"command": "x", "seed": 3, "json": True}, RunArgs)
        ['--seed', '3']
    """
    dataclass_type = typing.get_origin(args_type) or args_type
    names = [field.name for field in dataclasses.fields(dataclass_type)]
    values = {name: config[name] for name in names if name in config and name not in OUTPUT_FLAGS}
    if "env" in names and "env" not in values and config.get("env_id"):
        values["env"] = config["env_id"]
    config_hint = typing.get_type_hints(dataclass_type, include_extras=True).get("config")
    nested_prefixes = NESTED_PREFIXES in getattr(config_hint, "__metadata__", ())
    argv: list[str] = []
    for name, value in values.items():
        if name == "config" and nested_prefixes:
            argv += [flag for key, item in value.items() for flag in _flags(key, item, prefixed=True)]
        else:
            argv += _flags(name, value, prefixed=name != "config")
    return argv


def _flags(name: str, value: Any, prefixed: bool) -> list[str]:
    """The flags of one argument; a nested dataclass's fields are ``--name.field``, or ``--field``
    throughout a dataclass declared with ``OmitArgPrefixes`` (``prefixed=False``)."""
    if isinstance(value, dict):
        return [
            flag for key, item in value.items() for flag in _flags(f"{name}.{key}" if prefixed else key, item, prefixed)
        ]
    flag = "--" + name.replace("_", "-")
    if isinstance(value, bool):
        return [flag] if value else [_negative(flag)]
    if isinstance(value, (list, tuple)):
        return [flag, *map(str, value)]
    return [flag, str(value)]


def _negative(flag: str) -> str:
    """tyro's negative form of a boolean flag: ``--anneal-lr`` -> ``--no-anneal-lr``, ``--a.b`` -> ``--a.no-b``."""
    prefix, dot, leaf = flag[2:].rpartition(".")
    return f"--{prefix}{dot}no-{leaf}"


def print_result(title: str, result: dict[str, Any]) -> None:
    """A two-column table of ``result`` (floats to 4 significant digits); lists of samples one per row."""
    from rich.table import Table

    from apprentice.progress import make_console

    table = Table(title=title, show_header=False)
    for key, value in result.items():
        if key == "samples":
            for i, text in enumerate(value):
                table.add_row(f"sample {i}", text)
        else:
            table.add_row(key, f"{value:.4g}" if isinstance(value, float) else str(value))
    make_console().print(table)
