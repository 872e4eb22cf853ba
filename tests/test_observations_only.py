"""Learning from observations alone: action-free datasets, the inverse dynamics model, BCO, GAIfO."""

from __future__ import annotations

import dataclasses
import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from apprentice import experts
from apprentice.algorithms import bc
from apprentice.algorithms.configs.bc import BCConfig
from apprentice.algorithms.configs.irl import GAILConfig
from apprentice.algorithms.configs.observations_only import BCOConfig, GAIfOConfig
from apprentice.algorithms.irl import adversarial
from apprentice.algorithms.irl.discriminators import GAILDiscriminator
from apprentice.algorithms.observations_only import bco
from apprentice.algorithms.observations_only.inverse_dynamics import train_inverse_dynamics
from apprentice.cli import main
from apprentice.data import Trajectory, flatten, load_trajectories, save_trajectories, without_actions
from apprentice.envs import Stream, collection_seed, env_spec, evaluation_seed
from apprentice.envs.pairs import pair_observations
from apprentice.envs.spec import EnvSpec
from apprentice.evaluation import evaluate
from apprentice.policies.architecture import Network
from apprentice.rollout import rollout


def _observation_only(n_steps: int = 3, obs_dim: int = 2) -> Trajectory:
    observations = np.arange((n_steps + 1) * obs_dim, dtype=np.float32).reshape(n_steps + 1, obs_dim)
    return Trajectory(observations, None, np.ones(n_steps), terminated=True)


@pytest.fixture(scope="module")
def cartpole_demos():
    expert = experts.load("CartPole-v1")
    return rollout(expert, "CartPole-v1", n_episodes=2, seed=collection_seed(0, Stream.DEMONSTRATIONS))


def test_an_action_free_trajectory_flattens_to_its_state_pairs():
    traj = _observation_only()
    assert len(traj) == 3 and not traj.has_actions and traj.episode_return == 3.0
    data = flatten([traj, traj])
    assert data.acts is None and not data.has_actions and len(data) == 6
    np.testing.assert_array_equal(data.obs[:3], [[0, 1], [2, 3], [4, 5]])
    np.testing.assert_array_equal(data.next_obs[:3], [[2, 3], [4, 5], [6, 7]])
    np.testing.assert_array_equal(data.dones, [False, False, True, False, False, True])
    np.testing.assert_array_equal(data.take(np.array([1, 4])).obs, [[2, 3], [2, 3]])
    pairs = pair_observations(data.obs, data.next_obs)
    np.testing.assert_array_equal(pairs[0], [0, 1, 2, 3])
    with_actions = Trajectory(traj.observations, np.zeros(3, np.int64), traj.rewards)
    with pytest.raises(ValueError, match="actions in every trajectory or in none"):
        flatten([traj, with_actions])


def test_npz_round_trip_without_actions(tmp_path):
    trajectories = [_observation_only(3), _observation_only(5)]
    path = save_trajectories(tmp_path / "observations.npz", trajectories, {"env_id": "CartPole-v1"})
    with np.load(path) as archive:
        assert "actions" not in archive.files and bool(archive["observation_only"])
    loaded, metadata = load_trajectories(path)
    assert metadata["env_id"] == "CartPole-v1" and [len(t) for t in loaded] == [3, 5]
    for before, after in zip(trajectories, loaded):
        assert after.actions is None
        np.testing.assert_array_equal(before.observations, after.observations)
        np.testing.assert_array_equal(before.rewards, after.rewards)
        assert after.terminated == before.terminated
    with_actions = Trajectory(trajectories[0].observations, np.zeros(3, np.int64), np.ones(3))
    with pytest.raises(ValueError, match="actions in every trajectory or in none"):
        save_trajectories(tmp_path / "mixed.npz", [trajectories[0], with_actions])


