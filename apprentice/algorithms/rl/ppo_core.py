"""PPO's math, shared by both environment backends: the agent, GAE, the clipped loss, the update.

Proximal policy optimization (Schulman et al. 2017) with generalized advantage estimation
(Schulman et al. 2016):

    delta_t = r_t + gamma (1 - terminated_t) V(s'_t) - V(s_t)
    A_t     = delta_t + gamma lambda (1 - ended_t) A_{t+1}
    L       = -E[min(rho_t A_t, clip(rho_t, 1 - eps, 1 + eps) A_t)] + c_v E[(V(s_t) - (A_t + V_old(s_t)))^2] / 2
              - c_H E[H(pi(. | s_t))],    rho_t = pi(a_t | s_t) / pi_old(a_t | s_t)

``s'_t`` is the observation the step led to, also when a time limit cut the episode, so a
truncated episode is bootstrapped from its last state and only a true terminal stops the value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import equinox as eqx
import jax
import jax.numpy as jnp
import optax
from jaxtyping import Array, Float, PRNGKeyArray

from apprentice.algorithms.configs.rl import PPOConfig
from apprentice.algorithms.rl.common import batch_rewards
from apprentice.envs.spec import EnvSpec
from apprentice.policies.architecture import HeadKind
from apprentice.policies.base import Policy
from apprentice.policies.build import PolicyArchitecture, make_policy, make_value_network
from apprentice.policies.heads import require_density
from apprentice.policies.value import ValueNetwork


def ppo_architecture(config: PPOConfig, spec: EnvSpec) -> PolicyArchitecture:
    """Categorical for discrete actions; an unsquashed Gaussian (log-std in [-3, 1]) for continuous ones.

    Its samples are what the probability ratio is computed on; the env is sent, and learned rewards
    see, their executed form (``executed_actions``: clipped into the box), on both backends."""
    head: HeadKind = "categorical" if spec.action_kind == "discrete" else "gaussian"
    return config.network.with_head(head, log_std_min=-3.0, log_std_max=1.0)


def flatten_steps(x: Array) -> Array:
    """A time-major ``(T, N, ...)`` rollout column as ``(T * N, ...)`` samples."""
    return x.reshape(x.shape[0] * x.shape[1], *x.shape[2:])


class ActorCritic(eqx.Module):
    """A memoryless policy and a value network that reads the policy's normalized observation.

    What the update needs from an agent (:class:`~apprentice.algorithms.rl.ppo_recurrent.RecurrentActorCritic`
    is the other one): ``next_values`` of a rollout, its ``training_batch``, the minibatch ``loss``
    and how ``minibatches`` are drawn."""

    policy: Policy
    value_net: ValueNetwork
    """Reads the policy's normalized observation (its own normalizer is the identity)."""

    def value(self, obs: Array) -> Float[Array, ""]:
        return self.value_net(self.policy.normalizer(obs))[0]

    def next_values(self, rollout: dict[str, Array]) -> Float[Array, "T N"]:
        """``V(s'_t)`` of every step of a time-major rollout."""
        return jax.vmap(self.value)(flatten_steps(rollout["next_obs"])).reshape(rollout["rewards"].shape)

    @staticmethod
    def training_batch(rollout: dict[str, Array], advantages: Array, returns: Array) -> dict[str, Array]:
        """The rollout as flat samples with their advantages and value targets."""
        columns = {
            "obs": rollout["obs"],
            "actions": rollout["actions"],
            "log_probs": rollout["log_probs"],
            "advantages": advantages,
            "returns": returns,
        }
        return {name: flatten_steps(value) for name, value in columns.items()}

    def loss(self, batch: dict[str, Array], config: PPOConfig) -> tuple[Float[Array, ""], dict[str, Array]]:
        return ppo_loss(self, batch, config)

    @staticmethod
    def minibatches(batch: dict[str, Array], key: PRNGKeyArray, n_minibatches: int) -> dict[str, Array]:
        return sample_minibatches(batch, key, n_minibatches)


