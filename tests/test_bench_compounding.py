"""The canonical compounding study, seeded: BC ~ H^2, DAgger ~ H, BC ~ 1/N (learning tier)."""

import json

import pytest

from apprentice.bench.compounding import CompoundingConfig, run_compounding


@pytest.fixture(scope="module")
def canonical(tmp_path_factory):
    out_dir = tmp_path_factory.mktemp("compounding")
    return run_compounding(CompoundingConfig(out=str(out_dir)), progress=False), out_dir


def test_fitted_exponents_match_theory(canonical):
    results, _ = canonical
    exponents = results["exponents"]
    assert abs(exponents["bc_vs_horizon"]["exponent"] - 2.0) < 0.2
    assert abs(exponents["dagger_vs_horizon"]["exponent"] - 1.0) < 0.2
    assert abs(exponents["bc_vs_demos"]["exponent"] + 1.0) < 0.2
    for fit in exponents.values():
        assert fit["ci_low"] <= fit["exponent"] <= fit["ci_high"]
    # The two horizon exponents are far apart, not two noisy estimates of one number.
    assert exponents["bc_vs_horizon"]["ci_low"] > exponents["dagger_vs_horizon"]["ci_high"] + 0.5


def test_study_checks_theory_on_its_own_policies(canonical):
    results, _ = canonical
    assert results["worst_case"]["max_relative_error"] < 1e-9
    sweep = results["horizon_sweep"]
    assert sweep["bounds_hold"]
    costs_bc, costs_dagger = sweep["bc"]["mean_cost"], sweep["dagger"]["mean_cost"]
    assert all(b > d for b, d in zip(costs_bc, costs_dagger))
    # BC's mistakes on its own states grow with H; that is the compounding.
    eps_on = sweep["bc"]["mean_on_policy_epsilon"]
    assert eps_on[-1] > 10 * eps_on[0]


def test_writes_json_and_png(canonical):
    results, out_dir = canonical
    saved = json.loads((out_dir / "results.json").read_text())
    assert saved == json.loads(json.dumps(results))
    assert (out_dir / results["plot"]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not list(out_dir.glob(".*.tmp"))


def test_config_rejects_settings_that_cannot_be_fitted():
    with pytest.raises(ValueError, match="per_state_error must be in \\(0, 1\\)"):
        CompoundingConfig(per_state_error=0.0)
    with pytest.raises(ValueError, match="horizons needs >= 2 positive values"):
        CompoundingConfig(horizons=(100,))
