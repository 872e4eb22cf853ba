"""Tier 1-3 for the heads of multimodal actions: mixture, discretized, diffusion and flow.

Each loss against the formula computed by hand; a head trained on a known bimodal distribution
samples both modes and not the gap between them (where the Gaussian and squared-error heads put
their actions); save/load; the errors of bad options.
"""

from __future__ import annotations

import math

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from apprentice.algorithms import bc
from apprentice.data.trajectory import Trajectory
from apprentice.envs import EnvSpec
from apprentice.policies import Network, load_policy, make_policy, require_density, save_policy
from apprentice.policies.architecture import HeadOptions, PolicyArchitecture
from apprentice.policies.diffusion import cosine_schedule

SPEC = EnvSpec.for_box(
    (1,), action_kind="continuous", action_shape=(1,), action_low=(-1.0,), action_high=(1.0,), env_id="fork"
)
BOX_2D = EnvSpec.for_box(
    (3,), action_kind="continuous", action_shape=(2,), action_low=(-2.0, 0.0), action_high=(2.0, 1.0), env_id="box"
)
NEW_HEADS = ("gmm", "discretized", "diffusion", "flow")
SMALL = HeadOptions(n_components=2, n_bins=10, diffusion_steps=20, flow_steps=10, denoiser_sizes=(64, 64))


def head_of(kind: str, spec: EnvSpec = BOX_2D, key: int = 0):
    architecture = Network((8,)).with_head(kind, SMALL)
    return make_policy(jax.random.key(key), spec, architecture).head


def test_the_mixture_loss_is_the_negative_log_of_the_weighted_gaussian_densities():
    head = head_of("gmm")
    features, action = jnp.array([0.3, -1.0, 2.0, 0.5, 0.0, 1.0, -0.2, 0.4]), jnp.array([0.4, 0.7])
    log_w, means, scales = (np.asarray(x, np.float64) for x in head.parts(features))
    density = sum(
        math.exp(log_w[k])
        * np.prod(np.exp(-0.5 * ((action - means[k]) / scales[k]) ** 2) / (scales[k] * math.sqrt(2 * math.pi)))
        for k in range(2)
    )
    assert float(head.loss(jax.random.key(0), features, action)) == pytest.approx(-math.log(density), rel=1e-5)
    assert np.all(scales > 0) and np.exp(log_w).sum() == pytest.approx(1.0, rel=1e-6)
    np.testing.assert_allclose(head.mode(features), means[np.argmax(log_w)], rtol=1e-6)


def test_the_discretized_head_bins_the_box_and_sums_one_cross_entropy_per_dimension():
    head = head_of("discretized")  # 10 bins on [-2, 2] (width 0.4) and on [0, 1] (width 0.1)
    np.testing.assert_array_equal(head.bin_of(jnp.array([-2.0, 1.0])), [0, 9])  # the box's ends
    np.testing.assert_array_equal(head.bin_of(jnp.array([0.05, 0.55])), [5, 5])
    np.testing.assert_allclose(head.centre(jnp.array([0, 9])), [-1.8, 0.95], rtol=1e-6)
    features, action = jnp.linspace(-1, 1, 8), jnp.array([0.05, 0.55])
    log_p = np.asarray(jax.nn.log_softmax(head.logits(features)))
    assert float(head.loss(jax.random.key(0), features, action)) == pytest.approx(
        -(log_p[0, 5] + log_p[1, 5]), rel=1e-6
    )


def test_the_cosine_schedule_is_nichol_and_dhariwals():
    abar = cosine_schedule(20)
    f = lambda t: math.cos((t / 20 + 0.008) / 1.008 * math.pi / 2) ** 2  # noqa: E731
    assert abar[0] == pytest.approx(f(1) / f(0)) and abar[9] == pytest.approx(f(10) / f(0))
    assert np.all(np.diff(abar) < 0) and abar[-1] < 1e-3


