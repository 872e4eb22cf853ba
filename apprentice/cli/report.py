"""``apprentice report RUN_DIR... [--out DIR]``: an HTML page and a Markdown file about runs.

The HTML page (``OUT/report.html``) is self-contained, figures and videos embedded as base64; the
Markdown file (``OUT/report.md``) links the PNG files written beside it. The page opens with a
summary (per env, every method's return against the budget the runs share, mean +- std over seeds,
expert and random levels as reference lines) and a table of contents; each run is a collapsed section.

Example (``runs/bench-labels-v2`` being a folder written by ``apprentice bench labels --out runs/bench-labels-v2``):
    >>> result = report(ReportArgs(run_dirs=("runs/bench-labels-v2",), out="/tmp/apprentice-report"))  # doctest: +SKIP
    html: /tmp/apprentice-report/report.html
    markdown: /tmp/apprentice-report/report.md
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import tyro

from apprentice.cli.base import CommonArgs


@dataclass(frozen=True, kw_only=True)
class ReportArgs(CommonArgs):
    run_dirs: Annotated[tuple[str, ...], tyro.conf.Positional]
    """Run directories (config.json + metrics.jsonl + result.json) or benchmark folders (results.json)."""
    out: str = "runs/report"
    """Folder for report.html, report.md and the PNG figures the Markdown links."""
    title: str = ""
    """Page title; empty: 'apprentice report: ' and the folder names."""
    budget: Literal["auto", "labels", "env_steps", "demos", "seconds"] = "auto"
    """The summary's x-axis: expert labels, env steps, demonstrations or wall-clock seconds; auto:
    per env, the first of these that every run holds (runs without it are named and left out)."""


def report(args: ReportArgs) -> dict[str, Any]:
    """Write the HTML and Markdown report of ``args.run_dirs`` into ``args.out``; print both paths.

    Returns ``{"html": path, "markdown": path, "runs": [{"path", "label", "kind", "command"}, ...]}``.
    Raises ``ValueError`` naming any folder that is neither a training run nor a benchmark folder.
    """
    from apprentice.report.html import write_report
    from apprentice.report.run_report import build_sections, load_run_dir, unique_labels

    if not args.run_dirs:
        raise ValueError("expected at least one RUN_DIR (a training run or benchmark folder), got none")
    paths = [Path(run_dir) for run_dir in args.run_dirs]
    runs = [load_run_dir(path, label) for path, label in zip(paths, unique_labels(paths))]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    title = args.title or "apprentice report: " + ", ".join(run.label for run in runs)
    html_path, markdown_path = write_report(title, build_sections(runs, out, args.budget), out)
    print(f"html: {html_path}")
    print(f"markdown: {markdown_path}")
    return {
        "html": str(html_path),
        "markdown": str(markdown_path),
        "runs": [{"path": str(run.path), "label": run.label, "kind": run.kind, "command": run.command} for run in runs],
    }
