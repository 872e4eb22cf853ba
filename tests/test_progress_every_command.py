"""Every training command, run briefly, is never silent on stderr for longer than the heartbeat
allows (issue 24: "a test runs each training command briefly and checks the gaps between
progress lines on stderr"); the harness is ``tests/silence.py``.

The commands that learn on an env run here, from ``TINY_ARGV``; the language commands are
checked where ``test_text_cli.py`` already runs them on its trained model (``TEXT_COMMANDS``).
A training command added without an entry in either fails the first test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from apprentice.cli import COMMANDS, main
from tests.silence import assert_never_silent_for_long, run_timed

PPO = "--total-steps 128 --n-envs 4 --n-steps 16 --n-epochs 1 --eval-episodes 1 --hidden-sizes 8 --backend gymnasium"
"""PPO on the JAX backend compiles for ~20 s: ``test_progress_heartbeat.py`` runs it in a fresh process."""
ROUNDS = "--initial-labels 60 --steps-per-round 60 --n-rounds 1 --eval-episodes 1 --n-epochs 2 --hidden-sizes 16"
REWARD_MODEL = "--reward-model.n-epochs 2 --reward-model.hidden-sizes 8"
PREFERENCE_PPO = PPO.replace("--", "--ppo.").replace("--ppo.hidden-sizes", "--ppo.network.hidden-sizes")

TINY_ARGV: dict[str, str] = {
    "train bc": "--demos {demos} --n-epochs 3 --hidden-sizes 16 --eval-episodes 1",
    "train dagger": f"--env CartPole-v1 {ROUNDS}",
    "train hg-dagger": f"--env CartPole-v1 {ROUNDS}",
    "train dart": f"--env Pendulum-v1 {ROUNDS}",
    "train ppo": f"--env CartPole-v1 {PPO}",
    "train sac": "--env Pendulum-v1 --total-steps 200 --learning-starts 100 --eval-episodes 1 --hidden-sizes 8",
    "train gail": f"--demos {{demos}} {PPO}",
    "train airl": f"--demos {{demos}} {PPO}",
    "train sqil": "--demos {demos} --soft-q.total-steps 200 --soft-q.learning-starts 100 --soft-q.eval-episodes 1 "
    "--soft-q.network.hidden-sizes 8 --eval-episodes 1",
    "train preference-rl": f"--env CartPole-v1 --n-rounds 1 --n-comparisons 8 --segment-length 10 "
    f"--rollout-steps 100 {REWARD_MODEL} {PREFERENCE_PPO}",
    "train rwr": "--env CartPole-v1 --n-iterations 1 --episodes-per-iteration 2 --eval-episodes 1 --n-epochs 2 "
    "--min-gradient-steps 0 --hidden-sizes 16",
    "train awr": "--env Pendulum-v1 --n-iterations 1 --steps-per-iteration 50 --eval-episodes 1 --value-steps 5 "
    "--n-epochs 1 --min-gradient-steps 10 --hidden-sizes 16",
    "train mce-irl": "",
    "train bco": "--demos {demos} --pre-demonstration-steps 200 --inverse-dynamics.n-epochs 2 "
    "--inverse-dynamics.min-gradient-steps 0 --bc.n-epochs 2 --eval-episodes 1",
    "train gaifo": f"--demos {{demos}} {PPO}",
}
"""Each command's flags after ``--out`` (``{demos}``: the module's demonstrations)."""


TEXT_COMMANDS = ("train next-token", "train reward-model", "train dpo", "train ipo", "train rlhf")
"""Checked by ``run_timed`` in ``test_text_cli.py``."""


@pytest.fixture(scope="module")
def demos(tmp_path_factory) -> str:
    """Two expert episodes of CartPole, for the commands that learn from demonstrations."""
    path = tmp_path_factory.mktemp("inputs") / "demos.npz"
    assert main(["collect", "--env", "CartPole-v1", "--episodes", "2", "--out", str(path)]) == 0
    return str(path)


def test_every_training_command_is_checked():
    training = sorted(name for name in COMMANDS if name.startswith("train "))
    assert sorted([*TINY_ARGV, *TEXT_COMMANDS]) == training
    text_tests = (Path(__file__).parent / "test_text_cli.py").read_text()
    timed = {
        word
        for word in ("next-token", "reward-model", "rlhf")
        if f'run_timed(monkeypatch, ["train", "{word}"' in text_tests
    }
    if 'run_timed(monkeypatch, ["train", command' in text_tests and '("command", ["dpo", "ipo"])' in text_tests:
        timed |= {"dpo", "ipo"}
    assert sorted(f"train {word}" for word in timed) == sorted(TEXT_COMMANDS)


@pytest.mark.slow
@pytest.mark.parametrize("command", sorted(TINY_ARGV))
def test_a_training_command_is_never_silent_for_long(command, demos, tmp_path, monkeypatch):
    argv = [*command.split(), "--out", str(tmp_path / "run"), *TINY_ARGV[command].format(demos=demos).split()]
    assert_never_silent_for_long(run_timed(monkeypatch, argv))
