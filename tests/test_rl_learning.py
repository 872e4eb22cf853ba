"""Learning runs of the RL engine: thresholds from the RL issue, and a learned reward that really steers."""

from __future__ import annotations

import equinox as eqx
import gymnasium as gym
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from apprentice.algorithms.rl import PPOConfig, SACConfig, train_ppo, train_sac
from apprentice.algorithms.rl.ppo_jax import make_train
from apprentice.envs import make_jax_env
from apprentice.envs.seeds import evaluation_seed
from apprentice.evaluation import evaluate
from apprentice.policies.actor import PolicyActor
from apprentice.rollout import rollout

pytest.importorskip("gymnax")


@pytest.mark.slow
def test_ppo_balances_cartpole_within_100k_steps_on_the_jax_backend():
    result = train_ppo(jax.random.key(0), PPOConfig(total_steps=100_000, backend="jax"), "CartPole-v1", progress=False)
    assert result.env_steps <= 100_000
    # evaluated on the Gymnasium env: the policy trained on the JAX twin transfers
    assert evaluate(result.policy, "CartPole-v1", n_episodes=20, seed=evaluation_seed()).mean_return >= 475


@pytest.mark.slow
def test_ppo_balances_cartpole_on_the_gymnasium_backend():
    """Single seed, so its spread matters: keys 0-3 gave a final evaluation of 500 / 130 / 500 / 500
    on this machine (2026-12-02); key 1 passed in CI the same morning, so the numerics of one run
    differ between machines and a seed near the edge can flip."""
    config = PPOConfig(total_steps=30_000, backend="gymnasium")
    result = train_ppo(jax.random.key(0), config, "CartPole-v1", progress=False)
    assert result.metrics[-1]["eval_return"] >= 475


@pytest.mark.slow
def test_sac_swings_up_pendulum_within_8k_steps():
    config = SACConfig(total_steps=8_000, learning_starts=1_000, update_every=8, eval_episodes=10)
    result = train_sac(jax.random.key(0), config, "Pendulum-v1", progress=False)
    assert result.metrics[-1]["eval_return"] >= -200


def push_left_reward(obs, action, next_obs):
    """Costs 1 for pushing the cart right (action 1), nothing for pushing left.

    A cost, not a bonus for pushing left: a bonus per step would also pay for staying alive,
    and its best policy balances the pole while pushing left just over half the time.
    """
    return -(action == 1).astype(jnp.float32)


@pytest.mark.parametrize("backend", ["jax", "gymnasium"])
def test_a_learned_reward_replaces_the_env_reward_in_ppo(backend):
    result = train_ppo(
        jax.random.key(0),
        PPOConfig(total_steps=8_192, backend=backend),
        "CartPole-v1",
        reward_fn=push_left_reward,
        progress=False,
    )
    actor = PolicyActor(result.policy, jax.random.key(0), deterministic=True)
    trajectories = rollout(actor, "CartPole-v1", n_episodes=10, seed=5)
    left = np.mean(np.concatenate([t.actions for t in trajectories]) == 0)
    assert left >= 0.95, f"charged for pushing right, the learner still pushed left on only {left:.0%} of its steps"
    # the env's own return is still what is reported: pushing left drops the pole within ~10 steps
    assert result.metrics[-1]["eval_return"] < 30


class PositiveTorqueReward(eqx.Module):
    """A reward with parameters (an Equinox module), as GAIL's discriminator is: ``scale * a``."""

    scale: jax.Array

    def __call__(self, obs, action, next_obs):
        return self.scale * action[0]


def test_a_learned_reward_module_replaces_the_env_reward_in_sac():
    config = SACConfig(total_steps=1_500, learning_starts=500, update_every=8, eval_episodes=2)
    result = train_sac(
        jax.random.key(0), config, "Pendulum-v1", reward_fn=PositiveTorqueReward(jnp.asarray(1.0)), progress=False
    )
    actions = rollout(PolicyActor(result.policy, jax.random.key(0), True), "Pendulum-v1", n_episodes=2, seed=3)
    # The bound is 2; measured 1.49 after this short run. Before the squash box was
    # frozen, SAC widened it and this test saw more.
    assert np.mean(np.concatenate([t.actions for t in actions])) > 1.0
    assert result.metrics[-1]["learned_return"] is not None


def test_the_jax_ppo_run_is_deterministic_and_vmaps_over_seeds():
    config = PPOConfig(total_steps=2_048, n_envs=4, n_steps=64)
    run, _ = make_train(config, make_jax_env("CartPole-v1"))
    keys = jax.random.split(jax.random.key(0), 2)
    batched_params, _ = jax.jit(jax.vmap(run))(keys)
    single_run = jax.jit(run)
    for i in range(2):
        params, _ = single_run(keys[i])
        again, _ = single_run(keys[i])
        for a, b, c in zip(jax.tree.leaves(params), jax.tree.leaves(again), jax.tree.leaves(batched_params)):
            np.testing.assert_array_equal(a, b)
            np.testing.assert_allclose(a, c[i], rtol=1e-4, atol=1e-5)


