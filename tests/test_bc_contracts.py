"""Tier 2 for behavior cloning: compile once, save/load, determinism, frozen normalizer, bad inputs."""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from apprentice.algorithms.bc import BCConfig, bc_loss, train, train_epoch
from apprentice.algorithms.bc.losses import LossSettings
from apprentice.algorithms.bc.train import EpochSettings, epoch_arrays, epoch_scan
from apprentice.data import Trajectory, flatten
from apprentice.envs import EnvSpec, env_spec
from apprentice.policies import (
    PolicyActor,
    PolicyArchitecture,
    load_policy,
    make_policy,
    observation_stats,
    save_policy,
)
from apprentice.policies.architecture import Network
from tests.conftest import make_trajectories

SMALL = BCConfig(network=Network((16,)), n_epochs=3, batch_size=8, patience=0)
CARTPOLE_LIKE = EnvSpec.for_box(obs_shape=(4,), obs_dtype="float32", action_kind="discrete", n_actions=2, env_id="toy")
PENDULUM_LIKE = EnvSpec.for_box(
    obs_shape=(4,),
    obs_dtype="float32",
    action_kind="continuous",
    action_shape=(1,),
    action_low=(-2.0,),
    action_high=(2.0,),
    env_id="toy-continuous",
)


def test_epoch_compiles_once():
    policy = make_policy(jax.random.key(0), CARTPOLE_LIKE, PolicyArchitecture(hidden_sizes=(16,)))
    params, static = eqx.partition(policy, eqx.is_array)
    data = flatten(make_trajectories(4, length=10))
    settings = EpochSettings(LossSettings("cross_entropy"), 1e-3, 8, len(data))
    arrays = epoch_arrays(data, CARTPOLE_LIKE)
    import optax

    opt_state = optax.adam(1e-3).init(params)
    before = epoch_scan._cache_size()
    params, opt_state, _ = train_epoch(params, opt_state, jax.random.key(1), arrays, static, settings)
    after_first = epoch_scan._cache_size()
    params, opt_state, _ = train_epoch(params, opt_state, jax.random.key(2), arrays, static, settings)
    assert after_first == before + 1
    assert epoch_scan._cache_size() == after_first


def test_an_epoch_padded_to_a_capacity_equals_the_unpadded_one_and_growing_data_does_not_recompile():
    import optax

    policy = make_policy(jax.random.key(0), PENDULUM_LIKE, PolicyArchitecture(head="gaussian", hidden_sizes=(16,)))
    params, static = eqx.partition(policy, eqx.is_array)
    data = flatten(make_trajectories(6, length=7, discrete=False))  # 42 rows
    capacity = 64
    padded_settings = EpochSettings(LossSettings("gaussian_nll"), 1e-2, 8, capacity, padded=True)
    compiled = None
    for n in (20, 35, 42):  # DAgger-like growth inside the capacity
        part = data.head(n)
        opt_state = optax.adam(1e-2).init(params)
        exact, _, exact_loss = train_epoch(
            params,
            opt_state,
            jax.random.key(3),
            epoch_arrays(part, PENDULUM_LIKE),
            static,
            EpochSettings(LossSettings("gaussian_nll"), 1e-2, 8, n),
        )
        padded, _, padded_loss = train_epoch(
            params,
            opt_state,
            jax.random.key(3),
            epoch_arrays(part, PENDULUM_LIKE, capacity=capacity),
            static,
            padded_settings,
            n,
        )
        for a, b in zip(jax.tree.leaves(exact), jax.tree.leaves(padded)):
            np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-6, atol=1e-7)
        assert float(padded_loss) == pytest.approx(float(exact_loss), rel=1e-6)
        compiled = compiled or epoch_scan._cache_size()
    assert epoch_scan._cache_size() == compiled + 2  # the three exact sizes compiled apart, the padded one once
    with pytest.raises(ValueError, match="fewer only with settings.padded"):
        train_epoch(
            params,
            opt_state,
            jax.random.key(3),
            epoch_arrays(data, PENDULUM_LIKE),
            static,
            EpochSettings(LossSettings("gaussian_nll"), 1e-2, 8, len(data)),
            20,
        )
    with pytest.raises(ValueError, match="n_samples: expected 1..64"):
        train_epoch(
            params,
            opt_state,
            jax.random.key(3),
            epoch_arrays(data, PENDULUM_LIKE, capacity=capacity),
            static,
            padded_settings,
            65,
        )


def test_same_seed_same_parameters_different_seed_different():
    demos = make_trajectories(6, length=10)
    a = train(jax.random.key(7), SMALL, demos, CARTPOLE_LIKE, progress=False)
    b = train(jax.random.key(7), SMALL, demos, CARTPOLE_LIKE, progress=False)
    c = train(jax.random.key(8), SMALL, demos, CARTPOLE_LIKE, progress=False)
    leaves = lambda r: jax.tree.leaves(eqx.filter(r.policy, eqx.is_array))  # noqa: E731
    assert all(np.array_equal(x, y) for x, y in zip(leaves(a), leaves(b)))
    assert not all(np.array_equal(x, y) for x, y in zip(leaves(a), leaves(c)))
    assert [r["train_loss"] for r in a.metrics] == [r["train_loss"] for r in b.metrics]


