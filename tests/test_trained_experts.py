"""Trained experts: installing a run's policy into the package, and the shipped experts' returns."""

from __future__ import annotations

import json

import jax
import numpy as np
import pytest

from apprentice.algorithms.rl import SACConfig, train_sac
from apprentice.experts import registry, trained
from apprentice.policies.serialization import save_policy
from apprentice.rollout import rollout

SHIPPED = ("Hopper-v5", "HalfCheetah-v5", "Walker2d-v5")
STANDARD_ERRORS = 3.0
"""Five fresh episodes must average at least the documented 50-episode mean minus this many
standard errors of a five-episode mean (``std / sqrt(5)``): Walker2d's returns vary a lot
between episodes (a fall ends one early), HalfCheetah's hardly at all."""


@pytest.fixture
def scratch_registry(tmp_path, monkeypatch):
    """Install into a temporary folder and a copy of the registry, leaving the package untouched."""
    registry._load_builtin()
    monkeypatch.setattr(trained, "TRAINED_DIR", tmp_path / "trained")
    (tmp_path / "trained").mkdir()
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))
    return tmp_path / "trained"


def test_install_copies_the_policy_registers_it_and_acts_like_it(tmp_path, scratch_registry):
    result = train_sac(
        jax.random.key(0),
        SACConfig(total_steps=300, learning_starts=100, eval_episodes=1),
        "MountainCarContinuous-v0",
        progress=False,
    )
    run = tmp_path / "run"
    save_policy(run, result.policy, result.spec, result.architecture)
    folder = trained.install(run, "MountainCarContinuous-v0", {"description": "test policy", "command": "x"})
    assert folder.parent == scratch_registry and sorted(p.name for p in folder.iterdir()) == [
        "policy.eqx",
        "policy.json",
        "training.json",
    ]
    expert = registry.load("MountainCarContinuous-v0")
    assert expert.description == "test policy"
    obs = np.random.default_rng(0).normal(size=(4, 2)).astype(np.float32)
    expected = np.asarray(jax.vmap(lambda o: result.policy.act(jax.random.key(0), o, True))(obs))
    np.testing.assert_allclose(expert(obs), expected, rtol=1e-5, atol=1e-6)  # batch vs single: float32 rounding
    assert json.loads((folder / "training.json").read_text())["command"] == "x"


def test_install_refuses_a_policy_for_another_env_or_a_folder_without_one(tmp_path, scratch_registry):
    with pytest.raises(ValueError, match="expected a saved policy"):
        trained.install(tmp_path, "Hopper-v5", {})
    result = train_sac(
        jax.random.key(0), SACConfig(total_steps=50, learning_starts=10, eval_episodes=1), "Pendulum-v1", progress=False
    )
    save_policy(tmp_path / "run", result.policy, result.spec, result.architecture)
    with pytest.raises(ValueError, match="expected a policy for Hopper-v5, got one for Pendulum-v1"):
        trained.install(tmp_path / "run", "Hopper-v5", {})
    assert not list(scratch_registry.iterdir())


@pytest.mark.parametrize("env_id", SHIPPED)
def test_each_shipped_expert_loads_and_reaches_its_documented_return(env_id):
    assert env_id in registry.available(), f"{env_id}: no shipped expert in {trained.TRAINED_DIR}"
    expert = registry.load(env_id)
    assert expert.stats is not None and expert.stats.n_episodes == 50
    assert trained.training_info(env_id)["command"].startswith("apprentice train sac")
    returns = [t.episode_return for t in rollout(expert, env_id, n_episodes=5, seed=2000, n_envs=5)]
    floor = expert.stats.mean_return - STANDARD_ERRORS * expert.stats.std_return / np.sqrt(len(returns))
    assert np.mean(returns) >= floor, (
        f"{env_id}: 5 episodes averaged {np.mean(returns):.0f}, documented {expert.stats.mean_return:.0f}"
        f" +- {expert.stats.std_return:.0f}; floor {floor:.0f}"
    )


@pytest.mark.parametrize("env_id", SHIPPED)
def test_each_shipped_expert_acts_inside_the_action_box_and_clips_only_what_is_outside(env_id):
    """The label is the action the env executes: the policy's mode clipped to the box."""
    from apprentice.policies.serialization import load_policy

    policy, spec = load_policy(trained.TRAINED_DIR / trained.folder_name(env_id))
    obs = np.asarray(
        rollout(registry.load(env_id), env_id, n_steps=200, seed=3000, n_envs=1)[0].observations, np.float32
    )
    actions = registry.load(env_id)(obs)
    raw = np.asarray(jax.vmap(lambda o: policy.act(jax.random.key(0), o, True))(obs))
    low, high = np.asarray(spec.action_low), np.asarray(spec.action_high)
    assert np.all(actions >= low) and np.all(actions <= high)
    np.testing.assert_allclose(actions, np.clip(raw, low, high), atol=1e-4)  # batched vs vmapped float32
