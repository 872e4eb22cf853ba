"""Rollouts: episodes match a plain Gymnasium replay, quotas are exact, budgets truncate."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

from apprentice import experts
from apprentice.envs import env_spec
from apprentice.rollout import RandomActor, rollout


def test_episodes_match_a_plain_gymnasium_replay_across_autoresets():
    trajs = rollout(RandomActor(env_spec("CartPole-v1"), seed=3), "CartPole-v1", n_episodes=3, seed=7, n_envs=1)
    env = gym.make("CartPole-v1")
    obs, _ = env.reset(seed=7)
    for traj in trajs:
        np.testing.assert_allclose(traj.observations[0], obs)
        for t, action in enumerate(traj.actions):
            obs, reward, terminated, truncated, _ = env.step(int(action))
            np.testing.assert_allclose(traj.observations[t + 1], obs)  # including the final observation
            assert reward == traj.rewards[t]
        assert (terminated, truncated) == (traj.terminated, traj.truncated)
        obs, _ = env.reset()


def test_episode_quotas_and_step_budgets():
    expert = experts.load("Pendulum-v1")
    assert len(rollout(expert, "Pendulum-v1", n_episodes=5, seed=0, n_envs=4)) == 5
    budgeted = rollout(expert, "Pendulum-v1", n_steps=130, seed=0, n_envs=4)
    assert sum(len(t) for t in budgeted) == 130
    assert all(t.truncated and not t.terminated for t in budgeted)
    whole = rollout(expert, "Pendulum-v1", n_steps=450, seed=0)  # one env copy unless told: whole episodes
    assert [len(t) for t in whole] == [200, 200, 50]
    with pytest.raises(ValueError, match="expected n_envs >= 1, got 0"):
        rollout(expert, "Pendulum-v1", n_steps=10, n_envs=0)
    with pytest.raises(ValueError, match="exactly one of n_episodes and n_steps"):
        rollout(expert, "Pendulum-v1", n_episodes=1, n_steps=10)


def test_actor_infos_are_stored_per_step():
    expert = experts.load("CartPole-v1")
    actor = lambda obs: (expert(obs), {"pole_angle": obs[:, 2]})  # noqa: E731
    traj = rollout(actor, "CartPole-v1", n_episodes=1, seed=0)[0]
    np.testing.assert_array_equal(traj.infos["pole_angle"], traj.observations[:-1, 2])
