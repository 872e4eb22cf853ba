"""``--help`` as a terminal shows it: the docstrings' reStructuredText markup taken out.

tyro builds each option's help from its field's docstring, written for the Python API with
``literal`` and ``:func:`name``` markup. :func:`readable_help` drops the double backticks and
the roles from the printed help; each line keeps its width (the spaces go before the panel's
right border), so rich's boxes stay closed.
"""

from __future__ import annotations

import re

MARKUP = re.compile(r"``|:(?:func|class|mod|meth|attr|data|obj):")
"""Double backticks and the Sphinx roles the docstrings use (the role's single backticks stay)."""

ANSI_STYLE = re.compile(r"\x1b\[[0-9;]*m")
"""A terminal colour code (zero width on screen)."""

BORDERS = ("│", "|")
"""The right border of a help panel, as rich draws it in Unicode or in ASCII."""


def readable_help(text: str) -> str:
    """``text`` (tyro's help) without docstring markup, every line as wide as before."""
    return "\n".join(_readable_line(line) for line in text.split("\n"))


def _readable_line(line: str) -> str:
    cleaned = MARKUP.sub("", line)
    removed = len(line) - len(cleaned)
    if not removed:
        return line
    if not ANSI_STYLE.sub("", cleaned).rstrip().endswith(BORDERS):
        return cleaned
    border = max(cleaned.rfind(mark) for mark in BORDERS)
    return cleaned[:border] + " " * removed + cleaned[border:]
