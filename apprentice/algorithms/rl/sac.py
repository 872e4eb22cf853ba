"""Soft actor-critic (Haarnoja et al. 2018): twin Q, target critics, automatic temperature.

The objective is the return plus the policy's entropy, weighted by a temperature ``alpha``:

    critic:  L_Q = sum_i E[(Q_i(s, a) - y)^2],
             y = r + gamma (1 - terminated) (min_j Q'_j(s', a') - alpha log pi(a' | s')),  a' ~ pi(. | s')
    actor:   L_pi = E[alpha log pi(a | s) - min_j Q_j(s, a)],  a = tanh-squashed reparameterized sample
    alpha:   L_alpha = E[-log(alpha) (log pi(a | s) + H_target)],  H_target = -dim(A) in the unit box
    target:  Q' <- (1 - tau) Q' + tau Q

Environment steps run on the host (Gymnasium vector envs, the loop of ``off_policy.py``); every
gradient update is jitted, and the updates due after a batch of env steps run as one ``lax.scan``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax
from jaxtyping import PRNGKeyArray

from apprentice.algorithms.configs.rl import SACConfig
from apprentice.algorithms.rl.common import (
    RewardFn,
    RLResult,
    batch_rewards,
    training_env_seed,
)
from apprentice.algorithms.rl.critics import TwinQ
from apprentice.algorithms.rl.off_policy import OffPolicyLearner, Replay, run_off_policy
from apprentice.algorithms.rl.replay import ReplayBuffer
from apprentice.envs.make import env_spec
from apprentice.envs.spec import EnvSpec
from apprentice.policies.actor import act_batch
from apprentice.policies.build import PolicyArchitecture, make_policy


def sac_architecture(config: SACConfig) -> PolicyArchitecture:
    """SAC's actor: a tanh-squashed Gaussian with log-std in [-5, 2] (as in the reference implementations)."""
    return config.network.with_head("gaussian", squash=True, log_std_min=-5.0, log_std_max=2.0)


class SACState(NamedTuple):
    """The arrays SAC learns; the networks' structure lives in the update closure."""

    actor: Any
    critic: Any
    target_critic: Any
    log_alpha: jax.Array
    actor_opt: Any
    critic_opt: Any
    alpha_opt: Any


def target_entropy(spec: EnvSpec, per_dim: float) -> float:
    """``per_dim * dim(A)`` moved from the unit box to the env's action box.

    The actor's log-density is that of the env-scale action, which differs from the unit-box
    density by ``-sum_i log((high_i - low_i) / 2)``; entropies shift by the same constant.
    """
    half_range = (np.asarray(spec.action_high) - np.asarray(spec.action_low)) / 2.0
    return float(per_dim * spec.action_dim + np.sum(np.log(half_range)))


def make_sac_update(actor_static, critic_static, reward_static, config: SACConfig, entropy_target: float):
    """The jitted ``update_many(state, reward_params, batches, key) -> (state, metrics)``.

    ``batches`` carry a leading axis of updates; one ``lax.scan`` runs them all. With
    ``reward_static`` set, rewards come from the learned reward, not the stored env rewards.
    """
    actor_optimizer = optax.adam(config.learning_rate)
    critic_optimizer = optax.adam(config.learning_rate)
    alpha_optimizer = optax.adam(config.alpha_learning_rate)

    def one_update(state: SACState, reward_params, batch, key):
        actor = eqx.combine(state.actor, actor_static)
        target_critic = eqx.combine(state.target_critic, critic_static)
        alpha = jnp.exp(state.log_alpha)
        obs, actions, next_obs = batch["obs"], batch["actions"], batch["next_obs"]
        if reward_static is None:
            rewards = batch["rewards"]
        else:
            rewards = batch_rewards(eqx.combine(reward_params, reward_static), obs, actions, next_obs)
        n = obs.shape[0]
        next_key, actor_key = jax.random.split(key)

        next_actions, next_log_probs = jax.vmap(actor.sample_with_log_prob)(jax.random.split(next_key, n), next_obs)
        target_q1, target_q2 = jax.vmap(target_critic)(next_obs, next_actions)
        soft_value = jnp.minimum(target_q1, target_q2) - alpha * next_log_probs
        targets = jax.lax.stop_gradient(rewards + config.gamma * (1.0 - batch["terminated"]) * soft_value)

        def critic_loss(critic_params):
            q1, q2 = jax.vmap(eqx.combine(critic_params, critic_static))(obs, actions)
            return jnp.mean((q1 - targets) ** 2) + jnp.mean((q2 - targets) ** 2), jnp.mean(q1)

        (q_loss, mean_q), critic_grads = jax.value_and_grad(critic_loss, has_aux=True)(state.critic)
        critic_updates, critic_opt = critic_optimizer.update(critic_grads, state.critic_opt)
        critic_params = optax.apply_updates(state.critic, critic_updates)
        critic = eqx.combine(critic_params, critic_static)

        def actor_loss(actor_params):
            policy = eqx.combine(actor_params, actor_static)
            sampled, log_probs = jax.vmap(policy.sample_with_log_prob)(jax.random.split(actor_key, n), obs)
            q1, q2 = jax.vmap(critic)(obs, sampled)
            return jnp.mean(alpha * log_probs - jnp.minimum(q1, q2)), log_probs

        (pi_loss, log_probs), actor_grads = jax.value_and_grad(actor_loss, has_aux=True)(state.actor)
        actor_updates, actor_opt = actor_optimizer.update(actor_grads, state.actor_opt)
        actor_params = optax.apply_updates(state.actor, actor_updates)

        # d/d(log alpha) of -log(alpha) * mean(log pi + H_target)
        alpha_grad = -jnp.mean(jax.lax.stop_gradient(log_probs) + entropy_target)
        alpha_updates, alpha_opt = alpha_optimizer.update(alpha_grad, state.alpha_opt)
        log_alpha = optax.apply_updates(state.log_alpha, alpha_updates)

        target_params = jax.tree.map(lambda t, c: t + config.tau * (c - t), state.target_critic, critic_params)
        metrics = {
            "critic_loss": q_loss,
            "actor_loss": pi_loss,
            "alpha": alpha,
            "entropy": -jnp.mean(log_probs),
            "mean_q": mean_q,
        }
        new_state = SACState(actor_params, critic_params, target_params, log_alpha, actor_opt, critic_opt, alpha_opt)
        return new_state, metrics

    @jax.jit
    def update_many(state: SACState, reward_params, batches, key):
        keys = jax.random.split(key, batches["obs"].shape[0])

        def body(carry, inputs):
            batch, step_key = inputs
            return one_update(carry, reward_params, batch, step_key)

        state, metrics = jax.lax.scan(body, state, (batches, keys))
        return state, jax.tree.map(jnp.mean, metrics)

    def init_optimizers(actor_params, critic_params, log_alpha):
        return actor_optimizer.init(actor_params), critic_optimizer.init(critic_params), alpha_optimizer.init(log_alpha)

    return update_many, init_optimizers


