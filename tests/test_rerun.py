"""Run directories read back: ``load_config``, the command line rebuilt from ``config.json``, and
``apprentice rerun`` reproducing a run's final metrics at the same seed."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from apprentice.cli import main, parse
from apprentice.cli.base import run_config
from apprentice.cli.collect import training_command
from apprentice.runs import load_config, read_metrics

TIMING = ("seconds", "minutes")


def last_json(capsys) -> dict:
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def without_timings(row: dict) -> dict:
    return {k: v for k, v in row.items() if k != "out" and not any(word in k for word in TIMING)}


@pytest.mark.parametrize(
    "name,argv",
    [
        ("train ppo", ["--env", "CartPole-v1", "--no-anneal-lr", "--hidden-sizes", "32", "32", "--seed", "3"]),
        ("train ppo", ["--env", "CartPole-v1"]),  # anneal_lr True: the flag tyro rejected as `--anneal-lr True`
        ("train sac", ["--env", "Pendulum-v1", "--target-entropy-per-dim", "-1.5", "--update-every", "8"]),
        (  # SQIL's two learners share field names, so each keeps its prefix
            "train sqil",
            ["--demos", "d.npz", "--demo-fraction", "0.25", "--soft-q.alpha", "0.5", "--sac.update-every", "8"],
        ),
        (
            "train dagger",
            ["--env", "CartPole-v1", "--warm-start", "--hidden-sizes", "16", "--beta-schedule", "constant"],
        ),
        (  # nested configs that share field names keep their prefixes (cli.base.NESTED_PREFIXES)
            "train preference-rl",
            [
                "--env",
                "CartPole-v1",
                "--soft-labels",
                "--held-out-fraction",
                "0.25",
                "--reward-model.no-soft-labels",
                "--reward-model.learning-rate",
                "0.01",
                "--reward-model.hidden-sizes",
                "8",
                "--ppo.learning-rate",
                "0.002",
                "--ppo.no-anneal-lr",
                "--ppo.network.hidden-sizes",
                "16",
                "16",
            ],
        ),
    ],
)
def test_the_command_rebuilt_from_config_json_parses_to_the_same_arguments(name, argv):
    args = parse(name, ["--out", "first", *argv])
    config = json.loads(json.dumps(run_config(name, args, algorithm=name.split()[1], env_id=args.env)))
    command = training_command(config, args.env, out="second")
    words = shlex.split(command)
    assert words[:3] == ["apprentice", *name.split()]
    again = parse(name, words[3:])
    assert again == type(args)(**{**vars(args), "out": "second"})


def test_a_config_json_from_before_the_env_key_still_rebuilds():
    config = {
        "command": "train ppo",
        "algorithm": "ppo",
        "env_id": "CartPole-v1",
        "seed": 0,
        "config": {"anneal_lr": True, "normalize_obs": False, "hidden_sizes": [64, 64], "total_steps": 2048},
    }
    again = parse("train ppo", shlex.split(training_command(config, "CartPole-v1"))[3:])
    assert again.env == "CartPole-v1" and again.config.anneal_lr and not again.config.normalize_obs
    assert again.config.network.hidden_sizes == (64, 64) and again.config.total_steps == 2048


def _rerun_and_compare(run, tmp_path, capsys) -> dict:
    original = json.loads((run / "result.json").read_text())
    assert main(["rerun", str(run), "--out", str(tmp_path / "again"), "--json"]) == 0
    rerun = last_json(capsys)
    assert rerun["rerun_of"] == str(run) and rerun["identical_final_metrics"] and rerun["differences"] == []
    assert without_timings(json.loads((tmp_path / "again" / "result.json").read_text())) == without_timings(original)
    assert without_timings(read_metrics(tmp_path / "again")[-1]) == without_timings(read_metrics(run)[-1])
    first, second = load_config(run), load_config(tmp_path / "again")
    assert first == second  # the output folder is not part of what is recorded
    return rerun


def test_rerun_train_bc_reproduces_its_final_metrics(tmp_path, capsys):
    demos = tmp_path / "demos.npz"
    assert main(["collect", "--env", "CartPole-v1", "--episodes", "2", "--out", str(demos)]) == 0
    run = tmp_path / "bc"
    assert (
        main(
            [
                "train",
                "bc",
                "--demos",
                str(demos),
                "--out",
                str(run),
                "--n-epochs",
                "3",
                "--hidden-sizes",
                "16",
                "--validation-fraction",
                "0.5",
                "--eval-episodes",
                "2",
                "--seed",
                "7",
            ]
        )
        == 0
    )
    capsys.readouterr()
    rerun = _rerun_and_compare(run, tmp_path, capsys)
    assert rerun["epochs_run"] == 3 and "mean_return" in rerun


def test_rerun_train_dagger_reproduces_its_final_metrics(tmp_path, capsys):
    run = tmp_path / "dagger"
    assert (
        main(
            [
                "train",
                "dagger",
                "--env",
                "CartPole-v1",
                "--out",
                str(run),
                "--initial-labels",
                "100",
                "--steps-per-round",
                "100",
                "--n-rounds",
                "1",
                "--eval-episodes",
                "2",
                "--n-epochs",
                "2",
                "--hidden-sizes",
                "16",
                "--seed",
                "5",
            ]
        )
        == 0
    )
    capsys.readouterr()
    rerun = _rerun_and_compare(run, tmp_path, capsys)
    assert rerun["rounds"] == 2


def test_rerun_train_ppo_reproduces_its_final_metrics(tmp_path, capsys):
    run = tmp_path / "ppo"
    assert (
        main(
            [
                "train",
                "ppo",
                "--env",
                "CartPole-v1",
                "--out",
                str(run),
                "--total-steps",
                "1024",
                "--backend",
                "jax",
                "--no-anneal-lr",
                "--eval-episodes",
                "2",
                "--seed",
                "2",
            ]
        )
        == 0
    )
    capsys.readouterr()
    rerun = _rerun_and_compare(run, tmp_path, capsys)
    assert rerun["env_steps"] == 1024


def test_train_preference_rl_writes_a_run_that_reruns_and_reports(tmp_path, capsys):
    from apprentice.cli.report import ReportArgs, report

    run = tmp_path / "preference-rl"
    tiny = ["--n-rounds", "1", "--n-comparisons", "8", "--segment-length", "10", "--rollout-steps", "100"]
    tiny += ["--held-out-fraction", "0.25", "--reward-model.n-epochs", "2", "--reward-model.batch-size", "8"]
    tiny += ["--reward-model.hidden-sizes", "8", "--ppo.total-steps", "128", "--ppo.n-envs", "4"]
    tiny += ["--ppo.n-steps", "16", "--ppo.n-epochs", "1", "--ppo.n-minibatches", "1", "--ppo.eval-episodes", "2"]
    tiny += ["--ppo.network.hidden-sizes", "8", "--ppo.backend", "gymnasium"]
    argv = ["train", "preference-rl", "--env", "CartPole-v1", "--out", str(run), *tiny, "--seed", "4", "--json"]
    assert main(argv) == 0
    trained = last_json(capsys)
    assert trained["algorithm"] == "preference-rl" and trained["rounds"] == 1 and trained["n_comparisons"] == 8
    assert trained["env_steps"] == 100 + 128  # round 0: random segments only, then PPO's steps
    assert {p.name for p in run.iterdir()} >= {
        "config.json",
        "metrics.jsonl",
        "result.json",
        "policy.eqx",
        "reward.eqx",
    }
    recorded = load_config(run)
    assert recorded["config"]["ppo"]["total_steps"] == 128 and recorded["config"]["reward_model"]["n_epochs"] == 2
    rerun = _rerun_and_compare(run, tmp_path, capsys)
    assert "--reward-model.n-epochs 2" in rerun["command"] and "--ppo.total-steps 128" in rerun["command"]
    shown = report(ReportArgs(run_dirs=(str(run),), out=str(tmp_path / "report")))
    assert shown["runs"][0]["command"] == "train preference-rl" and shown["runs"][0]["kind"] == "training"
    html = Path(shown["html"]).read_text()
    assert "x-axis round" in html and "eval_return" in html
    assert "Summary on CartPole-v1" in html  # the summary's figure first, then the run's two
    assert html.count('<img src="data:image/png;base64,') == 3  # summary; returns and scores, other


def test_load_config_names_the_folder_without_config_json(tmp_path):
    with pytest.raises(ValueError, match="expected a run directory with config.json"):
        load_config(tmp_path)
