"""The expert-normalized score by hand, and where measured expert stats are written and read."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest

import apprentice
from apprentice import evaluation
from apprentice.cli import main
from apprentice.experts import Expert, ExpertStats, normalized_score, read_stats, registry, user_stats_path, write_stats
from apprentice.paths import user_data_dir


def test_normalized_score_by_hand():
    assert normalized_score(250.0, expert_return=500.0, random_return=0.0) == 0.5
    # Pendulum-like negative returns: random -1200, expert -150; -675 is half way.
    assert normalized_score(-675.0, expert_return=-150.0, random_return=-1200.0) == pytest.approx(0.5)
    assert normalized_score(-1200.0, expert_return=-150.0, random_return=-1200.0) == 0.0
    assert normalized_score(600.0, expert_return=500.0, random_return=100.0) == 1.25  # beyond the expert


def test_expert_and_stats_use_the_same_score():
    stats = ExpertStats(mean_return=-150.0, std_return=10.0, random_mean_return=-1200.0, n_episodes=50, seed=0)
    expert = Expert(env_id="Pendulum-v1", act=lambda obs: obs, description="test", stats=stats)
    for score in (-1200.0, -900.0, -150.0, 0.0):
        assert (
            expert.normalized_score(score) == stats.normalized_score(score) == normalized_score(score, -150.0, -1200.0)
        )


def test_normalized_score_refuses_an_expert_no_better_than_random():
    with pytest.raises(ValueError, match="must differ from the random policy's"):
        normalized_score(1.0, expert_return=3.0, random_return=3.0)


def test_expert_without_stats_says_how_to_measure():
    expert = Expert(env_id="CartPole-v1", act=lambda obs: obs, description="test")
    with pytest.raises(ValueError, match="apprentice experts --measure --env CartPole-v1"):
        expert.normalized_score(1.0)


# ---------------------------------------------------------------- measured stats: the user data dir


def _package_files() -> dict[Path, bytes]:
    package = Path(apprentice.__file__).parent
    return {
        path: path.read_bytes() for path in package.rglob("*") if path.is_file() and "__pycache__" not in path.parts
    }


def test_measuring_writes_under_the_user_data_dir_and_not_into_the_package(tmp_path, monkeypatch, capsys):
    data_dir = tmp_path / "data"
    monkeypatch.setenv("APPRENTICE_DATA_DIR", str(data_dir))
    # the real measurement, on 2 episodes instead of 50 (the CLI imports it when it runs)
    monkeypatch.setattr(evaluation, "measure_expert", functools.partial(evaluation.measure_expert, n_episodes=2))
    package_before = _package_files()
    shipped = read_stats(registry.SHIPPED_STATS_PATH)["CartPole-v1"]

    assert main(["experts", "--measure", "--env", "CartPole-v1", "--json"]) == 0

    written = data_dir / "expert_stats.json"
    assert user_stats_path() == written
    assert json.loads(written.read_text())["CartPole-v1"]["n_episodes"] == 2
    assert str(written) in capsys.readouterr().out
    assert _package_files() == package_before  # nothing added to or changed in the package
    assert read_stats(registry.SHIPPED_STATS_PATH)["CartPole-v1"] == shipped
    assert not list(data_dir.glob(".*.tmp"))  # written atomically, no temporary file left
    # the user's stats are read over the shipped ones, for that env id only
    assert apprentice.experts.load("CartPole-v1").stats.n_episodes == 2
    assert apprentice.experts.load("Acrobot-v1").stats == read_stats(registry.SHIPPED_STATS_PATH)["Acrobot-v1"]


def test_write_stats_keeps_the_other_env_ids_of_the_user_file(tmp_path, monkeypatch):
    monkeypatch.setenv("APPRENTICE_DATA_DIR", str(tmp_path))
    first = ExpertStats(mean_return=1.0, std_return=0.0, random_mean_return=0.0, n_episodes=3, seed=0)
    second = ExpertStats(mean_return=2.0, std_return=0.0, random_mean_return=0.0, n_episodes=4, seed=1)
    write_stats("First-v0", first)
    assert write_stats("Second-v0", second) == tmp_path / "expert_stats.json"
    assert read_stats(tmp_path / "expert_stats.json") == {"First-v0": first, "Second-v0": second}
    assert read_stats()["First-v0"] == first and "CartPole-v1" in read_stats()  # overlaid on the shipped ones


def test_a_broken_user_stats_file_names_itself(tmp_path, monkeypatch):
    monkeypatch.setenv("APPRENTICE_DATA_DIR", str(tmp_path))
    (tmp_path / "expert_stats.json").write_text("{not json")
    with pytest.raises(ValueError, match="expert_stats.json: expected a JSON object of expert stats"):
        read_stats()


def test_user_data_dir_order(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("APPRENTICE_DATA_DIR", str(tmp_path / "explicit"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert user_data_dir() == tmp_path / "explicit"
    monkeypatch.setenv("APPRENTICE_DATA_DIR", "")
    assert user_data_dir() == tmp_path / "xdg" / "apprentice"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/xdg")  # the XDG spec: ignore a relative path
    assert user_data_dir() == tmp_path / "home" / ".local" / "share" / "apprentice"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.delenv("APPRENTICE_DATA_DIR")
    assert user_data_dir() == tmp_path / "home" / ".local" / "share" / "apprentice"
