"""Exact checks of the RL engine's pieces: GAE, the PPO loss, running statistics, SAC's sampling, replay."""

from __future__ import annotations

import math

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from apprentice.algorithms.rl.ppo_core import ObsStats, PPOConfig, gae, make_agent, ppo_loss
from apprentice.algorithms.rl.replay import ReplayBuffer
from apprentice.algorithms.rl.sac import SACConfig, sac_architecture, target_entropy
from apprentice.envs import env_spec
from apprentice.policies.build import make_policy


def gae_reference(rewards, values, next_values, terminated, ended, gamma, lam):
    n_steps, n_envs = rewards.shape
    advantages = np.zeros((n_steps, n_envs))
    for env in range(n_envs):
        running = 0.0
        for t in reversed(range(n_steps)):
            bootstrap = 0.0 if terminated[t, env] else gamma * next_values[t, env]
            delta = rewards[t, env] + bootstrap - values[t, env]
            running = delta + (0.0 if ended[t, env] else gamma * lam * running)
            advantages[t, env] = running
    return advantages


def test_gae_matches_a_step_by_step_loop_through_terminations_and_truncations():
    rng = np.random.default_rng(0)
    shape = (9, 3)
    rewards, values, next_values = (rng.normal(size=shape) for _ in range(3))
    terminated = np.zeros(shape)
    truncated = np.zeros(shape)
    terminated[2, 0] = terminated[6, 1] = 1.0
    truncated[4, 2] = truncated[7, 0] = 1.0  # ended, but bootstrapped from the final state
    ended = np.maximum(terminated, truncated)
    advantages, returns = gae(
        *(jnp.asarray(x, jnp.float32) for x in (rewards, values, next_values, terminated, ended)), 0.97, 0.9
    )
    expected = gae_reference(rewards, values, next_values, terminated, ended, 0.97, 0.9)
    np.testing.assert_allclose(advantages, expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(returns, expected + values, rtol=1e-5, atol=1e-5)


def test_gae_with_lambda_one_and_no_endings_is_the_discounted_return_minus_the_value():
    rewards = jnp.ones((4, 1))
    zeros = jnp.zeros((4, 1))
    advantages, _ = gae(rewards, zeros, zeros, zeros, zeros, 0.5, 1.0)
    np.testing.assert_allclose(advantages[:, 0], [1 + 0.5 + 0.25 + 0.125, 1.75, 1.5, 1.0], rtol=1e-6)


def test_ppo_policy_loss_clips_the_ratio_as_written():
    """Two samples, ratio 1.5 on both, advantages +1 and -1 (already normalized):
    L = -mean(min(1.5 * 1, 1.2 * 1), min(1.5 * -1, 1.2 * -1)) = -(1.2 - 1.5) / 2 = 0.15."""
    spec = env_spec("CartPole-v1")
    config = PPOConfig()
    agent, _ = make_agent(jax.random.key(0), spec, config)
    obs = jnp.asarray(np.random.default_rng(0).normal(size=(2, 4)), jnp.float32)
    actions = jnp.array([0, 1])
    current = jax.vmap(agent.policy.log_prob)(obs, actions)
    batch = {
        "obs": obs,
        "actions": actions,
        "log_probs": current - math.log(1.5),
        "advantages": jnp.array([1.0, -1.0]),
        "returns": jnp.zeros(2),
    }
    _, aux = ppo_loss(agent, batch, config)
    assert float(aux["policy_loss"]) == pytest.approx(0.15, abs=1e-5)
    assert float(aux["clip_fraction"]) == 1.0
    values = jax.vmap(agent.value)(obs)
    assert float(aux["value_loss"]) == pytest.approx(0.5 * float(jnp.mean(values**2)), rel=1e-5)


def test_running_obs_stats_equal_the_statistics_of_everything_seen():
    rng = np.random.default_rng(1)
    batches = [rng.normal(loc=3.0, scale=2.0, size=(n, 5)) for n in (7, 100, 33)]
    stats = ObsStats.init(5)
    for batch in batches:
        stats = stats.merge(jnp.asarray(batch, jnp.float32))
    everything = np.concatenate(batches)
    np.testing.assert_allclose(stats.mean, everything.mean(0), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(stats.var, everything.var(0), rtol=1e-3)


def test_sac_sample_log_prob_equals_the_density_of_the_sampled_action():
    spec = env_spec("Pendulum-v1")
    policy = make_policy(jax.random.key(0), spec, sac_architecture(SACConfig()))
    obs = jnp.asarray(np.random.default_rng(2).normal(size=(64, 3)), jnp.float32)
    actions, log_probs = jax.vmap(policy.sample_with_log_prob)(jax.random.split(jax.random.key(1), 64), obs)
    assert np.all(np.abs(actions) <= 2.0)
    # the slow path: the density of the returned action through atanh (fine away from the bounds)
    inside = np.abs(np.asarray(actions[:, 0])) < 1.9
    reference = jax.vmap(policy.log_prob)(obs, actions)
    np.testing.assert_allclose(np.asarray(log_probs)[inside], np.asarray(reference)[inside], rtol=1e-3, atol=1e-3)


def test_sac_actor_gradient_flows_through_the_sampled_action():
    policy = make_policy(jax.random.key(0), env_spec("Pendulum-v1"), sac_architecture(SACConfig()))
    params, static = eqx.partition(policy, eqx.is_array)

    def mean_action(p):
        action, _ = eqx.combine(p, static).sample_with_log_prob(jax.random.key(3), jnp.ones(3))
        return action[0]

    grads = jax.grad(mean_action)(params)
    assert float(jnp.abs(grads.head.linear.weight).sum()) > 0


def test_target_entropy_is_minus_dim_in_the_unit_box_moved_to_the_env_box():
    assert target_entropy(env_spec("Pendulum-v1"), -1.0) == pytest.approx(-1.0 + math.log(2.0))
    assert target_entropy(env_spec("MountainCarContinuous-v0"), -1.0) == pytest.approx(-1.0)


def test_replay_buffer_overwrites_the_oldest_rows_and_samples_shapes():
    spec = env_spec("Pendulum-v1")
    buffer = ReplayBuffer(spec, capacity=5)
    for start in (0, 3, 6):
        rows = np.arange(start, start + 3, dtype=np.float32)
        buffer.add(np.repeat(rows[:, None], 3, 1), rows[:, None], rows, np.repeat(rows[:, None], 3, 1), np.zeros(3))
    assert buffer.size == 5
    assert sorted(buffer.rewards.tolist()) == [4.0, 5.0, 6.0, 7.0, 8.0]
    batches = buffer.sample(np.random.default_rng(0), n_batches=4, batch_size=8)
    assert batches["obs"].shape == (4, 8, 3) and batches["actions"].shape == (4, 8, 1)
    assert set(np.unique(batches["rewards"])) <= {4.0, 5.0, 6.0, 7.0, 8.0}


def test_configs_reject_bad_settings_with_clear_errors():
    with pytest.raises(ValueError, match="n_minibatches"):
        PPOConfig(n_envs=3, n_steps=5, n_minibatches=4)
    with pytest.raises(ValueError, match="--batch-size: expected an integer >= 1, got 0"):
        SACConfig(batch_size=0)
    with pytest.raises(ValueError, match=r"--gamma: expected a value in \[0, 1\], got 1.5"):
        SACConfig(gamma=1.5)