def make_agent(key: PRNGKeyArray, spec: EnvSpec, config: PPOConfig) -> tuple[Any, PolicyArchitecture]:
    """A fresh agent for ``spec`` (recurrent when ``config.network`` has a core) and the
    architecture that rebuilds its policy."""
    policy_key, value_key = jax.random.split(key)
    architecture = ppo_architecture(config, spec)
    policy = make_policy(policy_key, spec, architecture)
    require_density(policy.head, "PPO")
    if architecture.stateful:
        from apprentice.algorithms.rl.ppo_recurrent import RecurrentActorCritic  # it builds on this module

        return RecurrentActorCritic.create(policy, value_key), architecture
    value_net = make_value_network(value_key, spec.observation, config.network, who="PPO's value")
    return ActorCritic(policy, value_net), architecture


class ObsStats(NamedTuple):
    """Running mean and variance of observations (parallel-merge form of Welford's update)."""

    mean: Array
    var: Array
    count: Array  # type: ignore[assignment]  # shadows tuple.count

    @staticmethod
    def init(obs_dim: int) -> ObsStats:
        return ObsStats(jnp.zeros(obs_dim), jnp.ones(obs_dim), jnp.asarray(1e-4))

    def merge(self, obs: Float[Array, "n obs"]) -> ObsStats:
        obs = obs.reshape(obs.shape[0], -1)
        batch_mean, batch_var, n = jnp.mean(obs, 0), jnp.var(obs, 0), obs.shape[0]
        total = self.count + n
        delta = batch_mean - self.mean
        mean = self.mean + delta * n / total
        var = (self.var * self.count + batch_var * n + delta**2 * self.count * n / total) / total
        return ObsStats(mean, var, total)


def with_obs_stats(agent: ActorCritic, stats: ObsStats) -> ActorCritic:
    """``agent`` normalizing by ``stats`` (the std floored so constant features stay finite)."""
    std = jnp.sqrt(stats.var + 1e-8)
    return eqx.tree_at(lambda a: (a.policy.normalizer.mean, a.policy.normalizer.std), agent, (stats.mean, std))


def gae(
    rewards: Float[Array, "T N"],
    values: Float[Array, "T N"],
    next_values: Float[Array, "T N"],
    terminated: Float[Array, "T N"],
    ended: Float[Array, "T N"],
    gamma: float,
    lam: float,
) -> tuple[Float[Array, "T N"], Float[Array, "T N"]]:
    """Advantages and value targets (``A + V``) of a time-major rollout, by a reverse scan."""
    deltas = rewards + gamma * (1.0 - terminated) * next_values - values

    def backward(next_advantage, step):
        delta, end = step
        advantage = delta + gamma * lam * (1.0 - end) * next_advantage
        return advantage, advantage

    _, advantages = jax.lax.scan(backward, jnp.zeros_like(deltas[0]), (deltas, ended), reverse=True)
    return advantages, advantages + values


def ppo_loss(
    agent: ActorCritic, batch: dict[str, Array], config: PPOConfig
) -> tuple[Float[Array, ""], dict[str, Array]]:
    """The clipped surrogate plus value loss minus entropy bonus, over one minibatch."""
    log_probs = jax.vmap(agent.policy.log_prob)(batch["obs"], batch["actions"])
    entropy = jnp.mean(jax.vmap(agent.policy.entropy)(batch["obs"]))
    values = jax.vmap(agent.value)(batch["obs"])
    return clipped_objective(log_probs, entropy, values, batch, config)