def test_algorithms_that_need_actions_refuse_an_action_free_dataset_naming_bco_and_gaifo(cartpole_demos):
    spec = env_spec("CartPole-v1")
    observations = without_actions(cartpole_demos)
    small = BCConfig(network=Network((8,)), n_epochs=1)
    for config in (small, dataclasses.replace(small, weighting="exp_return")):  # BC and RWR
        with pytest.raises(ValueError, match=r"^bc: expected demonstrations with actions.*BCO and GAIfO") as error:
            bc.train(jax.random.key(0), config, observations, spec, progress=False)
        assert "\n" not in str(error.value)
    with pytest.raises(ValueError, match=r"^bc: .*BCO and GAIfO"):
        bc.train(jax.random.key(0), small, flatten(observations), spec, progress=False)
    with pytest.raises(ValueError, match=r"^gail demonstrations: expected demonstrations with actions.*GAIfO"):
        adversarial.train(jax.random.key(0), GAILConfig(), "CartPole-v1", observations, progress=False)


def test_inverse_dynamics_recovers_the_actions_of_a_linear_system():
    """s' = A s + B a with B of full column rank: a = B^+ (s' - A s) is linear in (s, s'), so the
    model without hidden layers (a linear map of the standardized pair) must recover it."""
    rng = np.random.default_rng(0)
    obs_dim, action_dim, n_episodes, horizon = 4, 2, 20, 50
    a_matrix = 0.9 * np.linalg.qr(rng.normal(size=(obs_dim, obs_dim)))[0]
    b_matrix = rng.normal(size=(obs_dim, action_dim))
    trajectories = []
    for _ in range(n_episodes):
        actions = rng.uniform(-1, 1, size=(horizon, action_dim)).astype(np.float32)
        states = [rng.normal(size=obs_dim)]
        for action in actions:
            states.append(a_matrix @ states[-1] + b_matrix @ action)
        trajectories.append(Trajectory(np.array(states, np.float32), actions, np.zeros(horizon)))
    spec = EnvSpec.for_box(
        (obs_dim,), action_kind="continuous", action_shape=(action_dim,), action_low=(-5.0,) * 2, action_high=(5.0,) * 2
    )
    config = BCConfig(
        loss="mse", network=Network(hidden_sizes=()), learning_rate=1e-2, n_epochs=300, patience=0, batch_size=100
    )
    model = train_inverse_dynamics(
        jax.random.key(0), dataclasses.replace(config, validation_fraction=0.0), trajectories, spec
    )
    states = rng.normal(size=(200, obs_dim)).astype(np.float32)
    true_actions = rng.uniform(-1, 1, size=(200, action_dim)).astype(np.float32)
    next_states = (states @ a_matrix.T + true_actions @ b_matrix.T).astype(np.float32)
    predicted = model.predict(states, next_states)
    assert np.max(np.abs(predicted - true_actions)) < 0.02
    labeled = model.label(without_actions(trajectories[:2]))
    np.testing.assert_allclose(labeled[1].actions, trajectories[1].actions, atol=0.02)


def test_gaifo_discriminator_sees_state_pairs_and_gail_state_actions():
    spec = env_spec("CartPole-v1")
    mean, std = jnp.array([0.1, 0.0, -0.1, 0.2]), jnp.array([1.0, 2.0, 0.5, 1.5])
    obs, next_obs = jnp.array([0.3, -0.2, 0.05, 0.4]), jnp.array([0.31, -0.1, 0.04, 0.2])
    gaifo = GAILDiscriminator(spec, Network((16,)), mean, std, key=jax.random.key(0), state_pairs=True)
    logit = lambda d, a, n: d.logit(obs, jnp.asarray(a), n, 0.0, 0.0)  # noqa: E731
    assert logit(gaifo, 0, next_obs) == logit(gaifo, 1, next_obs)  # the action is never read
    assert logit(gaifo, 0, next_obs) != logit(gaifo, 0, obs)  # s' is
    expected = gaifo.net(jnp.concatenate([obs, next_obs]))[0]  # the network sees the pair (s, s')
    np.testing.assert_allclose(logit(gaifo, 0, next_obs), expected, rtol=1e-6)
    assert gaifo.net.encoder.out_size == 8  # the pair, standardized by the observation's statistics
    np.testing.assert_allclose(gaifo.net.encoder.normalizer.mean, jnp.concatenate([mean, mean]))
    gail = GAILDiscriminator(spec, Network((16,)), mean, std, key=jax.random.key(0))
    assert logit(gail, 0, next_obs) != logit(gail, 1, next_obs) and logit(gail, 0, next_obs) == logit(gail, 0, obs)
    assert adversarial.make_discriminator(GAIfOConfig(), spec, mean, std, jax.random.key(0)).state_pairs


