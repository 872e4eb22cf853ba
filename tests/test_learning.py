"""Tier 3: small seeded end-to-end runs with thresholds that mean something."""

from __future__ import annotations

import jax
import numpy as np
import pytest

from apprentice import experts
from apprentice.algorithms.bc import BCConfig, train
from apprentice.envs import env_spec
from apprentice.envs.seeds import Stream, collection_seed, evaluation_seed
from apprentice.evaluation import evaluate
from apprentice.rollout import rollout

EXPERT_TARGETS = {
    "CartPole-v1": 495,
    "Acrobot-v1": -100,
    "MountainCar-v0": -120,
    "MountainCarContinuous-v0": 90,
    "Pendulum-v1": -200,
    "LunarLander-v3": 200,
    "LunarLanderContinuous-v3": 200,
}


@pytest.mark.slow
@pytest.mark.parametrize("env_id", sorted(EXPERT_TARGETS))
def test_scripted_expert_meets_its_target(env_id):
    # evaluation seeds: not the ones the stored stats were measured on (0..49)
    result = evaluate(experts.load(env_id), env_id, n_episodes=50, seed=evaluation_seed())
    assert result.mean_return >= EXPERT_TARGETS[env_id], result.mean_return


def test_cartpole_expert_pushes_toward_the_side_the_pole_falls_to():
    """Known states against the documented rule (push right iff 0.1 x + 0.5 x' + 10 theta + 2 theta' > 0)."""
    states = np.array(
        [
            [0.0, 0.0, 0.05, 0.0],  # pole leans right: push right
            [0.0, 0.0, -0.05, 0.0],  # pole leans left: push left
            [0.0, 0.0, 0.0, 0.3],  # pole falling right: push right
            [0.0, 0.0, 0.02, -0.2],  # leans right but falling left faster (0.2 - 0.4 < 0): push left
            [1.0, 0.0, 0.0, 0.0],  # cart right of centre, all else still: 0.1 > 0, push right
            [0.0, -1.0, 0.04, 0.0],  # cart moving left outweighs a small lean right (-0.5 + 0.4 < 0): push left
        ],
        np.float32,
    )
    np.testing.assert_array_equal(experts.load("CartPole-v1")(states).reshape(-1), [1, 0, 1, 0, 1, 0])


def test_disagreement_of_the_opposite_of_the_expert_is_one_and_of_the_expert_zero():
    """Evaluation's epsilon on the learner's own states: 1 for an actor that always contradicts the
    expert, 0 for the expert; a one-sided pusher disagrees exactly where the rule says push right."""
    expert = experts.load("CartPole-v1")
    assert evaluate(lambda obs: 1 - expert(obs), "CartPole-v1", n_episodes=4, seed=3).disagreement_rate == 1.0
    assert evaluate(expert, "CartPole-v1", n_episodes=2, seed=3).disagreement_rate == 0.0
    pushes_left = lambda obs: np.zeros(len(obs), np.int64)  # noqa: E731
    visited = np.concatenate([t.observations[:-1] for t in rollout(pushes_left, "CartPole-v1", n_episodes=4, seed=3)])
    by_rule = np.mean(visited.astype(np.float64) @ np.array([0.1, 0.5, 10.0, 2.0]) > 0)
    assert 0 < by_rule < 1
    assert evaluate(pushes_left, "CartPole-v1", n_episodes=4, seed=3).disagreement_rate == pytest.approx(by_rule)


def test_every_registered_expert_has_measured_stats():
    for env_id in experts.available():
        stats = experts.load(env_id).stats
        assert stats is not None and stats.n_episodes == 50, env_id
        assert stats.mean_return > stats.random_mean_return, env_id


@pytest.mark.slow
def test_bc_cartpole_from_ten_episodes():
    demos = rollout(
        experts.load("CartPole-v1"), "CartPole-v1", n_episodes=10, seed=collection_seed(0, Stream.DEMONSTRATIONS)
    )
    trained = train(jax.random.key(0), BCConfig(), demos, env_spec("CartPole-v1"), progress=False)
    result = evaluate(trained.policy, "CartPole-v1", n_episodes=20, seed=evaluation_seed())
    assert result.mean_return >= 475, result.mean_return


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(5))  # the NLL fit is seed-sensitive: one seed passing says little
def test_bc_pendulum_gaussian_nll_from_twenty_episodes(seed):
    demos = rollout(
        experts.load("Pendulum-v1"), "Pendulum-v1", n_episodes=20, seed=collection_seed(0, Stream.DEMONSTRATIONS)
    )
    trained = train(jax.random.key(seed), BCConfig(loss="gaussian_nll"), demos, env_spec("Pendulum-v1"), progress=False)
    result = evaluate(trained.policy, "Pendulum-v1", n_episodes=20, seed=evaluation_seed())
    assert result.normalized_score >= 0.9, (result.mean_return, result.normalized_score)


