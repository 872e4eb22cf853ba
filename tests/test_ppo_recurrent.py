"""Recurrent PPO: the update replays exactly the histories that acted, and minibatches hold whole segments."""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from apprentice.algorithms.configs.rl import PPOConfig
from apprentice.algorithms.rl import ppo
from apprentice.algorithms.rl.ppo_core import make_agent
from apprentice.algorithms.rl.ppo_host import collect, recurrent_step
from apprentice.algorithms.rl.ppo_recurrent import RecurrentActorCritic
from apprentice.envs import env_spec
from apprentice.policies.architecture import Network
from apprentice.rollout import make_vector_steps

NO_VELOCITY = "apprentice/CartPole-NoVelocity-v1"
N_ENVS, N_STEPS = 4, 40  # CartPole episodes under a fresh policy last ~10-40 steps: several starts per segment


@pytest.fixture(scope="module")
def segment():
    """A fresh GRU agent, and two consecutive rollouts of it (the second starts mid-episode)."""
    config = PPOConfig(
        network=Network((64, 64), "tanh", core="gru", core_size=16), n_envs=N_ENVS, n_steps=N_STEPS, n_minibatches=2
    )
    agent, _ = make_agent(jax.random.key(0), env_spec(NO_VELOCITY), config)
    params, static = eqx.partition(agent, eqx.is_array)
    act = jax.jit(lambda p, k, s, o, r: recurrent_step(eqx.combine(p, static), k, s, o, r))
    envs = make_vector_steps("gymnasium", NO_VELOCITY, N_ENVS, 123, {})
    memory = (agent.initial_states(N_ENVS), np.ones(N_ENVS, bool))
    obs = envs.reset()
    _, obs, memory = collect(envs, act, params, jax.random.key(1), obs, N_STEPS, memory)
    rollout, _, _ = collect(envs, act, params, jax.random.key(2), obs, N_STEPS, memory)
    envs.close()
    return agent, config, jax.tree.map(jnp.asarray, rollout)


def test_a_segment_does_not_start_at_an_episode_start_and_holds_several(segment):
    _, _, rollout = segment
    starts = np.asarray(rollout["starts"])
    assert not starts[0].all()
    assert starts.sum() >= N_ENVS


def test_replaying_a_segment_from_its_first_state_gives_the_log_probs_and_values_that_acted(segment):
    agent, config, rollout = segment
    batch = RecurrentActorCritic.training_batch(rollout, jnp.ones_like(rollout["rewards"]), rollout["values"])
    features = jax.vmap(agent.policy.sequence_features, in_axes=(1, 1, 0), out_axes=1)(
        batch["obs"], batch["starts"], batch["initial_state"]
    )
    log_probs = jax.vmap(jax.vmap(agent.policy.head.log_prob))(features, batch["actions"])
    values = jax.vmap(jax.vmap(agent.value_head))(features)[..., 0]
    np.testing.assert_allclose(log_probs, rollout["log_probs"], atol=1e-5)
    np.testing.assert_allclose(values, rollout["values"], atol=1e-5)
    _, aux = agent.loss(batch, config)
    assert float(aux["approx_kl"]) < 1e-6 and float(aux["clip_fraction"]) == 0.0


def test_the_bootstrap_value_of_a_step_is_the_next_steps_value_inside_an_episode(segment):
    agent, _, rollout = segment
    next_values = np.asarray(agent.next_values(rollout))
    values, ended = np.asarray(rollout["values"]), np.asarray(rollout["ended"]) > 0
    inside = ~ended[:-1]
    np.testing.assert_allclose(next_values[:-1][inside], values[1:][inside], atol=1e-5)
    # Where an episode ended, the bootstrap reads the final observation with that episode's memory,
    # not the next episode's first value.
    assert not np.allclose(next_values[:-1][~inside], values[1:][~inside], atol=1e-5)


def test_minibatches_are_whole_segments_of_distinct_env_copies(segment):
    agent, config, rollout = segment
    batch = RecurrentActorCritic.training_batch(rollout, rollout["rewards"], rollout["values"])
    cut = RecurrentActorCritic.minibatches(batch, jax.random.key(3), config.n_minibatches)
    assert cut["obs"].shape[:3] == (config.n_minibatches, N_STEPS, N_ENVS // config.n_minibatches)
    seen = []
    for m in range(config.n_minibatches):
        for j in range(N_ENVS // config.n_minibatches):
            env = [e for e in range(N_ENVS) if np.array_equal(cut["obs"][m, :, j], batch["obs"][:, e])]
            assert len(env) == 1
            for leaf, full in zip(jax.tree.leaves(cut["initial_state"]), jax.tree.leaves(batch["initial_state"])):
                np.testing.assert_array_equal(leaf[m, j], full[env[0]])
            seen += env
    assert sorted(seen) == list(range(N_ENVS))


def test_a_recurrent_config_that_cannot_cut_env_copies_evenly_is_refused():
    with pytest.raises(ValueError, match="n_envs = 6 must divide into n_minibatches = 4"):
        PPOConfig(network=Network(core="gru"), n_envs=6, n_minibatches=4)
    with pytest.raises(ValueError, match="gymnasium backend"):
        PPOConfig(network=Network(core="lstm"), backend="jax")


def test_recurrent_ppo_trains_saves_nothing_stale_and_acts_from_its_memory():
    """A short run on CartPole-v1 (which has a jax twin: auto must still pick gymnasium)."""
    config = PPOConfig(
        network=Network((64, 64), "tanh", core="lstm", core_size=8),
        n_envs=4,
        n_steps=16,
        n_minibatches=2,
        total_steps=128,
    )
    result = ppo.train(jax.random.key(0), config, "CartPole-v1", progress=False)
    assert result.policy.recurrent and result.policy.architecture.core == "lstm"
    assert np.isfinite(result.metrics[-1]["eval_return"])