def test_gaifo_trains_on_observation_only_demonstrations(cartpole_demos):
    from tests.test_algorithm_contract import SMALL_PPO

    result = adversarial.train(
        jax.random.key(0), GAIfOConfig(ppo=SMALL_PPO), "CartPole-v1", without_actions(cartpole_demos), progress=False
    )
    assert result.discriminator.state_pairs and result.metrics[-1]["disc_accuracy_expert"] >= 0
    expert = adversarial.expert_arrays(without_actions(cartpole_demos), spec=env_spec("CartPole-v1"))
    assert expert["actions"].shape == (1000,) and not expert["actions"].any()  # placeholders, never read


@pytest.mark.slow
def test_bco_learns_cartpole_from_observations_alone():
    """BCO(alpha) from 5 observation-only expert episodes reaches >= 475 (the expert: 500)."""
    expert = experts.load("CartPole-v1")
    demos = rollout(expert, "CartPole-v1", n_episodes=5, seed=collection_seed(0, Stream.DEMONSTRATIONS))
    config = BCOConfig(
        pre_demonstration_steps=2000,
        alpha=0.5,
        n_iterations=2,
        inverse_dynamics=BCConfig(network=Network((64, 64)), n_epochs=30, patience=5, min_gradient_steps=600),
        bc=BCConfig(n_epochs=40, patience=10),
    )
    result = bco.train(jax.random.key(0), config, "CartPole-v1", without_actions(demos), progress=False)
    assert [row["interaction_steps"] for row in result.metrics] == [2000, 3000, 4000]
    assert bco.label_quality(demos, result.labeled, env_spec("CartPole-v1"))["label_accuracy"] > 0.97
    assert evaluate(result.policy, "CartPole-v1", 10, seed=evaluation_seed()).mean_return >= 475


def test_cli_collect_without_actions_then_bco_and_gaifo_and_bc_refuses(tmp_path, capsys):
    demos = tmp_path / "observations.npz"
    argv = ["collect", "--env", "CartPole-v1", "--episodes", "2", "--no-actions", "--out", str(demos), "--json"]
    assert main(argv) == 0
    collected = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert collected["actions"] is False and load_trajectories(demos)[0][0].actions is None
    bco_flags = "--pre-demonstration-steps 300 --inverse-dynamics.n-epochs 2 --inverse-dynamics.min-gradient-steps 0"
    small = (
        "--total-steps 128 --n-envs 4 --n-steps 16 --n-epochs 1 --eval-episodes 1 --hidden-sizes 8 --backend gymnasium"
    )
    for command, flags in (("bco", f"{bco_flags} --bc.n-epochs 2 --eval-episodes 1"), ("gaifo", small)):
        run = tmp_path / command
        assert main(["train", command, "--demos", str(demos), "--out", str(run), *flags.split(), "--json"]) == 0
        result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        assert result["algorithm"] == command and {"mean_return", "normalized_score"} <= set(result)
        assert json.loads((run / "result.json").read_text())["normalized_score"] == result["normalized_score"]
    assert (tmp_path / "bco" / "inverse_dynamics" / "policy.json").is_file()
    assert main(["train", "bc", "--demos", str(demos), "--out", str(tmp_path / "bc")]) != 0
    error = capsys.readouterr().err.strip()
    assert "BCO and GAIfO" in error and len(error.splitlines()) == 1
