"""Contracts of the command line: --json as the last line, one-line errors, no tracebacks."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import imageio.v3 as iio
import numpy as np
import pytest

from apprentice.cli import COMMANDS, main
from apprentice.envs.seeds import evaluation_seed

REPO_ROOT = Path(__file__).resolve().parents[1]


def run_cli(argv: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """The CLI in a fresh interpreter, importing this checkout whether or not it is installed."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run(
        [sys.executable, "-m", "apprentice.cli", *argv], cwd=cwd, capture_output=True, text=True, env=env
    )


def last_json(capsys) -> dict:
    lines = capsys.readouterr().out.strip().splitlines()
    return json.loads(lines[-1])


def test_collect_train_evaluate_round_trip(tmp_path, capsys):
    demos = tmp_path / "demos.npz"
    assert main(["collect", "--env", "CartPole-v1", "--episodes", "3", "--out", str(demos), "--json"]) == 0
    collected = last_json(capsys)
    assert collected["n_episodes"] == 3 and collected["mean_return"] > 400
    run = tmp_path / "run"
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
                "32",
                "--eval-episodes",
                "2",
                "--json",
            ]
        )
        == 0
    )
    trained = last_json(capsys)
    assert trained["epochs_run"] == 3 and "mean_return" in trained
    assert {p.name for p in run.iterdir()} >= {
        "config.json",
        "metrics.jsonl",
        "result.json",
        "policy.json",
        "policy.eqx",
    }
    config = json.loads((run / "config.json").read_text())
    assert config["config"]["network"]["hidden_sizes"] == [32] and config["seed"] == 0
    assert main(["evaluate", "--policy", str(run), "--episodes", "4", "--json"]) == 0
    evaluation = last_json(capsys)
    assert set(evaluation) >= {"mean_return", "std_return", "normalized_score", "disagreement_rate"}
    assert (
        len(evaluation["returns"]) == 4 and evaluation["seed"] == evaluation_seed()
    )  # the default: no collection's seed
    video = tmp_path / "episode.gif"
    assert main(["evaluate", "--policy", str(run), "--episodes", "2", "--video", str(video), "--json"]) == 0
    recorded = last_json(capsys)
    assert recorded["video"] == str(video) and recorded["video_return"] == recorded["returns"][0]
    frames = iio.imread(video, index=None)
    assert recorded["video_frames"] == recorded["lengths"][0] + 1  # the reset frame and one per step
    assert 2 <= frames.shape[0] <= recorded["video_frames"] and frames.shape[-1] == 3  # Pillow merges repeats
    assert frames.std() > 0 and not np.array_equal(frames[0], frames[-1])


def test_evaluate_refuses_an_env_with_other_spaces(tmp_path, capsys):
    demos = tmp_path / "demos.npz"
    main(["collect", "--env", "CartPole-v1", "--episodes", "2", "--out", str(demos)])
    main(
        [
            "train",
            "bc",
            "--demos",
            str(demos),
            "--out",
            str(tmp_path / "run"),
            "--n-epochs",
            "1",
            "--eval-episodes",
            "0",
        ]
    )
    capsys.readouterr()
    assert main(["evaluate", "--policy", str(tmp_path / "run"), "--env", "Pendulum-v1"]) == 2
    error = capsys.readouterr().err.strip()
    assert error.count("\n") == 0 and "observations float32(4,)" in error and "Pendulum-v1" in error
    assert main(["evaluate", "--policy", str(tmp_path / "run"), "--video", str(tmp_path / "e.avi")]) == 2
    assert capsys.readouterr().err.strip() == (
        f"apprentice evaluate: error: --video {tmp_path / 'e.avi'}: expected a file ending in .gif or .mp4, got '.avi'"
    )