def test_sac_refuses_discrete_actions_and_the_jax_backend_refuses_unknown_envs():
    with pytest.raises(ValueError, match="SAC needs continuous actions, but CartPole-v1 has 2 discrete actions"):
        train_sac(jax.random.key(0), SACConfig(total_steps=10), "CartPole-v1", progress=False)
    with pytest.raises(ValueError, match="LunarLander-v3"):
        train_ppo(jax.random.key(0), PPOConfig(total_steps=10, backend="jax"), "LunarLander-v3", progress=False)


NARROW_BOUND = 0.25
"""Half-width of the action box of the recording Pendulums below: a fresh Gaussian policy (std ~1)
samples far outside it in most steps, so unclipped actions would show at once."""


class _NarrowRecordingPendulum(gym.Wrapper):
    """Pendulum-v1 with the action box ``[-NARROW_BOUND, NARROW_BOUND]``, recording every action it is sent."""

    sent: list[np.ndarray] = []

    def __init__(self):
        super().__init__(gym.make("Pendulum-v1"))
        self.action_space = gym.spaces.Box(-NARROW_BOUND, NARROW_BOUND, (1,), np.float32)

    def step(self, action):
        _NarrowRecordingPendulum.sent.append(np.array(action, np.float64))
        return self.env.step(action)


NARROW_PENDULUM = "apprentice_tests/NarrowRecordingPendulum-v0"
gym.register(NARROW_PENDULUM, entry_point=lambda: _NarrowRecordingPendulum())


class _RecordingGymnax:
    """A gymnax env that hands every action its ``step_env`` receives to the host (``jax.debug.callback``)."""

    def __init__(self, inner, sent: list):
        self.inner, self.sent = inner, sent

    def reset_env(self, key, params):
        return self.inner.reset_env(key, params)

    def step_env(self, key, state, action, params):
        jax.debug.callback(lambda a: self.sent.append(np.array(a, np.float64)), action)
        return self.inner.step_env(key, state, action, params)


def _assert_clipped_into_the_box(sent: list[np.ndarray], n_expected: int):
    actions = np.concatenate([a.reshape(-1) for a in sent])
    assert actions.size == n_expected
    assert np.all(np.abs(actions) <= NARROW_BOUND)
    # The policy's samples did leave the box (clipping happened): many actions sit on a bound.
    assert np.mean(np.isclose(np.abs(actions), NARROW_BOUND)) > 0.3


@pytest.mark.parametrize("backend", ["jax", "gymnasium"])
def test_ppo_runs_with_continuous_actions_and_sends_the_env_only_actions_in_bounds(backend, monkeypatch):
    """The actions the env receives, recorded at the env, lie in a narrow action box; the stored
    (learned-from) actions are the unclipped samples."""
    config = PPOConfig(total_steps=1_024, n_envs=4, n_steps=64, backend=backend, eval_episodes=2)
    if backend == "jax":
        import dataclasses

        from apprentice.algorithms.rl.ppo_core import ppo_learner
        from apprentice.algorithms.rl.ppo_jax import run_learner_on_jax

        pendulum, sent = make_jax_env("Pendulum-v1"), []
        spec = dataclasses.replace(pendulum.spec, action_low=(-NARROW_BOUND,), action_high=(NARROW_BOUND,))
        env = dataclasses.replace(pendulum, spec=spec, gymnax_env=_RecordingGymnax(pendulum.gymnax_env, sent))
        result = run_learner_on_jax(jax.random.key(0), config, env, ppo_learner(config, spec), "PPO", progress=False)
        jax.effects_barrier()
    else:
        import apprentice.algorithms.rl.ppo_host as ppo_host

        _NarrowRecordingPendulum.sent = []
        real_evaluation = ppo_host.mean_policy_return
        sent = []

        def evaluation(*args, **kwargs):  # only the training steps' actions are checked
            sent.extend(_NarrowRecordingPendulum.sent)
            return real_evaluation(*args, **kwargs)

        monkeypatch.setattr(ppo_host, "mean_policy_return", evaluation)
        result = train_ppo(jax.random.key(0), config, NARROW_PENDULUM, progress=False)
    _assert_clipped_into_the_box(sent, 1_024)
    assert result.policy.head.squash is None and np.isfinite(result.metrics[-1]["eval_return"])
    assert all(np.isfinite(row["value_loss"]) for row in result.metrics)


def test_ppo_on_gymnasium_evaluates_the_final_policy_when_eval_every_does_not_divide_the_run():
    # 3 iterations of 256 steps, evaluations due at >= 500: after iteration 2 (512) and at the end (768).
    config = PPOConfig(total_steps=768, n_envs=2, n_steps=128, backend="gymnasium", eval_every=500, eval_episodes=1)
    result = train_ppo(jax.random.key(0), config, "CartPole-v1", progress=False)
    evaluated = [row["env_steps"] for row in result.metrics if row.get("eval_return") is not None]
    assert evaluated == [512, 768] and result.env_steps == 768
