"""Explicit against implicit reward models, in distribution and under a token-level shift.

After Razin et al. 2025 ("Why is your language model a poor implicit reward model?",
arXiv:2507.07981): an explicit reward model reads a reward from the language model's hidden
state (:class:`~apprentice.algorithms.preferences.text_reward_model.TextRewardModel`); DPO's
implicit reward is ``beta log pi(y|x) / pi_ref(y|x)``. Both start from the same pre-trained
model and are fit to the same pairs.

The experiment: preference pairs are sampled from the reference model and labeled by
Bradley-Terry on the true reward; every text is rewritten so that each word of
:data:`~apprentice.algorithms.preferences.text_reward.SYNONYMS` appears only as the first of its
pair. Both models train on these pairs. Held-out pairs are scored twice: as trained (first
synonyms) and shifted (second synonyms, which the pre-training corpus holds in the same
sentences but the preference data never shows). The true reward is the same in both forms, so
accuracy against the true order measures generalization across the token change alone.
"""

from __future__ import annotations

from dataclasses import asdict

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import PRNGKeyArray

from apprentice.algorithms.configs.preferences import RewardGeneralizationConfig
from apprentice.algorithms.preferences.losses import preference_accuracy
from apprentice.algorithms.preferences.text_dpo import implicit_rewards, train_text_preferences
from apprentice.algorithms.preferences.text_policy import TextTask, text_preferences, true_order
from apprentice.algorithms.preferences.text_reward import only_first_synonyms, only_second_synonyms
from apprentice.algorithms.preferences.text_reward_model import train_text_reward_model
from apprentice.data.preferences import Preferences
from apprentice.policies.transformer import CharTransformer


def rewrite_pairs(data: Preferences, task: TextTask, rewrite) -> Preferences:
    """``data`` with every response's text (after its prompt) passed through ``rewrite`` and re-encoded."""

    def responses(tokens):
        texts = [task.vocab.decode(r) for r in tokens]
        return task.encode_responses([rewrite(t) for t in texts])

    return Preferences(
        responses(data.chosen), responses(data.rejected), context=data.context, probability=data.probability
    )


def explicit_vs_implicit(
    key: PRNGKeyArray,
    reference: CharTransformer,
    task: TextTask,
    config: RewardGeneralizationConfig = RewardGeneralizationConfig(),
    *,
    progress: bool = True,
) -> dict:
    """Train both reward models on first-synonym pairs; return their accuracy as trained and shifted.

    The result holds, for ``explicit`` and ``implicit``, the held-out accuracy against the true
    order ``in_distribution`` (first synonyms), ``shifted`` (second synonyms) and
    ``shifted_changed`` (only the pairs whose text the shift changed), the pair counts, and the
    training histories.
    """
    data_key, explicit_key, implicit_key, split_key = jax.random.split(key, 4)
    pairs = text_preferences(data_key, reference, task, config.n_train_pairs + config.n_test_pairs)
    train, test = pairs.split(split_key, config.n_test_pairs / len(pairs))
    assert test is not None, "n_test_pairs: expected at least one held-out pair"
    train = rewrite_pairs(train, task, only_first_synonyms)
    test_in = true_order(rewrite_pairs(test, task, only_first_synonyms), task)
    test_shifted = rewrite_pairs(test_in, task, only_second_synonyms)
    changed = (test_shifted.chosen != test_in.chosen).any(1) | (test_shifted.rejected != test_in.rejected).any(1)

    explicit = train_text_reward_model(explicit_key, config.explicit, reference, train, task.newline, progress=progress)
    implicit = train_text_preferences(implicit_key, config.implicit, reference, train, task.newline, progress=progress)
    scorers = {
        "explicit": eqx.filter_jit(lambda m, p, r: m.rewards(p, r, task.newline)),
        "implicit": eqx.filter_jit(
            lambda m, p, r: implicit_rewards(m, reference, config.implicit.beta, p, r, task.newline)
        ),
    }
    models = {"explicit": explicit.model, "implicit": implicit.model}
    result = {
        "n_train_pairs": len(train),
        "n_test_pairs": len(test_in),
        "n_test_pairs_changed_by_shift": int(changed.sum()),
        "config": asdict(config),
        "history": {"explicit": explicit.metrics, "implicit": implicit.metrics},
    }
    for name, scorer in scorers.items():
        scores = {}
        for split, data in (("in_distribution", test_in), ("shifted", test_shifted)):
            chosen = scorer(models[name], jnp.asarray(data.context), jnp.asarray(data.chosen))
            rejected = scorer(models[name], jnp.asarray(data.context), jnp.asarray(data.rejected))
            scores[split] = float(preference_accuracy(chosen, rejected))
            if split == "shifted":
                scores["shifted_changed"] = float(preference_accuracy(chosen, rejected, mask=jnp.asarray(changed)))
        result[name] = scores
    return result