def test_the_ddpm_loss_is_the_noise_prediction_error_at_the_drawn_level_and_noise():
    head = head_of("diffusion")
    features, action, key = jnp.linspace(-1, 1, 8), jnp.array([1.0, 0.25]), jax.random.key(7)
    level_key, noise_key = jax.random.split(key)
    level = int(jax.random.randint(level_key, (), 0, 20))
    eps = np.asarray(jax.random.normal(noise_key, (2,)))
    unit = np.array([0.5, -0.5])  # the action rescaled from [-2, 2] x [0, 1] to [-1, 1]
    abar = cosine_schedule(20)[level]
    x_t = math.sqrt(abar) * unit + math.sqrt(1 - abar) * eps
    predicted = np.asarray(head.denoiser(jnp.asarray(x_t, jnp.float32), (level + 1) / 20, features))
    expected = np.sum((eps - predicted) ** 2)
    assert float(head.loss(key, features, action)) == pytest.approx(expected, rel=1e-4)


def test_the_flow_matching_loss_regresses_the_straight_line_velocity():
    head = head_of("flow")
    features, action, key = jnp.linspace(-1, 1, 8), jnp.array([1.0, 0.25]), jax.random.key(3)
    time_key, noise_key = jax.random.split(key)
    t = float(jax.random.uniform(time_key, ()))
    x0 = np.asarray(jax.random.normal(noise_key, (2,)))
    target = np.array([0.5, -0.5])
    x_t = (1 - t) * x0 + t * target
    velocity = np.asarray(head.velocity(jnp.asarray(x_t, jnp.float32), t, features))
    expected = np.sum((velocity - (target - x0)) ** 2)
    assert float(head.loss(key, features, action)) == pytest.approx(expected, rel=1e-4)


def fork_demonstrations(n_episodes: int = 20, length: int = 100) -> list[Trajectory]:
    """At every state the expert goes left (-0.6) or right (+0.6) with equal probability."""
    rng = np.random.default_rng(0)
    episodes = []
    for _ in range(n_episodes):
        obs = rng.uniform(-1, 1, size=(length + 1, 1)).astype(np.float32)
        side = np.where(rng.random(length) < 0.5, -0.6, 0.6)
        actions = (side + 0.05 * rng.standard_normal(length)).astype(np.float32)[:, None]
        episodes.append(Trajectory(obs, actions, np.zeros(length, np.float32)))
    return episodes


def ks_distance(a: np.ndarray, b: np.ndarray) -> float:
    """``max_x |F_a(x) - F_b(x)|`` of the two empirical distribution functions."""
    grid = np.sort(np.concatenate([a, b]))
    cdf = lambda x: np.searchsorted(np.sort(x), grid, side="right") / len(x)  # noqa: E731
    return float(np.max(np.abs(cdf(a) - cdf(b))))


