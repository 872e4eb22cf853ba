"""The last step of an exact study (``apprentice theory ...``): time it, draw its figure, write
``results.json`` atomically, print its table and say what was written."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

from rich.table import Table

from apprentice.io_utils import atomic_write_text
from apprentice.progress import make_console


def finish_study(
    results: dict,
    out_dir: Path,
    start: float,
    figure: tuple[Callable[[dict, Path], Path], str],
    table: Callable[[dict], Table],
) -> dict:
    """Add ``seconds`` (since ``start``, a ``time.perf_counter()``) and ``plot`` (the figure's file
    name) to ``results``; draw ``figure = (plot_function, file_name)`` into ``out_dir``; write
    ``out_dir/results.json``; print ``table(results)``. Returns ``results``."""
    plot, name = figure
    results["seconds"] = round(time.perf_counter() - start, 2)
    plot_path = plot(results, out_dir / name)
    results["plot"] = plot_path.name
    atomic_write_text(out_dir / "results.json", json.dumps(results, indent=2) + "\n")
    console = make_console()
    console.print(table(results))
    console.print(f"wrote {out_dir / 'results.json'} and {plot_path} in {results['seconds']:.1f} s")
    return results
