"""Pure-JAX envs (gymnax): same spaces and dynamics as Gymnasium, split endings, fast path = slow path."""

from __future__ import annotations

import sys

import gymnasium as gym
import numpy as np
import pytest

pytest.importorskip("gymnax")

import jax
import jax.numpy as jnp

from apprentice import experts
from apprentice.envs import (
    JAX_ENV_IDS,
    env_spec,
    has_jax_env,
    init_carry,
    jax_envs,
    make_jax_env,
    scan_rollout,
    scan_rollout_from,
)
from apprentice.rollout import RandomActor, rollout

# gymnax state fields in the order of the Gymnasium env's ``state`` vector.
STATE_FIELDS = {
    "CartPole-v1": ("x", "x_dot", "theta", "theta_dot"),
    "Pendulum-v1": ("theta", "theta_dot"),
    "MountainCar-v0": ("position", "velocity"),
    "MountainCarContinuous-v0": ("position", "velocity"),
    "Acrobot-v1": ("joint_angle1", "joint_angle2", "velocity_1", "velocity_2"),
}
# (env id, start state or None for a reset, whether 50 random actions reach a terminal state).
# The starts reach branches that random actions from a reset rarely do: the mountain cars' left
# wall and goal, Pendulum's speed limit, Acrobot's terminal height.
DYNAMICS_CASES = [
    pytest.param("CartPole-v1", None, True, id="CartPole-v1"),
    pytest.param("Pendulum-v1", None, False, id="Pendulum-v1"),
    pytest.param("Pendulum-v1", (3.0, 7.9), False, id="Pendulum-v1-speed-limit"),
    pytest.param("MountainCar-v0", None, False, id="MountainCar-v0"),
    pytest.param("MountainCar-v0", (-1.15, -0.06), False, id="MountainCar-v0-left-wall"),
    pytest.param("MountainCar-v0", (0.45, 0.05), True, id="MountainCar-v0-goal"),
    pytest.param("MountainCarContinuous-v0", None, False, id="MountainCarContinuous-v0"),
    pytest.param("MountainCarContinuous-v0", (-1.15, -0.06), False, id="MountainCarContinuous-v0-left-wall"),
    pytest.param("MountainCarContinuous-v0", (0.4, 0.06), True, id="MountainCarContinuous-v0-goal"),
    pytest.param("Acrobot-v1", None, False, id="Acrobot-v1"),
    pytest.param("Acrobot-v1", (2.0, 0.0, 1.5, 0.0), True, id="Acrobot-v1-terminal"),
]


@pytest.mark.parametrize("env_id", JAX_ENV_IDS)
def test_spec_and_time_limit_match_gymnasium(env_id):
    env = make_jax_env(env_id)
    assert has_jax_env(env_id)
    assert env.spec == env_spec(env_id)
    assert env.max_episode_steps == gym.spec(env_id).max_episode_steps
    obs, _ = env.reset(jax.random.key(0))
    assert obs.shape == env.spec.obs_shape and obs.dtype == jnp.float32


@pytest.mark.parametrize("env_id,start,reaches_terminal", DYNAMICS_CASES)
def test_dynamics_match_gymnasium_step_for_step(env_id, start, reaches_terminal):
    """50 seeded random actions (continuous ones 25% past the bounds, to exercise clipping).

    No re-sync within an episode: float32 against float64 drifts less than 1e-5 in 50 steps.
    When an episode ends, Gymnasium is set to the state the JAX env reset to.
    """
    env = make_jax_env(env_id)
    fields = STATE_FIELDS[env_id]
    _, state = env.reset(jax.random.key(0))
    if start is not None:
        state = state.replace(**{f: jnp.float32(v) for f, v in zip(fields, start)})
    reference = gym.make(env_id).unwrapped

    def sync(state):
        reference.reset(seed=0)  # clears per-episode bookkeeping (CartPole's steps_beyond_terminated)
        reference.state = np.array([float(getattr(state, f)) for f in fields])

    sync(state)
    rng = np.random.default_rng(0)
    step = jax.jit(env.step)
    n_ended = 0
    for t in range(50):
        if env.spec.action_kind == "discrete":
            action = rng.integers(env.spec.n_actions)
        else:
            low, high = np.array(env.spec.action_low), np.array(env.spec.action_high)
            action = rng.uniform(1.25 * low, 1.25 * high).astype(np.float32)
        obs, reward, terminated, _, _ = reference.step(action)
        out = step(jax.random.key(t), state, jnp.asarray(action))
        np.testing.assert_allclose(out.final_obs, obs, rtol=1e-5, atol=1e-5, err_msg=f"step {t}")
        np.testing.assert_allclose(out.reward, reward, rtol=1e-5, atol=1e-5, err_msg=f"step {t}")
        assert bool(out.terminated) == terminated, f"step {t}"
        assert not out.truncated  # 50 steps are within every time limit
        state = out.state
        if terminated:
            n_ended += 1
            sync(state)
        else:  # up to the last bit (see JaxStep.final_obs)
            np.testing.assert_allclose(out.obs, out.final_obs, rtol=1e-6, atol=1e-12)
    assert (n_ended > 0) == reaches_terminal


