"""``apprentice theory range-q`` end to end on a tiny config (``--json``, results.json, the PNG)."""

from __future__ import annotations

import pytest

from apprentice.cli import main
from tests.test_cli_theory import check_written, last_json


def test_range_q_command(tmp_path, capsys):
    out = tmp_path / "rq"
    argv = ["theory", "range-q", "--out", str(out), "--horizons", "6", "--concentrations", "1.0", "--n-mdps", "2",
            "--json"]  # fmt: skip
    assert main(argv) == 0
    result = last_json(capsys)
    assert {"rows", "tight_cases", "all_bounds_hold", "max_identity_gap", "seconds"} <= set(result)
    assert result["all_bounds_hold"] and result["max_identity_gap"] < 1e-9
    bandit = result["tight_cases"][0]
    assert bandit["gap"] == pytest.approx(bandit["range_q_bound"], rel=1e-9)
    assert bandit["h2_bound"] == pytest.approx(6 * bandit["range_q_bound"], rel=1e-9)
    assert {row["family"] for row in result["rows"]} == {"random MDPs, concentration 1", "tightrope, BC"}
    check_written(out, result, "range_q.png")
