"""Tier 1-2 for the core: pytree spaces, encoder -> core -> head, stateful acting, sequences, views."""

from __future__ import annotations

import dataclasses

import gymnasium as gym
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from apprentice import experts
from apprentice.algorithms import bc
from apprentice.data.npz_io import load_trajectories, save_trajectories
from apprentice.data.sequences import sequence_chunks
from apprentice.data.trajectory import Trajectory, flatten
from apprentice.envs import EnvSpec, env_spec
from apprentice.envs.spaces import (
    ArraySpace,
    DictSpace,
    require_observations,
    space_from_gym,
    space_from_json,
    space_to_json,
)
from apprentice.policies import PolicyActor, PolicyArchitecture, load_policy, make_policy, save_policy
from apprentice.policies.architecture import Network
from apprentice.rollout import rollout

IMAGE_SPEC = EnvSpec.for_box((40, 40, 3), "uint8", action_kind="discrete", n_actions=2, env_id="image-toy")
DICT_SPEC = EnvSpec(
    observation=DictSpace((("image", ArraySpace((40, 40, 3), "uint8")), ("speed", ArraySpace((2,))))),
    action_kind="continuous",
    action_shape=(1,),
    action_low=(-1.0,),
    action_high=(1.0,),
    env_id="dict-toy",
)


def test_spaces_read_gymnasium_dicts_round_trip_json_and_name_the_key_path():
    space = space_from_gym(
        gym.spaces.Dict({"speed": gym.spaces.Box(-1, 1, (2,)), "image": gym.spaces.Box(0, 255, (40, 40, 3), np.uint8)})
    )
    assert space == DICT_SPEC.observation
    assert space_from_json(space_to_json(space)) == space
    assert EnvSpec.from_dict(DICT_SPEC.to_dict()) == DICT_SPEC
    good = {"image": np.zeros((5, 40, 40, 3), np.uint8), "speed": np.zeros((5, 2))}
    require_observations(space, good, 1, "observations")
    with pytest.raises(
        ValueError, match=r"observations\['image'\]: expected shape \(N, 40, 40, 3\), got \(5, 32, 32, 3\)"
    ):
        require_observations(space, {**good, "image": np.zeros((5, 32, 32, 3), np.uint8)}, 1, "observations")
    with pytest.raises(ValueError, match=r"expected keys \['image', 'speed'\], got \['image'\]"):
        require_observations(space, {"image": good["image"]}, 1, "observations")


def test_older_spec_files_still_load():
    old = {
        "obs_shape": [4],
        "obs_dtype": "float32",
        "action_kind": "discrete",
        "n_actions": 2,
        "action_shape": [],
        "action_low": None,
        "action_high": None,
        "env_id": "CartPole-v1",
    }
    assert EnvSpec.from_dict(old) == env_spec("CartPole-v1")


@pytest.mark.parametrize("encoder", ["cnn", "impala"])
def test_image_encoders_take_uint8_images_and_frame_stacks(encoder):
    for stack in (1, 3):
        arch = PolicyArchitecture(encoder=encoder, hidden_sizes=(32,), frame_stack=stack)
        policy = make_policy(jax.random.key(0), IMAGE_SPEC, arch)
        window = jnp.zeros((stack, 40, 40, 3) if stack > 1 else (40, 40, 3), jnp.uint8)
        assert policy.encoder(window).shape == (32,)


def test_dict_encoder_concatenates_an_image_torso_and_a_normalized_vector():
    policy = make_policy(
        jax.random.key(0),
        DICT_SPEC,
        PolicyArchitecture(encoder="dict", head="gaussian", hidden_sizes=(16,)),
        obs_mean={"speed": np.array([1.0, 2.0])},
        obs_std={"speed": np.array([2.0, 4.0])},
    )
    obs = {"image": jnp.zeros((40, 40, 3), jnp.uint8), "speed": jnp.array([3.0, 6.0])}
    np.testing.assert_allclose(policy.encoder.parts["speed"](obs["speed"]), [1.0, 1.0])
    assert policy.mode(obs).shape == (1,)


def test_the_default_encoder_is_the_one_that_fits_the_observation():
    assert type(make_policy(jax.random.key(0), IMAGE_SPEC, PolicyArchitecture()).encoder).__name__ == "CNNEncoder"
    dict_policy = make_policy(jax.random.key(0), DICT_SPEC, PolicyArchitecture(head="gaussian"))
    assert type(dict_policy.encoder).__name__ == "DictEncoder"
    assert dict_policy.architecture.encoder == "dict"  # the saved architecture names the concrete encoder
    vector_policy = make_policy(jax.random.key(0), env_spec("CartPole-v1"), PolicyArchitecture())
    assert vector_policy.architecture.encoder == "mlp"


