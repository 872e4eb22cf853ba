"""The per-env JSON files a multi-env suite writes into its ``--out`` folder, read back for ``--plot-only``.

Each suite (``bench irl``, ``bench returns``, ``bench sqil``, ``bench observations-only``) writes one
``<env>.json`` per env it ran, so envs can run in separate processes; its summary merges them
into ``results.json``, which is never read back as an env's file.
"""

from __future__ import annotations

import json
from pathlib import Path


def per_env_payloads(out: Path, suite: str = "") -> list[dict]:
    """The JSON objects of ``out/*.json`` but ``results.json``, in file-name order; a one-line error
    when there is none (``suite``, e.g. ``"bench returns"``, names the runs it expected)."""
    files = [f for f in sorted(out.glob("*.json")) if f.name != "results.json"]
    if not files:
        runs = f"earlier runs of {suite}" if suite else "earlier runs"
        raise ValueError(f"{out}: expected per-env JSON files from {runs}, found none")
    return [json.loads(f.read_text()) for f in files]


def per_env_rows(out: Path) -> list[dict]:
    """The ``rows`` of every per-env file of ``out``, concatenated in file-name order."""
    return [row for payload in per_env_payloads(out) for row in payload["rows"]]
