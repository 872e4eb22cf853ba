"""Preferences on text: the programmatic reward, response scoring, DPO/IPO, RLHF, reward models, the optimum."""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from apprentice.algorithms.preferences.bandit import optimal_policy
from apprentice.algorithms.preferences.pair_training import PairTrainingConfig
from apprentice.algorithms.preferences.text_dpo import TextPreferenceConfig, implicit_rewards, train_text_preferences
from apprentice.algorithms.preferences.text_frontier import level_frontier
from apprentice.algorithms.preferences.text_policy import (
    evaluate_text_policy,
    response_log_probs,
    response_mask,
    sample_responses,
    text_preferences,
    true_order,
)
from apprentice.algorithms.preferences.text_reward import (
    SYNONYMS,
    only_first_synonyms,
    only_second_synonyms,
    sentiment_count,
    sentiment_reward,
)
from apprentice.algorithms.preferences.text_reward_model import train_text_reward_model
from apprentice.algorithms.preferences.text_rlhf import TextRLHFConfig, leave_one_out_advantages, train_text_rlhf
from apprentice.data.text import NEGATIVE_WORDS, POSITIVE_WORDS, load_corpus


def test_sentiment_reward_counts_complete_words_of_the_first_line():
    assert sentiment_count("anna loves the lovely cat.\nthe dog hates the bad cat.") == 2
    assert sentiment_count("i hate the cake because it is boring.") == -2
    assert sentiment_count("the cat is good and bad.") == 0
    assert sentiment_count("the cake is lov") == 0  # cut off: "lov" is not a word yet
    assert sentiment_count("the cake is good") == 0  # cut off: "good" might go on as "goodness"
    assert sentiment_count("the cake is good\n") == 1
    assert [sentiment_reward(t) for t in ("what a lovely, kind cat!", "the cat sees max.", "max hates it.")] == [
        1.0,
        0.0,
        -1.0,
    ]


def test_synonym_shift_keeps_polarity_and_the_reward_of_every_corpus_line():
    words = [w for pair in SYNONYMS for w in pair]
    assert len(words) == len(set(words))
    for first, second in SYNONYMS:
        assert (first in POSITIVE_WORDS and second in POSITIVE_WORDS) or (
            first in NEGATIVE_WORDS and second in NEGATIVE_WORDS
        )
    lines = load_corpus().splitlines()
    firsts, seconds = [only_first_synonyms(line) for line in lines], [only_second_synonyms(line) for line in lines]
    assert all(
        sentiment_count(a) == sentiment_count(b) == sentiment_count(c) for a, b, c in zip(lines, firsts, seconds)
    )
    assert sum(a != b for a, b in zip(firsts, seconds)) > len(lines) / 2
    assert only_second_synonyms("max likes the good kind dog.") == "max enjoys the great gentle dog."
    assert not any(second in only_first_synonyms(" ".join(lines)).split() for _, second in SYNONYMS)


def test_response_mask_keeps_tokens_through_the_first_newline():
    responses = jnp.array([[1, 0, 2, 0], [1, 2, 3, 4]])
    assert response_mask(responses, newline=0).tolist() == [[True, True, False, False], [True, True, True, True]]


def test_response_log_probs_and_implicit_rewards(language_model, text_task):
    model, task = language_model.model, text_task
    prompts = jnp.asarray(task.prompts[:3])
    responses = sample_responses(model, jax.random.key(0), prompts, task.n_new)
    log_probs = response_log_probs(model, prompts, responses, task.newline)
    for i in range(3):
        kept = int(response_mask(responses[i], task.newline).sum())
        by_hand = float(model.token_log_probs(prompts[i], responses[i])[:kept].sum())
        assert float(log_probs[i]) == pytest.approx(by_hand, rel=1e-5)
    # Implicit rewards against a different reference (the model with its weights shrunk by 10%), by hand:
    # beta * (sum of the kept tokens' log-probs under the model - the same under the reference).
    reference = jax.tree.map(lambda x: 0.9 * x if eqx.is_inexact_array(x) else x, model)
    rewards = implicit_rewards(model, reference, 0.3, prompts, responses, task.newline)
    for i in range(3):
        kept = int(response_mask(responses[i], task.newline).sum())
        by_hand = 0.3 * float(
            model.token_log_probs(prompts[i], responses[i])[:kept].sum()
            - reference.token_log_probs(prompts[i], responses[i])[:kept].sum()
        )
        assert abs(by_hand) > 1e-2  # the two models really differ on these responses
        assert float(rewards[i]) == pytest.approx(by_hand, rel=1e-4, abs=1e-5)


def test_samples_of_the_pretrained_model_are_corpus_like(language_model, text_task):
    responses = sample_responses(
        language_model.model, jax.random.key(1), jnp.asarray(text_task.prompts[:64]), text_task.n_new
    )
    ended = np.asarray(response_mask(responses, text_task.newline)).sum(1) < text_task.n_new
    assert ended.mean() > 0.6  # most samples end their sentence within 40 characters (measured 0.77)