def test_the_factory_refuses_encoders_that_do_not_fit_the_observation():
    with pytest.raises(ValueError, match="observations are images .* pass --encoder cnn"):
        make_policy(jax.random.key(0), IMAGE_SPEC, PolicyArchitecture(encoder="mlp"))
    with pytest.raises(ValueError, match="pass --encoder dict"):
        make_policy(jax.random.key(0), DICT_SPEC, PolicyArchitecture(encoder="mlp", head="gaussian"))
    with pytest.raises(ValueError, match="core: expected one of"):
        make_policy(jax.random.key(0), env_spec("CartPole-v1"), PolicyArchitecture(core="rnn"))


def test_the_dict_encoder_names_a_nested_space_instead_of_failing_on_it():
    inner = DictSpace((("x", ArraySpace((1,))),))
    nested = dataclasses.replace(DICT_SPEC, observation=DictSpace((("inner", inner), ("speed", ArraySpace((2,))))))
    with pytest.raises(ValueError, match="dict encoder: expected arrays under each key, got .* under 'inner'"):
        make_policy(jax.random.key(0), nested, PolicyArchitecture(encoder="dict", head="gaussian"))


@pytest.mark.parametrize("core", ["gru", "lstm"])
def test_stepping_equals_the_sequence_scan_and_reset_forgets(core):
    spec = env_spec("CartPole-v1")
    policy = make_policy(
        jax.random.key(0), spec, PolicyArchitecture(core=core, core_size=8, hidden_sizes=(8,), frame_stack=2)
    )
    obs = jax.random.normal(jax.random.key(1), (6, 4))
    resets = jnp.array([True, False, False, True, False, False])
    scanned = policy.sequence_features(obs, resets)
    state, stepped = policy.initial_state(), []
    for t in range(6):
        state, features = policy.step_features(state, obs[t], resets[t])
        stepped.append(features)
    np.testing.assert_allclose(np.stack(stepped), scanned, atol=1e-6)
    # After a reset the features depend only on the new episode: the second half equals a fresh start.
    np.testing.assert_allclose(scanned[3:], policy.sequence_features(obs[3:], resets[3:]), atol=1e-6)
    assert not np.allclose(scanned[1], policy.sequence_features(obs[1:2], jnp.array([True]))[0])


def test_frame_stack_window_repeats_the_first_observation_at_a_reset():
    policy = make_policy(
        jax.random.key(0), env_spec("CartPole-v1"), PolicyArchitecture(frame_stack=3, hidden_sizes=(4,))
    )
    obs = jnp.arange(4.0)
    state, _ = policy.step_features(policy.initial_state(), obs, jnp.bool_(True))
    np.testing.assert_array_equal(state[1], np.stack([obs] * 3))
    state, _ = policy.step_features(state, obs + 10, jnp.bool_(False))
    np.testing.assert_array_equal(state[1], np.stack([obs, obs, obs + 10]))


def test_sequence_chunks_mask_burn_in_and_padding():
    traj = Trajectory(np.arange(8.0)[:, None], np.arange(7), np.ones(7))
    chunks = sequence_chunks([traj], length=3, burn_in=2, weights=[2.0])
    assert chunks.obs.shape == (3, 5, 1)
    np.testing.assert_array_equal(chunks.acts[:, :5], [[0, 1, 2, 0, 0], [1, 2, 3, 4, 5], [4, 5, 6, 0, 0]])
    np.testing.assert_array_equal(chunks.mask, [[1, 1, 1, 0, 0], [0, 0, 1, 1, 1], [0, 0, 1, 0, 0]])
    np.testing.assert_array_equal(chunks.weights, 2.0 * chunks.mask)
    assert chunks.resets[:, 0].all() and not chunks.resets[:, 1:].any()
    assert chunks.n_steps == len(traj)


def test_a_recurrent_policy_refuses_shuffled_transitions():
    demos = rollout(experts.load("CartPole-v1"), "CartPole-v1", n_episodes=2, seed=0)
    with pytest.raises(ValueError, match="learns from sequences: expected trajectories"):
        bc.train(
            jax.random.key(0),
            bc.BCConfig(network=Network(core="gru"), n_epochs=1),
            flatten(demos),
            env_spec("CartPole-v1"),
            progress=False,
        )


def test_stateful_policies_save_load_and_act_identically(tmp_path):
    spec = env_spec("CartPole-v1")
    policy = make_policy(
        jax.random.key(0),
        spec,
        PolicyArchitecture(core="lstm", core_size=8, hidden_sizes=(8,), frame_stack=2, log_std_min=-3.0),
    )
    save_policy(tmp_path, policy, spec)
    loaded, _ = load_policy(tmp_path)
    assert loaded.architecture == policy.architecture
    obs = np.random.default_rng(0).normal(size=(5, 3, 4)).astype(np.float32)
    a, b = PolicyActor(policy, jax.random.key(2)), PolicyActor(loaded, jax.random.key(2))
    for t in range(5):
        np.testing.assert_array_equal(a(obs[t]), b(obs[t]))


