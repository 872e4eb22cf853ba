"""Iterated RWR, AWR and "PG = RWR" (apprentice.algorithms.rwr): the identity, AWR's weights and
value targets against hand computations, and iterated RWR learning CartPole."""

from __future__ import annotations

import dataclasses

import jax
import numpy as np
import pytest

from apprentice import experts
from apprentice.algorithms.configs.bc import BCConfig
from apprentice.algorithms.configs.rwr import AWRConfig, RWRConfig
from apprentice.algorithms.rwr import awr, iterated
from apprentice.algorithms.rwr.advantages import advantage_weights, value_targets
from apprentice.algorithms.rwr.awr import recent_steps
from apprentice.algorithms.rwr.pg_identity import (
    cosine,
    flat,
    log_importance_weights,
    reinforce_gradient,
    rwr_gradient,
)
from apprentice.data import Trajectory
from apprentice.envs import Stream, collection_seed, env_spec
from apprentice.policies.actor import PolicyActor
from apprentice.policies.architecture import Network
from apprentice.policies.build import make_policy
from apprentice.rollout import rollout


def _on_policy(env_id: str, n_episodes: int, seed: int = 0):
    """A freshly initialized policy of ``env_id`` and ``n_episodes`` of its own sampled actions."""
    spec = env_spec(env_id)
    architecture = BCConfig(network=Network((16,))).architecture_for(spec)
    policy = make_policy(jax.random.key(seed), spec, architecture)
    actor = PolicyActor(policy, jax.random.key(seed + 1), deterministic=False)
    episodes = rollout(actor, env_id, n_episodes=n_episodes, seed=collection_seed(seed, Stream.INTERACTIVE, 1))
    return policy, episodes


@pytest.mark.parametrize("env_id", ["CartPole-v1", "Pendulum-v1"])
def test_on_policy_the_rwr_loss_gradient_is_the_reinforce_gradient(env_id):
    policy, episodes = _on_policy(env_id, 6)
    rwr, pg = flat(rwr_gradient(policy, episodes)), flat(reinforce_gradient(policy, episodes))
    assert np.linalg.norm(pg) > 1.0  # a real gradient, not two zeros
    # Loss = -1/m sum_i R_i sum_t log pi: its gradient is minus the REINFORCE estimate, to float32 rounding
    np.testing.assert_allclose(rwr, -pg, rtol=1e-4, atol=1e-4 * np.abs(pg).max())
    assert cosine(rwr, -pg) > 1 - 1e-9


def test_importance_weights_of_the_policys_own_data_are_one_and_scale_the_gradient():
    policy, episodes = _on_policy("CartPole-v1", 4)
    obs_lp = [np.asarray(jax.vmap(policy.log_prob)(t.observations[:-1], t.actions)) for t in episodes]
    np.testing.assert_allclose(log_importance_weights(policy, episodes, obs_lp), 0.0, atol=1e-4)
    # a data policy twice as likely on every step of episode 0: rho_0 = 2^-T_0
    halved = [lp + np.log(2.0) * (i == 0) for i, lp in enumerate(obs_lp)]
    log_rho = log_importance_weights(policy, episodes, halved)
    np.testing.assert_allclose(log_rho, [-np.log(2.0) * len(episodes[0]), 0, 0, 0], atol=1e-3)
    rho = np.exp(log_rho)
    weighted = flat(reinforce_gradient(policy, episodes, rho))
    by_hand = sum(rho[i] * flat(reinforce_gradient(policy, [episodes[i]])) for i in range(4)) / 4
    np.testing.assert_allclose(weighted, by_hand, rtol=1e-4, atol=1e-6)


def test_awr_weights_by_hand_exp_of_advantage_over_beta_clipped_at_max_weight():
    advantages = np.array([-2.0, 0.0, 1.0, 3.0, 10.0])
    # beta = 2: exp(-1), exp(0), exp(0.5), exp(1.5) = 4.48, exp(5) = 148 -> clipped to 20
    expected = [0.36787944, 1.0, 1.64872127, 4.48168907, 20.0]
    np.testing.assert_allclose(advantage_weights(advantages, beta=2.0, max_weight=20.0), expected, rtol=1e-8)
    # max_weight 3 clips exp(1.5) too
    np.testing.assert_allclose(advantage_weights(advantages, 2.0, 3.0), [0.36787944, 1.0, 1.64872127, 3.0, 3.0])
    # normalized: A / std(A) first; std of [-1, 1] is 1, of [-2, 2] is 2: the same weights
    np.testing.assert_allclose(
        advantage_weights(np.array([-2.0, 2.0]), 1.0, 20.0, normalize=True), [np.exp(-1.0), np.exp(1.0)]
    )
    with pytest.raises(ValueError, match="beta and max_weight: expected positive numbers, got beta=0"):
        advantage_weights(advantages, 0.0, 20.0)


