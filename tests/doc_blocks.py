"""The code blocks of the README and ``docs/``, as the doc tests run them.

A fenced block of ``python`` or ``bash`` is run; a ``console`` block (a transcript: commands after
``$ `` and their output) is not run, but its ``apprentice`` commands are parsed, as are those of
every shell block that is skipped, so no documented flag can go stale. Other languages (``text``)
are left alone. An HTML comment on the line before a block, invisible on the
rendered page, can change how it runs:

- ``<!-- doc-test: skip REASON -->``: not run (the reason is required and shown by pytest);
- ``<!-- doc-test: replace OLD => NEW; OLD2 => NEW2 -->``: the block runs with these text
  replacements, to give it a small budget (``n_episodes=10 => n_episodes=2``);
- ``<!-- doc-test: flags --n-epochs 2 -->``: appended to every ``apprentice`` command of a shell block.

The Python blocks of one page run in order in one interpreter (a reader pastes them into one
session); its shell blocks run in order in one working directory.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

FENCE = re.compile(r"^```(\w*)\s*$")
DIRECTIVE = re.compile(r"^<!--\s*doc-test:\s*(skip|replace|flags)\b\s*(.*?)\s*-->\s*$")
RUN_LANGUAGES = {"python": "python", "bash": "shell", "sh": "shell", "console": "console"}


@dataclass(frozen=True)
class Block:
    page: Path
    line: int
    """1-based line of the opening fence."""
    kind: str
    """``python`` or ``shell``."""
    code: str
    skip: str = ""
    """Why the block is not run ("" when it runs)."""

    @property
    def where(self) -> str:
        return f"{self.page.name}:{self.line}"

    def apprentice_commands(self) -> list[list[str]]:
        """The arguments after ``apprentice`` of each command in a shell or console block
        (continuation lines joined; comments, pipes and a console's output left out)."""
        lines = self.code.replace("\\\n", " ").splitlines()
        if self.kind == "console":
            lines = [line[2:] for line in lines if line.startswith("$ ")]
        commands = []
        for line in lines:
            for part in re.split(r";|&&|\|\||\|", line.split("  #")[0]):
                words = shlex.split(part, comments=True)
                if words[:1] == ["apprentice"]:
                    commands.append(words[1:])
        return commands


def blocks(page: Path) -> list[Block]:
    """The runnable blocks of ``page`` with their directives applied."""
    lines = page.read_text().splitlines()
    found: list[Block] = []
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening or not opening.group(1):
            i += 1
            continue
        end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
        kind = RUN_LANGUAGES.get(opening.group(1))
        if kind is not None:
            code = "\n".join(lines[i + 1 : end]) + "\n"
            directive = DIRECTIVE.match(lines[i - 1]) if i else None
            found.append(_directed(Block(page, i + 1, kind, code), directive))
        i = end + 1
    return found


def _directed(block: Block, directive: re.Match | None) -> Block:
    if directive is None:
        return block
    verb, rest = directive.groups()
    if verb == "skip":
        if not rest:
            raise ValueError(f"{block.where}: doc-test skip needs a reason")
        return Block(block.page, block.line, block.kind, block.code, skip=rest)
    code = block.code
    if verb == "replace":
        for pair in rest.split(";"):
            old, sep, new = pair.partition("=>")
            if not sep or old.strip() not in code:
                raise ValueError(f"{block.where}: doc-test replace {old.strip()!r} matches nothing in the block")
            code = code.replace(old.strip(), new.strip())
    else:  # flags
        code = "\n".join(_with_flags(line, rest) for line in code.splitlines()) + "\n"
    return Block(block.page, block.line, block.kind, code)


def _with_flags(line: str, flags: str) -> str:
    command, hash_, comment = line.partition("  #")
    if not command.lstrip().startswith("apprentice "):
        return line
    return f"{command.rstrip()} {flags}" + (f"  #{comment}" if hash_ else "")
