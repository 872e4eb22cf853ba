"""The reward-against-KL frontier of DPO and RLHF on a character model, beside the exact optimum.

The shape of the DPO paper's IMDb sentiment experiment (Rafailov et al. 2023, Fig. 2 left): each
algorithm is run at several KL coefficients and each run is one point, (``KL(pi || pi_ref)``,
mean true reward), both measured on fresh samples of the fine-tuned model.

Because the reward takes few values, the optimum of ``E[r] - beta KL`` is known here: within
each prompt ``x``, ``pi*(y|x) ~ pi_ref(y|x) exp(r(x, y) / beta)`` keeps ``pi_ref``'s relative
probabilities inside each reward level ``v`` and reweights the levels, so with
``p_v(x) = P_{pi_ref}(r = v | x)`` and ``Z(x) = sum_v p_v(x) exp(v / beta)``:

    E_{pi*}[r | x] = sum_v v p_v(x) exp(v / beta) / Z(x),   KL(pi* || pi_ref | x) = E_{pi*}[r | x] / beta - log Z(x).

:func:`optimal_frontier` estimates ``p_v(x)`` from samples of ``pi_ref`` for every prompt and traces
this curve: no fine-tuned model can be above it.
"""

from __future__ import annotations

from dataclasses import replace

import jax
import numpy as np
from jaxtyping import PRNGKeyArray

from apprentice.algorithms.configs.preferences import FrontierConfig
from apprentice.algorithms.preferences.text_dpo import train_text_preferences
from apprentice.algorithms.preferences.text_policy import (
    TextTask,
    evaluate_text_policy,
    sample_in_batches,
    text_preferences,
)
from apprentice.algorithms.preferences.text_rlhf import train_text_rlhf
from apprentice.policies.transformer import CharTransformer


def optimal_frontier(
    key: PRNGKeyArray, reference: CharTransformer, task: TextTask, betas: np.ndarray, samples_per_prompt: int = 64
) -> dict[str, np.ndarray | float]:
    """The exact optimum ``(E[r], KL)`` of ``E[r] - beta KL(pi || pi_ref)`` at each beta (module docstring).

    ``p_v(x)`` is estimated from ``samples_per_prompt`` samples of the reference per prompt; the
    true reward must take few distinct values.
    """
    prompts = np.repeat(task.prompts, samples_per_prompt, axis=0)
    rewards = task.rewards(prompts, sample_in_batches(reference, key, prompts, task.n_new)).reshape(
        len(task.prompts), -1
    )
    levels = np.unique(rewards).astype(np.float64)
    if len(levels) > 16:
        raise ValueError(f"optimal_frontier: expected a reward with few distinct values, got {len(levels)}")
    p = np.stack([(rewards == v).mean(1) for v in levels], axis=1)  # (prompts, levels)
    return {**level_frontier(p, levels, betas), "reference_reward": float((p * levels).sum(1).mean())}


def level_frontier(level_probs: np.ndarray, levels: np.ndarray, betas: np.ndarray) -> dict[str, np.ndarray]:
    """``E_{pi*}[r]`` and ``KL(pi* || pi_ref)`` averaged over prompts, from ``p_v(x)`` of shape ``(prompts, levels)``.

    Example:
        >>> level_frontier(np.array([[0.5, 0.5]]), np.array([0.0, 1.0]), np.array([1.0]))["reward"]  # e / (1 + e)
        array([0.73105858])
    """
    betas, levels = np.asarray(betas, np.float64), np.asarray(levels, np.float64)
    logits = np.log(np.maximum(level_probs[None], 1e-300)) + levels[None, None, :] / betas[:, None, None]
    log_z = np.logaddexp.reduce(logits, axis=2)  # (betas, prompts)
    weights = np.exp(logits - log_z[..., None])
    reward = (weights * levels).sum(2)
    kl = reward / betas[:, None] - log_z
    return {"beta": betas, "reward": reward.mean(1), "kl": kl.mean(1)}


def reward_kl_frontier(
    key: PRNGKeyArray,
    reference: CharTransformer,
    task: TextTask,
    config: FrontierConfig = FrontierConfig(),
    *,
    progress: bool = True,
) -> dict:
    """Run DPO and RLHF at each beta; return their points, the reference's, and the optimum's curve.

    Example:
        >>> result = reward_kl_frontier(jax.random.key(0), reference, task)  # apprentice bench preferences plots it
        >>> [point["algorithm"] for point in result["points"]][:2]
        ['reference', 'DPO']
    """
    data_key, dpo_key, rlhf_key, eval_key, optimum_key = jax.random.split(key, 5)
    points = [
        {
            "algorithm": "reference",
            "beta": None,
            **evaluate_text_policy(eval_key, reference, reference, task, config.n_eval),
        }
    ]
    data = text_preferences(data_key, reference, task, config.n_pairs)
    for beta in config.dpo_betas:
        dpo_config = replace(config.dpo, beta=beta)
        model = train_text_preferences(dpo_key, dpo_config, reference, data, task.newline, progress=progress).model
        points.append(
            {"algorithm": "DPO", "beta": beta, **evaluate_text_policy(eval_key, model, reference, task, config.n_eval)}
        )
    for beta in config.rlhf_betas:
        rlhf_config = replace(config.rlhf, beta=beta)
        model = train_text_rlhf(rlhf_key, rlhf_config, reference, task, progress=progress).model
        points.append(
            {"algorithm": "RLHF", "beta": beta, **evaluate_text_policy(eval_key, model, reference, task, config.n_eval)}
        )
    betas = np.geomspace(0.02, 20.0, 60)
    optimum = optimal_frontier(optimum_key, reference, task, betas, config.samples_per_prompt)
    return {"points": points, "optimum": {name: np.asarray(value).tolist() for name, value in optimum.items()}}