@pytest.mark.parametrize(
    "head, epochs",
    [("gaussian", 60), ("deterministic", 60), ("gmm", 60), ("discretized", 60), ("diffusion", 250), ("flow", 250)],
)
def test_heads_for_several_modes_sample_both_modes_and_not_the_gap_between_them(head, epochs):
    """2000 samples at one state of a policy trained on the 50/50 fork: the expressive heads put at
    most 6% of them in the gap |a| < 0.3 and 40-60% on each side; the Gaussian spreads over the gap
    and the squared-error head sits in it. Measured 2026-12-02 (shared 2-core CPU): gap fractions
    gaussian 0.39, deterministic 1.0, gmm 0.0, discretized 0.001, diffusion 0.026, flow 0.05."""
    config = bc.BCConfig(
        head=head,
        network=Network((64, 64)),
        head_options=SMALL,
        n_epochs=epochs,
        batch_size=256,
        learning_rate=3e-3,
        validation_fraction=0.0,
        patience=0,
    )
    policy = bc.train(jax.random.key(0), config, fork_demonstrations(), SPEC, progress=False).policy
    keys = jax.random.split(jax.random.key(1), 2000)
    actions = np.asarray(jax.vmap(lambda k: policy.act(k, jnp.zeros(1)))(keys))[:, 0]
    gap, left, right = np.mean(np.abs(actions) < 0.3), np.mean(actions < -0.3), np.mean(actions > 0.3)
    ks = ks_distance(actions, np.concatenate([t.actions[:, 0] for t in fork_demonstrations()]))
    # Two-sample Kolmogorov-Smirnov distance to the demonstrated actions (measured: gaussian 0.30,
    # gmm 0.08, diffusion 0.12, flow 0.13; discretized 0.19, its samples being bin centres 0.2 apart).
    if head in ("gmm", "diffusion", "flow"):
        assert ks <= 0.15, ks
    if head == "gaussian":
        assert ks >= 0.25, ks
    if head == "deterministic":
        assert gap == 1.0
    elif head == "gaussian":
        assert gap > 0.25, (gap, left, right)
    else:
        assert gap <= 0.06 and 0.4 <= left <= 0.6 and 0.4 <= right <= 0.6, (gap, left, right)
        deterministic = float(policy.act(jax.random.key(5), jnp.zeros(1), True)[0])
        assert abs(deterministic) > 0.3  # deterministic acting picks a mode, not their average


@pytest.mark.parametrize("kind", NEW_HEADS)
def test_every_new_head_saves_and_loads_to_identical_actions(kind, tmp_path):
    policy = make_policy(jax.random.key(0), BOX_2D, Network((8,)).with_head(kind, SMALL))
    save_policy(tmp_path / "policy", policy, BOX_2D)
    loaded, spec = load_policy(tmp_path / "policy")
    assert loaded.architecture == policy.architecture and spec == BOX_2D
    obs = jnp.array([0.1, 0.2, 0.3])
    for key, deterministic in ((jax.random.key(3), False), (jax.random.key(4), True)):
        np.testing.assert_array_equal(policy.act(key, obs, deterministic), loaded.act(key, obs, deterministic))
    assert eqx.tree_equal(eqx.filter(policy, eqx.is_array), eqx.filter(loaded, eqx.is_array))


def test_actions_stay_inside_the_box():
    obs = jnp.array([5.0, -5.0, 5.0])
    for kind in NEW_HEADS[1:]:  # the mixture's Gaussians are unbounded; the env's box clips what it executes
        head_policy = make_policy(jax.random.key(1), BOX_2D, Network((8,)).with_head(kind, SMALL))
        keys = jax.random.split(jax.random.key(2), 256)
        actions = np.asarray(jax.vmap(head_policy.act, in_axes=(0, None))(keys, obs))
        assert np.all(actions >= [-2.0, 0.0]) and np.all(actions <= [2.0, 1.0]), kind


def test_bad_head_options_and_mismatches_are_one_line_errors():
    with pytest.raises(ValueError, match="--n-bins: expected an integer >= 2, got 1"):
        HeadOptions(n_bins=1)
    with pytest.raises(ValueError, match="loss 'mse' trains the 'deterministic' head, not 'diffusion'"):
        bc.BCConfig(loss="mse", head="diffusion")
    with pytest.raises(ValueError, match="PPO needs a head with log_prob and entropy, but DiffusionHead has none"):
        require_density(head_of("diffusion"), "PPO")
    unbounded = EnvSpec.for_box((1,), action_kind="continuous", action_shape=(1,), env_id="free")
    with pytest.raises(ValueError, match="the discretized head needs finite action bounds"):
        make_policy(jax.random.key(0), unbounded, PolicyArchitecture(head="discretized"))
    with pytest.raises(ValueError, match="'gmm' does not fit discrete actions"):
        make_policy(
            jax.random.key(0),
            EnvSpec.for_box((1,), action_kind="discrete", n_actions=2),
            PolicyArchitecture(head="gmm"),
        )