@pytest.mark.slow
def test_rwr_ignores_a_wrong_way_demonstrator_that_bc_copies():
    expert = experts.load("Pendulum-v1")
    good = rollout(expert, "Pendulum-v1", n_episodes=10, seed=collection_seed(0, Stream.DEMONSTRATIONS))
    reversed_demos = rollout(
        lambda obs: -expert(obs), "Pendulum-v1", n_episodes=20, seed=collection_seed(0, Stream.DEMONSTRATIONS, index=1)
    )
    spec = env_spec("Pendulum-v1")
    scores = {}
    for weighting in ("none", "exp_return"):
        config = BCConfig(loss="mse", weighting=weighting, rwr_temperature=100.0)
        trained = train(jax.random.key(0), config, good + reversed_demos, spec, progress=False)
        scores[weighting] = evaluate(
            trained.policy, "Pendulum-v1", n_episodes=20, seed=evaluation_seed()
        ).normalized_score
    assert scores["exp_return"] >= 0.9 and scores["none"] <= 0.2, scores


def test_evaluation_statistics_by_hand():
    """Mean, std and lengths of evaluate's episodes against the same seeded episodes rolled out directly."""
    pushes_left = lambda obs: np.zeros(len(obs), np.int64)  # noqa: E731
    episodes = rollout(pushes_left, "CartPole-v1", n_episodes=6, seed=7, n_envs=8)
    returns = sorted(t.episode_return for t in episodes)
    assert len(set(returns)) > 1  # returns differ, so mean, median and std tell apart
    result = evaluate(pushes_left, "CartPole-v1", n_episodes=6, seed=7)
    assert sorted(result.returns) == returns and sorted(result.lengths) == sorted(len(t) for t in episodes)
    assert result.mean_return == pytest.approx(np.mean(returns)) and result.std_return == pytest.approx(np.std(returns))
    stats = experts.load("CartPole-v1").stats
    by_hand = (np.mean(returns) - stats.random_mean_return) / (stats.mean_return - stats.random_mean_return)
    assert result.normalized_score == pytest.approx(by_hand)


def test_continuous_disagreement_by_hand():
    """LunarLanderContinuous (2-D actions in [-1, 1]): a constant actor [-1.5, 0] (clipped to [-1, 0]) against
    the expert's clipped labels; disagreement is any coordinate off by more than 5% of its range (0.1)."""
    pytest.importorskip("Box2D")
    env_id, constant = "LunarLanderContinuous-v3", np.array([-1.5, 0.0], np.float32)
    actor = lambda obs: np.tile(constant, (len(obs), 1))  # noqa: E731
    visited = np.concatenate([t.observations[:-1] for t in rollout(actor, env_id, n_episodes=2, seed=5, n_envs=8)])
    labels = np.clip(np.asarray(experts.load(env_id)(visited), np.float64).reshape(len(visited), 2), -1, 1)
    errors = np.abs(np.array([-1.0, 0.0]) - labels)
    result = evaluate(actor, env_id, n_episodes=2, seed=5)
    assert 0 < np.mean((errors > 0.1).all(axis=1)) < np.mean((errors > 0.1).any(axis=1))  # any, not all
    assert result.disagreement_rate == pytest.approx(np.mean((errors > 0.1).any(axis=1)))
    assert result.mean_squared_action_error == pytest.approx(np.mean(np.sum(errors**2, axis=1)))
    # The expert is bang-bang (labels +-1): the expert nudged by 0.07 (less than 0.1) still agrees.
    nudged = lambda obs: np.asarray(experts.load(env_id)(obs), np.float32) + np.float32(0.07)  # noqa: E731
    assert evaluate(nudged, env_id, n_episodes=2, seed=5).disagreement_rate == 0.0
