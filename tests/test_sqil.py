"""SQIL and the discrete soft Q-learner under it: the reward assignment and the balanced sampling
exactly, the soft Bellman target against a hand computation, learning on CartPole and Pendulum,
and ``apprentice train sqil``."""

from __future__ import annotations

import json
import math
from pathlib import Path

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from apprentice import experts
from apprentice.algorithms.configs.rl import SACConfig
from apprentice.algorithms.configs.sqil import SoftQConfig, SQILConfig
from apprentice.algorithms.irl import sqil
from apprentice.algorithms.irl.sqil import SQILReplay
from apprentice.algorithms.rl import soft_q
from apprentice.algorithms.rl.critics import TwinQ
from apprentice.cli import main
from apprentice.data import flatten
from apprentice.data.trajectory import Transitions
from apprentice.envs import Stream, collection_seed, env_spec
from apprentice.policies.architecture import Network
from apprentice.policies.build import make_policy
from apprentice.rollout import rollout

CARTPOLE = env_spec("CartPole-v1")


def _demo_transitions(n: int) -> Transitions:
    """Row i: obs (i, 0, 0, 0), next obs (i + 0.5, ...), action i % 2, terminal only at the last row."""
    obs = np.zeros((n, 4), np.float32)
    obs[:, 0] = np.arange(n)
    dones = np.zeros(n, bool)
    dones[-1] = True
    return Transitions(obs=obs, acts=np.arange(n) % 2, next_obs=obs + 0.5, dones=dones, weights=np.ones(n, np.float32))


def _agent_steps(n: int) -> dict:
    """Row j: obs (100 + j, ...), next obs (100 + j + 0.5, ...), action (j + 1) % 2, the env's reward 1."""
    obs = np.zeros((n, 4), np.float32)
    obs[:, 0] = 100 + np.arange(n)
    terminated = np.arange(n) % 3 == 0
    return {
        "obs": obs,
        "actions": (np.arange(n) + 1) % 2,
        "rewards": np.ones(n),
        "next_obs": obs + 0.5,
        "terminated": terminated,
    }


def _check_rows(batch: dict, rows: slice, from_demos: bool) -> None:
    """Each row of ``rows`` is a whole row of its buffer (obs, action, next obs, done) with its reward."""
    ids = batch["obs"][:, rows, 0]
    if from_demos:
        assert np.all((0 <= ids) & (ids < 7)) and np.all(ids == np.round(ids))
        np.testing.assert_array_equal(batch["actions"][:, rows], ids.astype(int) % 2)
        np.testing.assert_array_equal(batch["terminated"][:, rows], (ids == 6).astype(np.float32))
        np.testing.assert_array_equal(batch["rewards"][:, rows], np.ones_like(ids))
    else:
        assert np.all((100 <= ids) & (ids < 105))
        j = ids.astype(int) - 100
        np.testing.assert_array_equal(batch["actions"][:, rows], (j + 1) % 2)
        np.testing.assert_array_equal(batch["terminated"][:, rows], (j % 3 == 0).astype(np.float32))
        np.testing.assert_array_equal(batch["rewards"][:, rows], np.zeros_like(ids))
    np.testing.assert_array_equal(batch["next_obs"][:, rows], batch["obs"][:, rows] + 0.5)


def test_demonstrations_get_reward_one_the_agent_zero_and_each_batch_is_half_of_each():
    replay = SQILReplay(CARTPOLE, _demo_transitions(7), capacity=50)
    steps = _agent_steps(5)
    replay.add(steps["obs"], steps["actions"], steps["rewards"], steps["next_obs"], steps["terminated"])
    assert replay.demos.size == 7 and replay.agent.size == 5
    np.testing.assert_array_equal(replay.demos.rewards[:7], np.ones(7))
    np.testing.assert_array_equal(replay.agent.rewards[:5], np.zeros(5))  # the env paid 1; SQIL stores 0

    batches = replay.sample(np.random.default_rng(0), n_batches=40, batch_size=10)
    assert batches["obs"].shape == (40, 10, 4) and batches["rewards"].shape == (40, 10)
    _check_rows(batches, slice(0, 5), from_demos=True)
    _check_rows(batches, slice(5, 10), from_demos=False)
    np.testing.assert_array_equal(batches["rewards"].sum(axis=1), np.full(40, 5.0))  # 5 demonstrations per batch
    # Uniform inside each buffer: every row of both buffers turns up.
    assert set(batches["obs"][:, :5, 0].ravel()) == set(range(7))
    assert set(batches["obs"][:, 5:, 0].ravel()) == set(range(100, 105))

    odd = SQILReplay(CARTPOLE, _demo_transitions(7), capacity=50, demo_fraction=0.3)
    odd.add(steps["obs"], steps["actions"], steps["rewards"], steps["next_obs"], steps["terminated"])
    batch = odd.sample(np.random.default_rng(1), n_batches=6, batch_size=9)  # round(2.7) = 3 demonstrations
    _check_rows(batch, slice(0, 3), from_demos=True)
    _check_rows(batch, slice(3, 9), from_demos=False)

    only_demos = SQILReplay(CARTPOLE, _demo_transitions(7), capacity=50, demo_fraction=1.0)
    _check_rows(only_demos.sample(np.random.default_rng(2), 3, 8), slice(0, 8), from_demos=True)  # agent buffer empty


