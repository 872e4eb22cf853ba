"""PPO with memory: a recurrent (or frame-stacked) agent trained on whole rollout segments.

The agent shares its encoder and core between the policy and the value: the value is one linear
layer on the core's features, as in purejaxrl's ``ppo_rnn``. Each rollout keeps, per env copy,
the state the agent had before the segment's first step and where episodes start inside it; the
update replays every segment from that state (resetting the memory at each episode start), so
the log-probabilities and values it differentiates are those of the same histories that acted.
Minibatches are drawn along env copies, never across time, so every minibatch holds whole
segments. The bootstrap value of a step, ``V(s'_t)``, reads ``s'_t`` with the memory of the
history up to ``t`` (also for the last observation of an episode a time limit cut).
"""

from __future__ import annotations

from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray

from apprentice.algorithms.configs.rl import PPOConfig
from apprentice.algorithms.rl.ppo_core import clipped_objective, flatten_steps
from apprentice.policies.base import Policy

TIME_MAJOR = ("obs", "starts", "actions", "log_probs", "advantages", "returns")
"""The ``(T, N, ...)`` columns of a recurrent training batch (``initial_state`` is ``(N, ...)``)."""


class RecurrentActorCritic(eqx.Module):
    """A stateful policy and a linear value on its features (the same interface as ``ActorCritic``)."""

    policy: Policy
    value_head: eqx.nn.Linear

    @staticmethod
    def create(policy: Policy, key: PRNGKeyArray) -> RecurrentActorCritic:
        width = policy.architecture.core_size if policy.recurrent else policy.encoder.out_size
        return RecurrentActorCritic(policy, eqx.nn.Linear(width, 1, key=key))

    def initial_states(self, n_envs: int) -> Any:
        """The policy's state before an episode, one per env copy (leading axis ``n_envs``)."""
        return jax.tree.map(lambda x: jnp.broadcast_to(x, (n_envs, *x.shape)), self.policy.initial_state())

    def act(self, key: PRNGKeyArray, state: Any, obs: Any, start: Array) -> tuple[Any, Array, Array, Array]:
        """One env copy's step: ``(state, action, log_prob, value)``."""
        state, features = self.policy.step_features(state, obs, start)
        action = self.policy.head.act(key, features)
        return state, action, self.policy.head.log_prob(features, action), self.value_head(features)[0]

    def next_values(self, rollout: dict[str, Array]) -> Float[Array, "T N"]:
        """``V(s'_t)`` with the memory of each env copy's history up to ``t``."""

        def one_env(state, obs, starts, next_obs):
            def step(carry, inputs):
                o, start, next_o = inputs
                carry, _ = self.policy.step_features(carry, o, start)
                _, next_features = self.policy.step_features(carry, next_o, jnp.bool_(False))
                return carry, self.value_head(next_features)[0]

            return jax.lax.scan(step, state, (obs, starts, next_obs))[1]

        return jax.vmap(one_env, in_axes=(0, 1, 1, 1), out_axes=1)(
            rollout["initial_state"], rollout["obs"], rollout["starts"], rollout["next_obs"]
        )

    @staticmethod
    def training_batch(rollout: dict[str, Array], advantages: Array, returns: Array) -> dict[str, Any]:
        """The rollout kept time-major, with each env copy's state before the segment."""
        columns = {**rollout, "advantages": advantages, "returns": returns}
        return {**{name: columns[name] for name in TIME_MAJOR}, "initial_state": rollout["initial_state"]}

    def loss(self, batch: dict[str, Any], config: PPOConfig) -> tuple[Float[Array, ""], dict[str, Array]]:
        """PPO's loss on a minibatch of whole segments, replayed from their first states."""
        features = jax.vmap(self.policy.sequence_features, in_axes=(1, 1, 0), out_axes=1)(
            batch["obs"], batch["starts"], batch["initial_state"]
        )
        features, actions = flatten_steps(features), flatten_steps(batch["actions"])
        log_probs = jax.vmap(self.policy.head.log_prob)(features, actions)
        entropy = jnp.mean(jax.vmap(self.policy.head.entropy)(features))
        values = jax.vmap(self.value_head)(features)[:, 0]
        flat = {name: flatten_steps(batch[name]) for name in ("log_probs", "advantages", "returns")}
        return clipped_objective(log_probs, entropy, values, flat, config)

    @staticmethod
    def minibatches(batch: dict[str, Any], key: PRNGKeyArray, n_minibatches: int) -> dict[str, Any]:
        """Env copies shuffled and cut into ``n_minibatches`` groups of whole segments (leading axis)."""
        n_envs = batch["starts"].shape[1]
        order = jax.random.permutation(key, n_envs)
        size = n_envs // n_minibatches

        def along_envs(x):  # (T, N, ...) -> (M, T, N / M, ...)
            x = x[:, order].reshape(x.shape[0], n_minibatches, size, *x.shape[2:])
            return jnp.moveaxis(x, 1, 0)

        cut = {name: along_envs(batch[name]) for name in TIME_MAJOR}
        cut["initial_state"] = jax.tree.map(
            lambda x: x[order].reshape(n_minibatches, size, *x.shape[1:]), batch["initial_state"]
        )
        return cut
