"""Render a report (a title and sections of text, tables and PNG figures) as HTML and Markdown.

The HTML page is self-contained: figures are embedded as base64 PNG data URIs and the style
sheet is inline, so the one file can be mailed or archived. The Markdown file links the PNG
files by their names, so it must stay in the folder that holds them.

Example:
    >>> import tempfile
    >>> from pathlib import Path
    >>> out = Path(tempfile.mkdtemp())
    >>> section = Section("Summary", [Table(["key", "value"], [["loss", format_value(0.123456)]])])
    >>> html_path, md_path = write_report("demo", [section], out)
    >>> "<td>0.1235</td>" in html_path.read_text(), "| loss | 0.1235 |" in md_path.read_text()
    (True, True)
"""

from __future__ import annotations

import base64
import html
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apprentice.io_utils import atomic_write_text

HTML_FILE, MARKDOWN_FILE = "report.html", "report.md"


@dataclass(frozen=True)
class Table:
    """A table of already formatted cells; ``note`` is shown under it (e.g. rows left out)."""

    columns: Sequence[str]
    rows: Sequence[Sequence[str]]
    note: str = ""


@dataclass(frozen=True)
class Image:
    """A PNG file in the report folder, with a caption."""

    path: Path
    caption: str = ""


@dataclass(frozen=True)
class Text:
    """A paragraph of plain text."""

    text: str


Block = Table | Image | Text


@dataclass(frozen=True)
class Section:
    """A heading and its blocks; ``level`` 2 is a top-level section, 3 a subsection."""

    title: str
    blocks: list[Block] = field(default_factory=list)
    level: int = 2


def format_value(value: Any) -> str:
    """A cell: floats with 4 significant digits, short lists joined, long ones summarized.

    >>> format_value(3.14159), format_value(10000.0), format_value(None), format_value([1, 2]), format_value(list(range(50)))
    ('3.142', '10000', '-', '1, 2', '[50 items]')
    """
    if value is None:
        return "-"
    if isinstance(value, (bool, int)):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        text = f"{value:.4g}"
        # 4 significant digits, but 10000.0 reads better as 10000 than as 1e+04
        return str(round(value)) if "e+" in text and abs(value) < 1e9 else text
    if isinstance(value, (list, tuple)):
        if len(value) > 8 or any(isinstance(item, (dict, list, tuple)) for item in value):
            return f"[{len(value)} items]"
        return ", ".join(format_value(item) for item in value)
    if isinstance(value, dict):
        return f"{{{len(value)} keys}}"
    text = str(value)
    return text if len(text) <= 120 else text[:117] + "..."


def write_report(title: str, sections: Sequence[Section], out: str | os.PathLike) -> tuple[Path, Path]:
    """Write ``report.html`` and ``report.md`` into ``out`` (atomically); return both paths.

    Every ``Image`` must already be a PNG file inside ``out``.
    """
    out = Path(out)
    for section in sections:
        for block in section.blocks:
            if isinstance(block, Image) and Path(block.path).resolve().parent != out.resolve():
                raise ValueError(f"figure {block.path} must be in the report folder {out}; it is elsewhere")
    html_path, md_path = out / HTML_FILE, out / MARKDOWN_FILE
    atomic_write_text(html_path, render_html(title, sections))
    atomic_write_text(md_path, render_markdown(title, sections))
    return html_path, md_path


_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; }
th { background: #f3f3f3; }
td { font-variant-numeric: tabular-nums; }
figure { margin: 0.5em 0 1.5em; }
img { max-width: 100%; }
figcaption, .note { color: #666; font-size: 0.85em; }
"""


def render_html(title: str, sections: Sequence[Section]) -> str:
    """One self-contained HTML page: inline CSS, figures as ``data:image/png;base64,`` URIs."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{html.escape(title)}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        f"<h1>{html.escape(title)}</h1>",
    ]
    for section in sections:
        level = min(max(section.level, 2), 6)
        parts.append(f"<h{level}>{html.escape(section.title)}</h{level}>")
        for block in section.blocks:
            parts.append(_html_block(block))
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def _html_block(block: Block) -> str:
    if isinstance(block, Text):
        return f"<p>{html.escape(block.text)}</p>"
    if isinstance(block, Image):
        data = base64.b64encode(Path(block.path).read_bytes()).decode("ascii")
        caption = f"<figcaption>{html.escape(block.caption)}</figcaption>" if block.caption else ""
        return (
            f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(block.caption, quote=True)}">'
            f"{caption}</figure>"
        )
    head = "".join(f"<th>{html.escape(str(column))}</th>" for column in block.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(cell))}</td>" for cell in row) + "</tr>" for row in block.rows
    )
    note = f'<p class="note">{html.escape(block.note)}</p>' if block.note else ""
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{note}"


def render_markdown(title: str, sections: Sequence[Section]) -> str:
    """Markdown with pipe tables; figures are linked by file name (relative to the report)."""
    parts = [f"# {title}", ""]
    for section in sections:
        parts += [f"{'#' * min(max(section.level, 2), 6)} {section.title}", ""]
        for block in section.blocks:
            parts += [_markdown_block(block), ""]
    return "\n".join(parts)


def _markdown_block(block: Block) -> str:
    if isinstance(block, Text):
        return block.text
    if isinstance(block, Image):
        return f"![{_md_cell(block.caption)}]({Path(block.path).name})"
    lines = [
        "| " + " | ".join(_md_cell(column) for column in block.columns) + " |",
        "|" + "|".join(" --- " for _ in block.columns) + "|",
    ]
    lines += ["| " + " | ".join(_md_cell(cell) for cell in row) + " |" for row in block.rows]
    if block.note:
        lines += ["", f"*{block.note}*"]
    return "\n".join(lines)


def _md_cell(cell: Any) -> str:
    return " ".join(str(cell).split()).replace("|", "\\|").replace("[", "\\[").replace("]", "\\]")
