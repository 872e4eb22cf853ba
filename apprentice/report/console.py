"""The rich console for tables: full width in a terminal, 120 columns when piped or logged."""

from __future__ import annotations

import sys

from rich.console import Console


def make_console() -> Console:
    """A console that does not squeeze tables into 80 columns when stdout is not a terminal."""
    return Console() if sys.stdout.isatty() else Console(width=120)
