"""The side-by-side BC speed bench: venv failures are clear skips, and the timing plumbing is right.

The peer venv itself (imitation + PyTorch, 1.7 GB) is not built here; a fake worker stands in.
"""

from __future__ import annotations

import json
import sys

import pytest

from apprentice.bench import speed_peers
from apprentice.bench.peers.venv import PeerUnavailable, ensure_peer_venv
from apprentice.cli import main
from apprentice.report.plots import plot_peer_speed

FAKE_WORKER = """
import argparse, json
p = argparse.ArgumentParser()
for name in ("--variant", "--data", "--steps", "--batch-size", "--lr", "--threads", "--seed"):
    p.add_argument(name)
p.add_argument("--hidden", nargs="+")
a = p.parse_args()
wall = {"imitation": 4.0, "imitation_pi_only": 3.0, "torch_loop": 1.0}[a.variant]
print(json.dumps({"variant": a.variant, "walls": [wall], "loss": 0.0, "steps": int(a.steps),
                  "threads": int(a.threads) or 2, "torch": "fake", "imitation": "fake"}))
"""


def test_an_unbuildable_peer_venv_raises_a_clear_reason(tmp_path):
    with pytest.raises(PeerUnavailable, match="could not resolve the peer packages"):
        ensure_peer_venv(tmp_path / "venv", requirements=(str(tmp_path / "no-such-package"),), timeout=300)


def test_the_bench_is_skipped_with_the_reason_when_the_venv_fails(monkeypatch):
    def fail(directory):
        raise PeerUnavailable("peer venv: could not install the peer packages (exit 1): no network")

    monkeypatch.setattr(speed_peers, "ensure_peer_venv", fail)
    result = speed_peers.run_peer_speed(speed_peers.PeerSpeedConfig(steps_per_epoch=2, batch_size=4))
    assert result["skipped"].endswith("no network") and "rows" not in result


def test_interleaved_rounds_give_medians_and_ratios_to_apprentice(monkeypatch, tmp_path):
    worker = tmp_path / "worker.py"
    worker.write_text(FAKE_WORKER)
    monkeypatch.setattr(speed_peers, "ensure_peer_venv", lambda directory: sys.executable)
    monkeypatch.setattr(speed_peers, "WORKER", worker)
    config = speed_peers.PeerSpeedConfig(hidden_sizes=(8,), batch_size=4, steps_per_epoch=5, epochs=2, rounds=2,
                                         variants=("imitation", "torch_loop"), torch_threads=(0, 1))  # fmt: skip
    result = speed_peers.run_peer_speed(config)
    rows = {row["contestant"]: row for row in result["rows"]}
    assert set(rows) == {"apprentice", "imitation (2 threads, default)", "imitation (1 thread)",
                         "torch_loop (2 threads, default)", "torch_loop (1 thread)"}  # fmt: skip
    assert (
        result["steps_timed"] == 10
        and len(rows["apprentice"]["seconds_all"]) == 2
        and result["apprentice_first_epoch_seconds"] > 0
    )
    ours = rows["apprentice"]["seconds"]
    assert rows["imitation (1 thread)"]["time_ratio_to_apprentice"] == pytest.approx(4.0 / ours)
    assert rows["torch_loop (1 thread)"]["steps_per_second"] == pytest.approx(10 / 1.0)
    assert plot_peer_speed(result, tmp_path / "peers.png").stat().st_size > 10_000


def test_bench_speed_command_without_peers(tmp_path, capsys):
    argv = [
        "bench",
        "speed",
        "--skip-peers",
        "--repeats",
        "1",
        "--steps-per-epoch",
        "5",
        "--matmul-size",
        "64",
        "--out",
        str(tmp_path),
        "--json",
    ]
    assert main(argv) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert "peers" not in result and result["steps_per_second"] > 0 and (tmp_path / "results.json").is_file()


FAKE_DAGGER_WORKER = """
import json, sys
rows = [{"round": 0, "labels": 120, "seconds": 2.0, "mean_return": 40.0},
        {"round": 1, "labels": 240, "seconds": 5.0, "mean_return": 500.0}]
print(json.dumps({"runs": [rows], "import_seconds": 3.0, "torch": "fake", "imitation": "fake", "threads": 2}))
"""


def test_the_dagger_race_reports_time_to_end_and_to_the_threshold_beside_apprentice(monkeypatch, tmp_path):
    from apprentice.bench import dagger_speed_peers as race
    from apprentice.report.plots import plot_dagger_race

    worker = tmp_path / "worker.py"
    worker.write_text(FAKE_DAGGER_WORKER)
    monkeypatch.setattr(race, "ensure_peer_venv", lambda directory: sys.executable)
    monkeypatch.setattr(race, "WORKER", worker)
    config = race.DAggerSpeedConfig(
        initial_labels=100, steps_per_round=100, label_budget=200, eval_episodes=2, repeats=2
    )
    result = race.run_dagger_peer_speed(config)
    fresh_ours, fresh_theirs, first, ours, theirs = result["rows"]
    assert [r["contestant"] for r in result["rows"]] == [
        "apprentice, fresh process (imports + compiling run)",
        "imitation, fresh process (imports + run)",
        "apprentice (first run, compiling)",
        "apprentice",
        "imitation",
    ]
    assert fresh_theirs["seconds_to_end"] == 8.0 and fresh_theirs["seconds_to_threshold"] == 8.0  # 3 s of imports
    assert fresh_ours["seconds_to_end"] == pytest.approx(
        first["seconds_to_end"] + result["import_seconds"]["apprentice"]
    )
    assert 0 < result["import_seconds"]["apprentice"] < 60
    assert [r["labels"] for r in result["runs"]["apprentice"][0]] == [100, 200] and ours["n_runs"] == 1
    # the fake reaches the expert (500 on CartPole) in its second round, 5 s in
    assert (theirs["seconds_to_end"], theirs["runs_reaching_threshold"], theirs["seconds_to_threshold"]) == (
        5.0,
        2,
        5.0,
    )
    assert theirs["end_ratio_to_apprentice"] == pytest.approx(5.0 / ours["seconds_to_end"])
    assert first["seconds_to_end"] > ours["seconds_to_end"]  # the first run compiles
    assert plot_dagger_race(result, tmp_path / "race.png").stat().st_size > 10_000


def test_the_dagger_worker_expert_is_apprentices_cartpole_rule():
    import importlib.util

    import numpy as np

    from apprentice import experts
    from apprentice.bench import dagger_speed_peers as race
    from apprentice.experts.scripted.cartpole import FEEDBACK_GAINS

    spec = importlib.util.spec_from_file_location("imitation_dagger_worker", race.WORKER)
    worker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(worker)  # imports numpy only at the top
    obs = np.random.default_rng(0).normal(scale=[1.0, 1.0, 0.1, 1.0], size=(500, 4))
    actions, state = worker.cartpole_expert(FEEDBACK_GAINS)(obs, None, None)
    assert state is None and np.array_equal(actions, experts.load("CartPole-v1")(obs))
