"""``apprentice report``: run folders of every kind become an HTML page and a Markdown file."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from apprentice.cli.report import ReportArgs, report
from apprentice.report.run_report import bench_kind, load_run_dir, metric_groups, x_key

DATA_URI = '<img src="data:image/png;base64,'


def _write_training_run(folder: Path, command: str, rows: list[dict], result: dict) -> Path:
    folder.mkdir(parents=True)
    (folder / "config.json").write_text(json.dumps({"command": command, "seed": 0, "config": {"lr": 0.001}}))
    (folder / "metrics.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))
    (folder / "result.json").write_text(json.dumps(result))
    return folder


def bc_run(folder: Path, scale: float = 1.0) -> Path:
    rows = [
        {"epoch": e, "train_loss": scale / e, "gradient_steps": 10 * e, "val_score": 2 * scale / e, "seconds": 0.1 * e}
        for e in range(1, 6)
    ]
    result = {
        "algorithm": "bc",
        "env_id": "CartPole-v1",
        "best_epoch": 5,
        "train_loss": scale / 5,
        "mean_return": 487.123456,
        "per_seed": list(range(20)),
    }
    return _write_training_run(folder, "train bc", rows, result)


def dagger_run(folder: Path) -> Path:
    rows = [
        {
            "round": r,
            "labels": 100 * (r + 1),
            "env_steps": 100 * (r + 1),
            "mean_return": 100.0 + 50 * r,
            "normalized_score": 0.2 * r,
            "disagreement_rate": 0.3 / (r + 1),
            "seconds": float(r),
        }
        for r in range(4)
    ]
    result = {
        "algorithm": "dagger",
        "env_id": "CartPole-v1",
        "rounds": 4,
        "mean_return": 250.0,
        "normalized_score": 0.6,
    }
    return _write_training_run(folder, "train dagger", rows, result)


def labels_bench(folder: Path) -> Path:
    summary = [
        {
            "env_id": env,
            "method": method,
            "budget": budget,
            "labels_mean": float(budget),
            "normalized_mean": 0.5 + budget / 4000,
            "normalized_std": 0.05,
            "n_seeds": 3,
        }
        for env in ("CartPole-v1", "Pendulum-v1")
        for method in ("BC", "DAgger")
        for budget in (200, 1000)
    ]
    folder.mkdir(parents=True)
    (folder / "results.json").write_text(
        json.dumps({"summary": summary, "plot": "x.png", "first_budget_at_095": {"CartPole-v1 BC": 1000}})
    )
    return folder


def demos_bench(folder: Path) -> Path:
    rows = [
        {
            "env_id": "CartPole-v1",
            "method": "BC (nll)",
            "n_demos": n,
            "mean_return": 100.0 * n,
            "std_return": 5.0,
            "per_seed_returns": [100.0 * n] * 3,
            "expert_return": 500.0,
            "random_return": 22.0,
        }
        for n in (1, 2, 4)
    ]
    folder.mkdir(parents=True)
    (folder / "results.json").write_text(json.dumps({"rows": rows, "seconds": 12.5, "eval_episodes": 10}))
    return folder


def _report(tmp_path: Path, *folders: Path) -> tuple[dict, str, str]:
    result = report(ReportArgs(run_dirs=tuple(str(f) for f in folders), out=str(tmp_path / "report")))
    return result, Path(result["html"]).read_text(), Path(result["markdown"]).read_text()


def _linked_pngs(markdown: str, folder: Path) -> list[Path]:
    return [folder / name for name in re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)", markdown)]


def test_bc_run_report_has_curves_and_result_table(tmp_path, capsys):
    result, html, markdown = _report(tmp_path, bc_run(tmp_path / "bc"))
    assert result["runs"] == [{"path": str(tmp_path / "bc"), "label": "bc", "kind": "training", "command": "train bc"}]
    assert f"html: {result['html']}" in capsys.readouterr().out
    # losses (train_loss, val_score is a score) -> 3 groups: losses, returns and scores, other
    assert html.count(DATA_URI) == 3
    assert (
        "<td>487.1</td>" in html
        and "Configuration (config.json): command = train bc; seed = 0; config.lr = 0.001." in html
    )
    assert "per_seed" not in html  # a long list is left out of the result table
    pngs = _linked_pngs(markdown, tmp_path / "report")
    assert len(pngs) == 3 and all(p.is_file() and p.read_bytes()[:4] == b"\x89PNG" for p in pngs)
    assert "| mean_return | 487.1 |" in markdown
    assert "<script" not in html and "<link" not in html


def test_dagger_is_drawn_against_labels_not_rounds(tmp_path):
    run = load_run_dir(dagger_run(tmp_path / "dagger"))
    assert x_key(run.metrics) == "labels"
    groups = metric_groups(run.metrics, "labels")
    assert groups["returns and scores"] == ["mean_return", "normalized_score"]
    assert not {"round", "labels", "env_steps"} & {m for ms in groups.values() for m in ms}  # counters, not metrics
    assert x_key([{"loss": 1.0}, {"loss": 0.5}]) is None
    _, html, _ = _report(tmp_path, tmp_path / "dagger")
    # the summary's figure + returns and scores + other
    assert "x-axis labels" in html and html.count(DATA_URI) == 3


def test_labels_benchmark_is_plotted_against_labels(tmp_path):
    folder = labels_bench(tmp_path / "labels")
    assert bench_kind(load_run_dir(folder).result) == "labels"
    result, html, markdown = _report(tmp_path, folder)
    assert result["runs"][0]["kind"] == "bench" and result["runs"][0]["command"] == "bench labels"
    assert html.count(DATA_URI) == 1
    assert "<td>Pendulum-v1</td>" in html and "<td>0.55</td>" in html and "first_budget_at_095.CartPole-v1 BC" in html
    assert [p.name for p in _linked_pngs(markdown, tmp_path / "report")] == ["01-labels-score_vs_labels.png"]


def test_demos_benchmark_is_plotted_against_demos(tmp_path):
    folder = demos_bench(tmp_path / "demos")
    assert bench_kind(load_run_dir(folder).result) == "demos"
    _, html, markdown = _report(tmp_path, folder)
    assert html.count(DATA_URI) == 1 and "<td>BC (nll)</td>" in html and "<td>12.5</td>" in html
    assert all(p.is_file() for p in _linked_pngs(markdown, tmp_path / "report"))


def test_two_runs_of_one_command_are_overlaid_and_compared(tmp_path):
    first, second = bc_run(tmp_path / "a" / "run"), bc_run(tmp_path / "b" / "run", scale=3.0)
    result, html, markdown = _report(tmp_path, first, second)
    labels = [run["label"] for run in result["runs"]]
    assert labels == ["a/run", "b/run"]  # same folder name: the parent folders tell them apart
    assert "Comparison of 2 training runs" in html and "one line per run" in html
    # 3 overlaid figures + 3 per run
    assert html.count(DATA_URI) == 9
    assert "| train_loss | 0.2 | 0.6 |" in markdown
    pngs = _linked_pngs(markdown, tmp_path / "report")
    assert len(pngs) == 9 and all(p.is_file() for p in pngs)


def test_mixed_runs_are_overlaid_per_command_only(tmp_path):
    _, html, _ = _report(
        tmp_path, bc_run(tmp_path / "bc"), dagger_run(tmp_path / "dagger"), labels_bench(tmp_path / "l")
    )
    # bc holds no budget (no n_demo_steps): the summary draws dagger alone and names bc as left out
    assert "overlaid per command" in html and "Not on this axis (expert labels): bc" in html
    assert html.count(DATA_URI) == 1 + 3 + 2 + 1


def test_generic_benchmark_shows_scalars_and_rows(tmp_path):
    folder = tmp_path / "generic"
    folder.mkdir()
    rows = [
        {"setting": s, "method": m, "normalized_mean": 0.5, "normalized_std": 0.1}
        for s in ("x", "y")
        for m in ("A", "B")
    ]
    (folder / "results.json").write_text(json.dumps({"rows": rows, "seconds": 3.0, "config": {"seeds": [0, 1]}}))
    _, html, _ = _report(tmp_path, folder)
    assert "config.seeds" in html and "<td>0, 1</td>" in html and html.count(DATA_URI) == 1


def test_a_benchmark_s_own_figures_and_nested_rows_are_in_its_section(tmp_path):
    import matplotlib.pyplot as plt

    folder = tmp_path / "speed"
    folder.mkdir()
    fig, _ = plt.subplots()
    fig.savefig(folder / "race.png")
    plt.close(fig)
    results = {
        "steps_per_second": 1500.0,
        "plot": "/moved/away/race.png",
        "peers": {
            "plots": ["missing.png"],
            "rows": [{"contestant": "apprentice", "seconds": 0.4}, {"contestant": "imitation", "seconds": 3.6}],
        },
    }
    (folder / "results.json").write_text(json.dumps(results))
    _, html, markdown = _report(tmp_path, folder)
    assert (
        html.count(DATA_URI) == 1 and "race.png, drawn by the benchmark" in html
    )  # found by name; the missing one skipped
    assert "peers.rows:" in markdown and "<td>imitation</td>" in html


@pytest.mark.parametrize(
    "contents, words",
    [
        ({}, ["nothing"]),
        ({"notes.txt": "hi"}, ["notes.txt"]),
        ({"config.json": "{}", "metrics.jsonl": ""}, ["lacks result.json", "config.json, metrics.jsonl"]),
    ],
)
def test_a_folder_that_is_neither_raises_a_clear_error(tmp_path, contents, words):
    folder = tmp_path / "odd"
    folder.mkdir()
    for name, text in contents.items():
        (folder / name).write_text(text)
    with pytest.raises(ValueError) as error:
        report(ReportArgs(run_dirs=(str(folder),), out=str(tmp_path / "report")))
    message = str(error.value)
    assert (
        str(folder) in message and "config.json + metrics.jsonl + result.json" in message and "results.json" in message
    )
    assert all(word in message for word in words)


def test_missing_folder_and_bad_json_raise(tmp_path):
    with pytest.raises(ValueError, match="no such folder"):
        load_run_dir(tmp_path / "absent")
    folder = bc_run(tmp_path / "bc")
    (folder / "metrics.jsonl").write_text('{"epoch": 1}\nnot json\n')
    with pytest.raises(ValueError, match="line 2: expected one JSON object per line"):
        load_run_dir(folder)