def train(
    key: PRNGKeyArray,
    config: SACConfig,
    env_id: str,
    *,
    reward_fn: RewardFn | None = None,
    replay: Replay | None = None,
    progress: bool = True,
    on_evaluation: Callable[[RLResult], None] | None = None,
    env_kwargs: dict[str, Any] | None = None,
) -> RLResult:
    """Train a SAC agent on ``env_id`` (continuous actions), optionally on a learned reward.

    ``reward_fn(obs, action, next_obs)`` replaces the env's reward in every update; the env's
    true return is still what ``train_return`` and ``eval_return`` report. ``replay`` replaces the
    replay buffer (SQIL's: demonstrations beside the agent's steps, each with its own reward);
    by default a :class:`ReplayBuffer` of ``config.buffer_size``. ``on_evaluation`` is called
    with the result so far after each evaluation (checkpointing hooks in here).

    Example:
        >>> result = train(jax.random.key(0), SACConfig(total_steps=20_000), "Pendulum-v1")
        >>> result.metrics[-1]["eval_return"]
    """
    spec = env_spec(env_id, **(env_kwargs or {}))
    if spec.action_kind != "continuous":
        raise ValueError(f"SAC needs continuous actions, but {env_id} has {spec.n_actions} discrete actions; use PPO")
    architecture = sac_architecture(config)
    actor_key, critic_key, loop_key, seed_key = jax.random.split(key, 4)
    actor = make_policy(actor_key, spec, architecture)
    critic = TwinQ(spec, config.network, key=critic_key)
    actor_params, actor_static = eqx.partition(actor, eqx.is_array)
    critic_params, critic_static = eqx.partition(critic, eqx.is_array)
    reward_params, reward_static = eqx.partition(reward_fn, eqx.is_array) if reward_fn is not None else (None, None)
    update_many, init_optimizers = make_sac_update(
        actor_static, critic_static, reward_static, config, target_entropy(spec, config.target_entropy_per_dim)
    )
    log_alpha = jnp.asarray(np.log(config.initial_alpha), jnp.float32)
    state = SACState(
        actor_params, critic_params, critic_params, log_alpha, *init_optimizers(actor_params, critic_params, log_alpha)
    )
    learner = OffPolicyLearner(
        act=lambda s, k, obs: np.asarray(act_batch(s.actor, actor_static, k, obs, False)),
        update=lambda s, batches, k: update_many(s, reward_params, batches, k),
        policy=lambda s: eqx.combine(s.actor, actor_static),
    )
    seed = training_env_seed(seed_key, config.n_envs)
    replay = ReplayBuffer(spec, min(config.buffer_size, config.total_steps)) if replay is None else replay
    result = RLResult(policy=actor, architecture=architecture, spec=spec)
    return run_off_policy(
        state,
        learner,
        replay,
        result,
        config,
        env_id,
        loop_key,
        seed,
        "SAC",
        progress=progress,
        on_evaluation=on_evaluation,
        env_kwargs=env_kwargs,
        learned_reward=_host_reward(reward_params, reward_static),
    )


def _host_reward(reward_params, reward_static) -> Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray] | None:
    """The learned reward of a batch of env steps, for logging (None without a learned reward)."""
    if reward_static is None:
        return None
    compute = jax.jit(lambda params, o, a, n: batch_rewards(eqx.combine(params, reward_static), o, a, n))
    return lambda obs, actions, next_obs: np.asarray(compute(reward_params, obs, actions, next_obs))
