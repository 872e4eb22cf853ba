"""Load run directories, tell a training run from a benchmark folder, and build report sections.

Two kinds of folder are understood:

* a training run (``apprentice train ...``, see ``apprentice/runs.py``): ``config.json`` (with
  ``"command"``), ``metrics.jsonl`` (a row per epoch / round / iteration / step) and
  ``result.json``. Its numeric metric columns are drawn as learning curves against the first of
  ``X_KEYS`` the rows hold (else the row index; DAgger's rows against expert labels, not rounds),
  one figure per group of ``METRIC_GROUPS``; a metric that never changes is listed in one line
  instead, and a video of the policy in the folder (``VIDEO_TYPES``: GIF, MP4, WebM) is embedded;
* a benchmark folder (``apprentice bench ...``) with ``results.json``: ``summary`` rows of score
  against labels (bench labels, bench returns) are drawn with ``plot_score_vs_labels``, ``rows``
  of return against ``n_demos`` (bench demo, bench returns) with ``plot_return_vs_demos``; any
  other shows the figures it names (``"plot"``/``"plots"``); every benchmark is also shown as its
  scalar fields plus a table per list of flat rows (also one dict down, as ``peers.rows``).

The report opens with the summary (:mod:`apprentice.report.summary_report`: per env, every
method's return against the budget the runs share, seeds as bands), then a table of the training
runs' results side by side (with runs of one command overlaid), then a section per folder; all
but the summary are collapsed.

Example:
    >>> import json, tempfile
    >>> from pathlib import Path
    >>> run = Path(tempfile.mkdtemp())
    >>> _ = (run / "config.json").write_text(json.dumps({"command": "train bc"}))
    >>> _ = (run / "metrics.jsonl").write_text('{"epoch": 1, "train_loss": 0.5}\\n{"epoch": 2, "train_loss": 0.25}\\n')
    >>> _ = (run / "result.json").write_text(json.dumps({"train_loss": 0.25}))
    >>> loaded = load_run_dir(run)
    >>> loaded.kind, x_key(loaded.metrics), metric_groups(loaded.metrics, "epoch"), constant_metrics(loaded.metrics, "epoch")
    ('training', 'epoch', {'losses': ['train_loss']}, {})
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apprentice.report.html import VIDEO_TYPES, Image, Section, Table, Text, Video, format_value
from apprentice.report.plots import (
    plot_method_scores,
    plot_return_vs_demos,
    plot_score_vs_labels,
    plt,
    readable_ticks,
    save_figure,
)
from apprentice.report.summary_report import summary_sections

# The file names of apprentice/runs.py, repeated so that reading a report needs no JAX import.
TRAINING_FILES = ("config.json", "metrics.jsonl", "result.json")
BENCH_FILE = "results.json"
X_KEYS = ("labels", "epoch", "round", "iteration", "step", "chunk", "env_steps")
"""Preferred x-axis of learning curves, in order; the first key every row holds is used (so the
DAgger family's rounds are drawn against the expert labels they had used). These counters are
never drawn as metrics themselves."""
METRIC_GROUPS = {
    "losses": ("loss", "bits_per_char", "perplexity"),
    "returns and scores": ("return", "score", "reward", "accuracy"),
}
"""A metric joins the first group one of whose words is in its name; the rest go to ``other``."""
MAX_TABLE_ROWS = 200
LABELS_ROW_KEYS = {"env_id", "method", "budget", "labels_mean", "normalized_mean", "normalized_std"}
DEMOS_ROW_KEYS = {"env_id", "method", "n_demos", "mean_return", "std_return", "expert_return", "random_return"}


@dataclass(frozen=True)
class RunDir:
    """One folder to report on. ``kind`` is ``"training"`` or ``"bench"``; ``result`` holds
    ``result.json`` (training) or ``results.json`` (bench)."""

    path: Path
    kind: str
    label: str
    result: dict[str, Any]
    config: dict[str, Any] = field(default_factory=dict)
    metrics: list[dict[str, Any]] = field(default_factory=list)

    @property
    def command(self) -> str:
        return str(self.config.get("command", "")) if self.kind == "training" else "bench " + bench_kind(self.result)


def load_run_dir(path: str | os.PathLike, label: str = "") -> RunDir:
    """Read a training run or benchmark folder; raise ``ValueError`` saying what was expected."""
    path = Path(path)
    expected = f"expected a training run ({' + '.join(TRAINING_FILES)}) or a benchmark folder ({BENCH_FILE})"
    if not path.exists():
        raise ValueError(f"{path}: no such folder; {expected}")
    if not path.is_dir():
        raise ValueError(f"{path}: is a file, not a folder; {expected}")
    label = label or path.resolve().name
    present = [name for name in TRAINING_FILES if (path / name).is_file()]
    if len(present) == len(TRAINING_FILES):
        config = _read_json(path / "config.json")
        metrics = [
            _parse_line(path / "metrics.jsonl", number, line)
            for number, line in enumerate((path / "metrics.jsonl").read_text().splitlines(), 1)
            if line.strip()
        ]
        return RunDir(path, "training", label, _read_json(path / "result.json"), config, metrics)
    if (path / BENCH_FILE).is_file():
        return RunDir(path, "bench", label, _read_json(path / BENCH_FILE))
    names = sorted(entry.name + ("/" if entry.is_dir() else "") for entry in path.iterdir())
    found = ", ".join(names[:12]) + (f" and {len(names) - 12} more" if len(names) > 12 else "") if names else "nothing"
    partial = (
        f"; it has {', '.join(present)} but lacks {', '.join(n for n in TRAINING_FILES if n not in present)}"
        if present
        else ""
    )
    raise ValueError(f"{path}: not a run directory; {expected}{partial}; it holds {found}")


def _read_json(path: Path) -> dict[str, Any]:
    try:
        value = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}: expected a JSON object, the file is not valid JSON ({error})") from None
    if not isinstance(value, dict):
        raise ValueError(f"{path}: expected a JSON object, found a {type(value).__name__}")
    return value


def _parse_line(path: Path, number: int, line: str) -> dict[str, Any]:
    try:
        row = json.loads(line)
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}, line {number}: expected one JSON object per line ({error})") from None
    if not isinstance(row, dict):
        raise ValueError(f"{path}, line {number}: expected a JSON object, found a {type(row).__name__}")
    return row


def bench_kind(results: dict[str, Any]) -> str:
    """``"labels"``, ``"demos"`` or ``"generic"``, from the keys of a ``results.json`` (the first
    that fits: the returns benchmark holds both curves and is called ``labels``)."""
    if _has_labels_curve(results):
        return "labels"
    if _has_demos_curve(results):
        return "demos"
    return "generic"


def _has_labels_curve(results: dict[str, Any]) -> bool:
    return _flat_rows(results.get("summary")) and LABELS_ROW_KEYS <= set(results["summary"][0])


def _has_demos_curve(results: dict[str, Any]) -> bool:
    return _flat_rows(results.get("rows")) and DEMOS_ROW_KEYS <= set(results["rows"][0])


def x_key(rows: Sequence[dict]) -> str | None:
    """The first of ``X_KEYS`` that every row holds as a number, else ``None`` (the row index)."""
    for key in X_KEYS:
        if rows and all(_is_number(row.get(key)) for row in rows):
            return key
    return None


def _numeric_columns(rows: Sequence[dict], x: str | None) -> list[str]:
    """Columns that some row holds as a finite number, in order of appearance, without the x-axis
    and the other counters of ``X_KEYS``."""
    return [
        key
        for key in dict.fromkeys(k for row in rows for k in row)
        if key != x and key not in X_KEYS and any(_is_number(row.get(key)) for row in rows)
    ]


def constant_metrics(rows: Sequence[dict], x: str | None) -> dict[str, Any]:
    """Numeric columns whose finite values are all equal, with that value (listed, not plotted),
    when there are two rows or more to compare."""
    constants = {}
    for column in _numeric_columns(rows, x):
        values = {row[column] for row in rows if _is_number(row.get(column))}
        if len(rows) > 1 and len(values) == 1:
            constants[column] = values.pop()
    return constants


def metric_groups(rows: Sequence[dict], x: str | None) -> dict[str, list[str]]:
    """Numeric metric columns that change (see :func:`constant_metrics`) by group, in order of appearance."""
    constant = constant_metrics(rows, x)
    columns = [column for column in _numeric_columns(rows, x) if column not in constant]
    groups: dict[str, list[str]] = {}
    for column in columns:
        group = next((name for name, words in METRIC_GROUPS.items() if any(w in column for w in words)), "other")
        groups.setdefault(group, []).append(column)
    return {name: groups[name] for name in [*METRIC_GROUPS, "other"] if name in groups}


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _flat_rows(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(row, dict) and not any(isinstance(v, dict) for v in row.values()) for row in value)
    )


def plot_metric_curves(
    series: Sequence[tuple[str, Sequence[dict]]], metrics: Sequence[str], path: str | os.PathLike, title: str = ""
) -> Path:
    """A panel per metric, a line per ``(label, rows)`` series against its ``x_key`` (else row index)."""
    n_cols = min(3, len(metrics))
    n_rows = -(-len(metrics) // n_cols)
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(4.2 * n_cols, 3.1 * n_rows), squeeze=False)
    for ax, metric in zip(axes.flat, metrics):
        x_names, integer_x = set(), True
        for label, rows in series:
            x = x_key(rows)
            x_names.add(x or "row")
            points = [(row[x] if x else i, row[metric]) for i, row in enumerate(rows) if _is_number(row.get(metric))]
            if points:
                xs, ys = zip(*points)
                integer_x = integer_x and all(isinstance(value, int) for value in xs)
                ax.plot(xs, ys, marker="." if len(points) < 50 else None, label=label)
        readable_ticks(ax, integer_x)  # rounds and epochs: no ticks at 0.5; few, short labels
        ax.set_xlabel(" / ".join(sorted(x_names)))
        ax.set_title(metric, fontsize=9)
        if len(series) > 1:
            ax.legend(fontsize=7)
    for ax in list(axes.flat)[len(metrics) :]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return save_figure(fig, path)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "run"


def _scalar_items(value: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """``(dotted key, value)`` pairs of a nested dict, leaving out long lists and lists of rows."""
    items = []
    for key, item in value.items():
        name = f"{prefix}{key}"
        if isinstance(item, dict):
            items += _scalar_items(item, name + ".")
        elif not (
            isinstance(item, (list, tuple)) and (len(item) > 8 or any(isinstance(v, (dict, list)) for v in item))
        ):
            items.append((name, item))
    return items


def key_value_table(value: dict[str, Any]) -> Table:
    """The scalar fields of ``value`` (nested keys dotted) as a two-column table."""
    return Table(["key", "value"], [[key, format_value(item)] for key, item in _scalar_items(value)])


def rows_table(rows: Sequence[dict]) -> Table:
    """Flat dict rows as a table; columns in order of appearance, at most ``MAX_TABLE_ROWS`` rows."""
    columns = list(dict.fromkeys(key for row in rows for key in row))
    shown = rows[:MAX_TABLE_ROWS]
    note = f"first {MAX_TABLE_ROWS} of {len(rows)} rows" if len(rows) > MAX_TABLE_ROWS else ""
    return Table(columns, [[format_value(row.get(column)) for column in columns] for row in shown], note)


def training_section(run: RunDir, prefix: str, out: Path) -> Section:
    """Command, result table, videos of the policy, learning curves per metric group, the
    metrics that never changed in one line, and the flattened config in one paragraph; collapsed."""
    x = x_key(run.metrics)
    blocks: list = [
        Text(
            f"{run.command or 'unknown command'} in {run.path}: {len(run.metrics)} metric rows, "
            f"x-axis {x or 'row index'}."
        ),
        key_value_table(run.result),
    ]
    blocks += [
        Video(video, f"{run.label}: {video.name.removeprefix(prefix + '-')}, an episode of the policy")
        for video in _videos(run, prefix, out)
    ]
    for group, metrics in metric_groups(run.metrics, x).items():
        png = plot_metric_curves(
            [(run.label, run.metrics)], metrics, out / f"{prefix}-{_slug(group)}.png", f"{run.label}: {group}"
        )
        blocks.append(Image(png, f"{run.label}: {group} against {x or 'row index'}"))
    constant = constant_metrics(run.metrics, x)
    if constant:
        listed = ", ".join(f"{key} = {format_value(value)}" for key, value in constant.items())
        blocks.append(Text(f"Constant over all {len(run.metrics)} rows (not plotted): {listed}."))
    if run.config:
        # one paragraph, not a table: a config has 40-odd fields, a row each was ~1,100 px per run
        fields = "; ".join(f"{key} = {format_value(value)}" for key, value in _scalar_items(run.config))
        blocks.append(Text(f"Configuration (config.json): {fields}."))
    return Section(_run_title(run), blocks, anchor=f"run-{prefix}", collapsed=True)


def _run_title(run: RunDir) -> str:
    """The one line a collapsed run shows: label, command, env, seed and its final return."""
    facts = [run.command or "unknown command"]
    if run.config.get("env_id") or run.result.get("env_id"):
        facts.append(f"on {run.config.get('env_id') or run.result.get('env_id')}")
    if "seed" in run.config:
        facts.append(f"seed {run.config['seed']}")
    final = next((run.result[k] for k in ("mean_return", "final_eval_return") if _is_number(run.result.get(k))), None)
    if final is not None:
        facts.append(f"return {format_value(final)}")
    if any(path.suffix.lower() in VIDEO_TYPES for path in run.path.iterdir() if path.is_file()):
        facts.append("video")
    return f"{run.label}: {', '.join(facts)}"


def _videos(run: RunDir, prefix: str, out: Path) -> list[Path]:
    """The run folder's videos of its policy (any ``VIDEO_TYPES`` file, e.g. ``video.mp4``),
    copied into the report folder."""
    copied = []
    for source in sorted(p for p in run.path.iterdir() if p.is_file() and p.suffix.lower() in VIDEO_TYPES):
        target = out / f"{prefix}-{source.name}"
        shutil.copyfile(source, target)
        copied.append(target)
    return copied


def bench_section(run: RunDir, prefix: str, out: Path) -> Section:
    """The benchmark's own plot where one fits, its scalar fields, and a table per list of rows."""
    kind, results = bench_kind(run.result), run.result
    blocks: list = [Text(f"benchmark results ({kind}) in {run.path / BENCH_FILE}.")]
    if _has_labels_curve(results):
        png = plot_score_vs_labels(results["summary"], out / f"{prefix}-score_vs_labels.png")
        blocks.append(Image(png, "expert-normalized score against expert labels (mean +- std over seeds)"))
    if _has_demos_curve(results):
        png = plot_return_vs_demos(results["rows"], out / f"{prefix}-returns_vs_demos.png")
        blocks.append(Image(png, "return against expert demonstrations (mean +- std over seeds)"))
    if kind == "generic":
        blocks += [
            Image(png, f"{png.name.split('-', 1)[1]}, drawn by the benchmark") for png in _own_figures(run, prefix, out)
        ]
    blocks.append(key_value_table(results))
    for key, rows in _row_lists(results):
        group = next((g for g in ("setting", "env_id", "group") if g in rows[0]), None)
        if kind == "generic" and group and _complete_grid(rows, group):
            png = plot_method_scores(rows, group, out / f"{prefix}-{_slug(key)}-scores.png", run.label)
            blocks.append(Image(png, f"{key}: expert-normalized score per method and {group}"))
        blocks += [Text(f"{key}:"), rows_table(rows)]
    return Section(f"{run.label}: benchmark ({kind})", blocks, anchor=f"run-{prefix}", collapsed=True)


def _row_lists(results: dict[str, Any]) -> list[tuple[str, list[dict]]]:
    """The lists of flat rows in ``results``, and in the dicts it holds (``peers.rows``)."""
    found = [(key, value) for key, value in results.items() if _flat_rows(value)]
    for key, value in results.items():
        if isinstance(value, dict):
            found += [(f"{key}.{inner}", rows) for inner, rows in value.items() if _flat_rows(rows)]
    return found


def _own_figures(run: RunDir, prefix: str, out: Path) -> list[Path]:
    """The PNG files a benchmark names in its results (``"plot"``, ``"plots"``, also one dict
    down), copied into the report folder; a moved folder is searched by file name."""
    names = []
    for holder in [run.result, *(v for v in run.result.values() if isinstance(v, dict))]:
        for key in ("plot", "plots"):
            value = holder.get(key)
            names += [value] if isinstance(value, str) else [v for v in value or [] if isinstance(v, str)]
    copied = []
    for name in dict.fromkeys(n for n in names if n.endswith(".png")):
        source = next((p for p in (Path(name), run.path / name, run.path / Path(name).name) if p.is_file()), None)
        if source is not None:
            target = out / f"{prefix}-{source.name}"
            shutil.copyfile(source, target)
            copied.append(target)
    return copied


def _complete_grid(rows: Sequence[dict], group: str) -> bool:
    if not all({"method", "normalized_mean", "normalized_std"} <= set(row) for row in rows):
        return False
    pairs = {(row[group], row["method"]) for row in rows}
    return len(pairs) == len({r[group] for r in rows}) * len({r["method"] for r in rows})


def comparison_sections(runs: Sequence[RunDir], out: Path) -> list[Section]:
    """For two or more training runs: a table of their ``result.json`` keys side by side and,
    for each command that made two or more of them, their learning curves overlaid."""
    training = [run for run in runs if run.kind == "training"]
    if len(training) < 2:
        return []
    keys = list(dict.fromkeys(key for run in training for key, _ in _scalar_items(run.result)))
    values = [dict(_scalar_items(run.result)) for run in training]
    rows = [["command", *(run.command for run in training)]]
    rows += [[key, *(format_value(value.get(key)) for value in values)] for key in keys]
    blocks: list = [Table(["key", *(run.label for run in training)], rows)]
    by_command: dict[str, list[RunDir]] = {}
    for run in training:
        by_command.setdefault(run.command, []).append(run)
    for command, same in by_command.items():
        if len(same) < 2:
            continue
        merged = [row for run in same for row in run.metrics]
        for group, metrics in metric_groups(merged, x_key(merged)).items():
            png = plot_metric_curves(
                [(run.label, run.metrics) for run in same],
                metrics,
                out / f"compare-{_slug(command)}-{_slug(group)}.png",
                f"{command}: {group}",
            )
            blocks.append(Image(png, f"{command}: {group}, one line per run"))
    if len(by_command) > 1:
        blocks.append(
            Text(
                "Learning curves are overlaid per command (their metrics differ); the summary puts "
                f"every command ({', '.join(by_command)}) on one budget axis."
            )
        )
    return [Section(f"Comparison of {len(training)} training runs", blocks, anchor="comparison", collapsed=True)]


def build_sections(runs: Sequence[RunDir], out: str | os.PathLike, budget: str = "auto") -> list[Section]:
    """All sections of the report: the summary (on the ``budget`` axis, see
    :func:`~apprentice.report.summary_report.summary_sections`), the comparison, then one
    collapsed section per run; PNGs and videos are written into ``out``."""
    out = Path(out)
    sections = summary_sections(runs, out, budget) + comparison_sections(runs, out)
    for index, run in enumerate(runs, 1):
        prefix = f"{index:02d}-{_slug(run.path.resolve().name)}"
        sections.append(
            training_section(run, prefix, out) if run.kind == "training" else bench_section(run, prefix, out)
        )
    return sections


def unique_labels(paths: Sequence[Path]) -> list[str]:
    """Folder names, with as many parent folders as it takes to tell apart folders of one name.

    >>> unique_labels([Path("/r/a/run"), Path("/r/b/run"), Path("/r/other")])
    ['a/run', 'b/run', 'other']
    """
    parts = [path.resolve().parts for path in paths]
    labels = []
    for mine in parts:
        depth = 1
        while depth < len(mine) and sum(other[-depth:] == mine[-depth:] for other in parts) > 1:
            depth += 1
        labels.append("/".join(mine[-depth:]))
    return labels
