"""``apprentice bench returns``: the grid runs, merges, reads time to expert off the curves, and reports."""

from __future__ import annotations

import json

import pytest

from apprentice.bench.returns import ReturnsBenchConfig, _time_to_expert
from apprentice.cli import main


def test_time_to_expert_is_the_first_curve_point_at_the_threshold_or_not_reached():
    def point(method, labels, score, seconds):
        return {
            "env_id": "E",
            "method": method,
            "labels_mean": labels,
            "normalized_mean": score,
            "seconds_mean": seconds,
            "seconds_std": 0.5,
        }

    summary = [
        point("BC", 100, 0.5, 1.0),
        point("BC", 200, 0.96, 2.0),
        point("BC", 400, 0.99, 4.0),
        point("DAgger", 100, 0.2, 3.0),
        point("DAgger", 200, 0.94, 6.0),
    ]
    bc, dagger = _time_to_expert(summary, 0.95)
    assert (bc["reached"], bc["labels"], bc["seconds_mean"], bc["best_normalized_mean"]) == (True, 200, 2.0, 0.99)
    assert (dagger["reached"], dagger["labels"], dagger["largest_labels"]) == (False, None, 200)


def test_a_config_that_cannot_reach_its_budget_is_refused():
    with pytest.raises(ValueError, match="initial_labels: expected 1..label_budget"):
        ReturnsBenchConfig(initial_labels=500, label_budget=100)
    assert ReturnsBenchConfig(initial_labels=5000, steps_per_round=5000, label_budget=25000).n_rounds == 4


def test_bench_returns_end_to_end_then_plot_only_then_report(tmp_path, capsys):
    out = tmp_path / "returns"
    argv = [
        "bench",
        "returns",
        "--envs",
        "Pendulum-v1",
        "--seeds",
        "0",
        "1",
        "--demo-counts",
        "1",
        "2",
        "--initial-labels",
        "200",
        "--steps-per-round",
        "200",
        "--label-budget",
        "400",
        "--bc-epochs",
        "2",
        "--dagger-epochs",
        "2",
        "--eval-episodes",
        "2",
        "--round-eval-episodes",
        "2",
        "--out",
        str(out),
        "--json",
    ]
    assert main(argv) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    raw = json.loads((out / "Pendulum-v1.json").read_text())["rows"]
    assert [(r["method"], r.get("n_demos"), r.get("round"), r["labels"]) for r in raw if r["seed"] == 0] == [
        ("BC", 1, None, 200),
        ("BC", 2, None, 400),
        ("DAgger", None, 0, 200),
        ("DAgger", None, 1, 400),
    ]
    assert all(r["seconds"] > 0 for r in raw) and sum("final_normalized_score" in r for r in raw) == 2
    (row,) = result["table"]
    finals = [r["final_normalized_score"] for r in raw if "final_normalized_score" in r]
    assert row["dagger_normalized_mean"] == pytest.approx(sum(finals) / 2) and row["imitation_bc"] is None
    assert [(r["method"], r["labels_mean"], r["n_seeds"]) for r in result["summary"]] == [
        ("BC", 200, 2),
        ("BC", 400, 2),
        ("DAgger", 200, 2),
        ("DAgger", 400, 2),
    ]
    assert {(r["env_id"], r["method"]) for r in result["time_to_expert"]} == {
        ("Pendulum-v1", "BC"),
        ("Pendulum-v1", "DAgger"),
    }
    assert [p.rsplit("/", 1)[-1] for p in result["plots"]] == ["score_vs_labels.png", "returns_vs_demos.png"]
    assert main(["bench", "returns", "--out", str(out), "--plot-only", "--json"]) == 0
    again = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert again["table"] == result["table"]
    assert main(["report", str(out), "--out", str(tmp_path / "report")]) == 0
    html = (tmp_path / "report" / "report.html").read_text()
    assert "score_vs_labels" in html and "returns_vs_demos" in html and "time_to_expert" in html
