"""The progress bar's plain-text form, for logs (stderr not a terminal, as under pytest)."""

from __future__ import annotations

from apprentice import progress


def test_a_logged_bar_writes_its_first_step_then_at_most_one_line_per_interval_and_the_end(capsys, monkeypatch):
    clock = iter([0.0, 1.0, 2.0, 40.0, 41.0])
    monkeypatch.setattr(progress.time, "perf_counter", lambda: next(clock))
    with progress.progress_bar(4, "rounds") as bar:  # start at 0 s
        bar.advance(1, ret=12.5)  # 1 s: first line
        bar.advance(1, ret=30.0)  # 2 s: within the interval, no line
        bar.advance(1, labels=3)  # 40 s: a line
    lines = capsys.readouterr().err.splitlines()  # the end, at 41 s
    assert lines == ["rounds: 1/4  0:01  ret 12.5", "rounds: 3/4  0:40  labels 3", "rounds: 3/4  0:41  labels 3"]


def test_a_disabled_bar_writes_nothing(capsys):
    with progress.progress_bar(2, "quiet", enabled=False) as bar:
        bar.advance(1, loss=0.5)
    assert capsys.readouterr().err == ""
