"""Tier 1: each BC loss against hand-computed numbers, and gradients by finite differences."""

from __future__ import annotations

import math

import equinox as eqx
import jax
import jax.flatten_util
import jax.numpy as jnp
import numpy as np
import pytest

from apprentice.algorithms.bc import (
    LossSettings,
    bc_loss,
    cross_entropy_loss,
    gaussian_nll_loss,
    mse_loss,
    return_weights,
)
from apprentice.envs import EnvSpec
from apprentice.policies import PolicyArchitecture, Squash, make_policy
from apprentice.policies.heads import LOG_STD_MAX, LOG_STD_MIN

DISCRETE = EnvSpec.for_box(obs_shape=(2,), obs_dtype="float32", action_kind="discrete", n_actions=3)
CONTINUOUS = EnvSpec.for_box(
    obs_shape=(2,),
    obs_dtype="float32",
    action_kind="continuous",
    action_shape=(2,),
    action_low=(-1.0, -1.0),
    action_high=(1.0, 1.0),
)


def constant_policy(spec, head, bias, squash=False):
    """A policy with no hidden layer whose output is ``bias`` for every observation."""
    policy = make_policy(jax.random.key(0), spec, PolicyArchitecture(head=head, hidden_sizes=(), squash=squash))
    layer = policy.head.linear
    policy = eqx.tree_at(lambda p: p.head.linear.weight, policy, jnp.zeros_like(layer.weight))
    return eqx.tree_at(lambda p: p.head.linear.bias, policy, jnp.asarray(bias, jnp.float32))


def test_cross_entropy_matches_hand_computation():
    policy = constant_policy(DISCRETE, "categorical", [1.0, 2.0, 3.0])
    obs = jnp.zeros(2)
    # log softmax([1,2,3]) = [1,2,3] - log(e + e^2 + e^3) = [-2.40761, -1.40761, -0.40761]
    assert float(cross_entropy_loss(policy, obs, jnp.array(0))) == pytest.approx(2.4076059, abs=1e-5)
    assert float(cross_entropy_loss(policy, obs, jnp.array(2))) == pytest.approx(0.4076059, abs=1e-5)
    # soft target (0.5, 0.5, 0): 0.5 * 2.40761 + 0.5 * 1.40761
    soft = jnp.array([0.5, 0.5, 0.0])
    assert float(cross_entropy_loss(policy, obs, soft)) == pytest.approx(1.9076059, abs=1e-5)


def test_gaussian_nll_matches_the_formula():
    # raw log-std r maps to log sigma = lo + (tanh(r) + 1) / 2 * (hi - lo); solve for log sigma = -1
    lo, hi = LOG_STD_MIN, LOG_STD_MAX
    raw = math.atanh(2 * (-1.0 - lo) / (hi - lo) - 1.0)
    policy = constant_policy(CONTINUOUS, "gaussian", [0.5, -0.5, raw, raw])
    action = jnp.array([1.0, 0.0])
    sigma_sq = math.exp(-2.0)
    expected = 0.5 * ((math.log(sigma_sq) + 0.25 / sigma_sq) + (math.log(sigma_sq) + 0.25 / sigma_sq))
    assert expected == pytest.approx(-2.0 + 0.25 * math.e**2)
    assert float(gaussian_nll_loss(policy, jnp.zeros(2), action)) == pytest.approx(expected, rel=1e-5)


def test_squashed_gaussian_density_integrates_to_one():
    spec = EnvSpec.for_box(
        obs_shape=(1,),
        obs_dtype="float32",
        action_kind="continuous",
        action_shape=(1,),
        action_low=(-2.0,),
        action_high=(2.0,),
    )
    policy = constant_policy(spec, "gaussian", [0.3, 0.2], squash=True)
    grid = jnp.linspace(-2.0 + 1e-4, 2.0 - 1e-4, 40001)
    density = jnp.exp(jax.vmap(lambda a: policy.log_prob(jnp.zeros(1), a[None]))(grid))
    assert float(jnp.trapezoid(density, grid)) == pytest.approx(1.0, abs=1e-3)


def test_mse_matches_hand_computation():
    policy = constant_policy(CONTINUOUS, "deterministic", [0.5, -0.5])
    assert float(mse_loss(policy, jnp.zeros(2), jnp.array([1.0, 1.0]))) == pytest.approx(0.25 + 2.25)


def test_squash_maps_into_bounds_and_inverts():
    squash = Squash(low=jnp.array([-2.0]), high=jnp.array([4.0]))
    u = jnp.array([0.7])
    assert float(squash(u)[0]) == pytest.approx(-2.0 + (math.tanh(0.7) + 1) * 3.0, rel=1e-6)
    assert float(squash.inverse(squash(u))[0]) == pytest.approx(0.7, rel=1e-4)


def test_batch_loss_weights_mask_and_regularizers():
    policy = constant_policy(DISCRETE, "categorical", [1.0, 2.0, 3.0])
    batch = {
        "obs": jnp.zeros((3, 2)),
        "acts": jnp.array([0, 2, 1]),
        "weights": jnp.array([2.0, 0.0, 0.0]),  # the third row is padding
        "mask": jnp.array([1.0, 1.0, 0.0]),
    }
    loss, aux = bc_loss(policy, batch, LossSettings("cross_entropy"))
    assert float(loss) == pytest.approx(2.0 * 2.4076059 / 2.0, abs=1e-5)
    assert float(aux["unweighted_loss"]) == pytest.approx((2.4076059 + 0.4076059) / 2.0, abs=1e-5)
    entropy = float(policy.entropy(jnp.zeros(2)))
    loss_ent, _ = bc_loss(policy, batch, LossSettings("cross_entropy", entropy_coef=0.1))
    assert float(loss_ent) == pytest.approx(float(loss) - 0.1 * entropy, abs=1e-5)
    policy_l2 = eqx.tree_at(lambda p: p.head.linear.weight, policy, jnp.ones((3, 2)))
    loss_l2, _ = bc_loss(policy_l2, batch, LossSettings("cross_entropy", l2_coef=0.01))
    assert float(loss_l2) == pytest.approx(float(loss) + 0.01 * 6.0, abs=1e-5)  # obs are 0: logits unchanged


