"""``apprentice theory shift`` end to end on a tiny config (``--json``, results.json, the PNG)."""

from __future__ import annotations

import pytest

from apprentice.cli import main
from tests.test_cli_theory import check_written, last_json


def test_shift_command(tmp_path, capsys):
    out = tmp_path / "shift"
    argv = ["theory", "shift", "--out", str(out), "--horizon", "12", "--n-mdps", "2", "--json"]
    assert main(argv) == 0
    result = last_json(capsys)
    assert {"tightrope", "chain", "summaries", "random_tv_over_eps_t", "all_bounds_hold", "seconds"} <= set(result)
    assert result["all_bounds_hold"]
    assert len(result["tightrope"]["tv"]) == 12 and result["tightrope"]["epsilon"] == pytest.approx(0.01)
    assert [s["family"] for s in result["summaries"]][:2] == ["tightrope, BC", "Ross-Bagnell chain"]
    check_written(out, result, "shift.png")
