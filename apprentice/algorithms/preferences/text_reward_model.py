"""An explicit Bradley-Terry reward model on text: a transformer with a scalar head.

``r(x, y) = w . h_last + b``, where ``h_last`` is the final hidden state (of
:meth:`~apprentice.policies.transformer.CharTransformer.hidden`) at the response's last kept
token (its first newline, or its last character). As in RLHF practice (Ouyang et al. 2022) the
transformer starts from the pre-trained language model and is trained whole, with
``-log sigmoid(r(x, y_w) - r(x, y_l))`` (:func:`~apprentice.algorithms.preferences.losses.bradley_terry_loss`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, Int, PRNGKeyArray

from apprentice.algorithms.preferences.losses import bradley_terry_loss
from apprentice.algorithms.preferences.pair_training import PairTrainingConfig, fit_pairs
from apprentice.algorithms.preferences.text_dpo import preference_arrays
from apprentice.algorithms.preferences.text_policy import response_mask
from apprentice.data.preferences import Preferences
from apprentice.policies.transformer import CharTransformer


class TextRewardModel(eqx.Module):
    """A scalar reward of a (prompt, response) read from a transformer's last hidden state."""

    backbone: CharTransformer
    head: Float[Array, " d_model"]
    bias: Float[Array, ""]

    def __init__(self, backbone: CharTransformer, *, key: PRNGKeyArray):
        self.backbone = backbone
        d_model = backbone.token_embedding.shape[1]
        self.head = jax.random.normal(key, (d_model,)) / jnp.sqrt(d_model)
        self.bias = jnp.zeros(())

    def __call__(self, prompt: Int[Array, " prompt"], response: Int[Array, " n_new"], newline: int) -> Float[Array, ""]:
        kept = response_mask(response, newline).sum()
        hidden = self.backbone.hidden(jnp.concatenate([prompt, response]))
        return hidden[prompt.shape[0] + kept - 1] @ self.head + self.bias

    def rewards(
        self, prompts: Int[Array, "n prompt"], responses: Int[Array, "n n_new"], newline: int
    ) -> Float[Array, " n"]:
        """The reward of each (prompt, response)."""
        return jax.vmap(lambda p, r: self(p, r, newline))(prompts, responses)


@dataclass(frozen=True)
class TextRewardModelResult:
    model: TextRewardModel
    config: PairTrainingConfig
    metrics: list[dict] = field(default_factory=list)
    """One row per chunk: ``step``, ``loss``, ``accuracy`` (share of batch pairs ordered as labeled)."""


def train_text_reward_model(
    key: PRNGKeyArray,
    config: PairTrainingConfig,
    backbone: CharTransformer,
    data: Preferences,
    newline: int,
    *,
    progress: bool = True,
) -> TextRewardModelResult:
    """Fit a :class:`TextRewardModel` on ``backbone`` (copied) to ``data`` by the Bradley-Terry loss.

    Example:
        >>> result = train_text_reward_model(jax.random.key(0), PairTrainingConfig(), reference, data, task.newline)
        >>> result.model.rewards(data.context, data.chosen, task.newline)
    """
    head_key, train_key = jax.random.split(key)
    arrays = {**preference_arrays(data), "probability": data.labels()}

    def loss_fn(model, batch):
        chosen = model.rewards(batch["prompts"], batch["chosen"], newline)
        rejected = model.rewards(batch["prompts"], batch["rejected"], newline)
        loss = bradley_terry_loss(chosen, rejected, probability=batch["probability"])
        return loss, {"loss": loss, "accuracy": jnp.mean(chosen > rejected)}

    model, history = fit_pairs(
        train_key,
        TextRewardModel(backbone, key=head_key),
        arrays,
        loss_fn,
        config,
        description="reward model",
        progress=progress,
    )
    return TextRewardModelResult(model, config, history)
