"""The discriminators of GAIL and AIRL: logits that say "expert" and the rewards read off them.

Both are trained as binary classifiers, expert transitions labelled 1 and the learner's 0:

    L_D = -E_expert[log sigmoid(l)] - E_learner[log sigmoid(-l)]

GAIL (Ho & Ermon 2016): ``l = d(s, a)`` a network, ``D = sigmoid(l)``; GAIfO (Torabi, Warnell &
Stone 2018) is the same with ``l = d(s, s')`` on state transitions (``state_pairs=True``).
AIRL (Fu, Luo & Levine 2018): ``D = exp(f) / (exp(f) + pi(a | s))``, i.e. ``l = f - log pi(a | s)``,
with ``f(s, a, s') = g(s[, a]) + gamma (1 - done) h(s') - h(s)``: ``g`` is the reward (a
function of the state alone in the state-only variant, which is what transfers to new
dynamics) and ``h`` a shaping potential.
"""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray

from apprentice.algorithms.configs.irl import require_reward_kind
from apprentice.envs.pairs import pair_observations, pair_space, pair_stats
from apprentice.envs.spec import EnvSpec
from apprentice.policies.architecture import Network
from apprentice.policies.build import make_value_network
from apprentice.policies.value import ValueNetwork


def action_features(action: Array, spec: EnvSpec) -> Float[Array, " features"]:
    """One-hot for a discrete action, the flattened vector for a continuous one."""
    if spec.action_kind == "discrete":
        return jax.nn.one_hot(action, spec.action_dim)
    return jnp.ravel(action).astype(jnp.float32)


class GAILDiscriminator(eqx.Module):
    """``d(s, a)``: a value network (the factory's) on the standardized observation and the action
    features; with ``state_pairs``, GAIfO's ``d(s, s')`` on the observation pair (``envs/pairs.py``)."""

    net: ValueNetwork
    spec: EnvSpec = eqx.field(static=True)
    state_pairs: bool = eqx.field(static=True)

    def __init__(
        self,
        spec: EnvSpec,
        network: Network,
        obs_mean: Array,
        obs_std: Array,
        *,
        key: PRNGKeyArray,
        state_pairs: bool = False,
    ):
        self.spec, self.state_pairs = spec, state_pairs
        if state_pairs:
            pair_mean, pair_std = pair_stats(obs_mean, obs_std, spec.observation)
            self.net = make_value_network(
                key, pair_space(spec.observation), network, 0, 1, pair_mean, pair_std, who="GAIfO's discriminator"
            )
            return
        n_action_features = spec.action_dim  # one-hot width (discrete) or action size (continuous)
        self.net = make_value_network(
            key, spec.observation, network, n_action_features, 1, obs_mean, obs_std, who="GAIL's discriminator"
        )

    def logit(self, obs, action, next_obs, done, log_pi) -> Float[Array, ""]:
        if self.state_pairs:
            return self.net(pair_observations(obs, next_obs, batched=False))[0]
        return self.net(obs, action_features(action, self.spec))[0]


class AIRLDiscriminator(eqx.Module):
    """``f = g(s[, a]) + gamma (1 - done) h(s') - h(s)``; the logit is ``f - log pi(a | s)``."""

    reward_net: ValueNetwork
    potential_net: ValueNetwork
    spec: EnvSpec = eqx.field(static=True)
    gamma: float = eqx.field(static=True)
    state_only: bool = eqx.field(static=True)

    def __init__(
        self,
        spec: EnvSpec,
        network: Network,
        obs_mean: Array,
        obs_std: Array,
        gamma: float,
        state_only: bool,
        *,
        key: PRNGKeyArray,
    ):
        reward_key, potential_key = jax.random.split(key)
        self.spec, self.gamma, self.state_only = spec, gamma, state_only
        n_action_features = 0 if state_only else spec.action_dim
        self.reward_net = make_value_network(
            reward_key, spec.observation, network, n_action_features, 1, obs_mean, obs_std, who="AIRL's reward"
        )
        self.potential_net = make_value_network(
            potential_key, spec.observation, network, 0, 1, obs_mean, obs_std, who="AIRL's potential"
        )

    def reward(self, obs, action) -> Float[Array, ""]:
        """``g``: the learned reward, without the shaping (what transfers to new dynamics)."""
        if self.state_only:
            return self.reward_net(obs)[0]
        return self.reward_net(obs, action_features(action, self.spec))[0]

    def potential(self, obs) -> Float[Array, ""]:
        return self.potential_net(obs)[0]

    def f(self, obs, action, next_obs, done) -> Float[Array, ""]:
        """``g(s[, a]) + gamma (1 - done) h(s') - h(s)``."""
        return self.reward(obs, action) + self.gamma * (1.0 - done) * self.potential(next_obs) - self.potential(obs)

    def logit(self, obs, action, next_obs, done, log_pi) -> Float[Array, ""]:
        return self.f(obs, action, next_obs, done) - log_pi


def discriminator_loss(expert_logits: Float[Array, " n"], learner_logits: Float[Array, " n"]) -> Float[Array, ""]:
    """``-mean log sigmoid(l_expert) - mean log sigmoid(-l_learner)``: expert labelled 1, learner 0."""
    return -jnp.mean(jax.nn.log_sigmoid(expert_logits)) - jnp.mean(jax.nn.log_sigmoid(-learner_logits))


def reward_from_logit(logit: Float[Array, "..."], kind: str) -> Float[Array, "..."]:
    """The learner's reward from the discriminator logit ``l = log D - log(1 - D)``.

    ``logit``: ``l`` itself (AIRL's ``f - log pi``, the entropy-regularized reward; no sign bias).
    ``positive``: ``-log(1 - D) = softplus(l)``, GAIL's original, >= 0 (a bonus for surviving).
    ``negative``: ``log D = -softplus(-l)``, <= 0 (a cost for every step, so ending early pays).
    """
    require_reward_kind(kind)
    if kind == "logit":
        return logit
    if kind == "positive":
        return jax.nn.softplus(logit)
    return -jax.nn.softplus(-logit)
