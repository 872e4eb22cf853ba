"""``apprentice theory policy-iteration`` end to end on a tiny config, and the theory configs' checks
(``theory shift`` and ``theory range-q``: ``test_cli_theory_shift.py``, ``test_cli_theory_range_q.py``;
one file each, so every file stays under 10 s of the shared 2-core machine)."""

from __future__ import annotations

import json

import pytest

from apprentice.bench.theory_configs import PolicyIterationConfig, RangeQConfig, ShiftConfig
from apprentice.cli import main

PNG = b"\x89PNG\r\n\x1a\n"


def last_json(capsys) -> dict:
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def check_written(out, result: dict, plot: str) -> None:
    assert result["plot"] == plot
    assert (out / plot).read_bytes()[:8] == PNG
    assert json.loads((out / "results.json").read_text()) == result
    assert not list(out.glob(".*.tmp"))


def test_policy_iteration_command(tmp_path, capsys):
    out = tmp_path / "pi"
    argv = ["theory", "policy-iteration", "--out", str(out), "--n-mdps", "2", "--n-states", "4", "--n-actions", "2",
            "--gammas", "0.9", "0.99", "--concentrations", "1.0", "--json"]  # fmt: skip
    assert main(argv) == 0
    result = last_json(capsys)
    assert {"groups", "max_abs_gap", "min_improvement", "identity_holds", "monotone", "examples", "seconds"} <= set(
        result
    )
    assert result["identity_holds"] and result["monotone"] and result["max_abs_gap"] < 1e-9
    assert [group["gamma"] for group in result["groups"]] == [0.9, 0.99]
    assert result["groups"][0]["max_distance_to_optimum"] < 1e-9
    check_written(out, result, "policy_iteration.png")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: PolicyIterationConfig(gammas=(1.0,)), "--gammas: expected values in"),
        (lambda: ShiftConfig(per_state_error=0.0), "--per-state-error: expected a value in"),
        (lambda: RangeQConfig(horizons=()), "--horizons: expected at least one value"),
        (lambda: RangeQConfig(n_mdps=0), "--n-mdps: expected an integer >= 1"),
    ],
)
def test_configs_refuse_values_out_of_range(make, message):
    with pytest.raises(ValueError, match=message):
        make()
