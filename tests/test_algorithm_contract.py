"""Tier 2: one contract, checked for every registered algorithm (``apprentice.algorithms.registry``).

Each algorithm trains once, tiny, on its env; its config must be frozen, its ``train`` must show
progress by default, and its result must carry ``policy``, ``spec`` and ``metrics`` the same way.
A newly registered algorithm without an entry in ``TINY`` fails ``test_every_algorithm_has_a_contract_run``.
"""

from __future__ import annotations

import dataclasses
import inspect
from functools import cache

import jax
import numpy as np
import pytest

from apprentice import experts
from apprentice.algorithms import registry
from apprentice.algorithms.configs.bc import BCConfig
from apprentice.algorithms.configs.dagger import DAggerConfig, DARTConfig, HGDAggerConfig, InteractiveConfig
from apprentice.algorithms.configs.rl import PPOConfig, SACConfig
from apprentice.algorithms.configs.rwr import AWRConfig, RWRConfig
from apprentice.envs import Stream, collection_seed, env_spec, make_env
from apprentice.policies.architecture import Network
from apprentice.rollout import rollout

SMALL_BC = BCConfig(network=Network(hidden_sizes=(16,)), n_epochs=2, validation_fraction=0.0)
ROUNDS = InteractiveConfig(initial_labels=60, steps_per_round=40, n_rounds=1, eval_episodes=1)
SMALL_PPO = PPOConfig(
    total_steps=64,
    n_envs=4,
    n_steps=16,
    n_epochs=1,
    n_minibatches=1,
    eval_episodes=1,
    backend="gymnasium",
    network=Network(hidden_sizes=(8,), activation="tanh"),
)


def _tiny_configs():
    from apprentice.algorithms.configs.observations_only import BCOConfig, GAIfOConfig
    from apprentice.algorithms.configs.sqil import SoftQConfig, SQILConfig
    from apprentice.algorithms.irl.adversarial import AIRLConfig, GAILConfig
    from apprentice.algorithms.preferences.control import PreferenceRLConfig
    from apprentice.algorithms.preferences.reward_model import RewardModelConfig

    return {
        "bc": ("CartPole-v1", SMALL_BC),
        "dagger": ("CartPole-v1", DAggerConfig(interactive=ROUNDS, bc=SMALL_BC)),
        "hg-dagger": ("CartPole-v1", HGDAggerConfig(interactive=ROUNDS, bc=SMALL_BC)),
        "dart": ("Pendulum-v1", DARTConfig(interactive=ROUNDS, bc=SMALL_BC)),
        "ppo": ("CartPole-v1", SMALL_PPO),
        "sac": (
            "Pendulum-v1",
            SACConfig(
                total_steps=40, learning_starts=20, batch_size=8, n_envs=2, eval_episodes=1, network=Network((8,))
            ),
        ),
        "gail": ("CartPole-v1", GAILConfig(ppo=SMALL_PPO)),
        "airl": ("CartPole-v1", AIRLConfig(ppo=SMALL_PPO)),
        "sqil": (
            "CartPole-v1",
            SQILConfig(
                soft_q=SoftQConfig(
                    total_steps=40, learning_starts=20, batch_size=8, eval_episodes=1, network=Network((8,))
                )
            ),
        ),
        "bco": ("CartPole-v1", BCOConfig(pre_demonstration_steps=100, inverse_dynamics=SMALL_BC, bc=SMALL_BC)),
        "gaifo": ("CartPole-v1", GAIfOConfig(ppo=SMALL_PPO)),
        "preference-rl": (
            "CartPole-v1",
            PreferenceRLConfig(
                n_rounds=1,
                n_comparisons=8,
                segment_length=10,
                rollout_steps=100,
                ppo=SMALL_PPO,
                reward_model=RewardModelConfig(n_epochs=1, batch_size=8, held_out_fraction=0.0),
            ),
        ),
        "rwr": (
            "CartPole-v1",
            RWRConfig(
                n_iterations=1,
                episodes_per_iteration=2,
                eval_episodes=1,
                bc=dataclasses.replace(SMALL_BC, weighting="exp_return"),
            ),
        ),
        "awr": (
            "Pendulum-v1",
            AWRConfig(n_iterations=1, steps_per_iteration=50, eval_episodes=1, value_steps=5, bc=SMALL_BC),
        ),
    }


TINY = _tiny_configs()


def test_every_algorithm_has_a_contract_run():
    assert sorted(TINY) == sorted(registry.ALGORITHMS)


@cache
def _trained(name: str):
    env_id, config = TINY[name]
    expert = experts.load(env_id)
    demos = rollout(expert, env_id, n_episodes=2, seed=collection_seed(0, Stream.DEMONSTRATIONS))
    return registry.run(name, jax.random.key(0), config, registry.Task(env_id, expert, demos), progress=False)


@pytest.mark.parametrize("name", sorted(registry.ALGORITHMS))
def test_config_is_frozen_and_progress_is_shown_by_default(name):
    algorithm = registry.get(name)
    config = TINY[name][1]
    assert type(config) is algorithm.config_type()
    field = dataclasses.fields(config)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(config, field, getattr(config, field))
    assert inspect.signature(algorithm.train_function()).parameters["progress"].default is True


@pytest.mark.parametrize("name", sorted(registry.ALGORITHMS))
def test_result_has_a_policy_for_the_env_its_spec_and_metric_rows(name):
    env_id = TINY[name][0]
    result = _trained(name)
    spec = env_spec(env_id)
    assert result.spec == spec
    assert isinstance(result.metrics, list) and result.metrics
    assert all(isinstance(row, dict) and row for row in result.metrics)
    observations = np.stack([make_env(env_id).reset(seed=i)[0] for i in range(3)]).astype(np.float32)
    actions = np.asarray(jax.vmap(result.policy.mode)(observations))
    if spec.action_kind == "discrete":
        assert actions.shape == (3,) and np.all((0 <= actions) & (actions < spec.n_actions))
    else:
        assert actions.shape == (3, *spec.action_shape) and np.all(np.isfinite(actions))


def test_a_wrong_config_or_a_missing_input_is_a_one_line_error():
    with pytest.raises(TypeError, match="dagger: expected a DAggerConfig, got BCConfig"):
        registry.run("dagger", jax.random.key(0), SMALL_BC, registry.Task("CartPole-v1"))
    with pytest.raises(ValueError, match="bc: expected a task with demonstrations, got none"):
        registry.run("bc", jax.random.key(0), SMALL_BC, registry.Task("CartPole-v1"))
    with pytest.raises(KeyError, match="algorithm: expected one of bc, dagger"):
        registry.get("behaviour-cloning")
