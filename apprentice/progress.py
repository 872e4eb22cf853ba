"""Terminal output shared by every command: the progress bar (rich) and the console for tables."""

from __future__ import annotations

import contextlib
import sys
from typing import Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn


class _Bar:
    def __init__(self, progress: Progress | None, task: int | None):
        self._progress, self._task = progress, task

    def advance(self, amount: float = 1, **fields: object) -> None:
        """Move the bar on by ``amount`` and show ``fields`` (e.g. ``loss=0.12``) beside it."""
        if self._progress is not None:
            status = "  ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}" for k, v in fields.items())
            self._progress.update(self._task, advance=amount, status=status)


@contextlib.contextmanager
def progress_bar(total: float, description: str, enabled: bool = True) -> Iterator[_Bar]:
    """A rich bar over ``total`` units; a no-op when ``enabled`` is false.

    Example:
        >>> with progress_bar(100, "training") as bar:
        ...     bar.advance(1, loss=0.5)
    """
    if not enabled:
        yield _Bar(None, None)
        return
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.fields[status]}"),
    )
    # stderr, so that stdout carries only tables and the --json line.
    with Progress(*columns, console=Console(stderr=True), transient=False) as progress:
        yield _Bar(progress, progress.add_task(description, total=total, status=""))


def make_console() -> Console:
    """A console that does not squeeze tables into 80 columns when stdout is not a terminal."""
    return Console() if sys.stdout.isatty() else Console(width=120)