def clipped_objective(
    log_probs: Float[Array, " n"],
    entropy: Float[Array, ""],
    values: Float[Array, " n"],
    batch: dict[str, Array],
    config: PPOConfig,
) -> tuple[Float[Array, ""], dict[str, Array]]:
    """PPO's loss from the current policy's log-probabilities, mean entropy and values of a
    minibatch (``batch`` holds the rollout's ``log_probs``, ``advantages`` and ``returns``, flat)."""
    advantages = batch["advantages"]
    advantages = (advantages - jnp.mean(advantages)) / (jnp.std(advantages) + 1e-8)
    log_ratio = log_probs - batch["log_probs"]
    ratio = jnp.exp(log_ratio)
    clipped = jnp.clip(ratio, 1.0 - config.clip_coef, 1.0 + config.clip_coef)
    policy_loss = -jnp.mean(jnp.minimum(ratio * advantages, clipped * advantages))
    value_loss = 0.5 * jnp.mean((values - batch["returns"]) ** 2)
    loss = policy_loss + config.vf_coef * value_loss - config.ent_coef * entropy
    aux = {
        "policy_loss": policy_loss,
        "value_loss": value_loss,
        "entropy": entropy,
        "approx_kl": jnp.mean(ratio - 1.0 - log_ratio),
        "clip_fraction": jnp.mean(jnp.abs(ratio - 1.0) > config.clip_coef),
    }
    return loss, aux


def make_optimizer(config: PPOConfig) -> optax.GradientTransformation:
    n_updates = config.n_iterations * config.n_epochs * config.n_minibatches
    rate = optax.linear_schedule(config.learning_rate, 0.0, n_updates) if config.anneal_lr else config.learning_rate
    return optax.chain(optax.clip_by_global_norm(config.max_grad_norm), optax.adam(rate, eps=1e-5))


