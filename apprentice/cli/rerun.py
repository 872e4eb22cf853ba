"""``apprentice rerun RUN_DIR [--out DIR]``: a run directory's command again, from its ``config.json``.

``config.json`` records the command and every argument it parsed (see
:func:`apprentice.cli.base.run_config`); the rerun parses them back through the command's own
arguments dataclass, so it runs exactly what a user typing the command would, into ``--out``.
Same seed, same numbers: the result says whether the final metrics equal the original's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import tyro

from apprentice.cli.base import CommonArgs, claim_out, command_argv

TIMING_WORDS = ("seconds", "minutes")
"""Result keys naming a wall-clock duration: they differ between runs and are not compared."""


@dataclass(frozen=True, kw_only=True)
class RerunArgs(CommonArgs):
    run_dir: Annotated[str, tyro.conf.Positional]
    """A run directory written by `apprentice train ...` (it holds config.json)."""
    out: str = ""
    """Run directory for the rerun; empty: RUN_DIR-rerun beside the original."""
    force: bool = False
    """Replace the run directory already at --out."""


def rerun(args: RerunArgs) -> dict[str, Any]:
    """Run ``args.run_dir``'s command again into ``args.out``.

    Returns the command's own result plus ``rerun_of`` (the original folder), ``command`` (the
    command line run) and ``identical_final_metrics`` with ``differences`` (the keys of the final
    metrics, timings and paths aside, whose values differ from the original's ``result.json``).
    """
    import shlex

    from apprentice.cli import command_spec, parse
    from apprentice.runs import load_config, read_result

    config = load_config(args.run_dir)
    command = command_spec(config["command"])
    out = args.out or str(Path(args.run_dir).resolve()) + "-rerun"
    if Path(out).resolve() == Path(args.run_dir).resolve():
        raise ValueError(f"rerun: expected an --out other than the run directory itself, got {out}")
    argv = ["--out", out, *(["--force"] if args.force else []), *command_argv(config, command.args_type())]
    print(f"rerun of {args.run_dir}: apprentice {config['command']} {shlex.join(argv)}")
    parsed = parse(config["command"], argv)
    claim_out(parsed)
    result = command.function()(parsed)
    try:
        original = read_result(args.run_dir)
    except ValueError:  # the original run never finished: nothing to compare
        original = None
    differences = None if original is None else final_metric_differences(original, result)
    print(
        "final metrics identical to the original's"
        if differences == []
        else f"final metrics differ from the original's: {differences}"
        if differences
        else "the original has no result.json to compare"
    )
    return {
        **result,
        "rerun_of": str(args.run_dir),
        "command": f"apprentice {config['command']} {shlex.join(argv)}",
        "identical_final_metrics": differences == [],
        "differences": differences,
    }


def final_metric_differences(original: dict[str, Any], rerun: dict[str, Any]) -> list[str]:
    """Keys of either result whose values differ, wall-clock durations and the output path aside."""
    import json

    def same(a, b) -> bool:
        return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)

    keys = sorted(set(original) | set(rerun))
    return [
        k
        for k in keys
        if k != "out" and not any(w in k for w in TIMING_WORDS) and not same(original.get(k), rerun.get(k))
    ]
