"""Pairwise preference data: ``(context, chosen, rejected, P(chosen > rejected))``, and synthetic
labels from a ground-truth reward under the Bradley-Terry model.

An *item* is whatever a reward or a policy scores: a feature vector, a discrete id (an arm, a
state), a token sequence, a flattened trajectory segment. A dataset holds ``n`` items on each
side, stacked on a leading axis, so ``chosen[i]`` was preferred to ``rejected[i]`` (in the
context ``context[i]`` when there is one: a prompt, a start state).

The Bradley-Terry model (Bradley & Terry 1952; as used for RLHF by Christiano et al. 2017 and
Ouyang et al. 2022) with a temperature ``T``:

    P(y1 > y2 | x) = sigmoid((r(x, y1) - r(x, y2)) / T)

``T -> 0`` is the deterministic labeller (the higher reward always wins, ties are a coin flip);
``T -> inf`` is a coin flip everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, ArrayLike, Bool, Float, Int, PRNGKeyArray

from apprentice.data.validation import require_finite


@dataclass(frozen=True)
class Preferences:
    """``n`` pairwise comparisons: ``chosen[i]`` preferred to ``rejected[i]``, given ``context[i]``.

    Arrays live on the host (numpy) and are validated at construction; ``probability`` is the
    optional soft label ``P(chosen > rejected)`` (1 for a hard label, which is what ``None`` means).

    Example:
        >>> data = Preferences(chosen=np.array([[1.0, 0.0]]), rejected=np.array([[0.0, 1.0]]))
        >>> len(data), data.item_shape
        (1, (2,))
    """

    chosen: np.ndarray
    """``(n, *item_shape)``: the preferred items (features, ids or token sequences)."""
    rejected: np.ndarray
    """``(n, *item_shape)``: the other item of each pair, same shape and dtype kind as ``chosen``."""
    context: np.ndarray | None = None
    """``(n, *context_shape)`` or ``None``: what both items answer (a prompt, a start state)."""
    probability: np.ndarray | None = None
    """``(n,)`` in ``[0, 1]`` or ``None``: ``P(chosen > rejected)``, a soft label; ``None`` is all ones."""

    def __post_init__(self) -> None:
        where = "Preferences."
        chosen, rejected = np.asarray(self.chosen), np.asarray(self.rejected)
        if chosen.ndim == 0 or chosen.shape[0] == 0:
            raise ValueError(
                f"{where}chosen: expected at least one pair, shape (n >= 1, *item_shape), got shape {chosen.shape}"
            )
        if rejected.shape != chosen.shape:
            raise ValueError(f"{where}rejected: expected the shape of chosen {chosen.shape}, got {rejected.shape}")
        if _kind(chosen) != _kind(rejected):
            raise ValueError(
                f"{where}rejected: expected {_kind(chosen)} items like chosen ({chosen.dtype}), got {rejected.dtype}"
            )
        n = chosen.shape[0]
        require_finite("chosen", chosen, where)
        require_finite("rejected", rejected, where)
        context = None if self.context is None else np.asarray(self.context)
        if context is not None:
            if context.ndim == 0 or context.shape[0] != n:
                raise ValueError(
                    f"{where}context: expected shape ({n}, *context_shape), one per pair, got {context.shape}"
                )
            require_finite("context", context, where)
        probability = None if self.probability is None else np.asarray(self.probability, np.float32)
        if probability is not None:
            if probability.shape != (n,):
                raise ValueError(f"{where}probability: expected shape ({n},), got {probability.shape}")
            require_finite("probability", probability, where)
            outside = (probability < 0) | (probability > 1)
            if outside.any():
                i = int(np.argmax(outside))
                raise ValueError(f"{where}probability: expected values in [0, 1], got {probability[i]} at index {i}")
        for name, value in (
            ("chosen", chosen),
            ("rejected", rejected),
            ("context", context),
            ("probability", probability),
        ):
            object.__setattr__(self, name, value)

    def __len__(self) -> int:
        return int(self.chosen.shape[0])

    @property
    def item_shape(self) -> tuple[int, ...]:
        """The shape of one item (``()`` for discrete ids)."""
        return tuple(self.chosen.shape[1:])

    def labels(self) -> np.ndarray:
        """``(n,)`` float32: ``P(chosen > rejected)``, ones when the labels are hard."""
        return np.ones(len(self), np.float32) if self.probability is None else self.probability

    def take(self, indices: np.ndarray) -> Preferences:
        """The pairs at ``indices``, in that order."""
        indices = np.asarray(indices)
        pick = lambda a: None if a is None else a[indices]  # noqa: E731
        return Preferences(self.chosen[indices], self.rejected[indices], pick(self.context), pick(self.probability))

    def split(self, key: PRNGKeyArray, held_out_fraction: float) -> tuple[Preferences, Preferences | None]:
        """A random ``(train, held_out)`` split of the pairs; ``held_out`` is ``None`` for fraction 0.

        Example:
            >>> train, held_out = data.split(jax.random.key(0), 0.2)
        """
        if not 0.0 <= held_out_fraction < 1.0:
            raise ValueError(f"held_out_fraction: expected a value in [0, 1), got {held_out_fraction}")
        n_held_out = int(round(held_out_fraction * len(self)))
        if n_held_out == 0:
            return self, None
        if n_held_out >= len(self):
            raise ValueError(f"held_out_fraction: {held_out_fraction} of {len(self)} pairs leaves no training pair")
        order = np.asarray(jax.random.permutation(key, len(self)))
        return self.take(order[n_held_out:]), self.take(order[:n_held_out])


def _kind(array: np.ndarray) -> str:
    if np.issubdtype(array.dtype, np.floating):
        return "float"
    if np.issubdtype(array.dtype, np.integer) or array.dtype == np.bool_:
        return "integer"
    return str(array.dtype)


def bradley_terry_probability(
    first_rewards: Float[ArrayLike, "..."], second_rewards: Float[ArrayLike, "..."], temperature: float
) -> Float[Array, "..."]:
    """``P(y1 > y2) = sigmoid((r(y1) - r(y2)) / T)``; at ``T = 0`` the step ``1[r1 > r2] + 1/2 1[r1 = r2]``.

    Example:
        >>> float(bradley_terry_probability(1.0, 0.0, 1.0))  # sigmoid(1)
        0.7310585975646973
    """
    if not temperature >= 0.0:
        raise ValueError(f"temperature: expected a value >= 0 (0 is the deterministic labeller), got {temperature}")
    difference = jnp.asarray(first_rewards, jnp.float32) - jnp.asarray(second_rewards, jnp.float32)
    if temperature == 0.0:
        return jnp.where(difference > 0, 1.0, jnp.where(difference < 0, 0.0, 0.5))
    return jax.nn.sigmoid(difference / temperature)


def sample_bradley_terry_labels(
    key: PRNGKeyArray, first_rewards: Float[ArrayLike, " n"], second_rewards: Float[ArrayLike, " n"], temperature: float
) -> Bool[Array, " n"]:
    """``first_preferred[i] ~ Bernoulli(sigmoid((r1[i] - r2[i]) / T))``, one independent draw per pair."""
    probability = bradley_terry_probability(first_rewards, second_rewards, temperature)
    return jax.random.uniform(key, probability.shape) < probability


def bradley_terry_preferences(
    key: PRNGKeyArray,
    reward_fn: Callable[..., Float[Array, ""]],
    first: ArrayLike,
    second: ArrayLike,
    *,
    context: ArrayLike | None = None,
    temperature: float = 1.0,
    soft_labels: bool = False,
) -> Preferences:
    """Label the pairs ``(first[i], second[i])`` by a simulated Bradley-Terry rater.

    ``reward_fn(item)`` (or ``reward_fn(context, item)`` when ``context`` is given) is the
    ground-truth reward of one item; it is vmapped over the pairs. Each pair is labelled once,
    ``first`` winning with probability ``sigmoid((r(first) - r(second)) / temperature)``, and
    stored with the winner as ``chosen``. With ``soft_labels`` the dataset also keeps the true
    ``P(chosen > rejected)`` of each stored pair (the soft label a perfect rater would give).

    Example:
        >>> first = jax.random.normal(jax.random.key(1), (100, 3))
        >>> second = jax.random.normal(jax.random.key(2), (100, 3))
        >>> data = bradley_terry_preferences(jax.random.key(0), lambda y: y @ jnp.array([1.0, -1.0, 0.5]),
        ...                                  first, second, temperature=0.5)
    """
    first, second = jnp.asarray(first), jnp.asarray(second)
    if first.shape != second.shape or first.ndim == 0:
        raise ValueError(
            f"second: expected the shape of first {first.shape} (n >= 1 stacked items), got {second.shape}"
        )
    if context is not None:
        context = jnp.asarray(context)
        if context.ndim == 0 or context.shape[0] != first.shape[0]:
            raise ValueError(f"context: expected shape ({first.shape[0]}, *context_shape), got {context.shape}")
    chosen, rejected, chosen_probability = _label_pairs(key, first, second, context, reward_fn, temperature)
    return Preferences(
        chosen=np.asarray(chosen),
        rejected=np.asarray(rejected),
        context=None if context is None else np.asarray(context),
        probability=np.asarray(chosen_probability) if soft_labels else None,
    )


def _label_pairs(key, first, second, context, reward_fn, temperature):
    if context is None:
        first_rewards, second_rewards = jax.vmap(reward_fn)(first), jax.vmap(reward_fn)(second)
    else:
        first_rewards, second_rewards = jax.vmap(reward_fn)(context, first), jax.vmap(reward_fn)(context, second)
    if first_rewards.shape != (first.shape[0],):
        raise ValueError(
            f"reward_fn: expected a scalar reward per item, got rewards of shape {first_rewards.shape[1:]}"
        )
    probability = bradley_terry_probability(first_rewards, second_rewards, temperature)
    first_preferred = jax.random.uniform(key, probability.shape) < probability
    pick = first_preferred.reshape((-1,) + (1,) * (first.ndim - 1))
    chosen, rejected = jnp.where(pick, first, second), jnp.where(pick, second, first)
    return chosen, rejected, jnp.where(first_preferred, probability, 1.0 - probability)


def random_pairs(
    key: PRNGKeyArray, n_items: int, n_pairs: int
) -> tuple[Int[Array, " n_pairs"], Int[Array, " n_pairs"]]:
    """Indices ``(i, j)`` of ``n_pairs`` pairs of distinct items, uniform over ordered pairs ``i != j``."""
    if n_items < 2:
        raise ValueError(f"n_items: expected at least 2 items to pair, got {n_items}")
    first_key, offset_key = jax.random.split(key)
    first = jax.random.randint(first_key, (n_pairs,), 0, n_items)
    second = (first + jax.random.randint(offset_key, (n_pairs,), 1, n_items)) % n_items
    return first, second
