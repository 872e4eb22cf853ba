"""Render a report (a title and sections of text, tables and PNG figures) as HTML and Markdown.

The HTML page is self-contained: figures (and videos up to :data:`MAX_EMBEDDED_VIDEO_BYTES`) are
embedded as base64 data URIs and the style sheet is inline, so the one file can be mailed or
archived. It opens with a table of contents linking every section's anchor; a section marked
``collapsed`` is a closed ``<details>`` element (one line until clicked), so a report of many runs
stays a short page. The Markdown file links the PNG and video files by their names, so it must
stay in the folder that holds them.

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
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apprentice.io_utils import atomic_write_text

HTML_FILE, MARKDOWN_FILE = "report.html", "report.md"
MAX_EMBEDDED_VIDEO_BYTES = 16 * 2**20
"""A larger video is linked by its file name beside the page instead of embedded."""
VIDEO_TYPES = {".gif": "image/gif", ".mp4": "video/mp4", ".webm": "video/webm"}
"""The video files a report shows, by suffix, with their MIME types (a GIF is shown as an image)."""


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
class Video:
    """A video file (GIF, MP4 or WebM, see :data:`VIDEO_TYPES`) in the report folder, with a caption."""

    path: Path
    caption: str = ""


@dataclass(frozen=True)
class Text:
    """A paragraph of plain text."""

    text: str


Block = Table | Image | Video | Text


@dataclass(frozen=True)
class Section:
    """A heading and its blocks; ``level`` 2 is a top-level section, 3 a subsection.

    ``anchor`` is the id the table of contents links to (empty: made from the title);
    ``collapsed`` renders the section closed, its title the one line shown."""

    title: str
    blocks: list[Block] = field(default_factory=list)
    level: int = 2
    anchor: str = ""
    collapsed: bool = False


def anchors(sections: Sequence[Section]) -> list[str]:
    """Each section's id: its ``anchor``, else its title made URL-safe; made unique with ``-2``, ``-3``...

    >>> anchors([Section("Summary"), Section("bc (run)"), Section("bc (run)"), Section("x", anchor="own")])
    ['summary', 'bc-run', 'bc-run-2', 'own']
    """
    seen: dict[str, int] = {}
    found = []
    for section in sections:
        base = section.anchor or re.sub(r"[^a-z0-9_-]+", "-", section.title.lower()).strip("-") or "section"
        seen[base] = seen.get(base, 0) + 1
        found.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return found


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
            if isinstance(block, (Image, Video)) and Path(block.path).resolve().parent != out.resolve():
                raise ValueError(f"figure or video {block.path} must be in the report folder {out}; it is elsewhere")
    html_path, md_path = out / HTML_FILE, out / MARKDOWN_FILE
    atomic_write_text(html_path, render_html(title, sections))
    atomic_write_text(md_path, render_markdown(title, sections))
    return html_path, md_path


_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.9em; display: block; overflow-x: auto; max-width: 100%; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; }
th { background: #f3f3f3; }
td { font-variant-numeric: tabular-nums; }
figure { margin: 0.5em 0 1.5em; }
img { max-width: 100%; }
video { max-width: 100%; }
figcaption, .note { color: #666; font-size: 0.85em; }
nav { background: #f7f7f7; border: 1px solid #ddd; padding: 0.4em 1em; margin: 0 0 1em; font-size: 0.9em; }
nav ul { margin: 0.2em 0; padding-left: 1.2em; columns: 2; }
details { border: 1px solid #ddd; border-radius: 4px; margin: 0.4em 0; padding: 0.2em 0.8em; }
details > summary { cursor: pointer; font-weight: 600; padding: 0.2em 0; }
details[open] > summary { border-bottom: 1px solid #eee; margin-bottom: 0.5em; }
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
    ids = anchors(sections)
    parts.append(_html_contents(sections, ids))
    for section, anchor in zip(sections, ids):
        blocks = [_html_block(block) for block in section.blocks]
        if section.collapsed:
            parts += [f'<details id="{anchor}"><summary>{html.escape(section.title)}</summary>', *blocks, "</details>"]
        else:
            level = min(max(section.level, 2), 6)
            parts += [f'<section id="{anchor}">', f"<h{level}>{html.escape(section.title)}</h{level}>", *blocks]
            parts.append("</section>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def _html_contents(sections: Sequence[Section], ids: Sequence[str]) -> str:
    items = "".join(
        f'<li><a href="#{anchor}">{html.escape(section.title)}</a></li>' for section, anchor in zip(sections, ids)
    )
    return f'<nav id="contents"><strong>Contents</strong><ul>{items}</ul></nav>'


def _html_block(block: Block) -> str:
    if isinstance(block, Text):
        return f"<p>{html.escape(block.text)}</p>"
    if isinstance(block, Video):
        return _html_video(block)
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


def _html_video(block: Video) -> str:
    path = Path(block.path)
    mime = VIDEO_TYPES.get(path.suffix.lower())
    if mime is None:
        raise ValueError(f"video {path}: expected one of {', '.join(VIDEO_TYPES)}, got {path.suffix or 'no suffix'}")
    embedded = path.stat().st_size <= MAX_EMBEDDED_VIDEO_BYTES
    source = f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}" if embedded else path.name
    alt = html.escape(block.caption, quote=True)
    media = (
        f'<img src="{source}" alt="{alt}">'
        if mime.startswith("image/")
        else f'<video controls muted loop preload="metadata" src="{source}" title="{alt}"></video>'
    )
    note = "" if embedded else f" (linked, not embedded: larger than {MAX_EMBEDDED_VIDEO_BYTES // 2**20} MB)"
    return f'<figure class="video">{media}<figcaption>{html.escape(block.caption + note)}</figcaption></figure>'


def render_markdown(title: str, sections: Sequence[Section]) -> str:
    """Markdown with pipe tables and a linked table of contents; figures and videos are linked by
    file name (relative to the report); collapsed sections are ``<details>`` blocks."""
    ids = anchors(sections)
    parts = [f"# {title}", ""]
    parts += [f"- [{_md_cell(section.title)}](#{anchor})" for section, anchor in zip(sections, ids)] + [""]
    for section, anchor in zip(sections, ids):
        if section.collapsed:
            parts += [f'<details id="{anchor}"><summary>{html.escape(section.title)}</summary>', ""]
        else:
            parts += [f'<a id="{anchor}"></a>', "", f"{'#' * min(max(section.level, 2), 6)} {section.title}", ""]
        for block in section.blocks:
            parts += [_markdown_block(block), ""]
        if section.collapsed:
            parts += ["</details>", ""]
    return "\n".join(parts)


def _markdown_block(block: Block) -> str:
    if isinstance(block, Text):
        return block.text
    if isinstance(block, Image) or (isinstance(block, Video) and Path(block.path).suffix.lower() == ".gif"):
        return f"![{_md_cell(block.caption)}]({Path(block.path).name})"
    if isinstance(block, Video):
        return f"[video: {_md_cell(block.caption)}]({Path(block.path).name})"
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