def test_time_limit_truncates_and_a_terminal_state_terminates():
    env = make_jax_env("CartPole-v1")
    _, state = env.reset(jax.random.key(0))
    last_step = state.replace(time=jnp.int32(env.max_episode_steps - 1))
    balanced = env.step(jax.random.key(1), last_step, jnp.int32(0))
    assert (bool(balanced.terminated), bool(balanced.truncated)) == (False, True)
    assert int(balanced.state.time) == 0 and not np.array_equal(balanced.obs, balanced.final_obs)

    falling = state.replace(theta=jnp.float32(0.2), theta_dot=jnp.float32(1.0))
    fell = env.step(jax.random.key(1), falling, jnp.int32(0))
    assert (bool(fell.terminated), bool(fell.truncated), float(fell.reward)) == (True, False, 1.0)
    assert float(fell.final_obs[2]) > env.params.theta_threshold_radians
    assert np.abs(np.asarray(fell.obs)).max() <= 0.05  # the next episode's first observation

    fell_at_limit = env.step(jax.random.key(1), falling.replace(time=last_step.time), jnp.int32(0))
    assert (bool(fell_at_limit.terminated), bool(fell_at_limit.truncated)) == (True, False)


def test_balancing_expert_is_truncated_at_500_steps_on_the_jax_backend():
    trajs = rollout(experts.load("CartPole-v1"), "CartPole-v1", n_episodes=2, seed=0, backend="jax")
    assert [(len(t), t.truncated, t.terminated) for t in trajs] == [(500, True, False)] * 2
    random_trajs = rollout(RandomActor(env_spec("CartPole-v1")), "CartPole-v1", n_episodes=4, backend="jax")
    assert all(t.terminated and not t.truncated and len(t) < 500 for t in random_trajs)
    assert all(abs(t.observations[-1][2]) > 0.2094 or abs(t.observations[-1][0]) > 2.4 for t in random_trajs)


@pytest.mark.parametrize(
    "env_id,actor_name",
    [("CartPole-v1", "expert"), ("CartPole-v1", "random"), ("Pendulum-v1", "expert")],
)
def test_same_policy_same_mean_return_on_both_backends(env_id, actor_name):
    """20 episodes each: |mean difference| < 3 combined standard errors (+ 1e-3 for zero spread)."""
    means, squared_errors = [], []
    for backend in ("gymnasium", "jax"):
        actor = experts.load(env_id) if actor_name == "expert" else RandomActor(env_spec(env_id), seed=0)
        returns = np.array([t.episode_return for t in rollout(actor, env_id, n_episodes=20, seed=0, backend=backend)])
        means.append(returns.mean())
        squared_errors.append(returns.var(ddof=1) / len(returns))
    tolerance = 3 * np.sqrt(sum(squared_errors)) + 1e-3
    assert abs(means[0] - means[1]) < tolerance, (means, tolerance)


def test_jax_backend_keeps_rollout_structure_and_is_deterministic():
    def actor():
        random_actor = RandomActor(env_spec("CartPole-v1"), seed=1)
        return lambda obs: (random_actor(obs), {"cart_x": obs[:, 0]})

    first = rollout(actor(), "CartPole-v1", n_episodes=5, seed=3, n_envs=2, backend="jax")
    again = rollout(actor(), "CartPole-v1", n_episodes=5, seed=3, n_envs=2, backend="jax")
    auto = rollout(actor(), "CartPole-v1", n_episodes=5, seed=3, n_envs=2, backend="auto")
    other_seed = rollout(actor(), "CartPole-v1", n_episodes=5, seed=4, n_envs=2, backend="jax")
    assert len(first) == 5
    for a, b, c in zip(first, again, auto):
        for x in (b, c):
            np.testing.assert_array_equal(a.observations, x.observations)
            np.testing.assert_array_equal(a.actions, x.actions)
            np.testing.assert_array_equal(a.rewards, x.rewards)
    assert not np.array_equal(first[0].observations[0], other_seed[0].observations[0])
    budgeted = rollout(actor(), "CartPole-v1", n_steps=130, seed=0, n_envs=4, backend="jax")
    assert sum(len(t) for t in budgeted) == 130
    assert budgeted[-1].truncated and not budgeted[-1].terminated

    # Each episode, first to final observation, is what Gymnasium's CartPole does from its start
    # (CartPole's observation is its state).
    reference = gym.make("CartPole-v1").unwrapped
    for traj in first:
        assert traj.observations.dtype == np.float32 and traj.terminated != traj.truncated
        np.testing.assert_array_equal(traj.infos["cart_x"], traj.observations[:-1, 0])  # what the actor saw
        reference.reset(seed=0)
        reference.state = traj.observations[0].astype(np.float64)
        replayed = [reference.step(int(a))[0] for a in traj.actions]
        np.testing.assert_allclose(traj.observations[1:], replayed, rtol=1e-5, atol=1e-5)


