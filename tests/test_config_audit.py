"""Config fields that some input or backend would ignore are refused with a clear error instead."""

from __future__ import annotations

import dataclasses

import jax
import numpy as np
import pytest

from apprentice import experts
from apprentice.algorithms.bc import BCConfig
from apprentice.algorithms.bc import train as bc_train
from apprentice.algorithms.dagger import hg_dagger
from apprentice.algorithms.dagger.hg_dagger import HGDAggerConfig, StateRiskGate
from apprentice.algorithms.preferences.control import PreferenceRLConfig
from apprentice.algorithms.preferences.reward_model import RewardModelConfig
from apprentice.algorithms.rl import ppo
from apprentice.algorithms.rl.ppo_core import PPOConfig
from apprentice.data import augmentation, flatten
from apprentice.envs.spec import EnvSpec
from apprentice.policies.architecture import Network
from tests.conftest import make_trajectories

TOY = EnvSpec.for_box(obs_shape=(4,), obs_dtype="float32", action_kind="discrete", n_actions=2, env_id="toy")
SMALL = BCConfig(network=Network((16,)), n_epochs=2, batch_size=8, validation_fraction=0.0)


@pytest.mark.parametrize("weighting", ["return", "exp_return"])
def test_bc_return_weighting_of_transitions_is_an_error(weighting):
    transitions = flatten(make_trajectories(4, length=6))
    config = BCConfig(**{**SMALL.__dict__, "weighting": weighting, "rwr_temperature": 5.0})
    with pytest.raises(ValueError, match=f"weighting='{weighting}': return weighting needs trajectories"):
        bc_train(jax.random.key(0), config, transitions, TOY, progress=False)
    bc_train(jax.random.key(0), config, make_trajectories(4, length=6), TOY, progress=False)  # trajectories: fine


def test_bc_validation_fraction_of_transitions_is_an_error():
    transitions = flatten(make_trajectories(4, length=6))
    config = BCConfig(**{**SMALL.__dict__, "validation_fraction": 0.25})
    with pytest.raises(ValueError, match="validation_fraction=0.25 holds out episodes, which Transitions do not have"):
        bc_train(jax.random.key(0), config, transitions, TOY, progress=False)
    bc_train(jax.random.key(0), SMALL, transitions, TOY, validation=transitions, progress=False)  # explicit: fine


def test_bc_obs_noise_beside_an_augment_is_an_error():
    config = BCConfig(**{**SMALL.__dict__, "obs_noise": 0.5})
    with pytest.raises(ValueError, match="obs_noise=0.5 builds an augmentation, but augment= was passed too"):
        bc_train(
            jax.random.key(0),
            config,
            make_trajectories(3),
            TOY,
            augment=augmentation.GaussianObsNoise((0.1,) * 4),
            progress=False,
        )


def test_bc_warm_start_from_a_policy_of_another_architecture_is_an_error():
    demos = make_trajectories(3)
    first = bc_train(jax.random.key(0), SMALL, demos, TOY, progress=False)
    bc_train(jax.random.key(1), SMALL, demos, TOY, init_policy=first.policy, progress=False)  # same structure: fine
    wider = dataclasses.replace(SMALL, network=Network((32,)))
    with pytest.raises(ValueError, match="init_policy: expected the policy this config builds"):
        bc_train(jax.random.key(1), wider, demos, TOY, init_policy=first.policy, progress=False)


@pytest.mark.parametrize("eval_every", [64, 128])
def test_ppo_eval_every_on_the_jax_backend_is_an_error(eval_every):
    config = PPOConfig(total_steps=256, n_envs=2, n_steps=64, backend="jax", eval_every=eval_every)
    with pytest.raises(ValueError, match=f"eval_every={eval_every}: the jax backend evaluates only the final policy"):
        ppo.train(jax.random.key(0), config, "CartPole-v1", progress=False)


def test_hg_dagger_threshold_beside_a_gate_is_an_error():
    gate = StateRiskGate(risk=lambda obs: np.abs(obs[:, 2]), threshold=0.02)
    config = HGDAggerConfig(discrepancy_threshold=0.2)
    with pytest.raises(ValueError, match="discrepancy_threshold set the built-in gate, but a gate was passed"):
        hg_dagger.train(
            jax.random.key(0), config, experts.load("CartPole-v1"), "CartPole-v1", gate=gate, progress=False
        )


def test_preference_rl_refuses_reward_model_fields_it_would_ignore():
    assert PreferenceRLConfig().reward_model.held_out_fraction == 0.0
    with pytest.raises(ValueError, match="reward_model.held_out_fraction: the rounds hold out"):
        PreferenceRLConfig(reward_model=RewardModelConfig(held_out_fraction=0.1))
    with pytest.raises(ValueError, match="reward_model.vocab_size: step features are real vectors"):
        PreferenceRLConfig(reward_model=RewardModelConfig(held_out_fraction=0.0, vocab_size=8))


def test_transfer_bench_knows_the_mazes_it_builds_and_refuses_others():
    from apprentice.bench.configs import MAZE_NAMES
    from apprentice.bench.irl_transfer import MAZES, TransferBenchConfig

    assert tuple(MAZES) == MAZE_NAMES  # the config checks names without importing the builders (numpy)
    with pytest.raises(ValueError, match=r"mazes: expected some of \['shifting', 'swapped'\], got \['spiral'\]"):
        TransferBenchConfig(mazes=("spiral",))
