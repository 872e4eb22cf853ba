"""Terminal output shared by every command: the progress bar (rich) and the console for tables."""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any, TextIO

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
"""Where stderr is a file or pipe, the bar becomes a line of text at most this often as it advances
(and the :func:`heartbeat` repeats it sooner when nothing else is written)."""
HEARTBEAT_SECONDS = 3.0
"""Under :func:`heartbeat`, stderr (a file or pipe) is never silent longer than about this
(``$APPRENTICE_HEARTBEAT_SECONDS`` overrides it; 0 turns the heartbeat off)."""
FIRST_STEP_STATUS = "first step (includes compiling)"
"""A bar's status until its first advance: jitted work compiles on its first call."""

_ACTIVE_LOG_BARS: list[_LogBar] = []
"""The plain-text bars open now (innermost last), repeated by the heartbeat."""


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
        self.status = FIRST_STEP_STATUS

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
        _ACTIVE_LOG_BARS.append(bar)
        try:
            yield bar
        finally:
            _ACTIVE_LOG_BARS.remove(bar)
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
        yield _Bar(progress, progress.add_task(description, total=total, status=FIRST_STEP_STATUS))


class _TimedStream:
    """A text stream that remembers when it was last written to (the heartbeat's clock)."""

    def __init__(self, stream: TextIO):
        self.stream, self.last_write, self.lock = stream, time.perf_counter(), threading.Lock()

    def write(self, text: str) -> int:
        with self.lock:
            self.last_write = time.perf_counter()
            return self.stream.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


@contextlib.contextmanager
def heartbeat(label: str, interval: float | None = None) -> Iterator[None]:
    """Within the block, when stderr is a file or pipe, no stretch of silence on it lasts longer
    than about ``interval``: the open bar's line is repeated, else ``label: working M:SS``. On a
    terminal the bars redraw themselves and nothing is added.

    Example:
        >>> with heartbeat("apprentice train ppo"):
        ...     compile_and_train()   # a line at least every 3 s in a log
    """
    if interval is None:
        interval = float(os.environ.get("APPRENTICE_HEARTBEAT_SECONDS", HEARTBEAT_SECONDS))
    if sys.stderr.isatty() or interval <= 0:
        yield
        return
    stream, start, done = _TimedStream(sys.stderr), time.perf_counter(), threading.Event()

    def beat() -> None:
        while not done.wait(min(0.5, interval / 4)):
            now = time.perf_counter()
            if now - stream.last_write < interval:
                continue
            if _ACTIVE_LOG_BARS:
                _ACTIVE_LOG_BARS[-1].write(now)
            else:
                elapsed = int(now - start)
                print(f"{label}: working  {elapsed // 60}:{elapsed % 60:02d}", file=stream, flush=True)

    original, sys.stderr = sys.stderr, stream
    thread = threading.Thread(target=beat, name="apprentice-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
        sys.stderr = original


def make_console() -> Console:
    """A console that does not squeeze tables into 80 columns when stdout is not a terminal."""
    return Console() if sys.stdout.isatty() else Console(width=120)
