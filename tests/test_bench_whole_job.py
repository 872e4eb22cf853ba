"""bench whole-job: the phases add up to the wall time, the job's arguments are train bc's, the summary's ratios."""

from __future__ import annotations

from pathlib import Path

import pytest

from apprentice.bench.configs import WholeJobConfig
from apprentice.bench.whole_job import our_argv, our_phases, summarize
from apprentice.cli import parse


def test_the_phases_add_up_to_the_wall_time():
    metrics = [{"seconds": 1.5}, {"seconds": 2.0}, {"seconds": 2.5}]  # first epoch 1.5 s, then 0.5 s each
    phases = our_phases(10.0, {"imports": 2.0, "main": 7.0}, metrics)
    assert phases == pytest.approx(
        {"interpreter": 1.0, "imports": 2.0, "setup_and_writing": 4.5, "compilation": 1.0, "training": 1.5}
    )
    assert sum(phases.values()) == pytest.approx(10.0)


def test_the_job_is_train_bc_with_the_configs_numbers():
    config = WholeJobConfig(n_epochs=7, batch_size=64, learning_rate=3e-4, hidden_sizes=(32, 16))
    argv = our_argv(config, Path("demos.npz"), Path("out"))
    assert argv[:2] == ["train", "bc"]
    args = parse("train bc", argv[2:])
    assert (args.config.n_epochs, args.config.batch_size, args.config.learning_rate) == (7, 64, 3e-4)
    assert (args.config.validation_fraction, args.config.patience, args.eval_episodes) == (0.0, 0, 0)
    assert tuple(args.config.network.hidden_sizes) == (32, 16)


def test_the_summary_takes_medians_and_imitations_ratio_to_each():
    runs = {
        "apprentice warm": [{"wall_seconds": s, "phases": {"imports": s / 2}} for s in (2.0, 3.0, 10.0)],
        "imitation": [{"wall_seconds": s} for s in (9.0, 12.0, 30.0)],
    }
    rows = summarize(runs)["contestants"]
    assert rows["apprentice warm"]["wall_seconds"] == 3.0
    assert rows["apprentice warm"]["phases"] == {"imports": 1.5}
    assert rows["apprentice warm"]["imitation_over"] == pytest.approx(4.0)
    assert rows["imitation"]["imitation_over"] == pytest.approx(1.0)
    assert (
        "imitation_over"
        not in summarize({"apprentice cold": runs["apprentice warm"]})["contestants"]["apprentice cold"]
    )