def sample_minibatches(batch: dict[str, Array], key: PRNGKeyArray, n_minibatches: int) -> dict[str, Array]:
    """A flat batch shuffled and cut into ``n_minibatches`` stacked minibatches (leading axis)."""
    n = batch["obs"].shape[0]
    order = jax.random.permutation(key, n)
    return jax.tree.map(lambda x: x[order].reshape(n_minibatches, n // n_minibatches, *x.shape[1:]), batch)


def ppo_update(
    params,
    static,
    opt_state,
    batch: dict[str, Array],
    key: PRNGKeyArray,
    config: PPOConfig,
    optimizer: optax.GradientTransformation,
    loss: Callable,
    minibatches: Callable,
) -> tuple[Any, Any, dict[str, Array]]:
    """``n_epochs`` shuffled passes of ``n_minibatches`` Adam steps over a batch, in one nested scan.

    ``minibatches(batch, key, n)`` cuts a batch into stacked minibatches (flat samples here; whole
    env sequences for a recurrent agent) and ``loss(agent, minibatch, config)`` scores one."""

    def loss_of(p, minibatch):
        return loss(eqx.combine(p, static), minibatch, config)

    def minibatch_step(carry, minibatch):
        p, o = carry
        (_, aux), grads = jax.value_and_grad(loss_of, has_aux=True)(p, minibatch)
        updates, o = optimizer.update(grads, o, p)
        return (optax.apply_updates(p, updates), o), aux

    def epoch(carry, epoch_key):
        return jax.lax.scan(minibatch_step, carry, minibatches(batch, epoch_key, config.n_minibatches))

    (params, opt_state), aux = jax.lax.scan(epoch, (params, opt_state), jax.random.split(key, config.n_epochs))
    return params, opt_state, jax.tree.map(jnp.mean, aux)


def policy_step(agent: ActorCritic, key: PRNGKeyArray, obs: Array) -> tuple[Array, Array, Array]:
    """For a batch of observations: sampled actions, their log-probabilities, and the values."""
    keys = jax.random.split(key, obs.shape[0])
    actions = jax.vmap(agent.policy.act)(keys, obs)
    return actions, jax.vmap(agent.policy.log_prob)(obs, actions), jax.vmap(agent.value)(obs)


def learn_from_rollout(
    params,
    static,
    opt_state,
    stats: ObsStats,
    rollout: dict[str, Array],
    reward_params,
    reward_static,
    key: PRNGKeyArray,
    config: PPOConfig,
    optimizer: optax.GradientTransformation,
):
    """One PPO iteration's learning from a time-major rollout ``(T, N, ...)``; pure and jittable.

    The rollout holds ``actions`` (the policy's samples, which ``log_probs`` are of) and
    ``executed_actions`` (what the env was sent). The rewards are the env's, or ``reward_fn``'s
    when ``reward_static`` is given (learned rewards are computed here, on the executed actions
    as a demonstration records them, with the reward's current parameters). After
    the update, the observation statistics take in this rollout, for the next one.
    Returns ``(params, opt_state, stats, metrics, rewards_used)``.
    """
    agent = eqx.combine(params, static)
    if reward_static is None:
        rewards = rollout["rewards"]
    else:
        reward_fn = eqx.combine(reward_params, reward_static)
        rewards = batch_rewards(
            reward_fn,
            flatten_steps(rollout["obs"]),
            flatten_steps(rollout["executed_actions"]),
            flatten_steps(rollout["next_obs"]),
        )
        rewards = rewards.reshape(rollout["rewards"].shape)
    advantages, returns = gae(
        rewards,
        rollout["values"],
        agent.next_values(rollout),
        rollout["terminated"],
        rollout["ended"],
        config.gamma,
        config.gae_lambda,
    )
    batch = agent.training_batch(rollout, advantages, returns)
    params, opt_state, metrics = ppo_update(
        params,
        static,
        opt_state,
        batch,
        key,
        config,
        optimizer,
        loss=type(agent).loss,
        minibatches=type(agent).minibatches,
    )
    if config.normalize_obs:
        stats = stats.merge(flatten_steps(rollout["obs"]))
        params, _ = eqx.partition(with_obs_stats(eqx.combine(params, static), stats), eqx.is_array)
    return params, opt_state, stats, metrics, rewards


class PPOState(NamedTuple):
    """What PPO learns and carries between iterations: agent arrays, optimizer state, obs statistics."""

    params: Any
    opt_state: Any
    stats: ObsStats


@dataclass(frozen=True)
class OnPolicyLearner:
    """How an on-policy algorithm starts and what it does with each rollout; both backends' loops
    run any learner. PPO is one; GAIL and AIRL wrap it with a discriminator.

    ``learn(state, rollout, key) -> (state, metrics, rewards_used)`` is pure and jittable;
    ``agent_params(state)`` are the :class:`ActorCritic` arrays that act in the next rollout.
    """

    init: Callable[[PRNGKeyArray], Any]
    learn: Callable[[Any, dict, PRNGKeyArray], tuple[Any, dict, Array]]
    agent_params: Callable[[Any], Any]
    static: Any
    architecture: PolicyArchitecture


def ppo_learner(config: PPOConfig, spec: EnvSpec, reward_fn=None) -> OnPolicyLearner:
    """PPO as an :class:`OnPolicyLearner`, on the env's reward or on ``reward_fn``'s."""
    optimizer = make_optimizer(config)
    agent, architecture = make_agent(jax.random.key(0), spec, config)
    _, static = eqx.partition(agent, eqx.is_array)
    reward_params, reward_static = eqx.partition(reward_fn, eqx.is_array) if reward_fn is not None else (None, None)

    def init(key: PRNGKeyArray) -> PPOState:
        params, _ = eqx.partition(make_agent(key, spec, config)[0], eqx.is_array)
        return PPOState(params, optimizer.init(params), ObsStats.init(spec.obs_dim))

    def learn(state: PPOState, rollout: dict, key: PRNGKeyArray):
        params, opt_state, stats, metrics, rewards = learn_from_rollout(
            state.params,
            static,
            state.opt_state,
            state.stats,
            rollout,
            reward_params,
            reward_static,
            key,
            config,
            optimizer,
        )
        return PPOState(params, opt_state, stats), metrics, rewards

    return OnPolicyLearner(init, learn, lambda state: state.params, static, architecture)
