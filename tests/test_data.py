"""Tier 1 and contracts for demonstrations: validation, files, batching, splits."""

from __future__ import annotations

import jax
import numpy as np
import pytest

from apprentice.data import (
    Trajectory,
    Transitions,
    concatenate,
    export_minari,
    flatten,
    import_minari,
    iterate_minibatches,
    load_trajectories,
    minibatch_indices,
    save_trajectories,
    split_episode_indices,
    split_episodes,
    subsample,
)
from tests.conftest import make_trajectories


def test_trajectory_rejects_length_mismatch_naming_the_field():
    with pytest.raises(ValueError, match=r"observations: expected shape \(4, 2\), got \(3, 2\)"):
        Trajectory(np.zeros((3, 2)), np.zeros(3, int), np.zeros(3))
    with pytest.raises(ValueError, match=r"rewards: expected shape \(3\), got \(2,\)"):
        Trajectory(np.zeros((4, 2)), np.zeros(3, int), np.zeros(2))


def test_trajectory_rejects_nan_in_actions_with_its_index():
    actions = np.zeros((3, 1))
    actions[1, 0] = np.nan
    with pytest.raises(ValueError, match=r"actions: expected finite values, got nan at index \(1, 0\)"):
        Trajectory(np.zeros((4, 2)), actions, np.zeros(3))


def test_empty_inputs_are_rejected():
    with pytest.raises(ValueError, match="at least one step"):
        Trajectory(np.zeros((1, 2)), np.zeros((0,), int), np.zeros(0))
    with pytest.raises(ValueError, match="at least one trajectory"):
        flatten([])
    with pytest.raises(ValueError, match="empty dataset"):
        Transitions(np.zeros((0, 2)), np.zeros(0), np.zeros((0, 2)), np.zeros(0, bool), np.zeros(0))


def test_flatten_pairs_each_observation_with_its_successor():
    trajs = make_trajectories(3, length=4)
    data = flatten(trajs, weights=[1.0, 2.0, 3.0])
    assert len(data) == 12
    np.testing.assert_array_equal(data.obs[4:8], trajs[1].observations[:-1])
    np.testing.assert_array_equal(data.next_obs[4:8], trajs[1].observations[1:])
    np.testing.assert_array_equal(data.weights, np.repeat([1.0, 2.0, 3.0], 4))
    # only the last step of a terminated episode is done
    assert data.dones.tolist() == [False] * 7 + [True] + [False] * 4
    assert len(concatenate([data, data])) == 24


def test_split_by_episode_is_disjoint_and_seeded():
    trajs = make_trajectories(10)
    train, val = split_episodes(trajs, 0.2, seed=3)
    assert len(train) == 8 and len(val) == 2
    ids = lambda ts: {id(t) for t in ts}  # noqa: E731
    assert not ids(train) & ids(val)
    again = split_episodes(trajs, 0.2, seed=3)
    assert ids(again[1]) == ids(val)
    assert split_episodes(trajs[:1], 0.5, seed=0) == (trajs[:1], [])


def test_minibatch_plan_covers_every_sample_once():
    plan = np.asarray(minibatch_indices(jax.random.key(0), 10, 4))
    assert plan.shape == (3, 4)
    real = plan[plan < 10]
    assert sorted(real.tolist()) == list(range(10))
    assert (plan == 10).sum() == 2  # the sentinel pads the last batch
    data = flatten(make_trajectories(2, length=5))
    sizes = [len(b) for b in iterate_minibatches(jax.random.key(1), data, 4)]
    assert sizes == [4, 4, 2]


def test_npz_round_trip_keeps_everything(tmp_path):
    trajs = make_trajectories(3, discrete=False)
    trajs[0] = Trajectory(
        trajs[0].observations, trajs[0].actions, trajs[0].rewards, infos={"labeled": np.ones(5, bool)}
    )
    for t in trajs[1:]:
        object.__setattr__(t, "infos", {"labeled": np.zeros(5, bool)})
    path = save_trajectories(tmp_path / "demos.npz", trajs, {"env_id": "Pendulum-v1"})
    loaded, metadata = load_trajectories(path)
    assert metadata["env_id"] == "Pendulum-v1"
    for a, b in zip(trajs, loaded):
        np.testing.assert_array_equal(a.observations, b.observations)
        np.testing.assert_array_equal(a.actions, b.actions)
        np.testing.assert_array_equal(a.infos["labeled"], b.infos["labeled"])
        assert (a.terminated, a.truncated) == (b.terminated, b.truncated)
    assert [p.name for p in tmp_path.iterdir()] == ["demos.npz"]  # no temporary file left behind