def test_clear_errors():
    with pytest.raises(ValueError, match="expected one of CartPole-v1.*got 'LunarLander-v3'"):
        make_jax_env("LunarLander-v3")
    assert not has_jax_env("LunarLander-v3")
    expert = experts.load("Pendulum-v1")
    with pytest.raises(ValueError, match="env_kwargs are not supported"):
        rollout(expert, "Pendulum-v1", n_episodes=1, backend="jax", env_kwargs={"g": 9.81})
    with pytest.raises(ValueError, match="backend: expected one of 'gymnasium', 'jax', 'auto', got 'torch'"):
        rollout(expert, "Pendulum-v1", n_episodes=1, backend="torch")
    with pytest.raises(ValueError, match="expected one of"):
        rollout(expert, "Pendulum-v2", n_episodes=1, backend="jax")


def test_missing_gymnax_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "gymnax", None)  # makes `import gymnax` raise ImportError
    jax_envs._gymnax_importable.cache_clear()
    try:
        assert not has_jax_env("CartPole-v1")
        with pytest.raises(ImportError, match=r"pip install 'apprentice\[jax-envs\]'"):
            make_jax_env("CartPole-v1")
    finally:
        jax_envs._gymnax_importable.cache_clear()


def _random_cartpole_actions(key, obs):
    return jax.random.bernoulli(key, shape=obs.shape[:1]).astype(jnp.int32)


def test_scan_rollout_matches_stepping_each_env_by_hand():
    env, n_envs, n_steps = make_jax_env("CartPole-v1"), 3, 60
    key = jax.random.key(0)
    _, batch = jax.jit(scan_rollout, static_argnums=(0, 1, 3, 4))(_random_cartpole_actions, env, key, n_envs, n_steps)

    # Slow reference: the documented key use, one env at a time.
    carry = init_carry(env, key, n_envs)
    chain, obs = carry.key, np.asarray(carry.obs)
    states = [jax.tree.map(lambda leaf, i=i: leaf[i], carry.state) for i in range(n_envs)]
    step = jax.jit(env.step)
    for t in range(n_steps):
        chain, act_key, env_key = jax.random.split(chain, 3)
        actions = _random_cartpole_actions(act_key, obs)
        np.testing.assert_array_equal(batch["obs"][t], obs)
        np.testing.assert_array_equal(batch["actions"][t], actions)
        next_obs = []
        for i, env_key_i in enumerate(jax.random.split(env_key, n_envs)):
            out = step(env_key_i, states[i], actions[i])
            next_obs.append(out.obs)
            np.testing.assert_allclose(batch["final_obs"][t, i], out.final_obs, rtol=1e-6, atol=1e-6)
            assert (batch["rewards"][t, i], batch["terminated"][t, i], batch["truncated"][t, i]) == (
                out.reward,
                out.terminated,
                out.truncated,
            )
            states[i] = out.state
        obs = np.stack(next_obs)
    assert batch["terminated"].any(), "60 random steps should end some CartPole episodes"


def test_scan_rollout_continues_from_its_carry_and_does_not_recompile():
    traces = []

    def act_fn(key, obs):
        traces.append(1)  # runs only while tracing
        return _random_cartpole_actions(key, obs)

    run = jax.jit(scan_rollout, static_argnums=(0, 1, 3, 4))
    run_from = jax.jit(scan_rollout_from, static_argnums=(0, 1, 3))
    env = make_jax_env("CartPole-v1")
    _, whole = run(act_fn, env, jax.random.key(0), 4, 40)
    carry = init_carry(env, jax.random.key(0), 4)
    carry, head = run_from(act_fn, env, carry, 20)
    _, tail = run_from(act_fn, env, carry, 20)
    for name, array in whole.items():
        np.testing.assert_array_equal(array, np.concatenate([head[name], tail[name]]), err_msg=name)

    n_traces = len(traces)
    run(act_fn, make_jax_env("CartPole-v1"), jax.random.key(1), 4, 40)  # equal env, new key: no retrace
    assert len(traces) == n_traces
