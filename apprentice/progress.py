"""Terminal output shared by every command: the progress bar (rich) and the console for tables."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

LOG_INTERVAL_SECONDS = 30.0
"""Where stderr is a file or pipe, the bar becomes a line of text at most this often."""


class _Bar:
    def __init__(self, progress: Progress | None, task: TaskID | None):
        self._progress, self._task = progress, task

    def advance(self, amount: float = 1, **fields: object) -> None:
        """Move the bar on by ``amount`` and show ``fields`` (e.g. ``loss=0.12``) beside it."""
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, advance=amount, status=_status(fields))


class _LogBar:
    """The bar's plain-text form for a log file (stderr not a terminal): a line at the first
    advance, then at most one every ``LOG_INTERVAL_SECONDS``, and one at the end."""

    def __init__(self, total: float, description: str):
        self.total, self.description, self.done = total, description, 0.0
        self.start = time.perf_counter()
        self.last_line: float | None = None
        self.status = ""

    def advance(self, amount: float = 1, **fields: object) -> None:
        self.done += amount
        self.status = _status(fields)
        now = time.perf_counter()
        if self.last_line is None or now - self.last_line >= LOG_INTERVAL_SECONDS:
            self.write(now)

    def write(self, now: float) -> None:
        self.last_line = now
        elapsed = int(now - self.start)
        print(
            f"{self.description}: {self.done:g}/{self.total:g}  {elapsed // 60}:{elapsed % 60:02d}  {self.status}".rstrip(),
            file=sys.stderr,
            flush=True,
        )


def _status(fields: dict) -> str:
    return "  ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}" for k, v in fields.items())


@contextlib.contextmanager
def progress_bar(total: float, description: str, enabled: bool = True) -> Iterator[_Bar | _LogBar]:
    """A rich bar over ``total`` units on stderr; plain lines when stderr is not a terminal (a log
    file: see ``LOG_INTERVAL_SECONDS``); a no-op when ``enabled`` is false.

    Example:
        >>> with progress_bar(100, "training") as bar:
        ...     bar.advance(1, loss=0.5)
    """
    if not enabled:
        yield _Bar(None, None)
        return
    if not sys.stderr.isatty():
        bar = _LogBar(total, description)
        yield bar
        bar.write(time.perf_counter())
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