def test_truncated_and_corrupt_files_raise_value_error(tmp_path):
    path = save_trajectories(tmp_path / "demos.npz", make_trajectories(2))
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(ValueError, match="truncated or corrupt"):
        load_trajectories(truncated)
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"not a zip file at all")
    with pytest.raises(ValueError, match="truncated or corrupt"):
        load_trajectories(garbage)
    with pytest.raises(ValueError, match="no such file"):
        load_trajectories(tmp_path / "missing.npz")


def test_inconsistent_npz_lengths_name_the_field(tmp_path):
    path = save_trajectories(tmp_path / "demos.npz", make_trajectories(2))
    with np.load(path) as archive:
        arrays = dict(archive)
    arrays["episode_lengths"] = arrays["episode_lengths"] + 1
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(ValueError, match="field 'actions' expected length 12"):
        load_trajectories(tmp_path / "bad.npz")


def test_failed_save_leaves_the_old_file_intact(tmp_path):
    path = save_trajectories(tmp_path / "demos.npz", make_trajectories(2))
    before = path.read_bytes()
    with pytest.raises(ValueError):
        save_trajectories(path, [])
    assert path.read_bytes() == before


def test_minari_round_trip_offline(minari_root):
    trajs = make_trajectories(3, length=6)
    target = export_minari("apprentice/unit-test-v0", trajs, "CartPole-v1")
    assert target.is_relative_to(minari_root)
    loaded, metadata = import_minari("apprentice/unit-test-v0")
    assert metadata["env_id"] == "CartPole-v1"
    assert len(loaded) == 3
    for a, b in zip(trajs, loaded):
        np.testing.assert_allclose(a.observations, b.observations)
        np.testing.assert_array_equal(a.actions, b.actions)
        assert a.terminated == b.terminated
    with pytest.raises(ValueError, match="already exists"):
        export_minari("apprentice/unit-test-v0", trajs, "CartPole-v1")
    with pytest.raises(ValueError, match="nothing is downloaded"):
        import_minari("apprentice/not-there-v0")
    assert not [p for p in minari_root.iterdir() if p.name.startswith(".apprentice-export")]


def test_minari_export_refuses_trajectories_that_do_not_fit_the_env(minari_root):
    two_dim = make_trajectories(2, obs_dim=2)
    with pytest.raises(ValueError, match=r"CartPole-v1 expects observations of Box.*got trajectory 0's shape \(2,\)"):
        export_minari("apprentice/misfit-v0", two_dim, "CartPole-v1")
    continuous = make_trajectories(2, discrete=False)
    with pytest.raises(ValueError, match=r"expects actions of Discrete\(2\), got trajectory 0's shape \(1,\)"):
        export_minari("apprentice/misfit-v0", continuous, "CartPole-v1")
    assert not (minari_root / "apprentice" / "misfit-v0").exists()


def test_minari_round_trip_keeps_a_dict_observation_and_its_uint8_images(minari_root):
    from apprentice import experts
    from apprentice.rollout import rollout

    env_id = "apprentice/PixelDictCartPole-v1"
    trajs = rollout(experts.load(env_id), env_id, n_episodes=2, seed=0)
    export_minari("apprentice/pixel-dict-v0", trajs, env_id)
    loaded, metadata = import_minari("apprentice/pixel-dict-v0")
    assert metadata["env_id"] == env_id
    for a, b in zip(trajs, loaded):
        assert sorted(b.observations) == ["image", "position"]
        assert b.observations["image"].dtype == np.uint8
        np.testing.assert_array_equal(a.observations["image"], b.observations["image"])
        np.testing.assert_allclose(a.observations["position"], b.observations["position"])
        np.testing.assert_array_equal(a.actions, b.actions)


def test_small_datasets_keep_every_episode_for_training():
    assert split_episode_indices(2, 0.1, seed=0) == ([0, 1], [])
    assert len(split_episode_indices(5, 0.1, seed=0)[1]) == 1
    assert len(split_episode_indices(15, 0.1, seed=0)[1]) == 2  # 1.5 rounds up


def test_subsample_keeps_every_kth_step_of_each_episode_from_an_offset():
    trajs = make_trajectories(3, length=10)
    assert len(subsample(trajs, 1, seed=0)) == 30
    thinned = subsample(trajs, 4, seed=5)
    full = flatten(trajs)
    rows = [int(np.flatnonzero((full.obs == o).all(axis=1))[0]) for o in thinned.obs]
    for episode in range(3):
        steps = [r - 10 * episode for r in rows if 10 * episode <= r < 10 * (episode + 1)]
        assert steps[0] < 4 and np.all(np.diff(steps) == 4) and steps[-1] + 4 >= 10
    np.testing.assert_array_equal(thinned.acts, full.acts[rows])
    np.testing.assert_array_equal(thinned.next_obs, full.next_obs[rows])
    with pytest.raises(ValueError, match="subsample: expected every >= 1, got 0"):
        subsample(trajs, 0, seed=0)