def test_bench_head_speed_times_every_head_it_is_given(tmp_path):
    from apprentice.bench.configs import HeadSpeedConfig
    from apprentice.bench.head_speed import run_head_speed

    config = HeadSpeedConfig(heads=("gaussian", "flow"), batch_sizes=(1, 4), min_seconds=0.05, out=str(tmp_path))
    result = run_head_speed(config)
    assert [(row["head"], row["batch_size"]) for row in result["rows"]] == [
        ("gaussian", 1),
        ("gaussian", 4),
        ("flow", 1),
        ("flow", 4),
    ]
    assert all(row["actions_per_second"] > 0 for row in result["rows"])
    assert (tmp_path / "results.json").exists()


def test_bench_multimodal_writes_rows_summary_and_the_paths_figure(tmp_path):
    from apprentice.bench.configs import MultimodalBenchConfig
    from apprentice.bench.multimodal import run_multimodal

    config = MultimodalBenchConfig(
        envs=("apprentice/TwoRoutes-v0",),
        heads=("gmm",),
        chunks=(1, 2),
        seeds=(0,),
        n_demos=4,
        n_epochs=2,
        eval_episodes=3,
        plot_paths=2,
        out=str(tmp_path),
    )
    result = run_multimodal(config)
    assert [(r["head"], r["chunk"]) for r in result["rows"]] == [("gmm", 1), ("gmm", 2)]
    for row in result["rows"]:
        assert row["n_episodes"] == 3 and 0 <= row["success_rate"] <= 1
        assert row["left_fraction"] + row["right_fraction"] <= 1.0
    assert len(result["summary"]) == 2 and result["summary"][0]["n_seeds"] == 1
    assert (tmp_path / "paths_TwoRoutes-v0.png").stat().st_size > 0 and (tmp_path / "results.json").exists()


@pytest.mark.slow  # about 20 s a head on a shared 2-core machine
@pytest.mark.parametrize(
    "head, chunk, least",
    # bench multimodal, 3 seeds (2026-12-02): gmm 0.99 +- 0.01, diffusion with chunks 0.97 +- 0.00,
    # the squared-error head with chunks 0.00 (every episode collides)
    [("gmm", 1, 0.9), ("diffusion", 8, 0.9), ("deterministic", 8, None)],
)
def test_two_routes_with_switching_demonstrations(head, chunk, least):
    from apprentice import experts
    from apprentice.bench.configs import MultimodalBenchConfig
    from apprentice.bench.multimodal import bc_config
    from apprentice.envs import Stream, collection_seed, env_spec, evaluation_seed
    from apprentice.envs.two_routes import route_statistics
    from apprentice.policies import PolicyActor
    from apprentice.rollout import rollout

    env_id = "apprentice/TwoRoutes-Switching-v0"
    demos = rollout(experts.load(env_id), env_id, n_episodes=40, seed=collection_seed(0, Stream.DEMONSTRATIONS))
    config = bc_config(MultimodalBenchConfig(), head, chunk)
    policy = bc.train(jax.random.key(0), config, demos, env_spec(env_id), progress=False).policy
    runs = rollout(PolicyActor(policy, jax.random.key(1)), env_id, n_episodes=50, seed=evaluation_seed())
    stats = route_statistics(runs)
    if least is None:
        assert stats["collision_rate"] >= 0.5, stats  # one action for a chunk of both routes: the obstacle
    else:
        # Both routes stay in use (neither mode is lost). How evenly varies with the training seed:
        # the mixture's left share was 0.12, 0.28, 0.42, 0.32 for keys 0-3 (jax 0.10.2, 2026-12-03),
        # 0.36 on average in bench multimodal (key 0 gave >= 0.25 in earlier CI runs, other package versions).
        assert stats["success_rate"] >= least and min(stats["left_fraction"], stats["right_fraction"]) >= 0.05, stats