def test_value_targets_by_hand_td_lambda_and_monte_carlo():
    rewards = np.array([1.0, 2.0, 3.0])
    values = np.array([0.5, 1.0, 2.0, 4.0])  # V(s_0) .. V(s_3)
    cut = Trajectory(np.zeros((4, 1)), np.zeros((3, 1)), rewards, truncated=True)
    ended = dataclasses.replace(cut, truncated=False, terminated=True)
    g, lam = 0.9, 0.5
    # cut short: G_2 = 3 + 0.9 * 4 = 6.6; G_1 = 2 + 0.9 (0.5 * 2 + 0.5 * 6.6) = 5.87;
    # G_0 = 1 + 0.9 (0.5 * 1 + 0.5 * 5.87) = 4.0915
    np.testing.assert_allclose(value_targets(cut, values, g, lam, "td_lambda"), [4.0915, 5.87, 6.6], rtol=1e-6)
    # terminal: G_2 = 3; G_1 = 2 + 0.9 (1 + 1.5) = 4.25; G_0 = 1 + 0.9 (0.5 + 2.125) = 3.3625
    np.testing.assert_allclose(value_targets(ended, values, g, lam, "td_lambda"), [3.3625, 4.25, 3.0], rtol=1e-6)
    # Monte Carlo ignores V and the cut: 3, 2 + 2.7, 1 + 0.9 * 4.7
    np.testing.assert_allclose(value_targets(cut, values, g, lam, "monte_carlo"), [5.23, 4.7, 3.0], rtol=1e-6)


def test_the_buffer_keeps_the_most_recent_whole_episodes():
    episodes = [Trajectory(np.zeros((n + 1, 1)), np.zeros((n, 1)), np.zeros(n)) for n in (5, 3, 4)]
    assert [len(t) for t in recent_steps(episodes, 7)] == [3, 4]
    assert [len(t) for t in recent_steps(episodes, 2)] == [4]  # the newest, even when longer
    assert [len(t) for t in recent_steps(episodes, 100)] == [5, 3, 4]


def test_configs_refuse_weights_that_are_not_theirs():
    with pytest.raises(ValueError, match="RWRConfig.bc.weighting: expected 'return' .* or 'exp_return'"):
        RWRConfig(bc=BCConfig(weighting="none"))
    with pytest.raises(ValueError, match="AWRConfig.bc.weighting: expected 'none'"):
        AWRConfig(bc=BCConfig(weighting="return"))
    with pytest.raises(ValueError, match="collection"):
        RWRConfig(n_iterations=5000)


TINY_BC = dict(n_epochs=2, min_gradient_steps=0, network=Network((16,)), validation_fraction=0.0)


def test_awr_offline_is_one_iteration_on_the_demonstrations_without_env_steps():
    demos = rollout(
        experts.load("Pendulum-v1"), "Pendulum-v1", n_episodes=2, seed=collection_seed(0, Stream.DEMONSTRATIONS)
    )
    config = AWRConfig(n_iterations=0, eval_episodes=1, value_steps=5, bc=BCConfig(**TINY_BC))
    result = awr.train(jax.random.key(0), config, "Pendulum-v1", demos, progress=False)
    [row] = result.metrics
    assert row["env_steps"] == 0 and row["buffer_steps"] == 400 and row["episodes"] == 2
    assert 0 <= row["clipped_fraction"] <= 1 and np.isfinite(row["value_loss"])


@pytest.mark.slow
def test_iterated_rwr_improves_cartpole_over_iterations():
    """Measured (seed 0, this config): sampled returns 23.3, 40.0, 73.3, 57.8, 62.1 over iterations
    0 (random episodes) to 4, so the last two average 2.57x iteration 0; the bar is 1.8x."""
    config = RWRConfig(n_iterations=4, episodes_per_iteration=10, eval_episodes=0)
    result = iterated.train(jax.random.key(0), config, "CartPole-v1", progress=False)
    returns = [row["sample_return"] for row in result.metrics]
    assert np.mean(returns[-2:]) > 1.8 * returns[0], returns


def _json_line(capsys) -> dict:
    import json

    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_train_rwr_and_awr_write_runs_and_print_json(tmp_path, capsys):
    from apprentice.cli import main
    from apprentice.policies.serialization import load_policy
    from apprentice.runs import read_metrics

    rwr_argv = "--n-iterations 1 --episodes-per-iteration 2 --eval-episodes 1 --n-epochs 2 --min-gradient-steps 0"
    out = tmp_path / "rwr"
    argv = ["train", "rwr", "--env", "CartPole-v1", "--out", str(out), *rwr_argv.split(), "--hidden-sizes", "16"]
    assert main([*argv, "--json"]) == 0
    result = _json_line(capsys)
    assert result["algorithm"] == "rwr" and result["iterations"] == 2 and result["env_steps"] > 0
    assert {"mean_return", "normalized_score"} <= result.keys() and result["normalized_score"] is not None
    assert [row["iteration"] for row in read_metrics(out)] == [0, 1]
    load_policy(out)

    demos = tmp_path / "pendulum.npz"
    assert main(["collect", "--env", "Pendulum-v1", "--episodes", "2", "--out", str(demos)]) == 0
    capsys.readouterr()
    awr_argv = "--n-iterations 0 --eval-episodes 1 --value-steps 5 --n-epochs 1 --min-gradient-steps 10"
    argv = ["train", "awr", "--demos", str(demos), "--out", str(tmp_path / "awr"), *awr_argv.split(), "--json"]
    assert main(argv) == 0
    result = _json_line(capsys)
    assert result["algorithm"] == "awr" and result["from_demonstrations"] and result["env_steps"] == 0
    assert result["env_id"] == "Pendulum-v1" and isinstance(result["mean_return"], float)
    assert result["normalized_score"] is not None


def test_train_rwr_without_env_or_demos_is_one_line(tmp_path, capsys):
    from apprentice.cli import main

    assert main(["train", "rwr", "--out", str(tmp_path / "x")]) == 2
    assert "expected --env (or --demos that name their env), got neither" in capsys.readouterr().err
