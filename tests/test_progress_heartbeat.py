"""No command is silent on stderr for long: in a log (stderr not a terminal) the heartbeat repeats
the open bar's line, or says the command is working, at least every ``HEARTBEAT_SECONDS``."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from apprentice.progress import FIRST_STEP_STATUS, HEARTBEAT_SECONDS, heartbeat, progress_bar

REPO_ROOT = Path(__file__).resolve().parents[1]


def test_the_heartbeat_repeats_the_open_bar_or_says_working(monkeypatch):
    log = io.StringIO()  # not a terminal
    monkeypatch.setattr(sys, "stderr", log)
    with heartbeat("apprentice test", interval=0.2):
        time.sleep(0.5)
        with progress_bar(10, "training") as bar:
            time.sleep(0.5)
            bar.advance(1, loss=0.5)
            time.sleep(0.5)
    lines = log.getvalue().splitlines()
    assert lines[0].startswith("apprentice test: working  0:00")
    assert f"training: 0/10  0:00  {FIRST_STEP_STATUS}" in lines
    assert any(line.startswith("training: 1/10") and line.endswith("loss 0.5") for line in lines)
    assert sum(line.startswith("training: 1/10") for line in lines) >= 2, "the bar's line was not repeated"
    assert sys.stderr is log, "the heartbeat did not give stderr back"


def test_on_a_terminal_the_heartbeat_adds_nothing(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with heartbeat("apprentice test", interval=0.1):
        time.sleep(0.4)
    assert terminal.getvalue() == ""


def timed_stderr_lines(argv: list[str], cwd: Path) -> tuple[int, list[tuple[float, str]]]:
    """Run the CLI with stderr a pipe; each stderr line with the seconds since the start."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")]),
        "APPRENTICE_HEARTBEAT_SECONDS": str(HEARTBEAT_SECONDS),  # the tests' conftest turns it off
    }
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "apprentice.cli", *argv],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[tuple[float, str]] = []
    assert proc.stderr is not None
    reader = threading.Thread(target=lambda: lines.extend((time.perf_counter() - start, line) for line in proc.stderr))
    reader.start()
    code = proc.wait(timeout=600)
    reader.join()
    return code, lines


@pytest.mark.slow
def test_ppo_on_the_jax_backend_is_never_silent_while_it_compiles(tmp_path):
    code, lines = timed_stderr_lines(
        ["train", "ppo", "--env", "CartPole-v1", "--out", "run", "--total-steps", "1024", "--eval-episodes", "1"],
        tmp_path,
    )
    assert code == 0, lines
    times = [at for at, _ in lines]
    gaps = [later - earlier for earlier, later in zip(times, times[1:])]
    assert max(gaps) <= HEARTBEAT_SECONDS + 2.0, [(round(at, 1), line.rstrip()) for at, line in lines]
    assert any(FIRST_STEP_STATUS in line for _, line in lines)