@pytest.mark.parametrize(
    "loss,head,spec",
    [
        ("cross_entropy", "categorical", DISCRETE),
        ("gaussian_nll", "gaussian", CONTINUOUS),
        ("mse", "deterministic", CONTINUOUS),
    ],
)
def test_gradient_matches_finite_differences(loss, head, spec):
    with jax.enable_x64(True):
        policy = make_policy(
            jax.random.key(1), spec, PolicyArchitecture(head=head, hidden_sizes=(8,), activation="tanh")
        )
        policy = jax.tree.map(lambda x: x.astype(jnp.float64) if eqx.is_inexact_array(x) else x, policy)
        rng = np.random.default_rng(0)
        acts = rng.integers(0, 3, 6) if loss == "cross_entropy" else rng.uniform(-1, 1, (6, 2))
        batch = {
            "obs": jnp.asarray(rng.normal(size=(6, 2))),
            "acts": jnp.asarray(acts),
            "weights": jnp.asarray(rng.uniform(0.5, 1.5, 6)),
            "mask": jnp.ones(6),
        }
        settings = LossSettings(loss, l2_coef=0.01, entropy_coef=0.0 if loss == "mse" else 0.05)
        # only the network is trained: the observation normalizer is frozen by stop_gradient
        trainable = eqx.tree_at(
            lambda p: (p.encoder.trunk, p.head),
            jax.tree.map(lambda _: False, policy),
            replace=jax.tree.map(eqx.is_inexact_array, (policy.encoder.trunk, policy.head)),
        )
        params, static = eqx.partition(policy, trainable)
        flat, unravel = jax.flatten_util.ravel_pytree(params)
        objective = jax.jit(lambda v: bc_loss(eqx.combine(unravel(v), static), batch, settings)[0])
        grad = jax.grad(objective)(flat)
        eps = 1e-6
        for i in np.random.default_rng(1).choice(flat.size, 12, replace=False):
            e = jnp.zeros_like(flat).at[i].set(eps)
            numeric = (objective(flat + e) - objective(flat - e)) / (2 * eps)
            assert float(grad[i]) == pytest.approx(float(numeric), rel=1e-5, abs=1e-8)


def test_return_weights_by_hand():
    np.testing.assert_allclose(return_weights(np.array([0.0, 10.0, 30.0]), "return"), [0.0, 0.75, 2.25])
    np.testing.assert_allclose(return_weights(np.array([5.0, 5.0]), "return"), [1.0, 1.0])
    w = return_weights(np.array([0.0, 1.0]), "exp_return", temperature=1.0)
    np.testing.assert_allclose(w, np.array([math.exp(-1), 1.0]) / ((math.exp(-1) + 1) / 2))
    with pytest.raises(ValueError, match="temperature"):
        return_weights(np.array([1.0]), "exp_return", temperature=0.0)


def test_squash_bounds_get_no_gradient():
    """The box is the env's, not a parameter: the entropy term log(high - low) must not widen it."""
    squash = Squash(low=jnp.array([-1.0, -2.0]), high=jnp.array([1.0, 2.0]))
    grads = jax.grad(
        lambda s: (
            s.log_det_jacobian(jnp.array([0.3, -0.2]))
            + s(jnp.array([0.5, 0.1])).sum()
            + s.inverse(jnp.array([0.2, 0.4])).sum()
        )
    )(squash)
    assert float(jnp.abs(grads.low).max()) == 0.0 and float(jnp.abs(grads.high).max()) == 0.0


def test_validation_score_by_hand():
    """Gaussian NLL: the weighted squared error of the mean action (not the NLL); other losses: the data loss."""
    from apprentice.algorithms.bc.losses import validation_score

    policy = constant_policy(CONTINUOUS, "gaussian", [0.5, -0.5, 0.3, 0.3])
    batch = {
        "obs": jnp.zeros((3, 2)),
        "acts": jnp.array([[1.0, 0.0], [0.0, 0.5], [9.0, 9.0]]),
        "weights": jnp.array([2.0, 1.0, 0.0]),
        "mask": jnp.array([1.0, 1.0, 0.0]),
    }
    # squared errors of the mean [0.5, -0.5]: 0.25 + 0.25 and 0.25 + 1; weighted, over 2 real rows
    assert float(validation_score(policy, batch, LossSettings("gaussian_nll"))) == pytest.approx(
        (2 * 0.5 + 1.25) / 2, rel=1e-6
    )
    discrete = constant_policy(DISCRETE, "categorical", [1.0, 2.0, 3.0])
    batch = {"obs": jnp.zeros((2, 2)), "acts": jnp.array([0, 2]), "weights": jnp.array([1.0, 3.0]), "mask": jnp.ones(2)}
    assert float(validation_score(discrete, batch, LossSettings("cross_entropy"))) == pytest.approx(
        (2.4076059 + 3 * 0.4076059) / 2, abs=1e-5
    )
