"""Soft Q-learning for discrete actions (Haarnoja et al. 2017; the learner SQIL is built on).

The Q function is the factory's categorical policy whose logits are ``Q(s, .) / alpha``, so acting
with it samples the Boltzmann policy and its mode is the greedy action:

    pi(a | s) = exp(Q(s, a) / alpha) / sum_b exp(Q(s, b) / alpha)
    V(s)      = alpha log sum_b exp(Q(s, b) / alpha)                       (the soft value)
    y         = r + gamma (1 - terminated) V'(s'),  V' from the target network Q'
    L_Q       = E[(Q(s, a) - y)^2]                                          (the soft Bellman error)
    target:   every ``target_update_every`` updates, Q' <- (1 - tau) Q' + tau Q  (tau = 1: a hard copy)

Env steps run on the host (the loop of ``off_policy.py``); the updates due after a burst of env
steps run as one jitted ``lax.scan``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax
from jaxtyping import Array, Float, PRNGKeyArray

from apprentice.algorithms.configs.sqil import SoftQConfig
from apprentice.algorithms.rl.common import RLResult, training_env_seed
from apprentice.algorithms.rl.off_policy import OffPolicyLearner, Replay, run_off_policy
from apprentice.algorithms.rl.replay import ReplayBuffer
from apprentice.envs.make import env_spec
from apprentice.policies.actor import act_batch
from apprentice.policies.base import Policy
from apprentice.policies.build import PolicyArchitecture, make_policy
from apprentice.policies.heads import CategoricalHead


def soft_q_architecture(config: SoftQConfig) -> PolicyArchitecture:
    """The Q network: ``config.network`` with a categorical head (its logits are ``Q / alpha``)."""
    return config.network.with_head("categorical")


def q_values(policy: Policy, obs: Any, alpha: float) -> Float[Array, " n_actions"]:
    """``Q(s, .) = alpha * logits(s)`` of one observation."""
    head = policy.head
    if not isinstance(head, CategoricalHead):
        raise ValueError(f"soft Q-learning: expected a categorical head, got {type(head).__name__}")
    return alpha * head.logits(policy.features(obs))


def soft_bellman_targets(
    rewards: Float[Array, " batch"],
    next_q: Float[Array, "batch n_actions"],
    terminated: Float[Array, " batch"],
    gamma: float,
    alpha: float,
) -> Float[Array, " batch"]:
    """``y = r + gamma (1 - terminated) alpha logsumexp(Q'(s', .) / alpha)``.

    Example:
        >>> soft_bellman_targets(jnp.array([1.0]), jnp.array([[0.0, 0.0]]), jnp.array([0.0]), 0.5, 1.0)
        Array([1.3465736], dtype=float32)
    """
    soft_value = alpha * jax.nn.logsumexp(next_q / alpha, axis=-1)
    return rewards + gamma * (1.0 - terminated) * soft_value


class SoftQState(NamedTuple):
    """The arrays soft Q-learning learns; the network's structure lives in the update closure."""

    q: Any
    target: Any
    opt: Any
    n_updates: jax.Array


def make_soft_q_update(q_static, config: SoftQConfig):
    """The jitted ``update_many(state, batches, key) -> (state, metrics)`` and the optimizer's ``init``.

    ``batches`` carry a leading axis of updates; one ``lax.scan`` runs them all.
    """
    optimizer = optax.chain(optax.clip_by_global_norm(config.max_grad_norm), optax.adam(config.learning_rate))
    alpha, gamma = config.alpha, config.gamma

    def one_update(state: SoftQState, batch) -> tuple[SoftQState, dict]:
        target = eqx.combine(state.target, q_static)
        next_q = jax.vmap(lambda o: q_values(target, o, alpha))(batch["next_obs"])
        targets = jax.lax.stop_gradient(
            soft_bellman_targets(batch["rewards"], next_q, batch["terminated"], gamma, alpha)
        )
        actions = batch["actions"].astype(jnp.int32)

        def loss_fn(params):
            q = jax.vmap(lambda o: q_values(eqx.combine(params, q_static), o, alpha))(batch["obs"])
            q_taken = jnp.take_along_axis(q, actions[:, None], axis=1)[:, 0]
            return jnp.mean((q_taken - targets) ** 2), q_taken

        (loss, q_taken), grads = jax.value_and_grad(loss_fn, has_aux=True)(state.q)
        updates, opt = optimizer.update(grads, state.opt, state.q)
        q_params = optax.apply_updates(state.q, updates)
        n_updates = state.n_updates + 1
        due = (n_updates % config.target_update_every) == 0
        rate = jnp.where(due, config.tau, 0.0)
        target_params = jax.tree.map(lambda t, c: (1.0 - rate) * t + rate * c, state.target, q_params)
        metrics = {"q_loss": loss, "mean_q": jnp.mean(q_taken), "mean_target": jnp.mean(targets)}
        return SoftQState(q_params, target_params, opt, n_updates), metrics

    @jax.jit
    def update_many(state: SoftQState, batches, key):
        del key  # the update is deterministic given its batches
        state, metrics = jax.lax.scan(one_update, state, batches)
        return state, jax.tree.map(jnp.mean, metrics)

    return update_many, optimizer.init


def train(
    key: PRNGKeyArray,
    config: SoftQConfig,
    env_id: str,
    *,
    replay: Replay | None = None,
    progress: bool = True,
    on_evaluation: Callable[[RLResult], None] | None = None,
    env_kwargs: dict[str, Any] | None = None,
) -> RLResult:
    """Soft Q-learning on ``env_id`` (discrete actions) with the env's reward, or with what
    ``replay`` stores (SQIL's: demonstrations with reward 1 beside the agent's steps with 0).

    The result's ``policy`` is the Q network as a categorical policy over ``Q / alpha``: its mode
    is the greedy action (what ``eval_return`` scores), sampling it the Boltzmann policy.

    Example:
        >>> result = train(jax.random.key(0), SoftQConfig(total_steps=30_000), "CartPole-v1")
        >>> result.metrics[-1]["eval_return"]
    """
    spec = env_spec(env_id, **(env_kwargs or {}))
    if spec.action_kind != "discrete":
        raise ValueError(
            f"soft Q-learning needs discrete actions, but {env_id} has continuous actions of shape "
            f"{spec.action_shape}; use SAC"
        )
    architecture = soft_q_architecture(config)
    q_key, loop_key, seed_key = jax.random.split(key, 3)
    q_network = make_policy(q_key, spec, architecture)
    q_params, q_static = eqx.partition(q_network, eqx.is_array)
    update_many, init_optimizer = make_soft_q_update(q_static, config)
    state = SoftQState(q_params, q_params, init_optimizer(q_params), jnp.zeros((), jnp.int32))
    learner = OffPolicyLearner(
        act=lambda s, k, obs: np.asarray(act_batch(s.q, q_static, k, obs, False)),
        update=update_many,
        policy=lambda s: eqx.combine(s.q, q_static),
    )
    seed = training_env_seed(seed_key, config.n_envs)
    replay = ReplayBuffer(spec, min(config.buffer_size, config.total_steps)) if replay is None else replay
    result = RLResult(policy=q_network, architecture=architecture, spec=spec)
    return run_off_policy(
        state,
        learner,
        replay,
        result,
        config,
        env_id,
        loop_key,
        seed,
        "soft Q",
        progress=progress,
        on_evaluation=on_evaluation,
        env_kwargs=env_kwargs,
    )
