"""A character language model as a policy over responses: prompts, sampling, log-probabilities, rewards.

A response is ``n_new`` characters after a prompt; it ends at its first newline (the end of the
sentence), which is kept, and everything after it is masked out of log-probabilities and
rewards. Prompts are the first characters of corpus sentences, newline first, all of one length,
so a batch is one array. DPO, IPO, RLHF and the reward models of this package all score
responses with the functions here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Bool, Float, Int, PRNGKeyArray

from apprentice.algorithms.preferences.text_reward import sentiment_reward
from apprentice.data.preferences import Preferences, bradley_terry_probability
from apprentice.data.text import CharVocab
from apprentice.policies.transformer import CharTransformer


@dataclass(frozen=True)
class TextTask:
    """What the policy answers (``prompts``), how long an answer may be, and how it is scored."""

    vocab: CharVocab
    prompts: Int[np.ndarray, "n_prompts prompt"]
    """Token ids of the prompts, each starting with the newline."""
    n_new: int = 48
    """Characters per response; a sentence that has not ended by then is cut off."""
    reward_fn: Callable[[str], float] = sentiment_reward
    """The true reward of a text (the prompt without its newline, then the response)."""

    def __post_init__(self):
        prompts = np.asarray(self.prompts)
        if prompts.ndim != 2 or prompts.shape[0] < 1 or prompts.shape[1] < 1:
            raise ValueError(
                f"TextTask.prompts: expected shape (n_prompts >= 1, prompt_length >= 1), got {prompts.shape}"
            )
        if not isinstance(self.n_new, int) or self.n_new < 1:
            raise ValueError(f"TextTask.n_new: expected a positive integer, got {self.n_new!r}")
        if "\n" not in self.vocab.chars:
            raise ValueError(f"TextTask.vocab: expected the newline in the vocabulary, got {self.vocab.chars!r}")
        object.__setattr__(self, "prompts", prompts.astype(np.int32))

    @property
    def newline(self) -> int:
        return self.vocab.chars.index("\n")

    def texts(self, prompts: Int[np.ndarray, "n prompt"], responses: Int[np.ndarray, "n n_new"]) -> list[str]:
        """The text of each (prompt, response), without the prompt's leading newline."""
        return [
            self.vocab.decode(np.concatenate([p, r]))[1:] for p, r in zip(np.asarray(prompts), np.asarray(responses))
        ]

    def rewards(self, prompts: Int[np.ndarray, "n prompt"], responses: Int[np.ndarray, "n n_new"]) -> np.ndarray:
        """The true reward of each (prompt, response), float32."""
        return np.array([self.reward_fn(t) for t in self.texts(prompts, responses)], np.float32)

    def encode_responses(self, texts: list[str]) -> Int[np.ndarray, "n n_new"]:
        """Responses from text: cut to ``n_new`` characters, padded with newlines (masked out)."""
        padded = [(t + "\n" * self.n_new)[: self.n_new] for t in texts]
        return np.stack([self.vocab.encode(t) for t in padded])


def sentence_prompts(text: str, vocab: CharVocab, prompt_length: int) -> Int[np.ndarray, "n prompt_length"]:
    """The newline and the first ``prompt_length - 1`` characters of each line of ``text`` that long.

    Example:
        >>> vocab.decode(sentence_prompts("anna loves cake.\\nok\\n", vocab, 5)[0])
        '\\nanna'
    """
    if prompt_length < 1:
        raise ValueError(f"prompt_length: expected a positive integer, got {prompt_length}")
    starts = ["\n" + line[: prompt_length - 1] for line in text.splitlines() if len(line) >= prompt_length - 1]
    if not starts:
        raise ValueError(f"sentence_prompts: expected a line of at least {prompt_length - 1} characters, got none")
    return np.stack([vocab.encode(s) for s in starts])


def sentiment_task(vocab: CharVocab, corpus: str, prompt_length: int = 6, n_new: int = 48) -> TextTask:
    """Respond to the start of each corpus sentence; the true reward is :func:`~apprentice.algorithms.preferences.text_reward.sentiment_reward`."""
    return TextTask(vocab, sentence_prompts(corpus, vocab, prompt_length), n_new, sentiment_reward)


def response_mask(responses: Int[Array, "*batch n_new"], newline: int) -> Bool[Array, "*batch n_new"]:
    """True up to and including each response's first newline (all true if there is none)."""
    is_newline = jnp.asarray(responses) == newline
    return (jnp.cumsum(is_newline, axis=-1) - is_newline) == 0


def response_log_probs(
    model: CharTransformer, prompts: Int[Array, "n prompt"], responses: Int[Array, "n n_new"], newline: int
) -> Float[Array, " n"]:
    """``log pi(response | prompt)`` of each pair: the sum over the response's unmasked tokens."""
    masks = response_mask(responses, newline)
    return jax.vmap(model.sequence_log_prob)(prompts, responses, masks)


@eqx.filter_jit
def sample_responses(
    model: CharTransformer, key: PRNGKeyArray, prompts: Int[Array, "n prompt"], n_new: int, temperature: float = 1.0
) -> Int[Array, "n n_new"]:
    """One response of ``n_new`` characters to each prompt, drawn from the model (key-value cached)."""
    keys = jax.random.split(key, prompts.shape[0])
    return jax.vmap(lambda k, p: model.sample(k, p, n_new, temperature))(keys, prompts)


