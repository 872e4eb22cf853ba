"""The report's summary: seeds of one config become one band, the budget axis is the one the runs
share, and the expert's and random returns are drawn and scored against (no browser, no JAX)."""

from __future__ import annotations

from pathlib import Path

import pytest

from apprentice.experts import ExpertStats
from apprentice.report import summary_report
from apprentice.report.run_report import RunDir
from apprentice.report.summary import choose_axis, left_out, run_points, summary_lines

ENV = "CartPole-v1"
STATS = ExpertStats(mean_return=500.0, std_return=0.0, random_mean_return=20.0, n_episodes=10, seed=0)


def run(label: str, command: str, metrics=(), result=None, **config) -> RunDir:
    config = {"command": command, "algorithm": command.removeprefix("train "), "env_id": ENV, **config}
    return RunDir(Path(label), "training", label, dict(result or {}), config, list(metrics))


def dagger(seed: int, returns, lr: float = 1e-3, seconds=None) -> RunDir:
    rows = [
        {"round": r, "labels": 100 * (r + 1), "env_steps": 100 * (r + 1), "mean_return": value}
        | ({"seconds": seconds[r]} if seconds else {})
        for r, value in enumerate(returns)
    ]
    return run(
        f"dagger-lr{lr}-s{seed}", "train dagger", rows, {"mean_return": returns[-1]}, seed=seed, config={"lr": lr}
    )


