"""Run a CLI command in this process with its stderr timed, and check that it is never silent
for long: the heartbeat's test harness, shared by ``test_progress_every_command.py`` (the env
commands) and ``test_text_cli.py`` (the language commands, which need a trained model).

The heartbeat's interval is cut to ``INTERVAL`` seconds, so that a tiny run's compilation (a
second or two) is already a stretch the heartbeat must fill."""

from __future__ import annotations

import io
import threading
import time

from apprentice.cli import main

INTERVAL = 0.5
SLACK = 2.0
"""A line must follow the last within ``INTERVAL + SLACK`` seconds. The slack absorbs a loaded
machine: with 3 processes on 2 cores the heartbeat's own lines were 1.7 s apart once (a native call
holding the interpreter). Without the heartbeat every training command's tiny run has a silence of
2.9 s (HG-DAgger) to 24 s (DPO, compiling), so each check fails (measured 2026-12-03)."""


class TimedLines(io.TextIOBase):
    """A non-terminal stderr that records each complete line with the seconds since its creation
    (a text stream, so that a logging handler that kept it can still close it)."""

    def __init__(self) -> None:
        super().__init__()
        self.start, self.partial, self.lines = time.perf_counter(), "", []
        self.lock = threading.Lock()

    def write(self, text: str) -> int:
        with self.lock:
            self.partial += text
            *done, self.partial = self.partial.split("\n")
            now = time.perf_counter() - self.start
            self.lines.extend((now, line) for line in done)
        return len(text)

    def isatty(self) -> bool:
        return False


def run_timed(monkeypatch, argv: list[str]) -> list[tuple[float, str]]:
    """Run the CLI in this process with the heartbeat at ``INTERVAL``; its stderr lines, timed,
    between a ``(start)`` line at 0 and an ``(end)`` line when it returned. Fails unless it exits
    with 0."""
    stderr = TimedLines()
    with monkeypatch.context() as patch:
        patch.setenv("APPRENTICE_HEARTBEAT_SECONDS", str(INTERVAL))
        patch.setattr("sys.stderr", stderr)
        code = main(argv)
    lines = [(0.0, "(start)"), *stderr.lines, (time.perf_counter() - stderr.start, "(end)")]
    assert code == 0, lines
    return lines


def assert_never_silent_for_long(lines: list[tuple[float, str]]) -> None:
    gaps = [(later - earlier, line) for (earlier, _), (later, line) in zip(lines, lines[1:])]
    longest, before = max(gaps)
    assert longest <= INTERVAL + SLACK, f"{longest:.1f} s of silence before {before!r}: {lines}"
