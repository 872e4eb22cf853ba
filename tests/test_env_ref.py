"""Env ids that name a module to import (``module:EnvId``) or carry constructor arguments
(``EnvId{...}``, what ``--env-kwargs`` writes), through make_env, experts and the command line."""

from __future__ import annotations

import json

import numpy as np
import pytest

from apprentice.cli import main
from apprentice.envs import make_env
from apprentice.envs.env_ref import split_env_ref, with_kwargs


def test_kwargs_are_written_into_the_id_canonically_and_read_back():
    ref = with_kwargs("CartPole-v1", {"sutton_barto_reward": True, "max_episode_steps": 30})
    assert ref == 'CartPole-v1{"max_episode_steps": 30, "sutton_barto_reward": true}'
    assert split_env_ref(ref) == ("CartPole-v1", {"max_episode_steps": 30, "sutton_barto_reward": True})
    assert with_kwargs(ref, {"max_episode_steps": 40}).startswith('CartPole-v1{"max_episode_steps": 40,')
    assert with_kwargs("CartPole-v1", {}) == "CartPole-v1" and split_env_ref("CartPole-v1") == ("CartPole-v1", {})
    env = make_env(ref)
    assert env.spec.max_episode_steps == 30
    env.close()


def test_a_module_before_the_colon_is_imported_and_registers_the_env(tmp_path, monkeypatch):
    (tmp_path / "my_envs_for_test.py").write_text(
        "import gymnasium as gym\n"
        "gym.register('MyShortCartPole-v0', entry_point='gymnasium.envs.classic_control.cartpole:CartPoleEnv',"
        " max_episode_steps=7)\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    env = make_env("my_envs_for_test:MyShortCartPole-v0")
    env.reset(seed=0)
    steps = 0
    while not any(env.step(0)[2:4]):
        steps += 1
    assert steps + 1 <= 7 and env.spec.max_episode_steps == 7
    env.close()
    with pytest.raises(ValueError, match=r"^env id 'no_such_module_x:Foo-v0': expected an importable module"):
        make_env("no_such_module_x:Foo-v0")


def test_an_id_with_kwargs_gets_its_base_envs_expert_without_the_base_envs_returns():
    from apprentice import experts

    base, varied = experts.load("CartPole-v1"), experts.load('CartPole-v1{"max_episode_steps": 30}')
    assert varied.act is base.act and varied.stats is None and base.stats is not None


def test_env_kwargs_from_the_command_line_reach_collection_training_and_evaluation(tmp_path, capsys):
    demos, run = tmp_path / "demos.npz", tmp_path / "run"
    kwargs = ["--env-kwargs", '{"max_episode_steps": 30}']
    assert main(["collect", "--env", "CartPole-v1", *kwargs, "--episodes", "2", "--out", str(demos), "--json"]) == 0
    collected = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert collected["env_id"] == 'CartPole-v1{"max_episode_steps": 30}' and collected["n_steps"] == 60
    train = ["train", "bc", "--demos", str(demos), "--out", str(run), "--n-epochs", "1", "--eval-episodes", "0"]
    assert main(train) == 0
    assert json.loads((run / "config.json").read_text())["env_id"] == collected["env_id"]
    capsys.readouterr()
    assert main(["evaluate", "--policy", str(run), "--episodes", "2", "--json"]) == 0
    evaluation = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert evaluation["env_id"] == collected["env_id"] and max(evaluation["lengths"]) <= 30
    assert np.all(np.asarray(evaluation["lengths"]) > 0)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["collect", "--env", "CartPole-v1", "--env-kwargs", "[1]", "--out", "x.npz"],
            "apprentice: --env-kwargs: expected a JSON object such as",
        ),
        (
            ["collect", "--env", "CartPole-v1", "--env-kwargs", "{max: 1}", "--out", "x.npz"],
            "apprentice: --env-kwargs: expected a JSON object such as",
        ),
        (
            ["evaluate", "--policy", "p", "--env-kwargs", '{"a": 1}'],
            'apprentice: --env-kwargs {"a": 1}: expected --env',
        ),
    ],
)
def test_bad_env_kwargs_are_one_line_naming_the_flag(argv, message, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    error = capsys.readouterr().err.strip()
    assert error.count("\n") == 0 and message.split(": ", 1)[1] in error, error
