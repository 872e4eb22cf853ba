"""Reward models for tabular IRL: linear in features, or an MLP, over state or state-action features.

A reward model maps one feature vector ``phi(s)`` (state rewards) or ``phi(s, a)`` (state-action
rewards) to a scalar; ``reward_on_features`` applies it to a whole feature table, giving the
reward table ``r[S]`` or ``r[S, A]``. One-hot features (the default) make the linear model a free
table, ``r(s) = theta_s``.

    linear:  r_theta(s) = phi(s)^T theta        (Ziebart et al. 2008)
    mlp:     r_theta(s) = f_theta(phi(s))       (an Equinox MLP, as in deep MaxEnt IRL, Wulfmeier 2015)
"""

from __future__ import annotations

import abc

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, ArrayLike, Float, PRNGKeyArray

from apprentice.algorithms.configs.irl import RewardInput
from apprentice.policies.mlp import MLP


class RewardModel(eqx.Module):
    """A reward on one feature vector; ``reward_on_features`` batches it over a feature table."""

    @abc.abstractmethod
    def __call__(self, features: Float[Array, " K"]) -> Float[Array, ""]:
        """The scalar reward of one state (or state-action pair) with these features."""


class LinearReward(RewardModel):
    """``r(phi) = phi^T theta``; starts at ``theta = 0`` (uniform soft policy, maximum entropy).

    Example:
        >>> model = LinearReward(jnp.array([1.0, -2.0]))
        >>> float(model(jnp.array([0.0, 1.0])))
        -2.0
    """

    theta: Float[Array, " K"]

    def __call__(self, features: Float[Array, " K"]) -> Float[Array, ""]:
        return features @ self.theta


class MLPReward(RewardModel):
    """``r(phi) = f(phi)`` with a ReLU MLP ``f: K -> hidden_sizes -> 1`` (``apprentice.policies.MLP``).

    Example:
        >>> model = MLPReward.init(jax.random.key(0), n_features=3, hidden_sizes=(8,))
        >>> model(jnp.ones(3)).shape
        ()
    """

    mlp: MLP

    @staticmethod
    def init(key: PRNGKeyArray, n_features: int, hidden_sizes: tuple[int, ...]) -> "MLPReward":
        """An MLP whose weights are drawn from ``key`` (Equinox's default Linear initialization)."""
        return MLPReward(MLP(n_features, 1, tuple(hidden_sizes), "relu", key=key))

    def __call__(self, features: Float[Array, " K"]) -> Float[Array, ""]:
        return self.mlp(features)[0]


def one_hot_features(n_states: int, n_actions: int, reward_input: RewardInput) -> Float[np.ndarray, "S *A K"]:
    """Indicator features: ``[S, S]`` for state rewards, ``[S, A, S*A]`` for state-action rewards."""
    if reward_input == "state":
        return np.eye(n_states)
    return np.eye(n_states * n_actions).reshape(n_states, n_actions, n_states * n_actions)


def check_features(
    features: Float[ArrayLike, "S *A K"], n_states: int, n_actions: int, reward_input: RewardInput
) -> np.ndarray:
    """Return ``features`` as float64 after checking their shape suits ``reward_input``."""
    array = np.asarray(features, dtype=np.float64)
    lead = (n_states,) if reward_input == "state" else (n_states, n_actions)
    what = "(S, K)" if reward_input == "state" else "(S, A, K)"
    if array.ndim != len(lead) + 1 or array.shape[:-1] != lead or array.shape[-1] == 0:
        raise ValueError(
            f"{reward_input} features must have shape {what} with leading dims {lead} and K >= 1; got {array.shape}"
        )
    if not np.all(np.isfinite(array)):
        raise ValueError("features must be finite; they contain NaN or inf")
    return array


def reward_on_features(model: RewardModel, features: Float[Array, "S *A K"]) -> Float[Array, " S *A"]:
    """The reward table: ``model`` applied to every feature vector (``[S]`` or ``[S, A]``)."""
    flat = features.reshape(-1, features.shape[-1])
    return jax.vmap(model)(flat).reshape(features.shape[:-1])


def as_state_action(rewards: Float[Array, " S *A"], n_actions: int) -> Float[Array, "S A"]:
    """A state reward ``[S]`` repeated over actions; an ``[S, A]`` table unchanged."""
    if rewards.ndim == 1:
        return jnp.broadcast_to(rewards[:, None], (rewards.shape[0], n_actions))
    return rewards