def test_normalizer_is_frozen_at_the_training_data_statistics():
    demos = make_trajectories(6, length=10)
    config = BCConfig(network=Network((16,)), n_epochs=5, batch_size=8, validation_fraction=0.0, learning_rate=0.1)
    result = train(jax.random.key(0), config, demos, CARTPOLE_LIKE, progress=False)
    mean, std = observation_stats(flatten(demos).obs)
    np.testing.assert_array_equal(np.asarray(result.policy.normalizer.mean), mean)
    np.testing.assert_array_equal(np.asarray(result.policy.normalizer.std), std)


@pytest.mark.parametrize(
    "spec,arch,discrete",
    [
        (CARTPOLE_LIKE, PolicyArchitecture(hidden_sizes=(8,)), True),
        (PENDULUM_LIKE, PolicyArchitecture(head="gaussian", hidden_sizes=(8,), squash=True), False),
        (PENDULUM_LIKE, PolicyArchitecture(head="deterministic", hidden_sizes=(8,)), False),
    ],
)
def test_save_load_gives_identical_actions(tmp_path, spec, arch, discrete):
    policy = make_policy(jax.random.key(3), spec, arch, obs_mean=np.ones(4), obs_std=np.full(4, 2.0))
    save_policy(tmp_path / "run", policy, spec, arch)
    loaded, loaded_spec = load_policy(tmp_path / "run")
    assert loaded_spec == spec
    obs = np.random.default_rng(0).normal(size=(32, 4)).astype(np.float32)
    for deterministic in (True, False):
        a = PolicyActor(policy, jax.random.key(5), deterministic)(obs)
        b = PolicyActor(loaded, jax.random.key(5), deterministic)(obs)
        np.testing.assert_array_equal(a, b)


def test_truncated_weights_file_is_a_clear_error(tmp_path):
    arch = PolicyArchitecture(hidden_sizes=(8,))
    save_policy(tmp_path, make_policy(jax.random.key(0), CARTPOLE_LIKE, arch), CARTPOLE_LIKE, arch)
    weights = tmp_path / "policy.eqx"
    weights.write_bytes(weights.read_bytes()[:50])
    with pytest.raises(ValueError, match="truncated or does not match"):
        load_policy(tmp_path)
    with pytest.raises(ValueError, match="policy.json"):
        load_policy(tmp_path / "nowhere")


def test_observation_mismatch_is_a_clear_error():
    demos = make_trajectories(3, obs_dim=5)
    with pytest.raises(ValueError, match=r"observations have shape \(5,\), but toy expects \(4,\)"):
        train(jax.random.key(0), SMALL, demos, CARTPOLE_LIKE, progress=False)


def test_discrete_data_for_a_gaussian_head_is_a_clear_error():
    demos = make_trajectories(3, discrete=True)
    with pytest.raises(
        ValueError, match=r"actions are int64 \(discrete\), but toy-continuous expects continuous float actions"
    ):
        train(jax.random.key(0), BCConfig(loss="gaussian_nll"), demos, PENDULUM_LIKE, progress=False)
    with pytest.raises(ValueError, match="expects continuous actions"):
        train(jax.random.key(0), BCConfig(loss="gaussian_nll"), demos, CARTPOLE_LIKE, progress=False)
    with pytest.raises(ValueError, match="expects discrete actions"):
        train(
            jax.random.key(0),
            BCConfig(loss="cross_entropy"),
            make_trajectories(3, discrete=False),
            PENDULUM_LIKE,
            progress=False,
        )


def test_empty_dataset_and_nan_actions_are_clear_errors():
    with pytest.raises(ValueError, match="empty dataset"):
        train(jax.random.key(0), SMALL, [], CARTPOLE_LIKE, progress=False)
    with pytest.raises(ValueError, match="actions: expected finite values, got nan"):
        Trajectory(np.zeros((3, 1)), np.array([[0.1], [np.nan]]), np.zeros(2))


def test_env_ids_and_spaces_are_checked():
    with pytest.raises(ValueError, match="did you mean .*CartPole-v1"):
        env_spec("CartPole-v0x")
    with pytest.raises(ValueError, match=r"observations float32\(4,\), but env Pendulum-v1 expects float32\(3,\)"):
        env_spec("Pendulum-v1").require_same_spaces(env_spec("CartPole-v1"), "env Pendulum-v1", "policy")


