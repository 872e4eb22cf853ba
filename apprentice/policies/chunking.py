"""Action chunking (ACT, Zhao et al. 2023): the policy predicts its next ``k`` actions at once.

A chunked policy's head is any continuous head over the flattened chunk ``(k * action_dim,)``
(:class:`ChunkHead`), trained on each step's next ``k`` expert actions (:func:`chunk_targets`;
past an episode's end its last action is repeated). It executes a chunk in one of two ways:

- ``open_loop``: predict a chunk, execute its ``k`` actions, predict the next one;
- ``ensemble`` (ACT's temporal ensembling): predict a chunk at every step and execute the
  weighted mean of every prediction made for this step by the last ``k`` chunks, with weights
  ``w_i = exp(-m i)``, ``i = 0`` the oldest prediction (``m = ensemble_decay``).

Either way acting needs a state (the pending chunk, or the last ``k`` chunks), carried in the
policy's state beside the core's and reset at episode starts.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import equinox as eqx
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Bool, Float, PRNGKeyArray

from apprentice.envs.spec import EnvSpec
from apprentice.policies.heads import Head


class ChunkHead(Head):
    """A head over the flattened chunk of the next ``chunk`` actions; ``act`` returns ``(chunk, action_dim)``."""

    has_density: ClassVar[bool] = False
    inner: Head
    chunk: int = eqx.field(static=True)
    action_dim: int = eqx.field(static=True)

    @property
    def stochastic_loss(self) -> bool:  # type: ignore[override]  # follows the inner head
        return self.inner.stochastic_loss

    def loss(self, key: PRNGKeyArray, features: Array, expert_action: Array) -> Float[Array, ""]:
        """The inner head's loss of the expert's chunk ``(chunk, action_dim)``, flattened."""
        return self.inner.loss(key, features, expert_action.reshape(-1))

    def act(self, key: PRNGKeyArray, features: Array, deterministic: bool = False) -> Float[Array, "k act"]:
        return self.inner.act(key, features, deterministic).reshape(self.chunk, self.action_dim)

    def mode(self, features: Array) -> Float[Array, "k act"]:
        return self.inner.mode(features).reshape(self.chunk, self.action_dim)


def chunk_targets(actions: np.ndarray, chunk: int) -> np.ndarray:
    """``(T, chunk, *action_shape)``: at step ``t`` the actions ``t .. t + chunk - 1``, the last one
    repeated past the episode's end.

    Example:
        >>> chunk_targets(np.array([[1.0], [2.0], [3.0]]), 2)[:, :, 0]
        array([[1., 2.],
               [2., 3.],
               [3., 3.]])
    """
    actions = np.asarray(actions)
    steps = np.minimum(np.arange(len(actions))[:, None] + np.arange(chunk)[None, :], len(actions) - 1)
    return actions[steps]


def initial_plan(chunk: int, action_dim: int, execution: str) -> dict[str, Array]:
    """The execution state before an episode: nothing predicted yet."""
    if execution == "open_loop":
        return {"actions": jnp.zeros((chunk, action_dim)), "index": jnp.zeros((), jnp.int32)}
    return {"chunks": jnp.zeros((chunk, chunk, action_dim)), "count": jnp.zeros((), jnp.int32)}


def execute(
    plan: dict[str, Array], fresh: Float[Array, "k act"], reset: Bool[Array, ""], execution: str, decay: float
) -> tuple[dict[str, Array], Float[Array, " act"]]:
    """``(next plan, action)`` of one step, given the chunk ``fresh`` predicted at this step."""
    chunk = fresh.shape[0]
    if execution == "open_loop":
        index = jnp.where(reset, 0, plan["index"])
        actions = jnp.where(index == 0, fresh, plan["actions"])
        return {"actions": actions, "index": (index + 1) % chunk}, actions[index]
    count = jnp.where(reset, 0, plan["count"])
    chunks = jnp.concatenate([fresh[None], jnp.where(reset, 0.0, plan["chunks"])[:-1]])  # chunks[a]: a steps old
    ages = jnp.arange(chunk)
    oldest = jnp.minimum(count, chunk - 1)
    weights = jnp.where(ages <= oldest, jnp.exp(-decay * (oldest - ages)), 0.0)
    predictions = chunks[ages, ages]  # what the chunk of age a predicted for this step
    action = jnp.sum(weights[:, None] * predictions, axis=0) / jnp.sum(weights)
    return {"chunks": chunks, "count": count + 1}, action


def chunk_spec(spec: EnvSpec, chunk: int, flat: bool = True) -> EnvSpec:
    """``spec`` with a chunk of ``chunk`` actions as its action: flattened ``(chunk * size,)`` (what the
    inner head is built for) or ``(chunk, *action_shape)`` (the training targets); bounds tiled."""
    if spec.action_kind != "continuous":
        raise ValueError(f"action chunking: expected continuous actions, got {spec.action_kind} ones of {spec.env_id}")
    tile = lambda bound: None if bound is None else tuple(np.tile(np.asarray(bound, np.float64), chunk).tolist())  # noqa: E731
    size = int(np.prod(spec.action_shape))
    shape = (chunk * size,) if flat else (chunk, *spec.action_shape)
    return dataclasses.replace(
        spec, action_shape=shape, action_low=tile(spec.action_low), action_high=tile(spec.action_high)
    )
