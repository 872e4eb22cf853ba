"""DPO and IPO fine-tuning of a character language model on preference pairs of responses.

Both losses (``losses.dpo_loss``, ``losses.ipo_loss``) act on the log-ratio margin ``h`` of each
pair, with sequence log-probabilities summed over the response's tokens (to its first newline).
The reference model's log-probabilities are computed once, before training; the loop is
:func:`~apprentice.algorithms.preferences.pair_training.fit_pairs`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import equinox as eqx
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float, Int, PRNGKeyArray

from apprentice.algorithms.configs.preferences import TextPreferenceConfig
from apprentice.algorithms.preferences.losses import dpo_loss, ipo_loss, log_ratio_margin
from apprentice.algorithms.preferences.pair_training import fit_pairs
from apprentice.algorithms.preferences.text_policy import response_log_probs
from apprentice.data.preferences import Preferences
from apprentice.policies.transformer import CharTransformer


@dataclass(frozen=True)
class TextPreferenceResult:
    model: CharTransformer
    config: TextPreferenceConfig
    metrics: list[dict] = field(default_factory=list)
    """One row per chunk: ``step``, ``loss``, ``accuracy`` (share of pairs with ``h > 0``), ``margin`` (mean ``h``)."""


def preference_arrays(data: Preferences) -> dict[str, np.ndarray]:
    """``chosen``, ``rejected`` and ``prompts`` of token-response pairs, checked."""
    if data.context is None or data.chosen.ndim != 2 or data.context.ndim != 2:
        raise ValueError(
            "data: expected token responses (n, n_new) with the prompts (n, prompt) as context, got chosen "
            f"{data.chosen.shape} and context {None if data.context is None else data.context.shape}"
        )
    return {"chosen": data.chosen, "rejected": data.rejected, "prompts": data.context}


def implicit_rewards(
    model: CharTransformer,
    reference: CharTransformer,
    beta: float,
    prompts: Int[Array, "n prompt"],
    responses: Int[Array, "n n_new"],
    newline: int,
) -> Float[Array, " n"]:
    """DPO's implicit reward ``beta [log pi(y|x) - log pi_ref(y|x)]`` of each (prompt, response)."""
    return beta * (
        response_log_probs(model, prompts, responses, newline)
        - response_log_probs(reference, prompts, responses, newline)
    )


def train_text_preferences(
    key: PRNGKeyArray,
    config: TextPreferenceConfig,
    reference: CharTransformer,
    data: Preferences,
    newline: int,
    *,
    progress: bool = True,
) -> TextPreferenceResult:
    """Fine-tune a copy of ``reference`` by DPO or IPO on ``data`` (token responses, prompts as context).

    Example:
        >>> data = text_preferences(jax.random.key(0), reference, task, 2048)
        >>> result = train_text_preferences(jax.random.key(1), TextPreferenceConfig(beta=0.1), reference, data, task.newline)
    """
    arrays = preference_arrays(data)
    reference_logps = eqx.filter_jit(
        lambda m, p, c, r: (response_log_probs(m, p, c, newline), response_log_probs(m, p, r, newline))
    )(reference, *(jnp.asarray(arrays[k]) for k in ("prompts", "chosen", "rejected")))
    arrays = {
        **arrays,
        "reference_chosen": np.asarray(reference_logps[0]),
        "reference_rejected": np.asarray(reference_logps[1]),
    }

    def loss_fn(model, batch):
        chosen = response_log_probs(model, batch["prompts"], batch["chosen"], newline)
        rejected = response_log_probs(model, batch["prompts"], batch["rejected"], newline)
        logps = (chosen, rejected, batch["reference_chosen"], batch["reference_rejected"])
        loss = dpo_loss(*logps, config.beta) if config.loss == "dpo" else ipo_loss(*logps, config.beta)
        margin = log_ratio_margin(*logps)
        return loss, {"loss": loss, "accuracy": jnp.mean(margin > 0), "margin": jnp.mean(margin)}

    model, history = fit_pairs(
        key, reference, arrays, loss_fn, config, description=config.loss.upper(), progress=progress
    )
    return TextPreferenceResult(model, config, history)
