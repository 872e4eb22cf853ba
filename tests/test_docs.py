"""Every Python and shell block of the README and ``docs/`` runs as written (with the small
budgets its ``doc-test`` comment gives; see ``tests/doc_blocks.py``), so no page can rot."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.doc_blocks import blocks

REPO_ROOT = Path(__file__).resolve().parents[1]
PAGES = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]

RUN_BLOCKS = """
import json, sys
namespace = {"__name__": "__main__"}
for where, code in json.loads(sys.stdin.read()):
    exec(compile(code, where, "exec"), namespace)
"""
"""Runs the blocks of one page in one namespace; a traceback names the page and line of its block."""

SHELL_PRELUDE = 'set -euo pipefail\napprentice() { "$PYTHON" -m apprentice.cli "$@"; }\n'


def page_env(tmp_path: Path) -> dict[str, str]:
    """This checkout on the path; user data, Minari datasets and plots kept inside ``tmp_path``."""
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")]),
        "APPRENTICE_DATA_DIR": str(tmp_path / "data"),
        "MINARI_DATASETS_PATH": str(tmp_path / "minari"),
        "MPLBACKEND": "Agg",
        "PYTHON": sys.executable,
    }


def report(proc: subprocess.CompletedProcess) -> str:
    return f"exit {proc.returncode}\n--- stdout (end)\n{proc.stdout[-3000:]}\n--- stderr (end)\n{proc.stderr[-3000:]}"


def runnable(page: Path, kind: str) -> list:
    found = [block for block in blocks(page) if block.kind == kind]
    if not found:
        pytest.skip(f"{page.name} has no {kind} block")
    ran = [block for block in found if not block.skip]
    if not ran:
        pytest.skip("; ".join(f"{block.where}: {block.skip}" for block in found))
    return ran


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_python_blocks_run(page, tmp_path):
    ran = runnable(page, "python")
    payload = json.dumps([[block.where, block.code] for block in ran])
    proc = subprocess.run(
        [sys.executable, "-c", RUN_BLOCKS],
        input=payload,
        cwd=tmp_path,
        env=page_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, report(proc)


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_shell_blocks_run(page, tmp_path):
    ran = runnable(page, "shell")
    script = SHELL_PRELUDE + "".join(f"# {block.where}\n{block.code}" for block in ran)
    proc = subprocess.run(
        ["bash", "-c", script], cwd=tmp_path, env=page_env(tmp_path), capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, report(proc)


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_documented_command_parses(page):
    """The commands of console transcripts and of skipped shell blocks are not run, but each must
    name a command and parse (flags that exist, values in range) as a user typing it would see."""
    from apprentice.cli import match_command, parse

    shown = [block for block in blocks(page) if block.kind == "console" or (block.kind == "shell" and block.skip)]
    commands = [(block.where, argv) for block in shown for argv in block.apprentice_commands()]
    if not commands:
        pytest.skip(f"{page.name} shows no command that is not run")
    for where, argv in commands:
        name, rest = match_command(argv)
        assert name is not None, f"{where}: apprentice {' '.join(argv)} names no command"
        try:
            parse(name, rest)
        except SystemExit as error:
            raise AssertionError(f"{where}: apprentice {' '.join(argv)} does not parse") from error


def test_a_skip_needs_a_reason_and_a_replacement_must_match(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("<!-- doc-test: skip -->\n```python\nprint(1)\n```\n")
    with pytest.raises(ValueError, match="skip needs a reason"):
        blocks(page)
    page.write_text("<!-- doc-test: replace n=10 => n=2 -->\n```python\nprint(1)\n```\n")
    with pytest.raises(ValueError, match="matches nothing"):
        blocks(page)
    page.write_text("<!-- doc-test: flags --n-epochs 2 -->\n```bash\napprentice train bc --out r  # note\nls\n```\n")
    (block,) = blocks(page)
    assert block.code == "apprentice train bc --out r --n-epochs 2  # note\nls\n"