def test_warm_started_bc_keeps_the_architecture_of_its_initial_policy():
    spec = env_spec("Pendulum-v1")
    demos = rollout(experts.load("Pendulum-v1"), "Pendulum-v1", n_episodes=2, seed=0)
    initial = make_policy(
        jax.random.key(0),
        spec,
        PolicyArchitecture(head="gaussian", hidden_sizes=(8,), log_std_min=-3.0, log_std_max=1.0),
    )
    result = bc.train(
        jax.random.key(1),
        bc.BCConfig(n_epochs=1, network=Network((8,))),
        demos,
        spec,
        init_policy=initial,
        progress=False,
    )
    assert (result.architecture.log_std_min, result.architecture.log_std_max) == (-3.0, 1.0)
    assert result.policy.head.log_std_min == -3.0


def test_privileged_expert_acts_on_the_state_and_trajectories_keep_it(tmp_path):
    env_id = "apprentice/CartPole-NoVelocity-v1"
    expert = experts.load(env_id)
    assert expert.view == "state" and env_spec(env_id).obs_shape == (2,)
    trajectories = rollout(expert, env_id, n_episodes=2, seed=0)
    assert [t.episode_return for t in trajectories] == [500.0, 500.0]
    for traj in trajectories:
        np.testing.assert_array_equal(traj.observations, traj.states[:, [0, 2]])
    save_trajectories(tmp_path / "d.npz", trajectories)
    back, _ = load_trajectories(tmp_path / "d.npz")
    np.testing.assert_array_equal(back[1].states, trajectories[1].states)


def test_dict_pixel_trajectories_stay_uint8_and_round_trip(tmp_path):
    env_id = "apprentice/PixelDictCartPole-v1"
    trajectories = rollout(experts.load(env_id), env_id, n_episodes=1, n_steps=None, seed=0)
    obs = trajectories[0].observations
    assert obs["image"].dtype == np.uint8 and obs["image"].shape[1:] == (64, 64, 3)
    np.testing.assert_array_equal(obs["position"][:, 0], trajectories[0].states[:, 0])
    save_trajectories(tmp_path / "d.npz", trajectories)
    back, _ = load_trajectories(tmp_path / "d.npz")
    assert back[0].observations["image"].dtype == np.uint8
    np.testing.assert_array_equal(back[0].observations["image"], obs["image"])


def test_a_dict_dataset_whose_keys_do_not_match_the_env_is_a_clear_error():
    env_id = "apprentice/PixelDictCartPole-v1"
    traj = rollout(experts.load(env_id), env_id, n_steps=20, seed=0, n_envs=1)[0]
    renamed = dataclasses.replace(
        traj, observations={"pixels": traj.observations["image"], "position": traj.observations["position"]}
    )
    config = bc.BCConfig(network=Network(encoder="dict"), n_epochs=1)
    with pytest.raises(ValueError, match=r"expected keys \['image', 'position'\], got \['pixels', 'position'\]"):
        bc.train(jax.random.key(0), config, [renamed], env_spec(env_id), progress=False)


@pytest.mark.parametrize("padded", [False, True])
def test_the_host_loop_epoch_equals_the_scanned_epoch(padded):
    """Image policies run their epochs as a host loop (convolutions in a scan are slow on XLA:CPU):
    the same plan and keys must give the same parameters as the scan."""
    import equinox as eqx
    import optax

    from apprentice.algorithms.bc.losses import LossSettings
    from apprentice.algorithms.bc.train import EpochSettings, epoch_arrays, train_epoch

    spec = env_spec("CartPole-v1")
    data = flatten(rollout(experts.load("CartPole-v1"), "CartPole-v1", n_episodes=2, seed=0))
    policy = make_policy(jax.random.key(0), spec, PolicyArchitecture(hidden_sizes=(16,)))
    params, static = eqx.partition(policy, eqx.is_array)
    capacity = len(data) + 100 if padded else len(data)
    arrays = epoch_arrays(data, spec, capacity=capacity)
    out = []
    for host_loop in (False, True):
        settings = EpochSettings(LossSettings("cross_entropy"), 1e-3, 64, capacity, padded=padded, host_loop=host_loop)
        out.append(
            train_epoch(params, optax.adam(1e-3).init(params), jax.random.key(3), arrays, static, settings, len(data))
        )
    for a, b in zip(jax.tree.leaves(out[0][0]), jax.tree.leaves(out[1][0])):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert float(out[0][2]) == pytest.approx(float(out[1][2]), rel=1e-5)