@pytest.mark.parametrize(
    "argv,expected",
    [
        (["train", "bc", "--demos", "missing.npz", "--out", "x"], "no such file"),
        (["collect", "--env", "NoSuchEnv-v0", "--out", "x.npz"], "expected a registered Gymnasium id"),
        (["evaluate", "--policy", str(Path("/")), "--episodes", "1"], "expected a saved policy"),
        (["collect", "--env", "CartPole-v1"], "expected --out"),
        (["rerun", "nowhere"], "expected a run directory with config.json"),
    ],
)
def test_bad_input_is_one_line_without_traceback(tmp_path, argv, expected):
    proc = run_cli(argv, tmp_path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().count("\n") == 0, proc.stderr
    assert expected in proc.stderr


@pytest.mark.parametrize(
    "argv,expected",
    [
        (["trian", "bc"], "apprentice: unknown command 'trian'; did you mean 'train'?"),
        (["train", "bcc"], "apprentice: unknown command 'train bcc'; did you mean 'train bc'"),
        (["train"], "apprentice train: expected one of bc, dagger"),
        (["train", "bc", "--demos", "d.npz", "--out", "r", "--n-epoch", "3"], "did you mean --n-epochs?"),
        (
            ["train", "bc", "--demos", "d.npz", "--out", "r", "--n-epochs", "0"],
            "--n-epochs: expected an integer >= 1, got 0",
        ),
        (["train", "bc", "--demos", "d.npz", "--out", "r", "--n-epochs", "-1"], "--n-epochs: expected an integer >= 1"),
        (
            ["train", "bc", "--demos", "d.npz", "--out", "r", "--learning-rate", "-1"],
            "--learning-rate: expected a value >= 0",
        ),
        (
            ["train", "dagger", "--env", "Pendulum-v1", "--out", "r", "--label-budget", "-5"],
            "--label-budget: expected an integer >= 0, got -5",
        ),
        (["train", "bc", "--demos", "d.npz"], "missing --out"),
        (
            ["collect", "--env", "CartPole-v1", "--episodes", "-3", "--out", "x.npz"],
            "--episodes: expected an integer >= 1, got -3",
        ),
        (["evaluate", "--policy", "runs/nope"], "--policy runs/nope: no such run directory"),
    ],
)
def test_command_line_mistakes_are_one_line_naming_the_flag(tmp_path, argv, expected):
    proc = run_cli(argv, tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().count("\n") == 0, proc.stderr
    assert expected in proc.stderr
    assert not any(border in proc.stderr for border in "╭│╰")


def test_version_prints_the_installed_version(capsys):
    from importlib.metadata import version

    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"apprentice {version('apprentice')}"


def test_collect_checks_its_output_path_before_collecting(tmp_path, capsys):
    assert main(["collect", "--env", "CartPole-v1", "--episodes", "2", "--out", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert "expected a file such as demos.npz, got a directory" in captured.err
    assert "rollout" not in captured.out + captured.err  # nothing was collected first


def test_an_existing_run_directory_is_replaced_only_with_force(tmp_path, capsys):
    demos, run = tmp_path / "demos.npz", tmp_path / "run"
    main(["collect", "--env", "CartPole-v1", "--episodes", "2", "--out", str(demos)])
    train = ["train", "bc", "--demos", str(demos), "--out", str(run), "--n-epochs", "1", "--eval-episodes", "0"]
    assert main(train) == 0
    (run / "stale.txt").write_text("from the first run")
    capsys.readouterr()
    assert main(train) == 2
    assert "a run directory is already there; expected a new directory, or --force" in capsys.readouterr().err
    assert (run / "stale.txt").exists()
    assert main([*train, "--force"]) == 0
    assert (run / "config.json").exists() and not (run / "stale.txt").exists()
    assert "force" not in json.loads((run / "config.json").read_text())
    other = tmp_path / "notes"
    other.mkdir()
    (other / "keep.txt").write_text("mine")
    capsys.readouterr()
    assert main([*train[:5], str(other), "--n-epochs", "1", "--eval-episodes", "0", "--force"]) == 2
    assert "not a run directory" in capsys.readouterr().err and (other / "keep.txt").exists()


def test_debug_shows_the_traceback(tmp_path):
    proc = run_cli(["evaluate", "--policy", "nowhere", "--debug"], tmp_path)
    assert proc.returncode != 0 and "Traceback" in proc.stderr


def test_demo_data_for_a_mismatched_env_is_refused(tmp_path, capsys):
    demos = tmp_path / "demos.npz"
    main(["collect", "--env", "CartPole-v1", "--episodes", "2", "--out", str(demos)])
    capsys.readouterr()
    assert main(["train", "bc", "--demos", str(demos), "--env", "Acrobot-v1", "--out", str(tmp_path / "r")]) == 2
    assert "differs from the env the demonstrations were recorded in" in capsys.readouterr().err


def test_usage_lists_commands(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    for name in ("collect", "train bc", "evaluate", "demo"):
        assert name in out
    assert main(["frobnicate"]) == 2


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_parses_its_help(name, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([*name.split(), "--help"])
    assert exit_info.value.code == 0
    assert "--json" in capsys.readouterr().out


def test_every_registered_algorithm_has_a_train_command_or_says_why_not():
    from apprentice.algorithms.registry import ALGORITHMS
    from apprentice.cli import TRAINING, WITHOUT_COMMAND

    assert sorted([*TRAINING, *WITHOUT_COMMAND]) == sorted(ALGORITHMS)
    for name in TRAINING:
        assert COMMANDS[f"train {name}"].summary == ALGORITHMS[name].summary


HELP_WITHOUT_JAX = """
import sys
from apprentice.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print("heavy modules imported:", sorted(m for m in ("jax", "equinox", "optax", "matplotlib", "gymnasium") if m in sys.modules))
"""


@pytest.mark.parametrize("name", ["", *sorted(COMMANDS)])  # "": apprentice --help
def test_help_does_not_import_jax(tmp_path, name):
    argv = [*name.split(), "--help"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run(
        [sys.executable, "-c", HELP_WITHOUT_JAX, *argv], cwd=tmp_path, capture_output=True, text=True, env=env
    )
    assert "usage: apprentice" in proc.stdout, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "heavy modules imported: []"


def test_collect_to_minari_and_train_from_it(tmp_path, capsys, minari_root):
    assert (
        main(["collect", "--env", "CartPole-v1", "--episodes", "2", "--minari-id", "apprentice/cli-test-v0", "--json"])
        == 0
    )
    assert "minari_path" in last_json(capsys)
    assert (
        main(
            [
                "train",
                "bc",
                "--demos",
                "minari:apprentice/cli-test-v0",
                "--out",
                str(tmp_path / "run"),
                "--n-epochs",
                "1",
                "--eval-episodes",
                "0",
                "--json",
            ]
        )
        == 0
    )
    assert last_json(capsys)["env_id"] == "CartPole-v1"


@pytest.mark.parametrize("algorithm", ["dagger", "hg-dagger", "dart"])
def test_interactive_training_writes_a_run(tmp_path, capsys, algorithm):
    run = tmp_path / algorithm
    assert (
        main(
            [
                "train",
                algorithm,
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
                "1",
                "--n-epochs",
                "2",
                "--hidden-sizes",
                "16",
                "--json",
            ]
        )
        == 0
    )
    result = last_json(capsys)
    assert result["rounds"] == 2 and result["labels"] >= 100
    rows = (run / "metrics.jsonl").read_text().splitlines()
    assert len(rows) == 2
    assert main(["evaluate", "--policy", str(run), "--episodes", "1"]) == 0


def test_train_ppo_and_sac_write_loadable_run_directories(tmp_path, capsys):
    from apprentice.runs import load_policy

    ppo_run, sac_run = tmp_path / "ppo", tmp_path / "sac"
    assert (
        main(
            [
                "train",
                "ppo",
                "--env",
                "CartPole-v1",
                "--out",
                str(ppo_run),
                "--total-steps",
                "512",
                "--backend",
                "gymnasium",
                "--eval-episodes",
                "2",
                "--json",
            ]
        )
        == 0
    )
    assert last_json(capsys)["env_steps"] == 512
    assert (
        main(
            [
                "train",
                "sac",
                "--env",
                "Pendulum-v1",
                "--out",
                str(sac_run),
                "--total-steps",
                "300",
                "--learning-starts",
                "100",
                "--eval-every",
                "150",
                "--eval-episodes",
                "1",
                "--json",
            ]
        )
        == 0
    )
    result = last_json(capsys)
    assert result["env_steps"] == 300 and result["best_eval_return"] >= result["final_eval_return"]
    for run in (ppo_run, sac_run, sac_run / "best"):
        policy, spec = load_policy(run)
        assert spec.env_id in ("CartPole-v1", "Pendulum-v1")
    assert len((sac_run / "metrics.jsonl").read_text().splitlines()) == 2  # one row per evaluation


def test_train_mce_irl_passes_imitations_check_from_the_command_line(tmp_path, capsys):
    run = tmp_path / "mce"
    assert main(["train", "mce-irl", "--discount", "0.99", "--out", str(run), "--json"]) == 0
    result = last_json(capsys)
    assert result["converged"] and result["occupancy_linf"] <= 1e-3 and result["learner_return"] >= 30.4
    assert json.loads((run / "result.json").read_text()) == result
    rows = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert len(rows) == result["iterations"] and rows[-1]["occupancy_linf"] == result["occupancy_linf"]
    rewards, policy = np.load(run / "rewards.npy"), np.load(run / "policy.npy")
    assert rewards.shape == policy.shape[1:] == (5, 3)  # r(s, a) and pi_t(a|s) on imitation's 5-state MDP
    assert policy.shape[0] == 20 and np.allclose(policy.sum(-1), 1.0)  # one policy per step of H = 20
    assert main(["rerun", str(run), "--out", str(tmp_path / "again"), "--json"]) == 0
    assert last_json(capsys)["identical_final_metrics"]


def test_train_gail_writes_the_discriminator_beside_the_policy(tmp_path, capsys):
    demos = tmp_path / "demos.npz"
    assert main(["collect", "--env", "CartPole-v1", "--episodes", "1", "--out", str(demos)]) == 0
    run = tmp_path / "gail"
    assert (
        main(
            [
                "train",
                "gail",
                "--demos",
                str(demos),
                "--out",
                str(run),
                "--total-steps",
                "1024",
                "--eval-episodes",
                "1",
                "--subsample",
                "20",
                "--json",
            ]
        )
        == 0
    )
    result = last_json(capsys)
    assert result["algorithm"] == "gail" and 0.0 <= result["disc_accuracy_expert"] <= 1.0
    assert result["n_demo_episodes"] == 1 and result["n_expert_samples"] == 25
    assert (run / "discriminator.eqx").stat().st_size > 0
    from apprentice.runs import load_policy

    best, spec = load_policy(run / "best")
    assert spec.env_id == "CartPole-v1" and result["best_eval_return"] is not None


def test_bench_irl_speed_times_both_backends_and_splits_the_jax_compile(capsys):
    assert (
        main(
            [
                "bench",
                "irl-speed",
                "--total-steps",
                "512",
                "--seeds",
                "0",
                "--gymnasium-seeds",
                "0",
                "--eval-episodes",
                "1",
                "--json",
            ]
        )
        == 0
    )
    result = last_json(capsys)
    assert [run["backend"] for run in result["runs"]] == ["jax", "gymnasium"]
    assert all(run["env_steps"] == 512 for run in result["runs"])
    # 2 iterations: compiling the whole loop costs far more than running it.
    assert result["jax_compile_seconds"] > result["jax_run_seconds"] >= 0


def test_a_parse_error_panel_is_condensed_whether_drawn_in_unicode_or_ascii():
    from apprentice.cli.parse_errors import condensed

    unicode_panel = (
        "╭─ Required options ──╮\n│ Missing from p:     │\n│     --out STR       │\n"
        "│ ─────────────────── │\n│ For full helptext   │\n╰─────────────────────╯\n"
    )
    ascii_panel = unicode_panel.translate(str.maketrans("╭╮╰╯│─", "++++|-"))
    assert condensed(unicode_panel) == condensed(ascii_panel) == "missing --out"


def test_the_readme_dagger_command_shares_its_label_budget_among_rounds():
    """`train dagger --label-budget 1000` once parsed round 0's labels as 1000 (the derived value
    of the default config), which left no round after it."""
    from apprentice.cli import parse

    args = parse("train dagger", ["--env", "Pendulum-v1", "--out", "x", "--label-budget", "1000"])
    assert args.config.interactive.schedule == (167, 167)


def test_experts_lists_each_experts_rule_kind_and_view(capsys):
    assert main(["experts", "--json"]) == 0
    listed = last_json(capsys)
    assert listed["CartPole-v1"]["kind"] == "scripted" and "state feedback" in listed["CartPole-v1"]["description"]
    assert listed["Hopper-v5"]["kind"] == "trained"
    assert listed["apprentice/PixelCartPole-v1"]["view"] == "state"


def test_demonstrations_with_a_recorded_spec_build_no_env(tmp_path, monkeypatch):
    from apprentice.cli.collect import load_demos_and_spec
    from apprentice.data import save_trajectories
    from apprentice.envs.spaces import ArraySpace
    from apprentice.envs.spec import EnvSpec
    from tests.conftest import make_trajectories

    spec = EnvSpec(observation=ArraySpace((4,), "float32"), action_kind="discrete", n_actions=2, env_id="CartPole-v1")
    demos = tmp_path / "demos.npz"
    save_trajectories(demos, make_trajectories(2), {"env_id": "CartPole-v1", "env_spec": spec.to_dict()})

    def no_env(env_id, **kwargs):
        raise AssertionError(f"built {env_id} to read a spec the demonstrations record")

    monkeypatch.setattr("apprentice.envs.env_spec", no_env)
    trajectories, env_id, loaded = load_demos_and_spec(str(demos))
    assert (len(trajectories), env_id, loaded) == (2, "CartPole-v1", spec)


HELP_METAVAR = re.compile(r"\{[^}]*\}|\[[A-Z .\[\]|]*\]|\b[A-Z][A-Z_]*\b|--[\w.-]+|,")
HELP_DEFAULT = re.compile(r"\((?:default|required|sets|fixed)[^)]*\)?")


def option_help_texts(help_text: str) -> dict[str, str]:
    """Each option's help in tyro's panels, its flags, metavar and ``(default: ...)`` taken out."""
    entries: list[list[str]] = []
    current: list[str] | None = None
    for line in help_text.splitlines():
        inner = re.sub(r"^[│|]", " ", line.rstrip()).rstrip("│|").rstrip()  # boxed or plain panels
        if re.match(r"^ {1,3}--[a-z][\w.-]*(,|\s|$)", inner):
            current = [inner]
            entries.append(current)
        elif current is not None and re.match(r"^( {6,}\S| {1,3}\[)", inner):  # wrapped help or metavar
            current.append(inner)
        else:
            current = None
    return {
        entry[0].split()[0].rstrip(","): HELP_DEFAULT.sub("", HELP_METAVAR.sub("", " ".join(entry))).strip()
        for entry in entries
    }


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_help_has_no_docstring_markup_and_every_option_says_what_it_does(name, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([*name.split(), "--help"])
    assert exit_info.value.code in (0, None)
    printed = capsys.readouterr().out
    assert not re.search(r"``|:(func|class|mod|meth|attr):", printed), printed
    helps = option_help_texts(printed)
    assert {"--json", "--debug"} <= set(helps), sorted(helps)
    silent = sorted(flag for flag, text in helps.items() if not re.search(r"[a-z]{2,}", text))
    assert not silent, f"options without help text: {silent}"


def test_help_without_markup_keeps_each_panel_line_as_wide():
    from apprentice.cli.help_text import readable_help

    boxed = "│ --loss  ``dpo``: see :func:`train`     │"
    assert readable_help(boxed) == "│ --loss  dpo: see `train`               │"
    assert len(readable_help(boxed)) == len(boxed)
    coloured = "\x1b[2m│\x1b[0m ``x`` \x1b[37;2m│\x1b[0m"
    assert readable_help(coloured) == "\x1b[2m│\x1b[0m x \x1b[37;2m    │\x1b[0m"
    assert readable_help("plain ``x``, no border") == "plain x, no border"
