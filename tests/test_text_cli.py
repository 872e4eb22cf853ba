"""The language commands end to end on a tiny model: next-token, reward model, DPO, IPO, RLHF and the bench.
The training commands run through ``tests/silence.run_timed``: none is silent on stderr for long."""

from __future__ import annotations

import json

import pytest

from apprentice.cli import main
from apprentice.policies.transformer_io import LANGUAGE_MODEL, load_text_model, save_text_model
from tests.silence import assert_never_silent_for_long, run_timed

TINY_MODEL = ["--d-model", "32", "--n-layers", "1", "--n-heads", "2", "--n-steps", "40", "--eval-interval", "20",
              "--warmup-steps", "5", "--batch-size", "8"]  # fmt: skip
TINY_PAIRS = ["--n-steps", "4", "--eval-interval", "2", "--batch-size", "8"]


def last_json(capsys) -> dict:
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def base(tmp_path_factory, language_model):
    """The session's trained language model, saved as a run directory (its samples have sentiment words)."""
    out = tmp_path_factory.mktemp("text") / "base"
    save_text_model(out, language_model.model, language_model.model, language_model.vocab, LANGUAGE_MODEL)
    return out


def test_next_token_run_directory(tmp_path, monkeypatch):
    out = tmp_path / "base"
    assert_never_silent_for_long(run_timed(monkeypatch, ["train", "next-token", "--out", str(out), *TINY_MODEL]))
    result = json.loads((out / "result.json").read_text())
    assert json.loads((out / "language_model.json").read_text())["kind"] == "language_model"
    assert result["validation_loss"] < result["unigram_entropy"] and len(result["samples"]) == 4
    assert len((out / "metrics.jsonl").read_text().splitlines()) == 2
    model, vocab = load_text_model(out, LANGUAGE_MODEL)
    assert model.n_parameters() == result["n_parameters"] and vocab.size == 31


@pytest.mark.parametrize("command", ["dpo", "ipo"])
def test_dpo_and_ipo_commands(base, tmp_path, capsys, monkeypatch, command):
    out = tmp_path / command
    argv = [
        "--base",
        str(base),
        "--out",
        str(out),
        "--n-pairs",
        "32",
        "--eval-samples",
        "32",
        *TINY_PAIRS,
        "--json",
    ]
    assert_never_silent_for_long(run_timed(monkeypatch, ["train", command, *argv]))
    result = last_json(capsys)
    assert set(result) >= {"reward", "kl", "reference_reward", "samples"} and result["kl"] >= -1.0
    assert json.loads((out / "config.json").read_text())["command"] == f"train {command}"


def test_reward_model_then_rlhf_on_it(base, tmp_path, capsys, monkeypatch):
    reward_dir = tmp_path / "rm"
    argv = ["--base", str(base), "--out", str(reward_dir), "--n-pairs", "40", *TINY_PAIRS, "--json"]
    assert_never_silent_for_long(run_timed(monkeypatch, ["train", "reward-model", *argv]))
    assert 0.0 <= last_json(capsys)["held_out_accuracy_vs_true_order"] <= 1.0
    argv = ["--base", str(base), "--out", str(tmp_path / "rlhf"), "--reward-model", str(reward_dir),
            "--n-iterations", "3", "--prompts-per-iteration", "2", "--eval-samples", "32", "--json"]  # fmt: skip
    assert_never_silent_for_long(run_timed(monkeypatch, ["train", "rlhf", *argv]))
    assert len((tmp_path / "rlhf" / "metrics.jsonl").read_text().splitlines()) == 3


def test_missing_base_is_one_clear_line(tmp_path, capsys):
    assert main(["train", "dpo", "--base", str(tmp_path / "nothing"), "--out", str(tmp_path / "x")]) == 2
    assert "expected a run directory with language_model.json" in capsys.readouterr().err


@pytest.mark.slow
def test_bench_preferences_writes_results_and_plot(base, tmp_path, capsys):
    argv = ["bench", "preferences", "--base", str(base), "--out", str(tmp_path),
            "--frontier.dpo-betas", "0.5", "--frontier.rlhf-betas", "0.5", "--frontier.n-pairs", "16",
            "--frontier.dpo.n-steps", "2", "--frontier.rlhf.n-iterations", "2", "--frontier.n-eval", "16",
            "--frontier.samples-per-prompt", "2", "--generalization.n-train-pairs", "16", "--generalization.n-test-pairs", "16",
            "--generalization.explicit.n-steps", "2", "--generalization.implicit.n-steps", "2", "--generalization-seeds", "2", "--json"]  # fmt: skip
    assert main(argv) == 0
    result = last_json(capsys)
    assert [p["algorithm"] for p in result["frontier"]["points"]] == ["reference", "DPO", "RLHF"]
    assert (tmp_path / "frontier.png").stat().st_size > 10_000 and (tmp_path / "results.json").is_file()
    generalization = result["generalization"]
    assert len(generalization["runs"]) == 2 and set(generalization["runs"][0]["explicit"]) == {
        "in_distribution",
        "shifted",
        "shifted_changed",
    }
    assert set(generalization["implicit"]) == {
        "in_distribution",
        "shifted",
        "shifted_changed",
        "in_distribution_std",
        "shifted_std",
        "shifted_changed_std",
    }


def test_bench_sampling_draws_the_reference_tokens(capsys):
    argv = ["bench", "sampling", "--n-responses", "4", "--n-new", "6", "--d-model", "16", "--n-layers", "1", "--n-heads", "2",
            "--repeats", "1", "--json"]  # fmt: skip
    assert main(argv) == 0
    result = last_json(capsys)
    assert result["identical_token_fraction"] == 1.0 and result["speedup"] > 0


@pytest.mark.slow
def test_bench_text_compounding_writes_results_and_plot(tmp_path, capsys):
    out = tmp_path / "tc"
    argv = ["bench", "text-compounding", "--out", str(out), "--d-model", "16", "--n-layers", "1", "--n-heads", "2",
            "--n-steps", "4", "--warmup-steps", "1", "--eval-interval", "4", "--batch-size", "4", "--n-samples", "16",
            "--n-groups", "2", "--budgets", "60", "--dagger-rounds", "1", "--comparison-steps", "2",
            "--comparison-seeds", "0", "--eval-samples", "8", "--json"]  # fmt: skip
    assert main(argv) == 0
    result = last_json(capsys)
    assert json.loads((out / "results.json").read_text())["compounding"] == result["compounding"]
    assert (out / "text_compounding.png").stat().st_size > 10_000 and result["corpus_left_by_end"] == 0.0
    c = result["compounding"]
    assert 0.0 < c["teacher_forced_error"] < 1.0 and len(c["left_by"]) == 64
    assert set(result["comparison"]) == {"next-token", "corpus sets", "DAgger"}
    dagger = [row for row in result["comparison_rows"] if row["arm"] == "DAgger"]
    assert dagger[0]["labels"] == 60
