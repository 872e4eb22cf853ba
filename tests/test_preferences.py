"""Learning from preferences: the BT / DPO / IPO losses by hand, Bradley-Terry labels by frequency,
a reward model that recovers a known reward, and RLHF / DPO / IPO on a bandit against closed forms."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from apprentice.algorithms.preferences import (
    BanditPreferenceConfig,
    BanditRLHFConfig,
    Preferences,
    RewardMLP,
    RewardModelConfig,
    SegmentReturn,
    bradley_terry_loss,
    bradley_terry_preferences,
    bradley_terry_probability,
    dpo_loss,
    ipo_loss,
    kl_regularized_objective,
    log_ratio_margin,
    optimal_policy,
    preference_accuracy,
    random_pairs,
    rewards_of,
    total_variation,
    train,
    train_preference_bandit,
    train_rlhf,
)
from apprentice.bench.deterministic_preferences import deterministic_preference_experiment
from apprentice.report.preference_plots import plot_preference_margins

# -log sigmoid(x) = log(1 + e^-x)
NEG_LOG_SIG = {1.0: 0.3132617, -2.0: 2.1269280, 0.5: 0.4740770, -2.5: 2.5788897, -1.0: 1.3132617, 2.0: 0.1269280}


# ---------------------------------------------------------------- losses, exact


def test_bradley_terry_loss_and_its_variants_match_hand_computation():
    chosen, rejected = jnp.array([1.0, 0.0]), jnp.array([0.0, 2.0])
    # d = r_w - r_l = [1, -2]: (log(1 + e^-1) + log(1 + e^2)) / 2 = (0.3132617 + 2.1269280) / 2
    assert float(bradley_terry_loss(chosen, rejected)) == pytest.approx(1.2200948, abs=1e-6)
    assert (NEG_LOG_SIG[1.0] + NEG_LOG_SIG[-2.0]) / 2 == pytest.approx(1.2200948, abs=1e-6)
    # margin 0.5: d = [0.5, -2.5]: (0.4740770 + 2.5788897) / 2
    assert float(bradley_terry_loss(chosen, rejected, margin=0.5)) == pytest.approx(1.5264834, abs=1e-6)
    # per-pair margins [0, 0.5]: (0.3132617 + 2.5788897) / 2
    assert float(bradley_terry_loss(chosen, rejected, margin=jnp.array([0.0, 0.5]))) == pytest.approx(
        (NEG_LOG_SIG[1.0] + NEG_LOG_SIG[-2.5]) / 2, abs=1e-6
    )
    # soft labels p = [0.8, 0.3]: pair 1: 0.8 * 0.3132617 + 0.2 * log(1 + e^1) = 0.2506093 + 0.2626523 = 0.5132617
    #                             pair 2: 0.3 * 2.1269280 + 0.7 * log(1 + e^-2) = 0.6380784 + 0.0888496 = 0.7269280
    assert float(bradley_terry_loss(chosen, rejected, probability=jnp.array([0.8, 0.3]))) == pytest.approx(
        0.6200948, abs=1e-6
    )
    # p = 1 is the hard label
    assert float(bradley_terry_loss(chosen, rejected, probability=jnp.ones(2))) == pytest.approx(1.2200948, abs=1e-6)
    # centering 0.1: + 0.1 * mean((1 + 0)^2, (0 + 2)^2) = 0.1 * 2.5 = 0.25
    assert float(bradley_terry_loss(chosen, rejected, centering_coef=0.1)) == pytest.approx(1.4700948, abs=1e-6)
    # ... on the sum, not the difference (above the two coincide): r_w = [2, -1], r_l = [1, 0.5],
    # d = [1, -1.5], sums [3, -0.5]: mean(log(1 + e^-1), log(1 + e^1.5)) + 0.1 * (9 + 0.25) / 2
    by_hand = (math.log1p(math.exp(-1.0)) + math.log1p(math.exp(1.5))) / 2 + 0.1 * 9.25 / 2
    assert float(
        bradley_terry_loss(jnp.array([2.0, -1.0]), jnp.array([1.0, 0.5]), centering_coef=0.1)
    ) == pytest.approx(by_hand, abs=1e-6)
    # the mask drops the second pair: log(1 + e^-1)
    assert float(bradley_terry_loss(chosen, rejected, mask=jnp.array([1.0, 0.0]))) == pytest.approx(0.3132617, abs=1e-6)


def test_dpo_and_ipo_match_hand_computation():
    policy_w, policy_l = jnp.array([-1.0, -3.0]), jnp.array([-2.0, -1.0])
    ref_w, ref_l = jnp.array([-1.5, -2.0]), jnp.array([-1.5, -2.0])
    # h = (log pi_w - log ref_w) - (log pi_l - log ref_l) = [0.5 - (-0.5), -1 - 1] = [1, -2]
    np.testing.assert_allclose(log_ratio_margin(policy_w, policy_l, ref_w, ref_l), [1.0, -2.0], atol=1e-6)
    # DPO, beta 0.5: beta h = [0.5, -1]: (log(1 + e^-0.5) + log(1 + e^1)) / 2 = (0.4740770 + 1.3132617) / 2
    assert float(dpo_loss(policy_w, policy_l, ref_w, ref_l, beta=0.5)) == pytest.approx(0.8936693, abs=1e-6)
    # IPO, tau 0.25: target 1 / (2 tau) = 2: ((1 - 2)^2 + (-2 - 2)^2) / 2 = (1 + 16) / 2
    assert float(ipo_loss(policy_w, policy_l, ref_w, ref_l, tau=0.25)) == pytest.approx(8.5, abs=1e-5)
    # DPO is the BT loss of the implicit reward beta log(pi / pi_ref)
    implicit_w, implicit_l = 0.5 * (policy_w - ref_w), 0.5 * (policy_l - ref_l)
    assert float(dpo_loss(policy_w, policy_l, ref_w, ref_l, beta=0.5)) == pytest.approx(
        float(bradley_terry_loss(implicit_w, implicit_l)), abs=1e-6
    )


def test_dpo_and_ipo_gradients_match_the_closed_form_and_finite_differences():
    args = [
        jnp.array([-1.0, -3.0, -0.2]),
        jnp.array([-2.0, -1.0, -0.7]),
        jnp.array([-1.5, -2.0, -0.4]),
        jnp.array([-1.5, -2.0, -0.9]),
    ]
    h = np.asarray(log_ratio_margin(*args))  # [1, -2, 0]
    beta, tau, n = 0.5, 0.25, 3
    sig = lambda x: 1.0 / (1.0 + np.exp(-x))  # noqa: E731
    dpo_grads = jax.grad(lambda *a: dpo_loss(*a, beta=beta), argnums=(0, 1, 2, 3))(*args)
    # d/d log pi(y_w) = -beta sigmoid(-beta h) / n, d/d log pi(y_l) = +beta sigmoid(-beta h) / n; the reference opposite
    closed = beta * sig(-beta * h) / n
    for grad, sign in zip(dpo_grads, (-1, 1, 1, -1)):
        np.testing.assert_allclose(grad, sign * closed, rtol=1e-5)
    ipo_grads = jax.grad(lambda *a: ipo_loss(*a, tau=tau), argnums=(0, 1))(*args)
    # d/d log pi(y_w) = 2 (h - 1/(2 tau)) / n
    np.testing.assert_allclose(ipo_grads[0], 2 * (h - 2.0) / n, rtol=1e-5)
    np.testing.assert_allclose(ipo_grads[1], -2 * (h - 2.0) / n, rtol=1e-5)
    # central finite differences in float32 (step 1e-2: truncation ~1e-5, rounding ~1e-5)
    for loss, grads in ((lambda *a: dpo_loss(*a, beta=beta), dpo_grads), (lambda *a: ipo_loss(*a, tau=tau), ipo_grads)):
        for arg_index, grad in enumerate(grads):
            for i in range(n):
                up = [a.at[i].add(1e-2) if k == arg_index else a for k, a in enumerate(args)]
                down = [a.at[i].add(-1e-2) if k == arg_index else a for k, a in enumerate(args)]
                numeric = (float(loss(*up)) - float(loss(*down))) / 2e-2
                assert numeric == pytest.approx(float(grad[i]), abs=2e-4)


def test_preference_accuracy_counts_ties_half():
    # (1 + 0 + 1/2) / 3; masked to the first two: 1/2
    assert float(preference_accuracy(jnp.array([1.0, 0.0, 2.0]), jnp.array([0.0, 1.0, 2.0]))) == pytest.approx(0.5)
    assert float(preference_accuracy(jnp.array([3.0, 0.0, 2.0]), jnp.array([1.0, 1.0, 1.0]))) == pytest.approx(2 / 3)
    assert float(
        preference_accuracy(jnp.array([1.0, 0.0, 2.0]), jnp.array([0.0, 1.0, 2.0]), mask=jnp.array([1.0, 1.0, 0.0]))
    ) == pytest.approx(0.5)


# ---------------------------------------------------------------- Bradley-Terry labels


def test_sampled_labels_follow_the_bradley_terry_probability():
    # 20000 labels per reward gap: the binomial std of a frequency is <= sqrt(0.25 / 20000) = 0.0035;
    # tolerance 0.015 (> 4 std). Measured deviations: +0.0043, +0.0022, +0.0035, -0.0009 (gaps -1, 0, 0.5, 2).
    n, temperature = 20000, 0.5
    for i, gap in enumerate([-1.0, 0.0, 0.5, 2.0]):
        # the second feature only tells the two items apart (it carries no reward)
        first, second = jnp.tile(jnp.array([gap, 1.0]), (n, 1)), jnp.zeros((n, 2))
        data = bradley_terry_preferences(jax.random.key(i), lambda y: y[0], first, second, temperature=temperature)
        first_won = float(np.mean(data.chosen[:, 1] == 1.0))
        expected = 1.0 / (1.0 + math.exp(-gap / temperature))
        assert first_won == pytest.approx(expected, abs=0.015), (gap, first_won, expected)
    assert float(bradley_terry_probability(2.0, 0.0, 0.5)) == pytest.approx(1 / (1 + math.exp(-4.0)), rel=1e-6)


def test_deterministic_labels_pick_the_higher_reward_and_soft_labels_are_the_true_probability():
    key_a, key_b, key_c = jax.random.split(jax.random.key(0), 3)
    first, second = jax.random.normal(key_a, (500, 3)), jax.random.normal(key_b, (500, 3))
    w = jnp.array([1.0, -1.0, 2.0])
    hard = bradley_terry_preferences(key_c, lambda y: y @ w, first, second, temperature=0.0)
    assert np.all(hard.chosen @ np.asarray(w) > hard.rejected @ np.asarray(w))
    soft = bradley_terry_preferences(key_c, lambda y: y @ w, first, second, temperature=2.0, soft_labels=True)
    gap = soft.chosen @ np.asarray(w) - soft.rejected @ np.asarray(w)
    np.testing.assert_allclose(soft.probability, 1 / (1 + np.exp(-gap / 2.0)), rtol=1e-5)
    again = bradley_terry_preferences(key_c, lambda y: y @ w, first, second, temperature=2.0, soft_labels=True)
    np.testing.assert_array_equal(soft.chosen, again.chosen)  # same key, same labels


def test_labels_work_for_token_sequences_and_contexts():
    first, second = random_pairs(jax.random.key(1), 10, 300)
    assert bool(jnp.all(first != second))
    tokens = jax.random.randint(jax.random.key(2), (10, 5), 0, 4)
    count_threes = lambda seq: jnp.sum(seq == 3).astype(jnp.float32)  # noqa: E731
    data = bradley_terry_preferences(jax.random.key(3), count_threes, tokens[first], tokens[second], temperature=0.0)
    assert data.chosen.dtype == np.int32 and data.item_shape == (5,)
    assert np.all((data.chosen == 3).sum(1) >= (data.rejected == 3).sum(1))
    context = jax.random.normal(jax.random.key(4), (300, 2))
    items_a, items_b = jax.random.normal(jax.random.key(5), (300, 2)), jax.random.normal(jax.random.key(6), (300, 2))
    with_context = bradley_terry_preferences(
        jax.random.key(7), lambda x, y: x @ y, items_a, items_b, context=context, temperature=0.0
    )
    assert np.all(
        np.sum(with_context.context * with_context.chosen, 1) >= np.sum(with_context.context * with_context.rejected, 1)
    )


def test_reward_model_loss_is_the_bradley_terry_loss_of_the_model_with_padding_masked():
    import equinox as eqx

    from apprentice.algorithms.preferences.reward_model import LossSettings, preference_arrays, reward_model_loss

    model = RewardMLP((2,), hidden_sizes=(), key=jax.random.key(0))  # linear: r(y) = y . (1, -1) + 0
    model = eqx.tree_at(lambda m: m.net.layers[0].weight, model, jnp.array([[1.0, -1.0]]))
    model = eqx.tree_at(lambda m: m.net.layers[0].bias, model, jnp.zeros(1))
    data = Preferences(
        np.array([[1.0, 0.0], [0.0, 0.0]]), np.array([[0.0, 0.0], [2.0, 0.0]]), probability=np.array([0.8, 0.3])
    )
    batch = preference_arrays(data)  # two pairs plus a zero sentinel row with mask 0
    assert batch["mask"].tolist() == [1.0, 1.0, 0.0]
    # rewards: chosen (1, 0), rejected (0, 2): the hand-computed cases above
    loss, aux = reward_model_loss(model, batch, LossSettings(soft_labels=False))
    assert float(loss) == pytest.approx(1.2200948, abs=1e-6) and float(aux["accuracy"]) == pytest.approx(0.5)
    assert float(reward_model_loss(model, batch, LossSettings())[0]) == pytest.approx(0.6200948, abs=1e-6)
    settings = LossSettings(margin=0.5, centering_coef=0.1, soft_labels=False)
    # margin 0.5 and centering 0.1: 1.5264834 + 0.25
    assert float(reward_model_loss(model, batch, settings)[0]) == pytest.approx(1.7764834, abs=1e-6)


# ---------------------------------------------------------------- reward model, learning


def _linear_truth_data(n=2000, temperature=1.0):
    w = jnp.array([1.0, -2.0, 0.5, 0.0, 1.5])
    k1, k2, k3 = jax.random.split(jax.random.key(0), 3)
    first, second = jax.random.normal(k1, (n, 5)), jax.random.normal(k2, (n, 5))
    return w, bradley_terry_preferences(k3, lambda y: y @ w, first, second, temperature=temperature)


def test_reward_model_recovers_a_linear_reward_from_noisy_preferences():
    # 1600 train / 400 held-out pairs labelled at T = 1. The true reward itself orders only 0.857 of
    # the held-out labels (label noise); measured: the MLP (32,) 0.855 held-out accuracy and
    # correlation 0.994 with the true reward on 1000 fresh items (30 epochs, ~5 s).
    w, data = _linear_truth_data()
    train_pairs, held_out = data.split(jax.random.key(7), 0.2)
    result = train(
        jax.random.key(1),
        RewardModelConfig(hidden_sizes=(32,), n_epochs=30, learning_rate=3e-3),
        train_pairs,
        held_out=held_out,
    )
    truth_accuracy = float(preference_accuracy(held_out.chosen @ np.asarray(w), held_out.rejected @ np.asarray(w)))
    assert truth_accuracy == pytest.approx(0.8575, abs=1e-3)
    assert result.held_out_accuracy >= truth_accuracy - 0.02
    items = jax.random.normal(jax.random.key(9), (1000, 5))
    correlation = np.corrcoef(np.asarray(rewards_of(result.model, items, None)), np.asarray(items @ w))[0, 1]
    assert correlation >= 0.98
    assert len(result.metrics) == 30 and result.metrics[-1]["train_loss"] < result.metrics[0]["train_loss"]


def test_segment_return_sums_a_learned_step_reward_over_trajectory_segments():
    # step reward r(o) = o . (1, 2) (hidden_sizes=()); segments of 3 steps. Preferences between
    # segments labelled by their true return; measured held-out accuracy 1.0 (deterministic labels,
    # 300 train pairs, 50 epochs).
    import equinox as eqx

    step = RewardMLP((2,), hidden_sizes=(), key=jax.random.key(0))
    step = eqx.tree_at(lambda m: m.net.layers[0].weight, step, jnp.array([[1.0, 2.0]]))
    step = eqx.tree_at(lambda m: m.net.layers[0].bias, step, jnp.zeros(1))
    segment = jnp.array([[1.0, 0.0], [0.0, 1.0], [2.0, -1.0]])  # 1 + 2 + 0
    assert float(SegmentReturn(step)(segment)) == pytest.approx(3.0)
    k1, k2, k3 = jax.random.split(jax.random.key(2), 3)
    first, second = jax.random.normal(k1, (400, 3, 2)), jax.random.normal(k2, (400, 3, 2))
    data = bradley_terry_preferences(
        k3, lambda seg: jnp.sum(seg @ jnp.array([1.0, 2.0])), first, second, temperature=0.0
    )
    model = SegmentReturn(RewardMLP((2,), hidden_sizes=(), key=jax.random.key(1)))
    result = train(
        jax.random.key(1), RewardModelConfig(n_epochs=50, learning_rate=3e-2, held_out_fraction=0.25), data, model=model
    )
    assert result.held_out_accuracy >= 0.97
    # the step reward's direction (its scale is free under deterministic labels): measured w = (1.09, 1.99)
    weight = np.asarray(result.model.step_reward.net.layers[0].weight[0])
    assert weight @ np.array([1.0, 2.0]) / (np.linalg.norm(weight) * math.sqrt(5.0)) >= 0.99


def test_reward_model_on_token_sequences_with_one_hot_features():
    # reward = #3s - #0s in a length-6 sequence over 4 tokens, deterministic labels (ties are coin
    # flips, so even the true reward scores < 1). Measured: linear reward on one-hot tokens 0.90,
    # true reward 0.89 on the same held-out pairs.
    k1, k2, k3 = jax.random.split(jax.random.key(4), 3)
    first, second = jax.random.randint(k1, (2000, 6), 0, 4), jax.random.randint(k2, (2000, 6), 0, 4)
    truth = lambda s: (jnp.sum(s == 3) - jnp.sum(s == 0)).astype(jnp.float32)  # noqa: E731
    data = bradley_terry_preferences(k3, truth, first, second, temperature=0.0)
    train_pairs, held_out = data.split(jax.random.key(5), 0.2)
    config = RewardModelConfig(hidden_sizes=(), n_epochs=30, learning_rate=1e-2, vocab_size=4)
    result = train(jax.random.key(1), config, train_pairs, held_out=held_out)
    truth_accuracy = float(preference_accuracy(jax.vmap(truth)(held_out.chosen), jax.vmap(truth)(held_out.rejected)))
    assert result.held_out_accuracy >= truth_accuracy - 0.03
    # same key, same run, and the second run reuses the compiled epoch
    from apprentice.algorithms.preferences.reward_model import train_epoch

    compiled = train_epoch._cache_size()
    again = train(jax.random.key(1), config, train_pairs, held_out=held_out)
    assert train_epoch._cache_size() == compiled
    without_times = lambda history: [{k: v for k, v in row.items() if k != "seconds"} for row in history]  # noqa: E731
    assert without_times(again.metrics) == without_times(result.metrics)
    np.testing.assert_array_equal(
        rewards_of(again.model, held_out.chosen, None), rewards_of(result.model, held_out.chosen, None)
    )


# ---------------------------------------------------------------- bandit: RLHF, DPO, IPO


REWARDS = jnp.array([1.0, 0.5, 0.2, 0.0, -0.5])
REFERENCE = jnp.array([0.1, 0.2, 0.3, 0.25, 0.15])


def test_closed_form_optimum_maximizes_the_kl_regularized_objective():
    beta = 0.5
    optimum = optimal_policy(REWARDS, REFERENCE, beta)
    best = float(kl_regularized_objective(optimum, REWARDS, REFERENCE, beta))
    # the optimal value is beta log Z = beta log sum_a pi_ref(a) exp(r(a) / beta)
    assert best == pytest.approx(beta * math.log(float(jnp.sum(REFERENCE * jnp.exp(REWARDS / beta)))), abs=1e-6)
    # no random perturbation of its logits does better; measured: the smallest loss over 500 of them is > 0
    noise = 0.3 * jax.random.normal(jax.random.key(0), (500, 5))
    perturbed = jax.nn.softmax(jnp.log(optimum) + noise, axis=-1)
    values = jax.vmap(lambda p: kl_regularized_objective(p, REWARDS, REFERENCE, beta))(perturbed)
    assert float(jnp.max(values)) < best
    assert float(kl_regularized_objective(REFERENCE, REWARDS, REFERENCE, beta)) < best


@pytest.mark.parametrize("kl", ["sampled", "exact"])
def test_reinforce_reaches_the_closed_form_optimum(kl):
    # 2000 steps x 256 samples, Adam 0.05 decayed to 0. Measured final TV to pi* over seeds 0-2:
    # sampled KL 2e-8 (the KL-penalized reward is constant at pi*, so the gradient noise vanishes),
    # exact KL 0.003-0.005.
    result = train_rlhf(jax.random.key(0), BanditRLHFConfig(beta=0.5, kl=kl), REWARDS, REFERENCE)
    assert float(total_variation(result.policy, result.optimal)[0]) <= 0.02
    assert result.total_variation[-1] <= 0.02 and result.total_variation[0] > 0.1
    assert result.objective[-1] == pytest.approx(
        float(kl_regularized_objective(result.optimal, REWARDS, REFERENCE, 0.5)), abs=1e-3
    )


def test_contextual_reinforce_reaches_the_optimum_in_every_context():
    # measured max TV over the 3 contexts: 4e-4
    rewards = jax.random.normal(jax.random.key(5), (3, 4))
    reference = jax.nn.softmax(jax.random.normal(jax.random.key(6), (3, 4)))
    result = train_rlhf(jax.random.key(0), BanditRLHFConfig(beta=0.3), rewards, reference)
    assert float(jnp.max(total_variation(result.policy, result.optimal))) <= 0.02


def test_ipo_margin_settles_at_one_over_two_tau_while_dpo_keeps_growing(tmp_path):
    # arm 0 always wins (tau = beta = 0.1, uniform reference, Adam 0.01, 2000 steps). Measured
    # margins at steps 1000 / 1500 / 2000: IPO 4.99992 / 4.99999 / 4.99999 (target 5),
    # DPO 15.6 / 20.9 / 25.4; DPO's final pi(arm 1) = 1e-11 (KL regularization has no effect).
    out = deterministic_preference_experiment(jax.random.key(0), tau=0.1)
    target = out["target_margin"]
    assert target == pytest.approx(5.0)
    assert abs(out["ipo_margin"][-1] - target) <= 0.05 * target
    assert out["dpo_margin"][-1] > out["ipo_margin"][-1] + 10.0
    assert out["dpo_margin"][-1] > out["dpo_margin"][1499] + 2.0  # still increasing over the last quarter
    assert out["dpo_policy"][1] < 1e-6 < out["ipo_policy"][1]
    # IPO's optimum is pi(arm 0) / pi(arm 1) = e^{1/(2 tau)}: pi(arm 1) = 1 / (1 + e^5) = 0.00669
    assert out["ipo_policy"][1] == pytest.approx(1 / (1 + math.exp(5.0)), rel=0.05)
    path = plot_preference_margins(out, tmp_path / "margins.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_contextual_preference_bandit_uses_context_ids():
    data = Preferences(chosen=np.array([0, 1] * 8), rejected=np.array([1, 0] * 8), context=np.array([0, 1] * 8))
    result = train_preference_bandit(
        jax.random.key(0), BanditPreferenceConfig(loss="ipo", beta=0.5, n_steps=800), data, jnp.full((2, 2), 0.5)
    )
    # each context prefers a different arm, each by margin 1 / (2 * 0.5) = 1: pi = sigmoid(1) = 0.731
    np.testing.assert_allclose(result.policy, [[0.7310586, 0.2689414], [0.2689414, 0.7310586]], atol=1e-3)


def test_split_holds_out_the_stated_fraction_without_overlap():
    data = Preferences(np.arange(10.0)[:, None], -np.arange(10.0)[:, None], probability=np.linspace(0, 1, 10))
    train_pairs, held_out = data.split(jax.random.key(0), 0.3)
    assert len(train_pairs) == 7 and len(held_out) == 3
    assert sorted(np.concatenate([train_pairs.chosen[:, 0], held_out.chosen[:, 0]]).tolist()) == list(range(10))
    np.testing.assert_allclose(held_out.probability, held_out.chosen[:, 0] / 9, rtol=1e-6)  # rows stay together
    whole, none = data.split(jax.random.key(0), 0.0)
    assert whole is data and none is None


# ---------------------------------------------------------------- errors


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match=r"Preferences.rejected: expected the shape of chosen \(2, 3\), got \(2, 4\)"):
        Preferences(np.zeros((2, 3)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match="Preferences.chosen: expected at least one pair"):
        Preferences(np.zeros((0, 3)), np.zeros((0, 3)))
    with pytest.raises(ValueError, match=r"probability: expected values in \[0, 1\], got 1.5 at index 1"):
        Preferences(np.zeros((2, 3)), np.ones((2, 3)), probability=np.array([0.5, 1.5]))
    with pytest.raises(ValueError, match=r"context: expected shape \(2, \*context_shape\)"):
        Preferences(np.zeros((2, 3)), np.ones((2, 3)), context=np.zeros((3, 1)))
    with pytest.raises(ValueError, match="expected integer items like chosen"):
        Preferences(np.zeros(2, np.int32), np.zeros(2, np.float32))
    with pytest.raises(ValueError, match="temperature: expected a value >= 0"):
        bradley_terry_probability(1.0, 0.0, -1.0)
    with pytest.raises(ValueError, match="reward_fn: expected a scalar reward per item"):
        bradley_terry_preferences(jax.random.key(0), lambda y: y, jnp.zeros((3, 2)), jnp.ones((3, 2)))
    with pytest.raises(
        ValueError,
        match=r"rejected_rewards: expected the shape of chosen_rewards \(2,\) \(one value per pair\), got \(3,\)",
    ):
        bradley_terry_loss(jnp.zeros(2), jnp.zeros(3))
    with pytest.raises(ValueError, match="beta: expected a positive KL coefficient, got 0.0"):
        dpo_loss(jnp.zeros(1), jnp.zeros(1), jnp.zeros(1), jnp.zeros(1), beta=0.0)
    with pytest.raises(ValueError, match="tau: expected a positive"):
        ipo_loss(jnp.zeros(1), jnp.zeros(1), jnp.zeros(1), jnp.zeros(1), tau=-1.0)
    with pytest.raises(ValueError, match=r"--held-out-fraction: expected a value in \[0, 1\), got 1.0"):
        RewardModelConfig(held_out_fraction=1.0)
    with pytest.raises(ValueError, match="integer items need vocab_size"):
        RewardMLP((3,), key=jax.random.key(0))(jnp.zeros(3, jnp.int32))
    with pytest.raises(ValueError, match="samples_per_context: expected >= 2"):
        BanditRLHFConfig(samples_per_context=1)
    with pytest.raises(ValueError, match="reference_probs: expected positive probabilities summing to 1"):
        train_rlhf(jax.random.key(0), BanditRLHFConfig(n_steps=1), REWARDS, jnp.ones(5))
    with pytest.raises(ValueError, match=r"reference_probs: expected shape \(1, 5\)"):
        optimal_policy(REWARDS, jnp.full(4, 0.25), 1.0)
    with pytest.raises(ValueError, match=r"data.chosen: expected arm ids in \[0, 2\), got values in \[0, 3\]"):
        train_preference_bandit(
            jax.random.key(0), BanditPreferenceConfig(), Preferences(np.array([0, 3]), np.array([1, 1])), [0.5, 0.5]
        )
    with pytest.raises(ValueError, match="BanditPreferenceConfig.loss: expected 'dpo' or 'ipo', got 'kto'"):
        BanditPreferenceConfig(loss="kto")
