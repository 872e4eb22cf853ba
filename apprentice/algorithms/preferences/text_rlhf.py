"""RLHF on a character language model: maximize ``E[r(x, y)] - beta KL(pi || pi_ref)`` by REINFORCE.

Each iteration draws ``prompts_per_iteration`` prompts and ``samples_per_prompt`` responses to
each from the current policy, scores them with the reward (the task's true reward, or a learned
one), and takes one Adam step on the policy-gradient surrogate

    L(theta) = -mean_i A_i log pi_theta(y_i | x_i),   A_i = R_i - mean_{j != i, same prompt} R_j,
    R_i = r(x_i, y_i) - beta [log pi(y_i|x_i) - log pi_ref(y_i|x_i)]   (held constant),

whose gradient is an unbiased estimate of the KL-regularized objective's (the KL term's own
score-function term has mean zero). The baseline is leave-one-out over the responses to the
same prompt (RLOO; Kool et al. 2019, Ahmadian et al. 2024), so it does not bias the gradient.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax
from jaxtyping import PRNGKeyArray

from apprentice.algorithms.configs.preferences import TextRLHFConfig
from apprentice.algorithms.preferences.text_policy import TextTask, response_log_probs, sample_responses
from apprentice.policies.transformer import CharTransformer
from apprentice.progress import progress_bar


@dataclass(frozen=True)
class TextRLHFResult:
    model: CharTransformer
    config: TextRLHFConfig
    metrics: list[dict] = field(default_factory=list)
    """One row per iteration: ``iteration``, ``reward`` (mean of the scoring reward on the batch),
    ``true_reward``, ``kl`` (mean ``log pi - log pi_ref`` of the batch, nats per response)."""


def leave_one_out_advantages(returns: jnp.ndarray) -> jnp.ndarray:
    """``A[p, k] = R[p, k] - mean_{j != k} R[p, j]`` for returns of shape ``(prompts, samples)``.

    Example:
        >>> leave_one_out_advantages(jnp.array([[1.0, 2.0, 3.0]]))  # 1 - 2.5, 2 - 2, 3 - 1.5
        Array([[-1.5,  0. ,  1.5]], dtype=float32)
    """
    k = returns.shape[-1]
    return returns - (returns.sum(-1, keepdims=True) - returns) / (k - 1)


def train_text_rlhf(
    key: PRNGKeyArray,
    config: TextRLHFConfig,
    reference: CharTransformer,
    task: TextTask,
    *,
    reward_fn: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
    progress: bool = True,
) -> TextRLHFResult:
    """Fine-tune a copy of ``reference`` on ``task`` by RLHF.

    Args:
        reward_fn: ``(prompts, responses) -> rewards``, the reward to maximize (a learned reward
            model's scores); default the task's true reward. The true reward is logged either way.

    Example:
        >>> result = train_text_rlhf(jax.random.key(0), TextRLHFConfig(beta=0.1), reference, task)
    """
    score = task.rewards if reward_fn is None else reward_fn
    params, static = eqx.partition(reference, eqx.is_array)
    reference_params = params
    opt_state = config.optimizer().init(params)
    n_prompts, k = config.prompts_per_iteration, config.samples_per_prompt
    history = []
    with progress_bar(config.n_iterations, f"RLHF beta {config.beta:g}", enabled=progress) as bar:
        for iteration in range(config.n_iterations):
            prompt_key, sample_key = jax.random.split(jax.random.fold_in(key, iteration))
            chosen = np.asarray(jax.random.randint(prompt_key, (n_prompts,), 0, len(task.prompts)))
            prompts = np.repeat(task.prompts[chosen], k, axis=0)
            responses = np.asarray(
                sample_responses(eqx.combine(params, static), sample_key, jnp.asarray(prompts), task.n_new)
            )
            rewards = np.asarray(score(prompts, responses), np.float32)
            true_rewards = rewards if reward_fn is None else task.rewards(prompts, responses)
            params, opt_state, kl = _update(
                params, opt_state, reference_params, jnp.asarray(prompts), jnp.asarray(responses), jnp.asarray(rewards),
                static, config, task.newline,
            )  # fmt: skip
            row = {
                "iteration": iteration + 1,
                "reward": float(rewards.mean()),
                "true_reward": float(true_rewards.mean()),
                "kl": float(kl),
            }
            history.append(row)
            bar.advance(1, reward=row["true_reward"], kl=row["kl"])
    return TextRLHFResult(eqx.combine(params, static), config, history)


@functools.partial(jax.jit, static_argnames=("static", "config", "newline"))
def _update(
    params, opt_state, reference_params, prompts, responses, rewards, static, config: TextRLHFConfig, newline: int
):
    reference_logps = response_log_probs(eqx.combine(reference_params, static), prompts, responses, newline)

    def surrogate(params):
        logps = response_log_probs(eqx.combine(params, static), prompts, responses, newline)
        log_ratio = jax.lax.stop_gradient(logps - reference_logps)
        returns = (rewards - config.beta * log_ratio).reshape(-1, config.samples_per_prompt)
        advantages = leave_one_out_advantages(returns).reshape(-1)
        return -jnp.mean(advantages * logps), jnp.mean(log_ratio)

    grads, kl = jax.grad(surrogate, has_aux=True)(params)
    updates, opt_state = config.optimizer().update(grads, opt_state, params)
    return optax.apply_updates(params, updates), opt_state, kl