def sample_in_batches(
    model: CharTransformer, key: PRNGKeyArray, prompts: Int[np.ndarray, "n prompt"], n_new: int, batch_size: int = 512
) -> Int[np.ndarray, "n n_new"]:
    """:func:`sample_responses` over many prompts, ``batch_size`` at a time (the last batch padded)."""
    prompts = np.asarray(prompts)
    out = []
    for start in range(0, len(prompts), batch_size):
        chunk = prompts[start : start + batch_size]
        padded = (
            np.concatenate([chunk, np.repeat(chunk[-1:], batch_size - len(chunk), 0)])
            if len(chunk) < batch_size
            else chunk
        )
        out.append(
            np.asarray(sample_responses(model, jax.random.fold_in(key, start), jnp.asarray(padded), n_new))[
                : len(chunk)
            ]
        )
    return np.concatenate(out)


def text_preferences(
    key: PRNGKeyArray,
    model: CharTransformer,
    task: TextTask,
    n_pairs: int,
    *,
    temperature: float = 1.0,
    drop_ties: bool = True,
) -> Preferences:
    """Pairs of responses sampled from ``model`` to one prompt each, labeled by Bradley-Terry on the true reward.

    For each pair a prompt is drawn from ``task.prompts`` and two responses from ``model``; the
    first is chosen with probability ``sigmoid((r_1 - r_2) / temperature)``. With ``drop_ties``
    a pair whose two rewards are equal (it carries no preference) is redrawn, so ``n_pairs``
    informative pairs come back. ``context`` holds the prompts.
    """
    if n_pairs < 1:
        raise ValueError(f"n_pairs: expected a positive integer, got {n_pairs}")
    chosen, rejected, contexts, have, round_ = [], [], [], 0, 0
    n_draw = 2 * n_pairs + 64  # the same shapes every round: each jitted step compiles once
    batch_size = min(512, n_draw)
    while have < n_pairs:
        round_key = jax.random.fold_in(key, round_)
        prompt_key, first_key, second_key, label_key = jax.random.split(round_key, 4)
        prompts = task.prompts[np.asarray(jax.random.randint(prompt_key, (n_draw,), 0, len(task.prompts)))]
        first = sample_in_batches(model, first_key, prompts, task.n_new, batch_size)
        second = sample_in_batches(model, second_key, prompts, task.n_new, batch_size)
        r1, r2 = task.rewards(prompts, first), task.rewards(prompts, second)
        first_wins = np.asarray(
            jax.random.uniform(label_key, r1.shape) < bradley_terry_probability(r1, r2, temperature)
        )
        keep = np.flatnonzero(r1 != r2) if drop_ties else np.arange(n_draw)
        keep = keep[: n_pairs - have]
        chosen.append(np.where(first_wins[keep, None], first[keep], second[keep]))
        rejected.append(np.where(first_wins[keep, None], second[keep], first[keep]))
        contexts.append(prompts[keep])
        have += len(keep)
        round_ += 1
        if round_ > 50:
            raise RuntimeError(
                f"text_preferences: expected {n_pairs} pairs with unequal rewards, got {have} after 50 rounds of "
                "sampling; the model's responses rarely differ in reward (train the language model longer)"
            )
    return Preferences(np.concatenate(chosen), np.concatenate(rejected), context=np.concatenate(contexts))


def true_order(data: Preferences, task: TextTask) -> Preferences:
    """The pairs whose true rewards differ, each with the higher-reward response as ``chosen``."""
    if data.context is None:
        raise ValueError("true_order: expected pairs with their prompts (context), got context=None")
    chosen_reward = task.rewards(data.context, data.chosen)
    rejected_reward = task.rewards(data.context, data.rejected)
    keep = chosen_reward != rejected_reward
    swap = (rejected_reward > chosen_reward)[keep, None]
    chosen, rejected = data.chosen[keep], data.rejected[keep]
    return Preferences(np.where(swap, rejected, chosen), np.where(swap, chosen, rejected), context=data.context[keep])


def evaluate_text_policy(
    key: PRNGKeyArray, model: CharTransformer, reference: CharTransformer, task: TextTask, n_samples: int = 1024
) -> dict[str, float]:
    """Mean true reward of the model's responses and ``KL(pi || pi_ref)`` in nats per response.

    The KL is the Monte-Carlo mean of ``log pi(y|x) - log pi_ref(y|x)`` over ``y ~ pi``, with its
    standard error; prompts are drawn uniformly from the task.
    """
    prompt_key, sample_key = jax.random.split(key)
    prompts = task.prompts[np.asarray(jax.random.randint(prompt_key, (n_samples,), 0, len(task.prompts)))]
    responses = sample_in_batches(model, sample_key, prompts, task.n_new)
    log_ratio = np.asarray(_log_ratio(model, reference, jnp.asarray(prompts), jnp.asarray(responses), task.newline))
    rewards = task.rewards(prompts, responses)
    return {
        "reward": float(rewards.mean()),
        "reward_stderr": float(rewards.std() / np.sqrt(n_samples)),
        "kl": float(log_ratio.mean()),
        "kl_stderr": float(log_ratio.std() / np.sqrt(n_samples)),
    }


@eqx.filter_jit
def _log_ratio(model, reference, prompts, responses, newline: int):
    return response_log_probs(model, prompts, responses, newline) - response_log_probs(
        reference, prompts, responses, newline
    )