def test_bad_shares_are_one_line_errors():
    with pytest.raises(ValueError, match=r"demo_fraction: expected a value in \(0, 1\], got 0.0"):
        SQILReplay(CARTPOLE, _demo_transitions(3), capacity=10, demo_fraction=0.0)
    with pytest.raises(ValueError, match="gives 0 demonstrations per batch; expected at least 1"):
        SQILConfig(soft_q=SoftQConfig(batch_size=1), demo_fraction=0.4)


def test_soft_bellman_target_matches_a_hand_computation():
    # y = r + gamma (1 - done) alpha log(sum_b exp(Q'(s', b) / alpha)), gamma 0.9, alpha 0.5
    y = soft_q.soft_bellman_targets(
        jnp.array([1.0, 0.0, 2.0]),
        jnp.array([[1.0, 2.0], [0.0, 0.0], [3.0, -1.0]]),
        jnp.array([0.0, 0.0, 1.0]),
        0.9,
        0.5,
    )
    hand = [1.0 + 0.9 * 0.5 * math.log(math.exp(2.0) + math.exp(4.0)), 0.9 * 0.5 * math.log(2.0), 2.0]
    np.testing.assert_allclose(np.asarray(y), hand, rtol=1e-6)


def test_the_update_regresses_q_on_the_target_networks_soft_value_and_copies_it_on_schedule():
    config = SoftQConfig(alpha=0.5, gamma=0.9, tau=1.0, target_update_every=2, network=Network((8,)))
    q_net = make_policy(jax.random.key(0), CARTPOLE, soft_q.soft_q_architecture(config))
    target_net = make_policy(jax.random.key(1), CARTPOLE, soft_q.soft_q_architecture(config))
    q_params, static = eqx.partition(q_net, eqx.is_array)
    target_params, _ = eqx.partition(target_net, eqx.is_array)
    update_many, init = soft_q.make_soft_q_update(static, config)
    state = soft_q.SoftQState(q_params, target_params, init(q_params), jnp.zeros((), jnp.int32))
    rng = np.random.default_rng(0)
    batch = {
        "obs": rng.normal(size=(1, 4, 4)).astype(np.float32),
        "actions": np.array([[0, 1, 1, 0]], np.int32),
        "rewards": np.array([[1.0, 0.0, 1.0, 0.0]], np.float32),
        "next_obs": rng.normal(size=(1, 4, 4)).astype(np.float32),
        "terminated": np.array([[0.0, 1.0, 0.0, 0.0]], np.float32),
    }
    # By hand, from the target network's logits (Q' = alpha * logits).
    logits = np.stack([np.asarray(target_net.head.logits(target_net.features(o))) for o in batch["next_obs"][0]])
    soft_value = 0.5 * np.log(np.exp(logits).sum(axis=1))
    hand = batch["rewards"][0] + 0.9 * (1.0 - batch["terminated"][0]) * soft_value
    q_now = np.stack([np.asarray(q_net.head.logits(q_net.features(o))) for o in batch["obs"][0]]) * 0.5
    taken = q_now[np.arange(4), batch["actions"][0]]

    state, metrics = update_many(state, batch, jax.random.key(0))
    np.testing.assert_allclose(float(metrics["mean_target"]), hand.mean(), rtol=1e-5)
    np.testing.assert_allclose(float(metrics["q_loss"]), np.mean((taken - hand) ** 2), rtol=1e-5)
    same = lambda a, b: all(np.array_equal(x, y) for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b)))  # noqa: E731
    assert same(state.target, target_params)  # update 1 of 2: the target waits
    assert not same(state.q, q_params)
    state, _ = update_many(state, batch, jax.random.key(0))
    assert same(state.target, state.q)  # update 2: a hard copy (tau = 1)