def test_text_preferences_follow_the_true_reward_at_low_temperature(language_model, text_task):
    data = text_preferences(jax.random.key(2), language_model.model, text_task, 64, temperature=1e-3)
    chosen, rejected = text_task.rewards(data.context, data.chosen), text_task.rewards(data.context, data.rejected)
    assert len(data) == 64 and (chosen > rejected).all()


def test_true_order_drops_ties_and_puts_the_better_response_first(text_task):
    from apprentice.data.preferences import Preferences

    texts_a, texts_b = (
        ["what a good cat!\n", "max hates it.\n", "the cat sees max.\n"],
        ["max hates it.\n", "what a good cat!\n", "the dog sees max.\n"],
    )
    prompts = np.tile(text_task.vocab.encode("\n"), (3, 1))
    data = Preferences(text_task.encode_responses(texts_a), text_task.encode_responses(texts_b), context=prompts)
    ordered = true_order(data, text_task)
    assert (
        len(ordered) == 2
        and text_task.texts(ordered.context, ordered.chosen) == ["what a good cat!" + "\n" * (text_task.n_new - 16)] * 2
    )


def test_leave_one_out_advantages_by_hand():
    returns = jnp.array([[1.0, 2.0, 3.0], [0.0, 0.0, 4.0]])
    np.testing.assert_allclose(leave_one_out_advantages(returns), [[-1.5, 0.0, 1.5], [-2.0, -2.0, 4.0]])


def test_level_frontier_matches_the_bandit_optimum():
    """Three reward levels per prompt, as arms of a bandit: pi* = pi_ref exp(r / beta) / Z from bandit.optimal_policy."""
    level_probs, levels = np.array([[0.2, 0.5, 0.3], [0.6, 0.3, 0.1]]), np.array([-1.0, 0.0, 1.0])
    for beta in (0.1, 1.0, 5.0):
        pi = np.asarray(optimal_policy(np.tile(levels, (2, 1)), level_probs, beta), np.float64)
        reward = (pi * levels).sum(1).mean()
        kl = (pi * np.log(pi / level_probs)).sum(1).mean()
        frontier = level_frontier(level_probs, levels, np.array([beta]))
        assert frontier["reward"][0] == pytest.approx(reward, rel=1e-4)
        assert frontier["kl"][0] == pytest.approx(kl, rel=1e-4, abs=1e-6)


def test_rlhf_raises_the_true_reward_at_a_small_kl(language_model, text_task):
    reference = language_model.model
    before = evaluate_text_policy(jax.random.key(3), reference, reference, text_task, 512)
    config = TextRLHFConfig(beta=0.1, n_iterations=60, learning_rate=3e-4)
    result = train_text_rlhf(jax.random.key(4), config, reference, text_task, progress=False)
    after = evaluate_text_policy(jax.random.key(3), result.model, reference, text_task, 512)
    assert after["reward"] > before["reward"] + 0.3
    assert 0 < after["kl"] < 10
    assert len(result.metrics) == 60 and result.metrics[-1]["kl"] > 0


@pytest.mark.slow
@pytest.mark.parametrize("loss, beta", [("dpo", 0.5), ("ipo", 0.1)])
def test_dpo_and_ipo_raise_the_true_reward(language_model, text_task, loss, beta):
    """IPO's tau 0.1 asks for a log-ratio margin of 1 / (2 tau) = 5 nats; at tau 0.5 (a margin of 1) the reward barely moves."""
    reference = language_model.model
    data = text_preferences(jax.random.key(5), reference, text_task, 1024)
    config = TextPreferenceConfig(loss=loss, beta=beta, n_steps=100, learning_rate=3e-4)
    result = train_text_preferences(jax.random.key(6), config, reference, data, text_task.newline, progress=False)
    before = evaluate_text_policy(jax.random.key(7), reference, reference, text_task, 512)
    after = evaluate_text_policy(jax.random.key(7), result.model, reference, text_task, 512)
    assert result.metrics[-1]["accuracy"] > 0.6  # labels are Bradley-Terry draws, so some are reversed
    assert after["reward"] > before["reward"] + 0.2  # measured: 0.02 -> 0.29 (IPO)


@pytest.mark.slow
def test_explicit_reward_model_orders_held_out_pairs(language_model, text_task):
    data = text_preferences(jax.random.key(8), language_model.model, text_task, 1280, temperature=1e-3)
    train, held_out = data.split(jax.random.key(9), 0.2)
    result = train_text_reward_model(
        jax.random.key(10),
        PairTrainingConfig(n_steps=100, learning_rate=1e-3),
        language_model.model,
        train,
        text_task.newline,
        progress=False,
    )
    chosen = result.model.rewards(jnp.asarray(held_out.context), jnp.asarray(held_out.chosen), text_task.newline)
    rejected = result.model.rewards(jnp.asarray(held_out.context), jnp.asarray(held_out.rejected), text_task.newline)
    assert float(jnp.mean(chosen > rejected)) > 0.65  # measured 0.73 (chance 0.5); training pairs reach 0.81