def bc(seed: int, demos: str, steps: int, value: float) -> RunDir:
    result = {"n_demo_steps": steps, "n_demo_episodes": steps // 500, "mean_return": value, "train_seconds": 2.0}
    rows = [{"epoch": 1, "train_loss": 0.5}, {"epoch": 2, "train_loss": 0.2}]
    return run(f"bc-{demos}-s{seed}", "train bc", rows, result, seed=seed, demos=demos, config={"lr": 1e-3})


def ppo(seed: int) -> RunDir:
    rows = [{"iteration": i, "env_steps": 1000 * i, "eval_return": 100.0 * i} for i in (1, 2, 3)]
    return run(f"ppo-s{seed}", "train ppo", rows, {"final_eval_return": 300.0}, seed=seed, config={"lr": 3e-4})


def test_seeds_of_one_config_become_one_band():
    lines = summary_lines([dagger(0, [100.0, 300.0, 500.0]), dagger(1, [200.0, 500.0, 500.0])], "labels")
    assert len(lines) == 1
    (line,) = lines
    assert (line.label, line.kind, line.n_seeds) == ("dagger", "curve", (2, 2, 2))
    assert line.x == (100.0, 200.0, 300.0)
    assert line.mean == (150.0, 400.0, 500.0) and line.std == (50.0, 100.0, 0.0)
    assert line.runs == ("dagger-lr0.001-s0", "dagger-lr0.001-s1")


def test_configs_that_differ_beyond_the_seed_are_separate_lines_named_by_the_difference():
    runs = [dagger(0, [100.0, 200.0]), dagger(1, [300.0, 400.0]), dagger(0, [50.0, 60.0], lr=0.1)]
    lines = summary_lines(runs, "labels")
    assert [(line.label, max(line.n_seeds)) for line in lines] == [("dagger (lr=0.001)", 2), ("dagger (lr=0.1)", 1)]


def test_seeds_on_different_budgets_are_interpolated_onto_the_range_they_share():
    first = dagger(0, [0.0, 100.0, 200.0], seconds=[1.0, 2.0, 3.0])
    second = dagger(1, [100.0, 300.0, 300.0], seconds=[1.5, 2.5, 3.5])
    (line,) = summary_lines([first, second], "seconds")
    assert line.x == (1.5, 2.0, 2.5, 3.0)  # the union of their x values inside [1.5, 3.0]
    # first at 1.5, 2, 2.5, 3: 50, 100, 150, 200; second: 100, 200, 300, 300
    assert line.mean == (75.0, 150.0, 225.0, 250.0) and line.std == (25.0, 50.0, 75.0, 50.0)


def test_point_runs_average_over_seeds_and_join_along_their_data():
    runs = [bc(0, "d2.npz", 1000, 400.0), bc(1, "d2.npz", 1000, 500.0), bc(0, "d4.npz", 2000, 480.0)]
    (line,) = summary_lines(runs, "labels")
    assert (line.label, line.kind) == ("bc", "points")
    assert line.x == (1000.0, 2000.0) and line.mean == (450.0, 480.0) and line.std == (50.0, 0.0)
    assert line.n_seeds == (2, 1)


def test_every_method_is_overlaid_whatever_command_made_it():
    runs = [dagger(0, [100.0, 500.0]), dagger(1, [300.0, 500.0]), bc(0, "d2.npz", 1000, 450.0)]
    assert {(line.method, line.kind) for line in summary_lines(runs, "labels")} == {
        ("dagger", "curve"),
        ("bc", "points"),
    }


def test_the_axis_is_the_first_every_run_is_on_else_the_one_most_are_on():
    bc_runs = [bc(0, "d2.npz", 1000, 400.0), bc(1, "d2.npz", 1000, 500.0)]
    assert choose_axis([*bc_runs, dagger(0, [100.0])]) == "labels"  # labels come before env steps
    assert choose_axis([dagger(0, [100.0]), ppo(0)]) == "env_steps"  # PPO has no labels: env steps hold both
    # BC has no env steps and PPO no labels: labels hold 3 of 4 runs, PPO is named as left out
    assert choose_axis([*bc_runs, dagger(0, [100.0]), ppo(0)]) == "labels"
    assert left_out([*bc_runs, ppo(0)], "labels") == ["ppo-s0"]
    assert choose_axis([bc(0, "d2.npz", 1000, 400.0), ppo(0)]) == "labels"  # a tie: the earlier axis
    assert choose_axis([run("x", "train bc", [{"epoch": 1}], {"mean_return": 1.0})]) is None


def test_run_points_reads_curves_from_rows_and_points_from_the_result():
    assert run_points(ppo(0), "env_steps") == ("curve", [(1000.0, 100.0), (2000.0, 200.0), (3000.0, 300.0)])
    assert run_points(bc(0, "d2.npz", 1000, 400.0), "demos") == ("points", [(2.0, 400.0)])
    assert run_points(ppo(0), "labels") is None
    with pytest.raises(
        ValueError, match="budget axis: expected one of labels, env_steps, demos, seconds, got 'rounds'"
    ):
        run_points(ppo(0), "rounds")


@pytest.fixture
def drawn(monkeypatch):
    """The summary with the expert stats of :data:`STATS`, and the figures it draws (kept open)."""
    figures = []
    monkeypatch.setattr(summary_report, "read_stats", lambda: {ENV: STATS})
    original = summary_report.save_figure

    def keep(fig, path):
        figures.append(fig)
        return original(fig, path)

    monkeypatch.setattr(summary_report, "save_figure", keep)
    monkeypatch.setattr(summary_report.plt, "close", lambda *args: None)
    return figures


def test_expert_and_random_levels_are_reference_lines_and_the_scale_of_the_table(tmp_path, drawn):
    runs = [dagger(0, [100.0, 500.0]), dagger(1, [300.0, 500.0]), bc(0, "d2.npz", 1000, 260.0)]
    sections = summary_report.summary_sections(runs, tmp_path)
    assert [section.anchor for section in sections] == ["summary", f"summary-{ENV}"]
    (ax,) = drawn[0].axes
    handles, labels = ax.get_legend_handles_labels()
    references = {
        label: handle.get_ydata()[0]
        for handle, label in zip(handles, labels)
        if label.startswith(("expert ", "random "))
    }
    assert references["expert 500"] == 500.0 and references["random 20"] == 20.0
    assert ax.get_legend().get_texts()[-1].get_text() == "random 20"  # methods first, references last
    verdict, _, table = sections[1].blocks[:3]
    assert verdict.text.startswith("Best final return: dagger, 500 +- 0 (normalized 1.00) at 200 expert labels.")
    assert "Cheapest to reach 0.9 of the expert and stay there: dagger, at 200 expert labels." in verdict.text
    # bc: (260 - 20) / (500 - 20) = 0.5, never reaches 0.9 of the expert
    assert table.rows[1][0] == "bc" and table.rows[1][5] == "0.500 +- 0.000" and table.rows[1][6] == "not reached"


def test_an_unknown_budget_is_refused(tmp_path):
    with pytest.raises(
        ValueError, match="--budget: expected auto or one of labels, env_steps, demos, seconds, got 'rounds'"
    ):
        summary_report.summary_sections([dagger(0, [1.0])], tmp_path, "rounds")


def test_the_cost_to_reach_the_expert_is_where_a_curve_stays_there():
    runs = [dagger(0, [500.0, 280.0, 500.0, 500.0]), dagger(1, [500.0, 280.0, 500.0, 500.0])]
    (line,) = summary_lines(runs, "labels")
    assert summary_report.budget_to_reach(line, 452.0) == 300.0  # not 100: it fell back at 200
    assert summary_report.budget_to_reach(line, 501.0) is None