def test_wrong_inputs_are_one_line_errors():
    with pytest.raises(ValueError, match="soft Q-learning needs discrete actions, but Pendulum-v1 has continuous"):
        soft_q.train(jax.random.key(0), SoftQConfig(total_steps=10), "Pendulum-v1", progress=False)
    with pytest.raises(ValueError, match="sqil: expected at least one expert trajectory, got none"):
        sqil.train(jax.random.key(0), SQILConfig(), "CartPole-v1", [], progress=False)
    pendulum_demos = rollout(experts.load("Pendulum-v1"), "Pendulum-v1", n_episodes=1, seed=0)
    with pytest.raises(ValueError, match="sqil demonstrations"):
        sqil.train(jax.random.key(0), SQILConfig(), "CartPole-v1", pendulum_demos, progress=False)


def _demos(env_id: str, n_episodes: int):
    return rollout(experts.load(env_id), env_id, n_episodes=n_episodes, seed=collection_seed(0, Stream.DEMONSTRATIONS))


@pytest.mark.slow
def test_sqil_imitates_the_cartpole_expert():
    """5 expert episodes, 8000 env steps of soft Q-learning on reward 1/0: the greedy policy balances
    (measured: 500 on seeds 0, 1, 2; ~25 s each on the 2-core machine)."""
    config = SQILConfig(soft_q=SoftQConfig(total_steps=8_000, eval_every=0, eval_episodes=10))
    result = sqil.train(jax.random.key(0), config, "CartPole-v1", _demos("CartPole-v1", 5), progress=False)
    assert result.metrics[-1]["eval_return"] >= 475


@pytest.mark.slow
def test_continuous_sqil_on_sac_values_the_demonstrated_actions_and_moves_toward_them():
    """A tiny SAC run (1500 steps, 32x32) on SQIL's replay. Its critic ranks the demonstrated action
    above uniformly random ones at the demonstrated states (measured: by 0.45 on average; with the
    demonstrations' reward set to 0, by 0.03), and the actor's squared error to the demonstrated
    actions falls (0.26 against the untrained actor's 0.51). A return gain takes longer: from -1145 at
    2k steps to -275 at 6k with 256x256 networks (248 s), which ``bench sqil`` measures instead."""
    spec = env_spec("Pendulum-v1")
    demos = _demos("Pendulum-v1", 5)
    expert = flatten(demos)
    obs, demo_actions = expert.obs.astype(np.float32), expert.acts.astype(np.float32)
    sac = SACConfig(
        total_steps=1_500,
        learning_starts=300,
        batch_size=64,
        update_every=8,
        eval_every=0,
        eval_episodes=1,
        network=Network((32, 32)),
    )
    result = sqil.train(jax.random.key(0), SQILConfig(sac=sac), "Pendulum-v1", demos, progress=False)
    assert np.isfinite(result.metrics[-1]["eval_return"])

    critic_static = eqx.partition(TwinQ(spec, sac.network, key=jax.random.key(0)), eqx.is_array)[1]
    critic = eqx.combine(result.learner_state.critic, critic_static)
    q = jax.vmap(lambda o, a: jnp.minimum(*critic(o, a)))
    random_actions = np.random.default_rng(0).uniform(-2.0, 2.0, size=demo_actions.shape).astype(np.float32)
    gap = float(jnp.mean(q(obs, demo_actions)) - jnp.mean(q(obs, random_actions)))
    assert gap > 0.2, gap

    def action_error(policy) -> float:
        return float(np.mean((np.asarray(jax.vmap(policy.mode)(obs)) - demo_actions) ** 2))

    untrained = action_error(make_policy(jax.random.key(0), spec, result.architecture))
    assert action_error(result.policy) < 0.75 * untrained


def test_train_sqil_command_writes_a_run_and_scores_it(tmp_path, capsys):
    demos = tmp_path / "demos.npz"
    assert main(["collect", "--env", "CartPole-v1", "--episodes", "2", "--out", str(demos)]) == 0
    run = tmp_path / "run"
    argv = ["train", "sqil", "--demos", str(demos), "--out", str(run), "--json", "--eval-episodes", "2"]
    argv += ["--soft-q.total-steps", "200", "--soft-q.learning-starts", "50", "--soft-q.eval-episodes", "1"]
    argv += ["--soft-q.network.hidden-sizes", "8"]
    assert main(argv) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["algorithm"] == "sqil" and result["env_id"] == "CartPole-v1" and result["env_steps"] == 200
    assert {"mean_return", "normalized_score"} <= set(result)
    assert json.loads(Path(run, "result.json").read_text())["mean_return"] == result["mean_return"]
    assert json.loads(Path(run, "config.json").read_text())["config"]["soft_q"]["total_steps"] == 200