def test_early_stopping_restores_the_best_epoch():
    """The returned policy is the best validation epoch's, not the last one trained."""
    from apprentice.algorithms.bc.train import validation_score_jit

    demos = make_trajectories(12, length=20)  # random labels: validation loss soon rises
    train_data, validation = flatten(demos[:10]), flatten(demos[10:])
    config = BCConfig(
        network=Network((64, 64)), n_epochs=300, batch_size=16, patience=5, learning_rate=3e-3, validation_fraction=0.0
    )
    result = train(jax.random.key(0), config, train_data, CARTPOLE_LIKE, validation=validation, progress=False)
    val = [row["val_score"] for row in result.metrics]
    assert len(result.metrics) < 300
    assert result.best_epoch == int(np.argmin(val)) + 1
    assert len(result.metrics) == result.best_epoch + 5
    params, static = eqx.partition(result.policy, eqx.is_array)
    returned = float(
        validation_score_jit(params, epoch_arrays(validation, CARTPOLE_LIKE), static, LossSettings("cross_entropy"))
    )
    assert returned == pytest.approx(val[result.best_epoch - 1], rel=1e-6)
    assert abs(returned - val[-1]) > 1e-3  # the last epoch is measurably worse: the check can tell them apart


def test_policy_methods_shapes():
    policy = make_policy(jax.random.key(0), PENDULUM_LIKE, PolicyArchitecture(head="gaussian", hidden_sizes=(8,)))
    obs = jnp.ones(4)
    assert policy.act(jax.random.key(1), obs).shape == (1,)
    assert policy.log_prob(obs, jnp.zeros(1)).shape == ()
    assert policy.entropy(obs).shape == ()


def test_jitted_epoch_matches_a_plain_python_loop():
    """The scanned, padded fast path against the obvious loop over host-side minibatches."""
    import optax

    from apprentice.data import iterate_minibatches

    policy = make_policy(jax.random.key(0), PENDULUM_LIKE, PolicyArchitecture(head="gaussian", hidden_sizes=(16,)))
    data = flatten(make_trajectories(5, length=7, discrete=False)).with_weights(np.linspace(0.5, 1.5, 35))
    settings = EpochSettings(LossSettings("gaussian_nll", l2_coef=0.01, entropy_coef=0.1), 1e-2, 8, len(data))
    params, static = eqx.partition(policy, eqx.is_array)
    optimizer = optax.adam(1e-2)
    scale = 1.0 / float(data.weights.mean())
    fast, _, _ = train_epoch(
        params, optimizer.init(params), jax.random.key(4), epoch_arrays(data, PENDULUM_LIKE, scale), static, settings
    )
    slow, opt_state = params, optimizer.init(params)
    for batch in iterate_minibatches(jax.random.key(4), data, 8):
        arrays = {
            "obs": jnp.asarray(batch.obs),
            "acts": jnp.asarray(batch.acts),
            "weights": jnp.asarray(batch.weights * scale),
            "mask": jnp.ones(len(batch)),
        }
        grads = jax.grad(lambda p: bc_loss(eqx.combine(p, static), arrays, settings.loss)[0])(slow)  # noqa: B023 (called in this iteration)
        updates, opt_state = optimizer.update(grads, opt_state, slow)
        slow = optax.apply_updates(slow, updates)
    for a, b in zip(jax.tree.leaves(fast), jax.tree.leaves(slow)):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-4, atol=1e-5)


def test_augmentation_changes_training_and_warm_start_keeps_the_normalizer():
    from apprentice.data.augmentation import GaussianObsNoise

    demos = make_trajectories(6, length=10)
    config = BCConfig(network=Network((16,)), n_epochs=3, batch_size=8, validation_fraction=0.0)
    plain = train(jax.random.key(0), config, demos, CARTPOLE_LIKE, progress=False)
    noisy = train(jax.random.key(0), config, demos, CARTPOLE_LIKE, augment=GaussianObsNoise((0.5,) * 4), progress=False)
    via_config = train(
        jax.random.key(0), BCConfig(**{**config.__dict__, "obs_noise": 0.5}), demos, CARTPOLE_LIKE, progress=False
    )
    weights = lambda r: np.asarray(r.policy.encoder.trunk.layers[0].weight)  # noqa: E731
    assert not np.allclose(weights(plain), weights(noisy))
    assert not np.allclose(weights(plain), weights(via_config))
    warm = train(
        jax.random.key(1),
        config,
        make_trajectories(3, length=10, seed=9),
        CARTPOLE_LIKE,
        init_policy=plain.policy,
        progress=False,
    )
    np.testing.assert_array_equal(np.asarray(warm.policy.normalizer.mean), np.asarray(plain.policy.normalizer.mean))
    assert not np.allclose(weights(warm), weights(plain))
    frozen = train(
        jax.random.key(1),
        BCConfig(**{**config.__dict__, "learning_rate": 0.0}),
        make_trajectories(3, length=10, seed=9),
        CARTPOLE_LIKE,
        init_policy=plain.policy,
        progress=False,
    )
    np.testing.assert_array_equal(weights(frozen), weights(plain))  # the warm start is the given policy
