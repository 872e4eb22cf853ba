"""Mistakes on the command line as one line: unknown commands with a suggestion, and tyro's
boxed parse errors (an unknown or missing flag, a bad value) condensed to what they say.

tyro reports a parse error as a panel of 10 or more lines on stderr (a title, the message, the
help of the flags involved, a pointer to ``--help``). :func:`parse_quietly` runs tyro with its
stderr captured and, when it exits with an error, prints ``apprentice COMMAND: error: MESSAGE``
instead: the panel's message, with the flags it suggests as ``did you mean``. The help of a
command still goes to stdout untouched.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import re
import sys
from collections.abc import Callable, Iterable
from typing import Any

from apprentice.cli.help_text import readable_help

SIDES = "│|┃ "
"""What frames a panel's line: its sides (Unicode, or ASCII where the console cannot draw boxes)."""
RULE = re.compile(r"[─━\-=]{3,}")
TITLE = re.compile(r"^[╭+┏][─━\-]+ (.*?) [─━\-]+[╮+┓]$")


def parse_quietly(prog: str, parse: Callable[[], Any]) -> Any:
    """``parse()`` (a call of ``tyro.cli``); on a parse error, one line on stderr and exit 2; the
    help of ``--help`` without docstring markup (:func:`~apprentice.cli.help_text.readable_help`)."""
    captured, printed = io.StringIO(), _StdoutCapture(sys.stdout)
    try:
        with contextlib.redirect_stderr(captured), contextlib.redirect_stdout(printed):
            parsed = parse()
    except SystemExit as exit_info:
        if exit_info.code in (0, None):
            sys.stdout.write(readable_help(printed.getvalue()))
            sys.stderr.write(captured.getvalue())
            raise
        print(f"{prog}: error: {condensed(captured.getvalue())} ({prog} --help lists the options)", file=sys.stderr)
        raise SystemExit(2) from None
    sys.stdout.write(printed.getvalue())
    return parsed


class _StdoutCapture(io.StringIO):
    """Holds what is printed, and looks like the stdout it replaces to rich (a terminal gets colours and boxes)."""

    def __init__(self, stdout: Any) -> None:
        super().__init__()
        self._stdout = stdout

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._stdout, "encoding", None) or "utf-8"

    def isatty(self) -> bool:
        return self._stdout.isatty()

    def fileno(self) -> int:
        return self._stdout.fileno()


def condensed(panel: str) -> str:
    """The message of one of tyro's error panels on one line."""
    sections = _sections(panel)
    if not sections:
        return "could not parse the arguments"
    title, *body = sections[0]
    message = " ".join(body) or title
    if title.startswith("Required options"):
        flags = [line.split()[0] for line in body if line.startswith("--")]
        message = f"missing {', '.join(flags)}" if flags else message
    message = re.sub(r"^Error parsing (?!--)[\w.\[\], ]+?: ", "", message)  # the dataclass that raised
    message = message[:1].lower() + message[1:]
    for lines in sections[1:]:
        if lines[0] == "Unrecognized options:":
            message += f"; unrecognized options: {', '.join(lines[1:])}"
        if lines[0].startswith("Perhaps you meant"):
            suggestions = [line.split()[0] for line in lines[1:] if line.startswith("--")]
            if suggestions:
                message += f"; did you mean {' or '.join(dict.fromkeys(suggestions))}?"
    return message


def _sections(panel: str) -> list[list[str]]:
    """The panel's text lines, cut into sections at its horizontal rules (the first holds the title)."""
    sections: list[list[str]] = [[]]
    for raw in panel.splitlines():
        stripped = raw.strip()
        title = TITLE.match(stripped)
        inner = title.group(1) if title else " ".join(stripped.strip(SIDES).split())
        if RULE.fullmatch(inner) or re.fullmatch(r"[╰└+][─━\-]*[╯┘+]", stripped):
            sections.append([])
        elif inner:
            sections[-1].append(inner)
    return [
        lines for lines in sections if lines and not lines[0].startswith(("For full helptext", "Argument helptext"))
    ]


def unknown_command(words: list[str], known: Iterable[str]) -> str:
    """The one-line error for ``apprentice WORDS...`` that names no command, with the closest ones."""
    known = list(known)
    first_words = sorted({name.split()[0] for name in known})
    if words[0] in first_words:  # "train bcc": the group exists, its member does not
        group = [name for name in known if name.split()[0] == words[0]]
        given = " ".join(words[:2])
        close = difflib.get_close_matches(given, group, n=2, cutoff=0.6)
        if len(words) < 2 or words[1].startswith("-"):
            members = ", ".join(name.split(maxsplit=1)[1] for name in group)
            return f"apprentice {words[0]}: expected one of {members}"
        hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        return f"apprentice: unknown command {given!r}{hint} (apprentice --help lists the commands)"
    close = difflib.get_close_matches(words[0], first_words, n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    return f"apprentice: unknown command {words[0]!r}{hint} (apprentice --help lists the commands)"
